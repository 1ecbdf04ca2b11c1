"""Intake: the e-service's application format as pydantic models, and clear refusals.

Everything the policy decides is left to the rules; intake refuses only what cannot be
examined at all (the policy's *Input* section), naming the field and what is expected.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Literal, Optional

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .dates import in_range, out_of_range
from .errors import IntakeError
from .inputguard import check_file_name, check_strings, string_problems
from .intake_errors import Problems, intake_error, json_syntax, refuse, shown
from .registry import is_kind, kinds, spec_for_kind
from .sensitive import contains_personnummer


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class School(Model):
    unit_code: str = Field(pattern=r"^[0-9]{8}$")
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
        if contains_personnummer(value):
            raise ValueError("ser ut som ett personnummer (visas inte); ange elevens pseudonyma "
                             "referens från e-tjänsten, aldrig ett personnummer")
        return value


def _bounded(value: date) -> date:
    if not in_range(value):
        raise ValueError(f"{out_of_range(value)}; ange ett datum inom det intervallet")
    return value


class DatedDocument(Model):
    date: date

    _in_range = field_validator("date")(classmethod(lambda cls, value: _bounded(value)))


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

    _received_in_range = field_validator("received")(classmethod(lambda cls, value: _bounded(value)))

    def document_dates(self) -> dict[str, date]:
        out = {}
        for name, doc in getattr(self, "documents", None) or ():  # an area may have no documents
            if isinstance(doc, DatedDocument):
                out[f"documents.{name}.date"] = doc.date
        return out


def explain_validation(error: ValidationError, source: str) -> IntakeError:
    """Every problem pydantic found, in Swedish, as one IntakeError."""
    problems = Problems()
    problems.add_validation(error)
    return intake_error(problems.items, source)


def parse_json(text: str | bytes, source: str = "", check: bool = True) -> dict:
    """The JSON object of an application file, or an IntakeError saying what is wrong.

    ``check``: refuse pupil data, lone surrogates and overlong strings anywhere in the file
    (see ``inputguard``); a caller that checks the parts itself passes False.
    """
    return read_json(text, source, check)[0]


def read_json(text: str | bytes, source: str = "", check: bool = True) -> tuple[dict, bytes | None]:
    """``parse_json``'s object, and the file's bytes when they are exactly that object's JSON
    (read by the fast reader: no key twice, no number read differently), else None."""
    check_file_name(source)
    data = _read_fast(text)
    if data is not None:
        if check:
            check_strings(data, source)
        return data, text
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise refuse("", "filen är inte UTF-8-text; spara den som JSON i UTF-8", source) from None
    if not text.strip():
        raise refuse("", "filen är tom; den ska innehålla ett JSON-objekt", source)
    if text.startswith("\ufeff"):
        raise refuse("", "filen börjar med ett BOM-tecken (U+FEFF), som JSON inte tillåter; spara den som UTF-8 "
                     "utan BOM", source)
    try:
        data = json.loads(text, object_pairs_hook=_object_without_duplicates)
    except DuplicateKey as error:
        raise refuse(error.field, "står två gånger i samma objekt; skriv varje fält en gång", source) from None
    except json.JSONDecodeError as error:
        raise refuse("", f"filen är inte giltig JSON: {json_syntax(error.msg)} på rad {error.lineno}, "
                     f"kolumn {error.colno}; rätta texten så att den är ett JSON-objekt", source) from None
    except RecursionError:
        raise refuse("", "filen är inte giltig JSON: den är nästlad alldeles för djupt", source) from None
    except ValueError as error:
        raise refuse("", f"filen är inte giltig JSON ({error})", source) from None
    if not isinstance(data, dict):
        raise refuse("", f"filen innehåller {_JSON_NOUN.get(type(data).__name__, 'något annat')}, inte ett "
                     "JSON-objekt; skicka ett JSON-objekt", source)
    if check:
        check_strings(data, source)
    return data, None


def _read_fast(text) -> dict | None:
    """The object orjson reads from a file's bytes, where that is provably what the strict reader
    below (json with every key once) returns; None where it may not be, or the file is refused.

    orjson refuses what json refuses (bad UTF-8, a BOM, bad syntax) and more (NaN, Infinity, lone
    surrogates, 1024 levels of nesting): those files take the strict reader and its Swedish
    messages. It reads floats correctly rounded, as json does; an integer beyond 64 bits it reads
    as a float of at least 2**63, which it writes back with an exponent (``e+``, as it writes every
    float from 1e16 up), so a file whose writing holds ``e+`` takes the strict reader. Where it differs
    is a key written twice (it keeps the last): every member of an object has one colon outside
    strings, and a colon in a string is a colon in the text unless escaped (``\\u003a``), so the
    file has no key twice exactly when its colons are as many as orjson's own writing of the
    object holds (a dropped member takes its colons with it).
    """
    if type(text) is not bytes or b"\\u003a" in text or b"\\u003A" in text:
        return None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict:
        return None
    try:
        written = orjson.dumps(data)
    except orjson.JSONEncodeError:  # nested deeper than orjson writes (it reads deeper)
        return None
    return data if text.count(b":") == written.count(b":") and b"e+" not in written else None


class DuplicateKey(ValueError):
    """A key that occurs twice in one JSON object (json.loads would silently keep the last)."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            name = key if len(key) <= 64 and not contains_personnummer(key) else "(fältnamn)"
            raise DuplicateKey(name)
        out[key] = value
    return out


