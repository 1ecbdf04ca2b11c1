"""The schema of rule files, parameter files and an area's index, as pydantic models.

What pydantic finds wrong in such a file is said in Swedish by ``problem`` (through the
translator of application errors, ``engine.intake_errors.translate``), with the fix for the
field from the tables below: ``rules.0.title: saknas; ange regelns rubrik som text``.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .intake_errors import WHOLE_FILE, expected, translate

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
            raise ValueError(f"{value!r} är inget giltigt regel-id; skriv id:t som VS-K1 eller CSI-R2 (områdets "
                             "prefix, ett bindestreck, en stor bokstav och ett nummer)")
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
            raise ValueError("ett parametervärde (eller en del av det) är tomt; ange varje värde, eller avsluta "
                             "parametern med valid_to")
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

        try:
            check = parse_type(self.type)  # a bad type is reported as a ValueError by pydantic
        except ValueError as error:
            raise ValueError(f"type: {error}") from None
        for day, dated in self.values.items():
            try:
                check(dated.value, "")
            except ValueError as error:
                raise ValueError(f"values.{day}.value: passar inte typen {self.type}: {error}; "
                                 "rätta värdet eller type") from None
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


# -- pydantic's findings in Swedish ---------------------------------------------------------

# What each field holds, said as the fix ("ange …"), by model. Keys are field paths with list
# indexes and dict keys (dates, outcomes) written "[]", and "#key" for the key itself; a field
# not listed gets the expectation of its type, a choice (Literal) the values it may take.
_BASIS = {
    "basis": "ange grunden som en lista med minst en post med kind och text",
    "basis[]": "ange grunden som en mappning med kind, text och vid behov url",
    "basis[].text": "ange grundens text, till exempel lagrummet eller stadens beslut",
    "basis[].url": "ange länken som text, eller utelämna fältet",
}
_OPTIONAL_TEXT = "ange texten, eller utelämna fältet"
EXPECTED_SV: dict[str, dict[str, str]] = {
    "RuleFile": {
        "": "skriv filen som en mappning med fältet rules: och reglerna som en lista under det",
        "rules": "ange reglerna som en lista under rules:, minst en regel",
        "rules[]": "ange regeln som en mappning med id, title, group, basis, valid_from, description, when och text",
        "rules[].id": "ange regelns id som text, till exempel VS-K1",
        "rules[].title": "ange regelns rubrik som text",
        **{f"rules[].{k}": v for k, v in _BASIS.items()},
        "rules[].valid_from": "ange första dagen regeln gäller som ÅÅÅÅ-MM-DD",
        "rules[].valid_to": "ange sista dagen regeln gäller som ÅÅÅÅ-MM-DD, eller utelämna fältet",
        "rules[].description": "beskriv regelns villkor i ord",
        "rules[].when": "ange regelns villkor, till exempel {fact: namn, ge: 1}",
        "rules[].shows": "ange de fakta regeln visar som en lista med faktanamn",
        "rules[].shows[]": "ange faktumets namn som text",
        "rules[].text": "ange regelns texter: met och not_met, och vid behov not_applicable, note, request, addressee",
        "rules[].text.met": "ange texten som visas när regeln är uppfylld",
        "rules[].text.not_met": "ange texten som visas när regeln inte är uppfylld",
        **{f"rules[].text.{k}": _OPTIONAL_TEXT for k in ("not_applicable", "note", "request", "addressee")},
    },
    "ParameterFile": {
        "": "skriv filen som en mappning med description, basis, unit, applies_at och values",
        "label": "ange en kort svensk benämning som text, eller utelämna fältet",
        "description": "beskriv parametern i ord",
        **_BASIS,
        "unit": "ange enheten som text, till exempel days eller months",
        "type": "ange värdenas typ, till exempel int, list[str] eller map[int,int], eller utelämna fältet",
        "valid_to": "ange sista dagen parametern gäller som ÅÅÅÅ-MM-DD, eller utelämna fältet",
        "values": "ange värdena som en mappning från datum (ÅÅÅÅ-MM-DD) till {value: …}, minst ett datum",
        "values[]": "ange värdet som en mappning {value: …} under sitt datum",
        "values[]#key": "ange datumet som ÅÅÅÅ-MM-DD",
        "values[].value": "ange ett värde",
        "values[].note": _OPTIONAL_TEXT,
    },
    "AreaIndex": {
        "": "skriv filen som en mappning med area, title, description, facts, groups och outcome_titles",
        "area": "ange områdets namn (mappens namn) som text",
        "title": "ange områdets rubrik som text",
        "description": "beskriv området i ord",
        "facts": "ange namnet på den faktauppsättning som områdespaketet definierar",
        "package": "ange områdespaketets modul, eller utelämna fältet",
        "groups": "ange regelgrupperna som en lista, var och en med id och title",
        "groups[]": "ange gruppen som en mappning med id, title och vid behov outcome",
        "groups[].title": "ange gruppens rubrik som text",
        "groups[].outcome": "ange utfallet när en regel i gruppen inte är uppfylld, eller utelämna fältet",
        "grant": "ange full_outcome, partial_outcome och full_when, eller utelämna fältet",
        "grant.full_outcome": "ange utfallets namn som text",
        "grant.partial_outcome": "ange utfallets namn som text",
        "grant.full_when": "ange villkoret för fullt bifall",
        "grant.netting_rule": "ange id för den regel som kvittar, eller utelämna fältet",
        "eligible_outcome": "ange utfallets namn som text, eller utelämna fältet",
        "eligible_outcomes": "ange utfallen som en lista, var och en med outcome och when",
        "eligible_outcomes[]": "ange utfallet som en mappning med outcome och when",
        "eligible_outcomes[].outcome": "ange utfallets namn som text",
        "eligible_outcomes[].when": "ange villkoret för utfallet",
        "outcome_titles": "ange en rubrik för varje utfall, som en mappning från utfallets namn till text",
        "outcome_titles[]": "ange utfallets rubrik som text",
    },
}
_KEYED = ("values", "outcome_titles")  # mappings whose keys are data (dates, outcomes), not field names
# A location prefix that no application field has: intake's own expectations never match it.
_MARK = "regelfil"


_DATE_KEY = re.compile(r"^datetime\.date\((\d+), (\d+), (\d+)\)$")  # how pydantic names a date key


def _part(part) -> str | int:
    if isinstance(part, date):
        return part.isoformat()
    found = _DATE_KEY.match(part) if isinstance(part, str) else None
    return date(*map(int, found.groups())).isoformat() if found else part


def where(loc: tuple) -> str:
    """pydantic's location as the message names it: ``rules.0.title``, ``values.2026-01-01.value``."""
    parts = [str(_part(p)) for p in loc]
    return ".".join(p for p in parts if not (p.startswith("[") and p.endswith("]")))  # pydantic's [key] tag


