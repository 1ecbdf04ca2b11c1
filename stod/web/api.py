"""The HTTP API under /api/v1 for the city's e-service (OpenAPI at /api/v1/openapi.json).

Every endpoint needs a bearer token (``stod tokens add``) or a signed-in session; a session's
POST also needs its CSRF token in ``X-CSRF-Token``. Bodies are read raw and go through the
engine's own JSON parsing (the intake models are strict), so the API refuses exactly what
``stod check`` refuses, with the same Swedish error object: ``{"errors": [{"field", "message"}]}``.
"""
from __future__ import annotations

import json
from datetime import date

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from cases.accounts import Principal
from cases.errors import ConflictError, DuplicateApplication, InputRefused, NotFound, StateError
from engine.errors import EngineError, IntakeError
from engine import registry

from . import services
from .security import CSRF_HEADER, bearer_principal, csrf_ok, remote_of, session_principal

ERROR_SCHEMA = {
    "type": "object", "required": ["errors"],
    "properties": {"errors": {"type": "array", "items": {
        "type": "object", "required": ["field", "message"],
        "properties": {"field": {"type": "string", "description": "fältets sökväg, t.ex. need.measures[0]"},
                       "message": {"type": "string", "description": "vad som är fel och hur det rättas (svenska)"}}}}},
}


class ApiError(Exception):
    def __init__(self, status: int, field: str, message: str, headers: dict | None = None):
        self.status, self.field, self.message, self.headers = status, field, message, headers


def _json(value, status: int = 200, headers: dict | None = None) -> Response:
    """JSON written the way ``stod check --json`` writes it (dates as text, UTF-8 kept)."""
    body = json.dumps(value, ensure_ascii=False, default=str)
    return Response(body, status_code=status, media_type="application/json; charset=utf-8", headers=headers)


def _errors(status: int, errors: dict, headers: dict | None = None) -> Response:
    return _json(errors, status, headers)


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


def _body_schema() -> dict:
    from pydantic.json_schema import models_json_schema

    _, schema = models_json_schema([(a.intake_model, "validation") for a in registry.areas()],
                                   ref_template="#/components/schemas/{model}")
    return schema.get("$defs", {})


def _decision_date(request: Request) -> date | None:
    value = request.query_params.get("date")
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "date", f"ange datumet som ÅÅÅÅ-MM-DD, inte {value!r}") from None


