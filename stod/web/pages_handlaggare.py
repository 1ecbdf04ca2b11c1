"""The caseworker's pages: the queue, deciding a case, and CSI (groups, a term's round, a release).

Decisions are signed with the signed-in caseworker's full name and carry the case version the
page was read at (a case changed meanwhile is refused with 409, not overwritten).
"""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cases.errors import ConflictError, InputRefused, NotFound, StateError
from engine.errors import IntakeError
from engine.sensitive import shown_value

from . import services
from .deps import checked_form, day_or, int_or, not_found_page, render, role, web_context
from .pages_case import case_page_response

router = APIRouter()
handlaggare = role("handlaggare")

# The service layer names the CLI's options in its refusals; the override form's labels instead.
FIELD_SV = {"--override": "Utfall", "--reason-code": "Skälkod", "--reason": "Motivering", "--level": "Nivå",
            "--period": "Period", "--amount": "Beviljat belopp", "--item": "Begärda handlingar",
            "--date": "Beslutsdatum", "--by": "Handläggare", "--term": "Termin", "termin": "Termin",
            "placering": "Placering"}
DECISION_ERRORS = (InputRefused, IntakeError, StateError, ConflictError, NotFound)


def refusal_text(error: Exception) -> str:
    """A refusal as the page shows it: the form's label of the field, then what is wrong."""
    if isinstance(error, (InputRefused, IntakeError)):
        return f"{FIELD_SV.get(error.field, error.field)}: {error.problem}"
    return str(error)


def refusal_status(error: Exception) -> int:
    if isinstance(error, NotFound):
        return 404
    return 409 if isinstance(error, (StateError, ConflictError)) else 422


def queue_response(request: Request, ctx, template: str, title: str, open_only: bool):
    """The queue (open cases) or every case, filtered and paged by the query string."""
    q = request.query_params
    day = day_or(q.get("datum"), ctx.today())
    filters = {"kind": q.get("typ", ""), "district": q.get("stadsdel", ""), "school": q.get("skola", ""),
               "status": q.get("status", "")}
    page = services.queue_page(ctx.store, day, **filters, open_only=open_only, page=int_or(q.get("sida"), 1),
                               per_page=ctx.settings.queue_page_size)
    query = {k: v for k, v in (("typ", filters["kind"]), ("stadsdel", filters["district"]),
                               ("skola", filters["school"]), ("status", filters["status"]),
                               ("datum", q.get("datum", ""))) if v}
    return render(request, template, title=title, page=page, filters=filters, day=day,
                  options=services.queue_filters(ctx.store), query=urlencode(query), datum=q.get("datum", ""),
                  open_only=open_only)


@router.get("/ko", response_class=HTMLResponse)
async def queue(request: Request, principal=Depends(handlaggare), ctx=Depends(web_context)):
    return queue_response(request, ctx, "queue.html", "Ärendekö", True)


def decision_refused(request, ctx, principal, case_ref, error):
    try:
        view = services.case_for(ctx.store, case_ref, principal)
    except NotFound:
        return not_found_page(request)
    return case_page_response(request, ctx, principal, view, 409 if isinstance(error, ConflictError) else 422,
                              refusal_text(error))


def version_of(form) -> int | None:
    return int_or(form.get("version"), None) if form.get("version") else None


@router.post("/arenden/{case_ref}/faststall")
async def confirm(request: Request, case_ref: str, principal=Depends(handlaggare), form=Depends(checked_form),
                  ctx=Depends(web_context)):
    try:
        services.confirm(ctx.store, case_ref, principal, version_of(form), ctx.today())
    except DECISION_ERRORS as error:
        return decision_refused(request, ctx, principal, case_ref, error)
    return RedirectResponse(f"/arenden/{case_ref}?klart=faststallt", status_code=303)


def override_terms(form) -> dict:
    """The override form's grant fields as the service layer takes them (refused naming the field)."""
    amount = str(form.get("amount_sek") or "").replace(" ", "")
    if amount and not amount.isdigit():
        raise InputRefused("--amount", f"ange beloppet i hela kronor, inte {shown_value(amount)}")
    level = str(form.get("level") or "").strip()
    if level and not level.isdigit():
        raise InputRefused("--level", f"ange nivån som en siffra, inte {shown_value(level)}")
    start, end = str(form.get("period_start") or "").strip(), str(form.get("period_end") or "").strip()
    items = [line.strip() for line in str(form.get("items") or "").splitlines() if line.strip()]
    return {"level": int(level) if level else None, "period": f"{start}..{end}" if start or end else None,
            "amount_sek": int(amount) if amount else None, "items": items or None}


@router.post("/arenden/{case_ref}/andra")
async def override(request: Request, case_ref: str, principal=Depends(handlaggare), form=Depends(checked_form),
                   ctx=Depends(web_context)):
    try:
        services.override(ctx.store, case_ref, principal, str(form.get("outcome") or ""),
                          str(form.get("reason_code") or ""), str(form.get("reason") or ""),
                          **override_terms(form), expected_version=version_of(form), on=ctx.today())
    except DECISION_ERRORS as error:
        return decision_refused(request, ctx, principal, case_ref, error)
    return RedirectResponse(f"/arenden/{case_ref}?klart=andrat", status_code=303)


# -- CSI ------------------------------------------------------------------------------------------


def csi_page(request, ctx, term_code: str, status: int = 200, **values):
    """The groups of a term with places, taken, free, waitlist; the term's placements; the forms."""
    try:
        figures, placements = services.csi_groups(ctx.store, term_code or None, ctx.today())
    except InputRefused as error:
        figures, placements, status = None, [], 422
        values["error"] = refusal_text(error)
    waitlists = {g["id"]: services.csi_waitlist(ctx.store, figures.term.code, g["id"])
                 for g in figures.groups if g["waitlist"]} if figures else {}
    return render(request, "csi.html", status, title="CSI-grupper", figures=figures, placements=placements,
                  waitlists=waitlists, term_code=figures.term.code if figures else term_code, today=ctx.today(),
                  **values)


@router.get("/csi", response_class=HTMLResponse)
async def csi_groups(request: Request, termin: str = "", principal=Depends(handlaggare), ctx=Depends(web_context)):
    return csi_page(request, ctx, termin)


@router.post("/csi/omgang", response_class=HTMLResponse)
async def csi_round(request: Request, principal=Depends(handlaggare), form=Depends(checked_form),
                    ctx=Depends(web_context)):
    term_code = str(form.get("termin") or "").strip()
    try:
        ran = services.csi_round(ctx.store, term_code, ctx.today())
    except DECISION_ERRORS as error:
        return csi_page(request, ctx, term_code, 422, error=refusal_text(error))
    return csi_page(request, ctx, ran["term"].code, ran=ran)


@router.post("/csi/frigor", response_class=HTMLResponse)
async def csi_release(request: Request, principal=Depends(handlaggare), form=Depends(checked_form),
                      ctx=Depends(web_context)):
    term_code = str(form.get("termin") or "").strip()
    try:
        released = services.csi_release(ctx.store, str(form.get("placering") or ""), principal, ctx.today())
    except DECISION_ERRORS as error:
        return csi_page(request, ctx, term_code, refusal_status(error), error=refusal_text(error))
    return csi_page(request, ctx, released.done.placement.term, released=released)
