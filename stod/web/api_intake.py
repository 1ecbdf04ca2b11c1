"""The e-service's intake: pre-check, send an application, send documents for a completion.

Bodies are read raw and go through the engine's own JSON parsing (the intake models are strict),
so the API refuses exactly what ``stod check`` refuses, with the same Swedish error object.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cases.accounts import Principal
from cases.errors import ConflictError, DuplicateApplication, InputRefused, NotFound, StateError
from engine.errors import EngineError, IntakeError

from . import services
from .api_common import (BODY_DOC, ERRORS_DOC, NOT_FOUND_DOC, ApiError, api_context, applicant, authenticated,
                         decision_date, error_response, json_response)

router = APIRouter()
JSON_TYPE = "application/json; charset=utf-8"


@router.post("/check", summary="Förhandsbedöm en ansökan (inget sparas)", openapi_extra=BODY_DOC,
             responses={200: {"description": "samma objekt som `stod check --json`"}, **ERRORS_DOC})
async def check(request: Request, principal: Principal = Depends(authenticated)):
    body = await request.body()
    try:
        return Response(services.check_json(body, decision_date(request)), media_type=JSON_TYPE)
    except IntakeError as error:
        return error_response(422, services.error_object(error))


@router.post("/applications", status_code=201, summary="Lämna in en ansökan", openapi_extra=BODY_DOC,
             responses={200: {"description": "redan mottagen: samma ärende"},
                        409: {"description": "samma id, annat innehåll"},
                        201: {"description": "mottagen som nytt ärende"}, **ERRORS_DOC})
async def submit(request: Request, principal: Principal = Depends(applicant), ctx=Depends(api_context)):
    body = await request.body()
    try:
        result = services.submit(ctx.store, body, principal, decision_date(request))
    except IntakeError as error:
        return error_response(422, services.error_object(error))
    except services.ForbiddenSchool as error:
        raise ApiError(403, "school.unit_code", str(error)) from None
    except DuplicateApplication as error:
        told = error.sent_by(f"POST /api/v1/cases/{error.case_id}/documents")
        return error_response(409, services.error_object(told))
    except InputRefused as error:
        return error_response(422, services.error_object(error))
    except EngineError as error:
        raise ApiError(500, "", f"motorn kunde inte pröva ansökan: {error}") from None
    out = {"case_id": result.case_id, "application_id": result.application_id, "status": result.status,
           "created": result.created, "message": result.message}
    return json_response(out, 201 if result.created else 200, {"Location": f"/api/v1/cases/{result.case_id}"})


def _in_api_words(errors: dict, day_field: str) -> dict:
    """A completion's refusal as the API says it: the day is ``?date=`` or the body's ``received``
    (not ``--date``), and a new application is sent with POST /api/v1/applications."""
    for error in errors["errors"]:
        if error["field"] == "--date":
            error["field"] = day_field
        error["message"] = error["message"].replace("(stod submit)", "(POST /api/v1/applications)")
    return errors


@router.post("/cases/{case_id}/documents", summary="Komplettera ett öppet ärende med handlingar",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "description": 'hela ansökan igen, eller {"documents": {...}, "received": "ÅÅÅÅ-MM-DD"}',
                 "type": "object"}}}}},
             responses={**NOT_FOUND_DOC, 409: {"description": "ärendet är beslutat eller ändrades samtidigt"},
                        **ERRORS_DOC})
async def documents(case_id: str, request: Request, principal: Principal = Depends(applicant),
                    ctx=Depends(api_context)):
    try:
        services.case_for(ctx.store, case_id, principal)
    except NotFound as error:
        raise ApiError(404, "case_id", str(error)) from None
    body = await request.body()
    given = decision_date(request)
    try:
        result = services.add_documents(ctx.store, case_id, body, principal, given, today=ctx.today())
    except (IntakeError, InputRefused) as error:
        return error_response(422, _in_api_words(services.error_object(error), "date" if given else "received"))
    except (StateError, ConflictError) as error:
        return error_response(409, {"errors": [{"field": "case_id", "message": str(error)}]})
    return json_response({"case_id": result.case_id, "application_id": result.application_id,
                          "status": result.status, "outcome": result.outcome, "created": result.created,
                          "message": result.message})