def build(ctx) -> FastAPI:
    api = FastAPI(title="Stödbeslut API", version="1", openapi_url="/openapi.json", docs_url=None, redoc_url=None,
                  description="Ansökningar om verksamhetsstöd och CSI: förhandsbedömning, inlämning, ärenden, regler. "
                              "Alla anrop kräver Authorization: Bearer <token> (stod tokens add) eller inloggning.")
    api.state.ctx = ctx
    schemas = _body_schema()
    kinds = [{"$ref": f"#/components/schemas/{a.intake_model.__name__}"} for a in registry.areas()]
    body_doc = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": kinds}}}}}

    @api.exception_handler(ApiError)
    async def _api_error(request, error: ApiError):
        return _errors(error.status, {"errors": [{"field": error.field, "message": error.message}]}, error.headers)

    @api.exception_handler(StarletteHTTPException)
    async def _http_error(request, error):
        message = {404: "finns inte", 405: "metoden stöds inte här"}.get(error.status_code, str(error.detail))
        return _errors(error.status_code, {"errors": [{"field": "", "message": message}]})

    @api.exception_handler(RequestValidationError)
    async def _validation(request, error):
        return _errors(422, {"errors": [{"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
                                        for e in error.errors()]})

    def original_openapi():
        from fastapi.openapi.utils import get_openapi

        if api.openapi_schema:
            return api.openapi_schema
        schema = get_openapi(title=api.title, version=api.version, description=api.description, routes=api.routes)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {}).update(schemas)
        components["schemas"]["Fel"] = ERROR_SCHEMA
        components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"},
                                         "session": {"type": "apiKey", "in": "cookie", "name": "stod_session"}}
        schema["security"] = [{"bearer": []}, {"session": []}]
        api.openapi_schema = schema
        return schema

    api.openapi = original_openapi
    errors_doc = {str(s): {"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Fel"}}}}
                  for s, d in ((401, "inloggning krävs"), (403, "inte tillåtet"), (413, "för stor förfrågan"),
                               (422, "ogiltig ansökan"))}

    @api.post("/check", summary="Förhandsbedöm en ansökan (inget sparas)", openapi_extra=body_doc,
              responses={200: {"description": "samma objekt som `stod check --json`"}, **errors_doc})
    async def check(request: Request, principal: Principal = Depends(authenticated)):
        body = await request.body()
        try:
            return Response(services.check_json(body, _decision_date(request)),
                            media_type="application/json; charset=utf-8")
        except IntakeError as error:
            return _errors(422, services.error_object(error))

    @api.post("/applications", status_code=201, summary="Lämna in en ansökan", openapi_extra=body_doc,
              responses={200: {"description": "redan mottagen: samma ärende"}, 409: {"description": "samma id, annat innehåll"},
                         201: {"description": "mottagen som nytt ärende"}, **errors_doc})
    async def submit(request: Request, principal: Principal = Depends(authenticated)):
        if not principal.applies:
            raise ApiError(403, "", "bara en rektor eller e-tjänsten lämnar in ansökningar")
        body = await request.body()
        try:
            result = services.submit(ctx.store, body, principal, _decision_date(request))
        except IntakeError as error:
            return _errors(422, services.error_object(error))
        except services.ForbiddenSchool as error:
            raise ApiError(403, "school.unit_code", str(error)) from None
        except DuplicateApplication as error:
            return _errors(409, services.error_object(error))
        except InputRefused as error:
            return _errors(422, services.error_object(error))
        except EngineError as error:
            raise ApiError(500, "", f"motorn kunde inte pröva ansökan: {error}") from None
        out = {"case_id": result.case_id, "application_id": result.application_id, "status": result.status,
               "created": result.created, "message": result.message}
        return _json(out, 201 if result.created else 200, {"Location": f"/api/v1/cases/{result.case_id}"})

    @api.get("/cases/{case_id}", summary="Ett ärende: status, beslut och beslutstext",
             responses={404: {"description": "inget sådant ärende (eller en annan skolas)"}, **errors_doc})
    async def case(case_id: str, request: Request, principal: Principal = Depends(authenticated)):
        try:
            view = services.case_for(ctx.store, case_id, principal)
        except NotFound as error:
            raise ApiError(404, "case_id", str(error)) from None
        if principal.sees_diagnoses and services.shows_diagnoses(view):
            from cases.accounts import log_access

            log_access(ctx.store, principal, view["case"]["id"], view["case"]["application_id"], remote_of(request),
                       "api")
        c, current = view["case"], view["current"] or {}
        return _json({
            "case_id": c["id"], "application_id": c["application_id"], "kind": c["kind"], "status": c["status"],
            "school_unit_code": c["school_unit_code"], "received": c["received"], "version": c["version"],
            "decision": {k: current.get(k) for k in ("kind", "outcome", "amount_sek", "level", "granted_period",
                                                     "completion_deadline", "decision_date", "decided_by",
                                                     "decisive_rules")} if current else None,
            "letter": current.get("text"),
            "application": view["applications"][-1]["raw"],
        })

    @api.post("/cases/{case_id}/documents", summary="Komplettera ett öppet ärende med handlingar",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                  "description": 'hela ansökan igen, eller {"documents": {...}, "received": "ÅÅÅÅ-MM-DD"}',
                  "type": "object"}}}}},
              responses={404: {"description": "inget sådant ärende (eller en annan skolas)"},
                         409: {"description": "ärendet är beslutat eller ändrades samtidigt"}, **errors_doc})
    async def documents(case_id: str, request: Request, principal: Principal = Depends(authenticated)):
        if not principal.applies:
            raise ApiError(403, "", "bara en rektor eller e-tjänsten skickar handlingar")
        try:
            services.case_for(ctx.store, case_id, principal)
        except NotFound as error:
            raise ApiError(404, "case_id", str(error)) from None
        body = await request.body()
        try:
            result = services.add_documents(ctx.store, case_id, body, principal, _decision_date(request))
        except IntakeError as error:
            return _errors(422, services.error_object(error))
        except InputRefused as error:
            return _errors(422, services.error_object(error))
        except (StateError, ConflictError) as error:
            return _errors(409, {"errors": [{"field": "case_id", "message": str(error)}]})
        return _json({"case_id": result.case_id, "application_id": result.application_id, "status": result.status,
                      "outcome": result.outcome, "created": result.created, "message": result.message})

    @api.get("/rules", summary="Alla regler", responses=errors_doc)
    async def rules(principal: Principal = Depends(authenticated)):
        return _json(services.rules_listing())

    @api.get("/rules/{rule_id}", summary="En regel: villkor, texter och grund", responses=errors_doc)
    async def rule(rule_id: str, principal: Principal = Depends(authenticated)):
        found = services.rule_detail(rule_id, ctx.today())
        if found is None:
            raise ApiError(404, "rule_id", f"ingen regel med id {rule_id!r}; se /api/v1/rules")
        return _json(found)

    return api