def _key(loc: tuple) -> str:
    out, previous = "", None
    for part in loc:
        if part == "[key]":
            out += "#key"
        elif isinstance(part, (int, date)) or previous in _KEYED:
            out += "[]"
        elif not (isinstance(part, str) and part.startswith("function-")):
            out += ("." if out else "") + str(part)
        previous = part
    return out


def _choices(ctx: dict) -> str:
    """pydantic's "'a', 'b' or 'c'" as "'a', 'b' eller 'c'"."""
    return re.sub(r" or ('[^']*')$", r" eller \1", str(ctx.get("expected", "")))


def problem(item: dict, model: str) -> str:
    """One of pydantic's errors in a rule, parameter or index file (``model``): the field, what
    is wrong and what to write, in Swedish. An error of the whole file is named ``(fil)``."""
    loc, kind, value = tuple(item["loc"]), item["type"], item.get("input")
    field = where(loc)
    if kind == "value_error" and not loc:  # a check of the whole file names its own field
        return str((item.get("ctx") or {}).get("error", item["msg"]))
    fix = "" if kind == "value_error" else EXPECTED_SV.get(model, {}).get(_key(loc), "")
    if kind == "literal_error":
        fix = f"ange något av {_choices(item.get('ctx') or {})}"
    if (not loc and value is None) or kind == "string_too_short":
        found = "är tom"
    else:
        marked = (_MARK,) + tuple(_part(p) for p in loc)
        found = translate({**item, "loc": marked}).message
        generic = expected(_MARK, kind.split("_", 1)[0])
        if fix and generic and found.endswith(f"; {generic}"):
            found = found[:-len(generic) - 2]  # the field's own fix instead of its type's
        found = found.replace("ett objekt", "en mappning")  # a YAML file holds mappings
    return f"{field or WHOLE_FILE}: {found}; {fix}" if fix else f"{field or WHOLE_FILE}: {found}"
