"""CSI through the API for the caseworker: a term's groups, running a round, releasing a place
(the same ``stod.services.csi`` use cases as ``stod csi groups/round/release``)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from cases.accounts import Principal
from cases.errors import ConflictError, InputRefused, NotFound, StateError
from engine.errors import IntakeError
from engine.intake import parse_json

from . import services
from .api_common import ERRORS_DOC, ApiError, api_context, authenticated, caseworker, json_response

router = APIRouter()
TERM_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["term"], "properties": {"term": {"type": "string", "example": "HT2026"}}}}}}}


def refused(error: Exception) -> ApiError:
    if isinstance(error, InputRefused):
        return ApiError(422, error.field, error.problem)
    if isinstance(error, NotFound):
        return ApiError(404, "placement", str(error))
    return ApiError(409, "placement", str(error))


async def term_of_body(request: Request) -> str:
    """The body's term code, read as every body is (``engine.intake.parse_json``: one JSON object,
    no key twice, no personnummer); a missing term, or one that is no text, refused naming ``term``."""
    try:
        data = parse_json(await request.body(), "")
    except IntakeError as error:
        raise ApiError(422, "", "", errors=services.error_object(error)["errors"]) from None
    if "term" not in data:
        raise ApiError(422, "term", 'terminen saknas: skicka {"term": "HT2026"}')
    if not isinstance(data["term"], str):
        raise ApiError(422, "term", 'terminen ska vara text, t.ex. "HT2026" eller "VT2027": skicka {"term": "HT2026"}')
    return data["term"]


@router.get("/csi/groups", summary="CSI-gruppernas platser, tagna, lediga och köer för en termin",
            responses=ERRORS_DOC)
async def groups(term: str = "", principal: Principal = Depends(authenticated), ctx=Depends(api_context)):
    if principal.role not in ("handlaggare", "revisor"):
        raise ApiError(403, "", "bara handläggare och revisorer ser CSI-gruppernas platser och köer")
    try:
        figures, placements = services.csi_groups(ctx.store, term or None, ctx.today(), "term")
    except InputRefused as error:
        raise refused(error) from None
    return json_response({"term": figures.term.code, "rounds": figures.rounds, "groups": figures.groups,
                          "placements": [p.to_dict() for p in placements]})


@router.post("/csi/rounds", status_code=201, summary="Kör och spara en termins placeringsomgång",
             openapi_extra=TERM_BODY, responses={200: {"description": "inget nytt: inget väntar eller inget ändrat"},
                                                 **ERRORS_DOC})
async def run_round(request: Request, principal: Principal = Depends(caseworker), ctx=Depends(api_context)):
    term_code = await term_of_body(request)
    try:
        ran = services.csi_round(ctx.store, term_code, ctx.today(), "term")
    except (InputRefused, StateError, ConflictError) as error:
        raise refused(error) from None
    stored = ran["round"]
    if ran["message"]:
        return json_response({"term": ran["term"].code, "status": ran["status"], "created": False,
                              "message": ran["message"], "round": stored.seq if stored else None})
    return json_response({**stored.to_dict(), "status": ran["status"]}, 201)


@router.post("/csi/placements/{placement}/release", summary="Avsluta en placering och erbjud platsen",
             responses={404: {"description": "ingen sådan placering"},
                        409: {"description": "placeringen är redan avslutad"}, **ERRORS_DOC})
async def release(placement: str, principal: Principal = Depends(caseworker), ctx=Depends(api_context)):
    try:
        released = services.csi_release(ctx.store, placement, principal, ctx.today())
    except (InputRefused, NotFound, StateError, ConflictError) as error:
        raise refused(error) from None
    return json_response(released.to_dict())
