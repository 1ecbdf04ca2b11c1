"""Intake for verksamhetsstöd: the e-service's application format."""
from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import Field, field_validator, model_validator

from ...dates import Month
from ...errors import IntakeError
from ...intake import Application, Atgardsprogram, DatedDocument, Model


class Period(Model):
    start_month: str
    end_month: str

    @field_validator("start_month", "end_month")
    @classmethod
    def _month(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}-\d{2}", value) or not 1 <= int(value[5:]) <= 12:
            raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
        return value

    @model_validator(mode="after")
    def _order(self):
        if Month.parse(self.end_month) < Month.parse(self.start_month):
            raise ValueError(f"end_month {self.end_month} is before start_month {self.start_month}; "
                             "the period must end on or after its start")
        return self


class Need(Model):
    description: str
    diagnoses: list[str]
    measures: list[str] = Field(min_length=1)
    extraordinary_hours_per_week: float = Field(ge=0, le=45)
    share_in_special_group: float = Field(ge=0, le=1)


class VsDocuments(Model):
    atgardsprogram: Optional[Atgardsprogram]
    utredning: Optional[DatedDocument]
    extra_anpassningar_utvardering: Optional[DatedDocument]
    foregaende_period_utvardering: Optional[DatedDocument]
    vardnadshavare_informerade: bool


class VsApplication(Application):
    kind: Literal["verksamhetsstod"]
    renewal: bool
    previous_decision_id: Optional[str]
    period: Period
    need: Need
    documents: VsDocuments
    requested_amount_sek: int = Field(gt=0)


MODELS: dict[str, type[Application]] = {"verksamhetsstod": VsApplication}


def register_kind(kind: str, model: type[Application]) -> None:
    MODELS[kind] = model


def check_measures(area, app: VsApplication, source: str) -> None:
    """Every measure applied for is one the parameters know (extraordinary or ordinary)."""
    if "extraordinary_measures" not in area.params:
        return
    known = set(area.param("extraordinary_measures", app.received)) | set(area.param("ordinary_measures", app.received))
    for i, measure in enumerate(app.need.measures):
        if measure not in known:
            raise IntakeError(f"need.measures[{i}]", f"unknown measure {measure!r}; expected one of "
                              f"{', '.join(sorted(known))}", source)
