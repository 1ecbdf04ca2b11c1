"""The caseworker's pages: the queue, deciding a case, and CSI (groups, a term's round, a release).

Decisions are signed with the signed-in caseworker's full name and carry the case version the
page was read at (a case changed meanwhile is refused with 409, not overwritten).
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cases.errors import ConflictError, InputRefused, NotFound, StateError
from cases.texts import PNR_FIX
from engine.errors import IntakeError
from engine.sensitive import contains_personnummer, shown_value

from . import services
from .deps import checked_form, not_found_page, render, role, web_context
from .pages_case import case_page_response
from .pages_common import OPTION_LABELS, page_number, query_day, shown_again, web_wording

router = APIRouter()
handlaggare = role("handlaggare")

# The service layer names the CLI's options in its refusals; the override form's labels instead.
# A field labelled "" is shown by its message alone (the message names it).
FIELD_SV = {**OPTION_LABELS, "--date": "Beslutsdatum", "termin": "Termin", "placering": "Placering", "version": "",
            "datum": "Räkna dagar till (datum)"}
DECISION_ERRORS = (InputRefused, IntakeError, StateError, ConflictError, NotFound)


def refusal_text(error: Exception) -> str:
    """A refusal as the page shows it: the form's label of the field, then what is wrong, in the
    form's words (never the command line's options or commands)."""
    if isinstance(error, (InputRefused, IntakeError)):
        label = FIELD_SV.get(error.field, error.field)
        return web_wording(f"{label}: {error.problem}" if label else error.problem)
    return web_wording(str(error))


def refusal_status(error: Exception) -> int:
    if isinstance(error, NotFound):
        return 404
    return 409 if isinstance(error, (StateError, ConflictError)) else 422


def queue_response(request: Request, ctx, template: str, title: str, open_only: bool):
    """The queue (open cases) or every case, filtered and paged by the query string.

    ``datum`` (the day days are counted to) is ``ÅÅÅÅ-MM-DD`` or empty (today); anything else is
    refused with 422 naming it. ``sida`` is read as every page reads it (``page_number``)."""
    q = request.query_params
    datum = shown_again(q.get("datum", ""))
    filters = {"kind": q.get("typ", ""), "district": q.get("stadsdel", ""), "school": q.get("skola", ""),
               "status": q.get("status", "")}
    values = dict(title=title, filters=filters, options=services.queue_filters(ctx.store), datum=datum,
                  open_only=open_only)
    try:
        day = query_day(q.get("datum"), "datum") or ctx.today()
    except InputRefused as error:
        return render(request, template, 422, page=None, day=None, query="", error=refusal_text(error), **values)
    page = services.queue_page(ctx.store, day, **filters, open_only=open_only, page=page_number(q.get("sida")),
                               per_page=ctx.settings.queue_page_size)
    query = {k: v for k, v in (("typ", filters["kind"]), ("stadsdel", filters["district"]),
                               ("skola", filters["school"]), ("status", filters["status"]),
                               ("datum", datum)) if shown_again(v)}
    return render(request, template, page=page, day=day, query=urlencode(query), **values)


@router.get("/ko", response_class=HTMLResponse)
async def queue(request: Request, principal=Depends(handlaggare), ctx=Depends(web_context)):
    return queue_response(request, ctx, "queue.html", "Ärendekö", True)


def decision_refused(request, ctx, principal, case_ref, error, form=None):
    """The case page again with the refusal. What the caseworker typed in the override ``form`` is
    kept (never a personnummer), except after a conflict: then the case is to be read again."""
    try:
        view = services.case_for(ctx.store, case_ref, principal)
    except NotFound:
        return not_found_page(request)
    conflict = isinstance(error, ConflictError)
    typed = {name: shown_again(str(form.get(name) or "")) for name in OVERRIDE_FIELDS} \
        if form is not None and not conflict else {}
    return case_page_response(request, ctx, principal, view, 409 if conflict else 422, refusal_text(error),
                              typed=typed)


VERSION_AGAIN = "ladda om sidan och fatta beslutet igen"


def version_of(form) -> int:
    """The case version the page was read at (the form's hidden field): required, ASCII digits;
    without it the optimistic concurrency check could not be made, so nothing is decided."""
    text = str(form.get("version") or "").strip()
    if not text:
        raise InputRefused("version", f"Versionen saknas i formuläret; {VERSION_AGAIN}")
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise InputRefused("version", f"Versionen {shown_value(text)} är inget versionsnummer; {VERSION_AGAIN}")
    return int(text)


@router.post("/arenden/{case_ref}/faststall")
async def confirm(request: Request, case_ref: str, principal=Depends(handlaggare), form=Depends(checked_form),
                  ctx=Depends(web_context)):
    try:
        services.confirm(ctx.store, case_ref, principal, version_of(form), ctx.today())
    except DECISION_ERRORS as error:
        return decision_refused(request, ctx, principal, case_ref, error)
    return RedirectResponse(f"/arenden/{case_ref}?klart=faststallt", status_code=303)


# The override form's fields and the option each stands for in the service layer's refusals.
OVERRIDE_FIELDS = {"outcome": "--override", "reason_code": "--reason-code", "reason": "--reason", "level": "--level",
                   "period_start": "--period", "period_end": "--period", "amount_sek": "--amount", "items": "--item"}
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
# Thousands separators a typed amount may hold (removed); every other character must be an ASCII digit.
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f")


def _whole_number(form, name: str, option: str, fix: str, digits: int) -> int | None:
    """A whole number of ASCII digits (0–9) from the form, None when empty; refused naming the field."""
    text = str(form.get(name) or "").strip().translate(_THOUSANDS)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > digits:
        raise InputRefused(option, f"{fix}, inte {shown_value(text)}")
    return int(text)


def override_terms(form) -> dict:
    """The override form's grant fields as the service layer takes them (refused naming the field)."""
    for name, option in OVERRIDE_FIELDS.items():
        if contains_personnummer(str(form.get(name) or "")):
            raise InputRefused(option, PNR_FIX)
    amount = _whole_number(form, "amount_sek", "--amount",
                           "ange beloppet i hela kronor med siffrorna 0–9, t.ex. 20000", 12)
    level = _whole_number(form, "level", "--level", "ange nivån med siffrorna 0–9, t.ex. 2", 3)
    start, end = str(form.get("period_start") or "").strip(), str(form.get("period_end") or "").strip()
    for month in (start, end):
        if month and not _MONTH.fullmatch(month):
            raise InputRefused("--period", f"ange första och sista månad som ÅÅÅÅ-MM, t.ex. 2027-01, inte "
                                           f"{shown_value(month)}")
    if bool(start) != bool(end):
        raise InputRefused("--period", "ange både första och sista månad (ÅÅÅÅ-MM), eller ingen av dem")
    items = [line.strip() for line in str(form.get("items") or "").splitlines() if line.strip()]
    return {"level": level, "period": f"{start}..{end}" if start else None, "amount_sek": amount,
            "items": items or None}


@router.post("/arenden/{case_ref}/andra")
async def override(request: Request, case_ref: str, principal=Depends(handlaggare), form=Depends(checked_form),
                   ctx=Depends(web_context)):
    try:
        version = version_of(form)
        services.override(ctx.store, case_ref, principal, str(form.get("outcome") or ""),
                          str(form.get("reason_code") or ""), str(form.get("reason") or ""),
                          **override_terms(form), expected_version=version, on=ctx.today())
    except DECISION_ERRORS as error:
        return decision_refused(request, ctx, principal, case_ref, error, form)
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
