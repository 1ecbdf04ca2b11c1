"""The HTTP API under /api/v1 for the city's e-service (OpenAPI at /api/v1/openapi.json).

``build(ctx)`` makes the API's own FastAPI app from its routers (``api_intake``: check,
applications, documents; ``api_cases``: cases, letters, rules; ``api_csi``: groups, rounds,
releases) and its error answers; what they share is ``api_common``.
"""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine import registry

from . import api_cases, api_csi, api_intake
from .api_common import ERROR_SCHEMA, ApiError, error_response

DESCRIPTION = ("Ansökningar om verksamhetsstöd och CSI: förhandsbedömning, inlämning, ärenden, beslutsbrev, "
               "CSI-omgångar, regler. Alla anrop kräver Authorization: Bearer <token> (stod tokens add) eller "
               "inloggning.")
ROUTERS = (api_intake.router, api_cases.router, api_csi.router)


async def _api_error(request, error: ApiError):
    return error_response(error.status, {"errors": error.errors}, error.headers)


async def _http_error(request, error):
    message = {404: "finns inte", 405: "metoden stöds inte här"}.get(error.status_code, str(error.detail))
    return error_response(error.status_code, {"errors": [{"field": "", "message": message}]})


async def _validation(request, error):
    return error_response(422, {"errors": [{"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
                                           for e in error.errors()]})


def _body_schemas() -> dict:
    from pydantic.json_schema import models_json_schema

    _, schema = models_json_schema([(a.intake_model, "validation") for a in registry.areas()],
                                   ref_template="#/components/schemas/{model}")
    return schema.get("$defs", {})


def openapi_of(api: FastAPI) -> dict:
    """The OpenAPI document, with the intake models' schemas, the error object and the two ways in."""
    from fastapi.openapi.utils import get_openapi

    if api.openapi_schema:
        return api.openapi_schema
    schema = get_openapi(title=api.title, version=api.version, description=api.description, routes=api.routes)
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update(_body_schemas())
    components["schemas"]["Fel"] = ERROR_SCHEMA
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"},
                                     "session": {"type": "apiKey", "in": "cookie", "name": "stod_session"}}
    schema["security"] = [{"bearer": []}, {"session": []}]
    api.openapi_schema = schema
    return schema


def build(ctx) -> FastAPI:
    api = FastAPI(title="Stödbeslut API", version="1", openapi_url="/openapi.json", docs_url=None, redoc_url=None,
                  description=DESCRIPTION)
    api.state.ctx = ctx
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(StarletteHTTPException, _http_error)
    api.add_exception_handler(RequestValidationError, _validation)
    for router in ROUTERS:
        api.include_router(router)
    api.openapi = lambda: openapi_of(api)
    return api
