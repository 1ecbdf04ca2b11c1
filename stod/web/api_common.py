"""What the API's routers share: the caller (``authenticated``), JSON answers, the error object.

Every endpoint needs a bearer token (``stod tokens add``) or a signed-in session; a session's
POST also needs its CSRF token in ``X-CSRF-Token``. Errors are the Swedish error object
``{"errors": [{"field", "message"}]}``.
"""
from __future__ import annotations

import json

import orjson
from datetime import date

from fastapi import Request
from fastapi.responses import Response

from cases.accounts import Principal
from engine import registry
from engine.sensitive import shown_value

from .security import CSRF_HEADER, bearer_principal, csrf_ok, session_principal

ERROR_SCHEMA = {
    "type": "object", "required": ["errors"],
    "properties": {"errors": {"type": "array", "items": {
        "type": "object", "required": ["field", "message"],
        "properties": {"field": {"type": "string", "description": "fältets sökväg, t.ex. need.measures[0]"},
                       "message": {"type": "string", "description": "vad som är fel och hur det rättas (svenska)"}}}}},
}
ERRORS_DOC = {str(s): {"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Fel"}}}}
              for s, d in ((401, "inloggning krävs"), (403, "inte tillåtet"), (413, "för stor förfrågan"),
                           (422, "ogiltig ansökan"))}
NOT_FOUND_DOC = {404: {"description": "inget sådant ärende (eller en annan skolas)"}}
BODY_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
    {"$ref": f"#/components/schemas/{a.intake_model.__name__}"} for a in registry.areas()]}}}}}


class ApiError(Exception):
    """An answer other than 2xx: one field's problem, or ``errors`` (every problem of a refused body)."""

    def __init__(self, status: int, field: str, message: str, headers: dict | None = None,
                 errors: list[dict] | None = None):
        self.status, self.field, self.message, self.headers = status, field, message, headers
        self.errors = errors or [{"field": field, "message": message}]


# orjson writes what json.dumps(value, ensure_ascii=False, default=str) writes, as an object: dates,
# datetimes and dataclasses go through str() as there (not orjson's own forms), keys that are not
# text become text. It is several times faster, and every API answer is JSON.
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


def json_bytes(value) -> bytes:
    try:
        return orjson.dumps(value, default=str, option=ORJSON_OPTIONS)
    except TypeError:  # what orjson will not write (an int beyond 64 bits, …): the standard library
        return json.dumps(value, ensure_ascii=False, default=str).encode()


def json_response(value, status: int = 200, headers: dict | None = None) -> Response:
    """JSON written the way ``stod check --json`` writes it (dates as text, UTF-8 kept)."""
    return Response(json_bytes(value), status_code=status, media_type="application/json; charset=utf-8",
                    headers=headers)


def error_response(status: int, errors: dict, headers: dict | None = None) -> Response:
    return json_response(errors, status, headers)


def api_context(request: Request):
    return request.app.state.ctx


async def authenticated(request: Request) -> Principal:
    """The caller: a bearer token, else a signed-in session (whose POSTs carry the CSRF token)."""
    principal = bearer_principal(request)
    if principal is not None:
        return principal
    if request.headers.get("authorization"):
        raise ApiError(401, "Authorization", "ogiltig eller återkallad token; be om en ny (stod tokens add)",
                       {"WWW-Authenticate": "Bearer"})
    principal = session_principal(request)
    if principal is None:
        raise ApiError(401, "Authorization", "inloggning krävs: skicka Authorization: Bearer <token> "
                       "eller logga in", {"WWW-Authenticate": "Bearer"})
    if request.method not in ("GET", "HEAD") and not csrf_ok(request, request.headers.get(CSRF_HEADER)):
        raise ApiError(403, CSRF_HEADER, "CSRF-token saknas eller är fel; skicka sidans token i X-CSRF-Token")
    return principal


async def applicant(request: Request) -> Principal:
    """A caller who may send applications and documents: a principal or the e-service."""
    principal = await authenticated(request)
    if not principal.applies:
        raise ApiError(403, "", "bara en rektor eller e-tjänsten lämnar in ansökningar och handlingar")
    return principal


async def caseworker(request: Request) -> Principal:
    """A caller who decides: a signed-in caseworker."""
    principal = await authenticated(request)
    if not principal.decides:
        raise ApiError(403, "", "bara en handläggare får göra detta")
    return principal


def decision_date(request: Request) -> date | None:
    """``?date=``: the CLI's ``--date`` rule (``stod.common.parse_date``: a date in 1900-01-01 –
    2199-12-31), written ÅÅÅÅ-MM-DD only; refused with 422 naming ``date``."""
    from stod.common import InputProblem, parse_date

    given = request.query_params.getlist("date")
    if not given:
        return None
    if len(given) > 1:
        raise ApiError(422, "date", "date står flera gånger; ange ett beslutsdatum en gång")
    value = given[0]
    try:
        day = parse_date(value, "date")
    except InputProblem as problem:
        raise ApiError(422, "date", problem.message.removeprefix("date: ")) from None
    # parse_date reads ISO 8601's other forms too (20260301, 2026-W10-1); only ÅÅÅÅ-MM-DD is a date here.
    if day.isoformat() != value:
        raise ApiError(422, "date", f"{shown_value(value)} är inget datum; ange datumet som ÅÅÅÅ-MM-DD")
    return day
