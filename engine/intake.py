"""Intake: the e-service's application format as pydantic models, and clear refusals.

Everything the policy decides is left to the rules; intake refuses only what cannot be
examined at all (the policy's *Input* section), naming the field and what is expected.
"""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Literal, Optional

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import IntakeError
from .registry import is_kind, kinds, spec_for_kind

PERSONNUMMER = re.compile(r"^\s*(\d{2})?\d{6}[-+]?\d{4}\s*$")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class School(Model):
    unit_code: str = Field(pattern=r"^\d{8}$")
    name: str
    district: str
    municipality: str
    organizer: Literal["kommunal", "fristaende"]
    socioeconomic_index: Optional[float] = Field(default=None, ge=0)


class Applicant(Model):
    role: str
    name: str


class Pupil(Model):
    ref: str = Field(min_length=1)
    grade: int

    @field_validator("ref")
    @classmethod
    def _not_personnummer(cls, value: str) -> str:
        if PERSONNUMMER.match(value):
            raise ValueError("looks like a personnummer; send the pseudonymous pupil reference "
                             "from the e-service instead (never a personnummer)")
        return value


class DatedDocument(Model):
    date: date


class Atgardsprogram(DatedDocument):
    signed_by_rektor: bool


class Completion(Model):
    """One answered request for completion: asked on ``requested`` (the komplettering decision),
    documents arrived on ``arrived``. The case store adds these when documents come in time."""

    requested: date
    arrived: date


class Application(Model):
    """Fields every application shares, whatever it applies for."""

    application_id: Optional[str] = Field(default=None, min_length=1)
    received: date
    school: School
    applicant: Applicant
    pupil: Pupil
    completions: list[Completion] = []

    @property
    def documents_until(self) -> date:
        """The latest day a document may be dated: receipt, or the arrival of the last completion."""
        return max([self.received] + [c.arrived for c in self.completions])

    @property
    def pauses(self) -> list[tuple[date, date]]:
        """The applicant's turns, for processing time (``engine.processing``)."""
        return [(c.requested, c.arrived) for c in self.completions]

    def document_dates(self) -> dict[str, date]:
        out = {}
        for name, doc in getattr(self, "documents", None) or ():  # an area may have no documents
            if isinstance(doc, DatedDocument):
                out[f"documents.{name}.date"] = doc.date
        return out


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif is_kind(part) or part.startswith("function-") or part.endswith("]"):
            continue  # pydantic's union/validator tags, not fields
        else:
            out += ("." if out else "") + str(part)
    return out


def explain_validation(error: ValidationError, source: str) -> IntakeError:
    """Turn pydantic's first error into one message naming the field and the fix."""
    first = error.errors(include_url=False)[0]
    field = _loc(first["loc"])
    kind, msg = first["type"], first["msg"]
    if kind == "missing":
        problem = "is required but missing"
    elif kind == "extra_forbidden":
        problem = "is not a field of this format; remove it (check the spelling)"
    else:
        got = first.get("input")
        shown = json.dumps(got, ensure_ascii=False, default=str) if not isinstance(got, (dict, list)) else type(got).__name__
        if field.endswith("pupil.ref") or (isinstance(got, str) and PERSONNUMMER.match(got)):
            shown = "(not shown: pupil data)"  # never echo what may be a personnummer
        problem = f"{msg.removeprefix('Value error, ')} (got {shown})"
    more = len(error.errors()) - 1
    if more:
        problem += f" (and {more} more problem{'s' if more > 1 else ''})"
    return IntakeError(field, problem, source)


def parse_json(text: str | bytes, source: str = "") -> dict:
    """The JSON object of an application file, or an IntakeError saying what is wrong."""
    try:  # the fast reader first; anything it refuses takes the json module's path and its messages
        data = orjson.loads(text)
    except (orjson.JSONDecodeError, TypeError):
        data = None
    if isinstance(data, dict):
        return data
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise IntakeError("", "is not UTF-8 text; save the file as UTF-8 JSON", source) from None
    if not text.strip():
        raise IntakeError("", "the file is empty; expected one JSON object", source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise IntakeError("", f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}", source) from None
    except RecursionError:
        raise IntakeError("", "not valid JSON: nested far too deeply", source) from None
    except ValueError as error:
        raise IntakeError("", str(error), source) from None
    if not isinstance(data, dict):
        raise IntakeError("", f"expected a JSON object, got {type(data).__name__}", source)
    return data


def parse_application(data: dict, source: str = "", text: str | bytes | None = None) -> Application:
    """Validate one application (any registered kind) into its model.

    ``text``: the JSON text ``data`` was read from, validated as it is (not written again).
    """
    kind = data.get("kind")
    if not is_kind(kind):
        expected = ", ".join(repr(k) for k in sorted(kinds()))
        raise IntakeError("kind", f"unknown kind {kind!r}; expected one of {expected}", source)
    try:
        app = spec_for_kind(kind).intake_model.model_validate_json(
            text if text is not None else json.dumps(data, ensure_ascii=False))
    except ValidationError as error:
        raise explain_validation(error, source or str(data.get("application_id") or "")) from None
    for i, completion in enumerate(app.completions):
        if not app.received <= completion.requested <= completion.arrived:
            raise IntakeError(f"completions[{i}]", f"asked {completion.requested}, arrived {completion.arrived}: "
                              f"a completion is asked for on or after receipt ({app.received}) and arrives "
                              "on or after it was asked for", source)
    until = app.documents_until
    for field, day in app.document_dates().items():
        if day > until:
            if until == app.received:
                raise IntakeError(field, f"is {day}, after the receipt date {app.received}; "
                                  "a document cannot be dated after the application arrived", source)
            raise IntakeError(field, f"is {day}, after the day the completion arrived ({until}); "
                              "a document cannot be dated after it was sent", source)
    return app
