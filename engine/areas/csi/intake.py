"""Intake for CSI: a placement request, and a round file of requests with its own catalogue.

As for verksamhetsstöd, intake refuses only what cannot be examined at all (the policy's
*Input*): the focus is any string (CSI-A2 judges it), the need level may be null (CSI-K6
judges it). A round file is checked as a whole before anything is decided.
"""
from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import Field, field_validator

from ...intake import Application, Atgardsprogram, DatedDocument, Model
from ...dates import EARLIEST, LATEST
from ...intake_errors import shown

TERM = re.compile(r"(HT|VT)([0-9]{4})")  # ASCII digits only; the year range is checked apart


class BeslutSarskildUndervisningsgrupp(DatedDocument):
    sarskilda_skal: bool


class Specialistutlatande(DatedDocument):
    type: str


class CsiDocuments(Model):
    atgardsprogram: Optional[Atgardsprogram]
    utredning: Optional[DatedDocument]
    beslut_sarskild_undervisningsgrupp: Optional[BeslutSarskildUndervisningsgrupp]
    specialistutlatande: Optional[Specialistutlatande]
    vardnadshavare_delaktiga: bool
    lagre_niva_provad: bool


class CsiRequest(Application):
    """A rektor's request for a place in a central special teaching group (CSI)."""

    kind: Literal["csi"]
    focus: str
    preferred_groups: list[str]
    assessed_need_level: Optional[int] = Field(ge=1, le=5)
    documents: CsiDocuments


class RoundGroup(Model):
    """One group of a round's own catalogue, with the places already taken."""

    id: str = Field(min_length=1)
    focus: str = Field(min_length=1)
    school_unit_code: str = Field(pattern=r"^[0-9]{8}$")
    school_name: str = Field(min_length=1)
    grades: list[int] = Field(min_length=2, max_length=2)
    capacity: int = Field(ge=0)
    taken: int = Field(ge=0)

    @field_validator("grades")
    @classmethod
    def _grades(cls, value: list[int]) -> list[int]:
        if value[0] > value[1]:
            raise ValueError(f"den lägsta årskursen {value[0]} är högre än den högsta {value[1]}; ange [lägsta, högsta]")
        return value


class RoundFile(Model):
    """A round file's own fields; its requests are validated one by one (see csi_api.read_round)."""

    kind: Literal["csi_round"]
    term: str
    groups: Optional[list[RoundGroup]] = None
    requests: list[dict]

    @field_validator("term")
    @classmethod
    def _term(cls, value: str) -> str:
        match = TERM.fullmatch(value)
        if not match or not EARLIEST.year <= int(match.group(2)) <= LATEST.year:
            raise ValueError(f"{shown(value, 'term') or 'värdet'} är ingen termin; ange HT eller VT och ett år "
                             f"{EARLIEST.year}–{LATEST.year} med siffrorna 0–9, till exempel HT2026 eller VT2027")
        return value


