"""The schema of rule files, parameter files and an area's index, as pydantic models."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RULE_ID = re.compile(r"^[A-Z]+-[A-Z][0-9]+$")  # the area's id prefix, a letter, a number
# "round": rules judged on a placement round's facts after the round (CSI-R1..R6); never decisive.
GROUPS = ("admissibility", "substantive", "completeness", "amount", "info", "round")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Basis(Strict):
    """Where a rule or value comes from: S (sourced) or A (the city's choice)."""

    kind: Literal["S", "A", "S+A"]
    text: str = Field(min_length=1)
    url: Optional[str] = None


class RuleText(Strict):
    """Swedish texts; ``{fact.name}`` and ``{param:name}`` are filled in."""

    met: str = Field(min_length=1)
    not_met: str = Field(min_length=1)
    not_applicable: Optional[str] = None
    note: Optional[str] = None
    request: Optional[str] = None  # completeness: the document to send, as a list item
    addressee: Optional[str] = None  # who must act when not met, if not the applicant (CSI-K6: placeringsgruppen)


class RuleSpec(Strict):
    id: str
    title: str = Field(min_length=1)
    group: Literal[GROUPS]
    basis: list[Basis] = Field(min_length=1)
    valid_from: date
    valid_to: Optional[date] = None
    description: str = Field(min_length=1)  # the condition in plain Swedish, for the rulebook
    applies_when: Optional[Any] = None
    when: Any
    note_when: Optional[Any] = None
    shows: list[str] = []
    text: RuleText

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError(f"rule id must look like VS-K1 or CSI-R2, got {value!r}")
        return value

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class RuleFile(Strict):
    rules: list[RuleSpec] = Field(min_length=1)


class DatedValue(Strict):
    value: Any
    note: Optional[str] = None

    @field_validator("value")
    @classmethod
    def _present(cls, value):
        def has_null(v) -> bool:
            if v is None:
                return True
            if isinstance(v, dict):
                return any(has_null(x) for x in v.values())
            if isinstance(v, list):
                return any(has_null(x) for x in v)
            return False

        if has_null(value):
            raise ValueError("a parameter value (or a part of it) is empty; give every value, or end the "
                             "parameter with valid_to")
        return value


class ParameterFile(Strict):
    """A dated parameter: a value applies from its date until the next one."""

    label: Optional[str] = None  # a short Swedish name, for decision texts
    description: str = Field(min_length=1)
    basis: list[Basis] = Field(min_length=1)
    unit: str
    applies_at: Literal["receipt", "month", "decision", "term"]
    type: Optional[str] = None  # e.g. int, list[str], map[int,int], list[record{level:int,from_hours:number}]
    valid_to: Optional[date] = None
    values: dict[date, DatedValue] = Field(min_length=1)

    @model_validator(mode="after")
    def _typed(self):
        if self.type is None:
            return self
        from .valuetypes import parse_type

        check = parse_type(self.type)  # a bad type is reported as a ValueError by pydantic
        for day, dated in self.values.items():
            try:
                check(dated.value, "")
            except ValueError as error:
                raise ValueError(f"the value from {day} does not fit type {self.type}: {error}") from None
        return self

    def at(self, day: date):
        """The value in force on ``day`` (None before the first date or after valid_to)."""
        if self.valid_to is not None and day > self.valid_to:
            return None
        found = None
        for start in sorted(self.values):
            if start <= day:
                found = self.values[start].value
        return found


class GroupSpec(Strict):
    id: Literal[GROUPS]
    title: str
    outcome: Optional[str] = None  # the outcome when a rule of the group is not met


class GrantSpec(Strict):
    full_outcome: str
    partial_outcome: str
    full_when: Any
    netting_rule: Optional[str] = None


class OutcomeWhen(Strict):
    outcome: str
    when: Any


class AreaIndex(Strict):
    area: str
    title: str
    description: str
    facts: str  # the fact set the rules look at (defined by the area's package)
    package: Optional[str] = None  # the area's package, when it is not one of engine/areas/
    groups: list[GroupSpec]
    grant: Optional[GrantSpec] = None
    eligible_outcome: Optional[str] = None  # when no grant: what an eligible request becomes
    # When no grant: the first of these whose condition holds is the outcome of an eligible
    # request (CSI: placering or ko after the round); eligible_outcome when none holds.
    eligible_outcomes: list["OutcomeWhen"] = []
    outcome_titles: dict[str, str]