_JSON_NOUN = {"list": "en lista", "str": "en text", "int": "ett tal", "float": "ett tal", "bool": "true eller false",
              "NoneType": "null"}


def parse_application(data: dict, source: str = "", checks=(), body: bytes | None = None) -> Application:
    """Validate one application (any registered kind) into its model, or refuse it with every problem.

    ``checks`` are further checks on the raw object, each giving (field, message) pairs; they run
    whether or not the model is valid, so a file's problems are all listed at once. ``body``:
    the JSON text ``data`` was read from, when it is exactly ``data`` (``read_json``); the model
    is validated from it instead of from ``data`` written out again.
    """
    check_file_name(source)
    problems = Problems()
    # Pupil data, surrogates, overlong strings: listed with the rest, or alone if nothing more can be read.
    guarded, fatal = string_problems(data)
    problems.extend(guarded)
    if fatal:
        problems.raise_if_any(source)
    kind = data.get("kind")
    if not is_kind(kind):
        expected = " eller ".join(f'"{k}"' for k in sorted(kinds()))
        found = f"{shown(kind, 'kind') or 'värdet'} är ingen känd sort" if kind is not None else "saknas"
        hint = "; en omgångsfil prövas med stod csi check" if kind == "csi_round" else ""
        problems.add("kind", f"{found}; ange {expected}{hint}")
        problems.raise_if_any(source)
    app = None
    try:
        app = spec_for_kind(kind).intake_model.model_validate_json(
            body if body is not None else json.dumps(data, ensure_ascii=False))
    except ValidationError as error:
        problems.add_validation(error)
    for check in (documents_after_receipt, *checks):
        for field, message in check(data):
            problems.add(field, message)
    problems.raise_if_any(source or str(data.get("application_id") or ""))
    return app


def raw_date(value) -> date | None:
    """A date written as YYYY-MM-DD in the raw object, or None (intake reports the bad form)."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def documents_after_receipt(data: dict):
    """No document may be dated after the application arrived, or after the last completion arrived."""
    received = raw_date(data.get("received"))
    documents = data.get("documents")
    if received is None or not isinstance(documents, dict):
        return
    completions = data.get("completions") if isinstance(data.get("completions"), list) else []
    requested = [(raw_date(c.get("requested")), raw_date(c.get("arrived"))) if isinstance(c, dict) else (None, None)
                 for c in completions]
    for i, (asked, arrived) in enumerate(requested):
        if asked is not None and arrived is not None and not received <= asked <= arrived:
            yield (f"completions[{i}]", f"begärd {asked}, inkommen {arrived}: en komplettering begärs tidigast "
                                        f"på mottagningsdagen ({received}) och kommer in tidigast när den begärts")
    until = max([received] + [arrived for _, arrived in requested if arrived is not None])
    for name, doc in documents.items():
        day = raw_date(doc.get("date")) if isinstance(doc, dict) else None
        if day is not None and day > until:
            if until == received:
                yield (f"documents.{name}.date",
                       f"{day} är efter mottagningsdagen {received}; ett underlag kan inte vara daterat efter "
                       "att ansökan kom in, ange underlagets rätta datum")
            else:
                yield (f"documents.{name}.date",
                       f"{day} är efter dagen då kompletteringen kom in ({until}); ett underlag kan inte vara "
                       "daterat efter att det skickades")