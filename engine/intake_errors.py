"""Intake errors in Swedish: one error object (field path + message) for the CLI and the HTTP API.

Every refusal of an application or round file goes through here: pydantic's findings are
translated into Swedish ("pupil.grade: 'tre' är inte ett heltal; ange årskursen som ett heltal
0–9"), the project's own checks add theirs with ``Problems.add``, and the whole list is raised
at once as one ``IntakeError``. ``{"errors": [{"field": …, "message": …}, …]}`` is what
``--json`` prints and what the API returns with status 422.

A value is shown only when it cannot be pupil data: a pupil reference, or anything that looks
like a personnummer, is never echoed (``shown``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterable

from pydantic import ValidationError

from .errors import IntakeError
from .registry import is_kind
from .sensitive import contains_personnummer, has_lone_surrogate

WHOLE_FILE = "(fil)"

_NEVER_SHOWN_FIELDS = ("pupil.ref",)
# Fields whose values are never echoed: diagnoses are shown only to roles that need them.
_NEVER_SHOWN_PARTS = ("diagnoses",)

# What is expected in each field, said as the fix ("ange …"). Keys are field paths with list
# indexes written "[]"; a field not listed here gets the expectation of its type.
EXPECTED: dict[str, str] = {
    "kind": 'ange "verksamhetsstod" (verksamhetsstöd) eller "csi" (CSI-placering)',
    "application_id": "ange ansökans id som text, eller utelämna fältet",
    "received": "ange mottagningsdagen som ÅÅÅÅ-MM-DD",
    "school": "ange skolans uppgifter (unit_code, name, district, municipality, organizer)",
    "school.unit_code": "ange skolenhetskoden som text med åtta siffror",
    "school.name": "ange skolans namn",
    "school.district": "ange skolans stadsdel",
    "school.municipality": 'ange skolans kommun, till exempel "Stockholm"',
    "school.organizer": 'ange "kommunal" eller "fristaende"',
    "school.socioeconomic_index": "ange indexet som ett tal, 0 eller större, eller null",
    "applicant": "ange den sökandes roll och namn",
    "applicant.role": 'ange den sökandes roll, till exempel "rektor"',
    "applicant.name": "ange den sökandes namn",
    "pupil": "ange elevens referens och årskurs",
    "pupil.ref": "ange elevens pseudonyma referens från e-tjänsten, aldrig ett personnummer",
    "pupil.grade": "ange årskursen som ett heltal 0–9 (0 är förskoleklass)",
    "renewal": "ange true för en förlängning, annars false",
    "previous_decision_id": "ange id för det föregående beslutet, eller null",
    "period": "ange den sökta perioden med start_month och end_month",
    "period.start_month": "ange den första månaden som ÅÅÅÅ-MM",
    "period.end_month": "ange den sista månaden som ÅÅÅÅ-MM",
    "need": "ange behovet: description, diagnoses, measures, extraordinary_hours_per_week, share_in_special_group",
    "need.description": "beskriv elevens behov i ord (texten får vara tom)",
    "need.diagnoses": "ange diagnoserna som en lista med texter (listan får vara tom)",
    "need.diagnoses[]": "ange diagnosen som text",
    "need.measures": "ange minst en stödåtgärd, som en lista med åtgärdernas namn",
    "need.measures[]": "ange åtgärdens namn som text",
    "need.extraordinary_hours_per_week": "ange timmarna per vecka som ett tal 0–45",
    "need.share_in_special_group": "ange andelen av skoltiden som ett tal 0–1, till exempel 0.5 för halva tiden",
    "documents": "ange de bifogade underlagen",
    "documents.atgardsprogram": "ange {date, signed_by_rektor} eller null om inget åtgärdsprogram bifogas",
    "documents.atgardsprogram.signed_by_rektor": "ange true eller false",
    "documents.utredning": "ange {date} eller null om ingen utredning bifogas",
    "documents.extra_anpassningar_utvardering": "ange {date} eller null om ingen utvärdering bifogas",
    "documents.foregaende_period_utvardering": "ange {date} eller null om ingen utvärdering bifogas",
    "documents.vardnadshavare_informerade": "ange true om vårdnadshavarna är informerade, annars false",
    "documents.beslut_sarskild_undervisningsgrupp": "ange {date, sarskilda_skal} eller null om inget beslut bifogas",
    "documents.beslut_sarskild_undervisningsgrupp.sarskilda_skal": "ange true eller false",
    "documents.specialistutlatande": "ange {type, date} eller null om inget utlåtande bifogas",
    "documents.specialistutlatande.type": 'ange utlåtandets typ, till exempel "psykolog"',
    "documents.vardnadshavare_delaktiga": "ange true om vårdnadshavarna har deltagit, annars false",
    "documents.lagre_niva_provad": "ange true eller false",
    "requested_amount_sek": "ange det sökta beloppet i hela kronor, större än 0",
    "focus": 'ange inriktningen, till exempel "AST"',
    "preferred_groups": "ange de önskade gruppernas id som en lista (listan får vara tom)",
    "preferred_groups[]": "ange gruppens id som text",
    "assessed_need_level": "ange behovsnivån som ett heltal 1–5, eller null om den inte är bedömd",
    "term": "ange terminen som HT eller VT och ett år, till exempel HT2026",
    "groups": "ange grupperna som en lista, eller utelämna fältet",
    "groups[].grades": "ange årskurserna som [lägsta, högsta]",
    "groups[].capacity": "ange antalet platser som ett heltal, 0 eller fler",
    "groups[].taken": "ange antalet tagna platser som ett heltal, 0 eller fler",
    "groups[].school_unit_code": "ange skolenhetskoden som text med åtta siffror",
    "requests": "ange ansökningarna som en lista med minst en ansökan",
}
_DATE_FIELD = re.compile(r"(^|\.)date$")

# What a value of each pydantic type should be, when the field has no entry above.
_TYPE_EXPECTED = {
    "int": "ange ett heltal", "float": "ange ett tal", "bool": "ange true eller false",
    "string": "ange en text", "date": "ange ett datum som ÅÅÅÅ-MM-DD", "list": "ange en lista",
    "dict": "ange ett objekt", "model": "ange ett objekt",
}
_TYPE_NOUN = {
    "int": "ett heltal", "float": "ett tal", "bool": "true eller false", "string": "en text",
    "date": "ett datum", "list": "en lista", "dict": "ett objekt", "model": "ett objekt",
}


# json's syntax messages in Swedish, by the start of the message.
JSON_SYNTAX = {
    "Expecting property name enclosed in double quotes": "ett fältnamn inom citattecken väntades",
    "Expecting value": "ett värde väntades",
    "Expecting ',' delimiter": "ett kommatecken väntades",
    "Expecting ':' delimiter": "ett kolon väntades",
    "Unterminated string": "en text saknar avslutande citattecken",
    "Invalid control character": "otillåtet styrtecken i en text",
    "Invalid \\escape": "ogiltig \\-sekvens i en text",
    "Extra data": "mer text efter JSON-objektet",
}


def json_syntax(message: str) -> str:
    return next((sv for en, sv in JSON_SYNTAX.items() if message.startswith(en)), "syntaxfel")


@dataclass(frozen=True)
class FieldError:
    """One problem of one field: its dotted path ('' for the whole file) and a Swedish message."""

    field: str
    message: str

    def to_dict(self) -> dict:
        return {"field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field or WHOLE_FILE}: {self.message}"


class Problems:
    """Collects the problems of one file; ``raise_if_any`` refuses the file with all of them."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        """One problem; a field already refused is not refused again (no repeated messages)."""
        if all(e.field != field for e in self.items):
            self.items.append(FieldError(field, message))

    def extend(self, errors: Iterable[FieldError], prefix: str = "") -> None:
        for e in errors:
            self.add(f"{prefix}.{e.field}" if prefix and e.field else (prefix or e.field), e.message)

    def add_validation(self, error: ValidationError, prefix: str = "") -> None:
        self.extend(from_validation(error), prefix)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, source: str = "") -> None:
        if self.items:
            raise intake_error(self.items, source)


def intake_error(errors: list[FieldError], source: str = "") -> IntakeError:
    """One IntakeError carrying every problem of a file."""
    error = IntakeError(errors[0].field, errors[0].message, source)
    error.errors = list(errors)
    lines = [f"{source}: {e}" if source else str(e) for e in errors]
    error.args = ("\n".join(lines),)
    return error


def errors_of(error: IntakeError) -> list[FieldError]:
    """The problems an IntakeError carries (one, for an error raised with a single field)."""
    return list(getattr(error, "errors", None) or [FieldError(error.field, error.problem)])


def error_object(error: IntakeError) -> dict:
    """The error object of the CLI's ``--json`` and the API's 422: ``{"errors": [...]}``."""
    return {"errors": [e.to_dict() for e in errors_of(error)]}


def refuse(field: str, message: str, source: str = "") -> IntakeError:
    """A refusal of one field (the common case of the project's own checks)."""
    return intake_error([FieldError(field, message)], source)


# -- values -----------------------------------------------------------------------------------

def may_be_personnummer(value) -> bool:
    """The one definition (engine.sensitive): a text that may hold a personnummer is never shown."""
    return isinstance(value, str) and (contains_personnummer(value) or has_lone_surrogate(value))


def shown(value, field: str = "") -> str | None:
    """A value as a message quotes it, or None when it must not be echoed (pupil data)."""
    if field.endswith(_NEVER_SHOWN_FIELDS) or any(p in field for p in _NEVER_SHOWN_PARTS) or may_be_personnummer(value):
        return None
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "…"
        return "'" + text.replace("\n", " ") + "'"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, list):
        return "en lista"
    if isinstance(value, dict):
        return "ett objekt"
    return None


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


