"""Intake for verksamhetsstöd: the e-service's application format."""
from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import Field, field_validator, model_validator

from ...dates import EARLIEST, LATEST
from ...intake import Application, Atgardsprogram, DatedDocument, Model, raw_date
from ...intake_errors import shown


_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


class Period(Model):
    start_month: str
    end_month: str

    @field_validator("start_month", "end_month")
    @classmethod
    def _month(cls, value: str) -> str:
        if not _MONTH.fullmatch(value) or not 1 <= int(value[5:]) <= 12 \
                or not EARLIEST.year <= int(value[:4]) <= LATEST.year:
            raise ValueError(f"{shown(value, 'period') or 'värdet'} är ingen månad; ange månaden som ÅÅÅÅ-MM med "
                             f"siffrorna 0–9 och ett år {EARLIEST.year}–{LATEST.year}, till exempel 2026-08")
        return value

    @model_validator(mode="after")
    def _order(self):
        if self.end_month < self.start_month:  # both YYYY-MM (``_month``): as text, in month order
            raise ValueError(f"end_month {self.end_month} är före start_month {self.start_month}; "
                             "perioden måste sluta samma månad som den börjar eller senare")
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


def check_measures(area, data: dict):
    """Every measure applied for is one the parameters know (extraordinary or ordinary)."""
    received = raw_date(data.get("received"))
    need = data.get("need")
    measures = need.get("measures") if isinstance(need, dict) else None
    if "extraordinary_measures" not in area.params or received is None or received < area.first_day \
            or not isinstance(measures, list):
        return
    known = set(area.param("extraordinary_measures", received)) | set(area.param("ordinary_measures", received))
    for i, measure in enumerate(measures):
        if isinstance(measure, str) and measure not in known:
            yield (f"need.measures[{i}]", f"{shown(measure, 'need.measures') or 'värdet'} är ingen stödåtgärd i "
                                          f"regelverket; ange en av {', '.join(sorted(known))}")
