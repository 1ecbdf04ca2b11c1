"""Reading cases, their decision letters and the rules through the API.

A principal (or a school's token) reads only its schools' cases (another school's: 404, as if
it did not exist); diagnoses only for the caseworker, each such view access-logged; every view
of a letter is access-logged.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cases.accounts import Principal, log_access
from cases.errors import NotFound
from engine.sensitive import shown_value

from . import services
from .api_common import ERRORS_DOC, NOT_FOUND_DOC, ApiError, api_context, authenticated, json_response
from .deps import pdf_response
from .security import remote_of

router = APIRouter()
LETTER_FORMATS = {"pdf": "application/pdf", "html": "text/html", "json": "application/json"}
DECISION_FIELDS = ("kind", "outcome", "amount_sek", "level", "granted_period", "completion_deadline",
                   "decision_date", "decided_by", "decisive_rules")


@router.get("/cases/{case_id}", summary="Ett ärende: status, beslut och beslutstext",
            responses={**NOT_FOUND_DOC, **ERRORS_DOC})
async def case(case_id: str, request: Request, principal: Principal = Depends(authenticated),
               ctx=Depends(api_context)):
    try:
        view = services.case_for(ctx.store, case_id, principal)
    except NotFound as error:
        raise ApiError(404, "case_id", str(error)) from None
    if principal.sees_diagnoses and services.shows_diagnoses(view):
        log_access(ctx.store, principal, view["case"]["id"], view["case"]["application_id"], remote_of(request),
                   "api")
    c, current = view["case"], view["current"] or {}
    return json_response({
        "case_id": c["id"], "application_id": c["application_id"], "kind": c["kind"], "status": c["status"],
        "school_unit_code": c["school_unit_code"], "received": c["received"], "version": c["version"],
        "decision": {k: current.get(k) for k in DECISION_FIELDS} if current else None,
        "letter": services.letters.current_letter_text(view),
        "application": view["applications"][-1]["raw"],
    })


def letter_format(request: Request) -> str:
    """``?format=pdf|html|json``, else what Accept asks for first, else JSON."""
    asked = request.query_params.get("format")
    if asked is not None:
        if asked not in LETTER_FORMATS:
            raise ApiError(422, "format", f"ange format som pdf, html eller json, inte {shown_value(asked)}")
        return asked
    accept = request.headers.get("accept", "")
    for part in accept.split(","):
        media = part.split(";")[0].strip()
        for name, media_type in LETTER_FORMATS.items():
            if media == media_type:
                return name
    return "json"


@router.get("/cases/{case_id}/letter", summary="Ärendets beslutsbrev (JSON, HTML eller PDF)",
            responses={**NOT_FOUND_DOC, **ERRORS_DOC,
                       200: {"description": "brevet; ?format=pdf|html|json eller Accept",
                             "content": {"application/pdf": {}, "text/html": {}, "application/json": {}}}})
async def letter(case_id: str, request: Request, principal: Principal = Depends(authenticated),
                 ctx=Depends(api_context)):
    kind = letter_format(request)
    try:
        view, found = services.case_letter(ctx.store, case_id, principal, remote_of(request), f"api-beslutsbrev-{kind}")
    except NotFound as error:
        raise ApiError(404, "case_id", str(error)) from None
    except services.NoLetter as error:
        raise ApiError(404, "case_id", error.problem) from None
    if kind == "pdf":
        return pdf_response(services.letters.letter_pdf(found), services.letters.file_name(view, "pdf"))
    if kind == "html":
        return Response(services.letters.letter_html(found), media_type="text/html; charset=utf-8")
    return json_response({"case_id": view["case"]["id"], **found.to_dict(), "text": found.text()})


@router.get("/rules", summary="Alla regler", responses=ERRORS_DOC)
async def rules(principal: Principal = Depends(authenticated)):
    return json_response(services.rules_listing())


@router.get("/rules/{rule_id}", summary="En regel: villkor, texter och grund", responses=ERRORS_DOC)
async def rule(rule_id: str, principal: Principal = Depends(authenticated), ctx=Depends(api_context)):
    found = services.rule_detail(rule_id, ctx.today())
    if found is None:
        raise ApiError(404, "rule_id", f"ingen regel med id {shown_value(rule_id)}; se /api/v1/rules")
    return json_response(found)