# -- translating pydantic ---------------------------------------------------------------------

def field_path(loc: tuple) -> str:
    """pydantic's location as a dotted path, leaving out its union and validator tags."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith("function-") or part.endswith("]") or is_kind(part):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def expected(field: str, type_prefix: str = "") -> str:
    """The fix for a field: its own expectation, else that of a date field or of its type."""
    key = re.sub(r"\[\d+\]", "[]", field)
    key = re.sub(r"^requests\[\]\.", "", key)  # a request in a round file is a request
    if key in EXPECTED:
        return EXPECTED[key]
    if _DATE_FIELD.search(key):
        return "ange datumet som ÅÅÅÅ-MM-DD"
    return _TYPE_EXPECTED.get(type_prefix, "")


def _with_fix(found: str, field: str, type_prefix: str = "") -> str:
    fix = expected(field, type_prefix)
    return f"{found}; {fix}" if fix else found


def translate(item: dict) -> FieldError:
    """One of pydantic's errors as a Swedish message: what was found, and what is expected."""
    field = field_path(item["loc"])
    kind = item["type"]
    ctx = item.get("ctx") or {}
    value = item.get("input")
    seen = shown(value, field)
    this = seen if seen is not None else "värdet"
    prefix = kind.split("_", 1)[0]

    if kind == "missing":
        return FieldError(field, _with_fix("saknas", field))
    if kind == "extra_forbidden":
        return FieldError(field, "är inget fält i ansökan; ta bort det eller rätta stavningen")
    if kind == "value_error":
        return FieldError(field, str(ctx.get("error", item["msg"])))
    if kind == "literal_error":
        return FieldError(field, _with_fix(f"{this} är inget tillåtet värde", field))
    if kind == "string_pattern_mismatch":
        return FieldError(field, _with_fix(f"{this} har fel form", field))
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limit = next(iter(ctx.values()), None)
        word = {"greater_than_equal": "mindre än", "greater_than": "inte större än",
                "less_than_equal": "större än", "less_than": "inte mindre än"}[kind]
        return FieldError(field, _with_fix(f"{this} är {word} {_number(limit)}", field))
    if kind == "too_short":
        return FieldError(field, _with_fix("är tom" if not value else f"har för få värden ({len(value)})", field))
    if kind == "too_long":
        return FieldError(field, _with_fix("har för många värden" if isinstance(value, list) else "är för lång", field))
    if kind == "finite_number":
        return FieldError(field, _with_fix("är inget ändligt tal (NaN eller Infinity)", field, "float"))
    if kind in ("int_from_float", "int_parsing_size"):
        return FieldError(field, _with_fix(f"{this} är inte ett heltal", field, "int"))
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return FieldError(field, _with_fix(f"{this} är inget giltigt datum", field, "date"))
    if prefix in _TYPE_NOUN:
        found = "är null" if value is None else f"{this} är inte {_TYPE_NOUN[prefix]}"
        return FieldError(field, _with_fix(found, field, prefix))
    if kind == "recursion_loop":
        return FieldError(field, "är nästlat för djupt")
    return FieldError(field, _with_fix("har ett värde som inte kan läsas", field))


def from_validation(error: ValidationError) -> list[FieldError]:
    """Every problem pydantic found, translated, one per field."""
    problems = Problems()
    for item in error.errors(include_url=False):
        found = translate(item)
        problems.add(found.field, found.message)
    return problems.items
