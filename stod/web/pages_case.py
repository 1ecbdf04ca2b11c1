"""A case as each role may see it, and its decision letter (HTML in the page, and PDF).

Every role opens ``/arenden/{case}``: a principal only for the account's schools (another
school's case is 404, as if it did not exist), diagnoses only for the caseworker (each such
view access-logged). The letter is ``stod letter CASE``'s (``stod.services.letters``); every
view of it, in the page or as PDF, goes to the access log.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from cases import accounts
from cases.errors import NotFound

from . import forms, services
from .deps import done_message, not_found_page, pdf_response, render, signed_in, web_context
from .security import remote_of

router = APIRouter()


def case_page_response(request, ctx, principal, view, status=200, error=None, typed=None):
    """The case page; ``typed``: the override form's values to show again after a refusal."""
    c = view["case"]
    decidable = principal.decides and c["status"] in ("forslag", "komplettering_begard")
    completable = principal.applies and c["status"] == "komplettering_begard" and c["kind"] == services.VS
    return render(request, "case.html", status, title=f"Ärende {c['id']}", view=view, c=c,
                  current=view["current"], letter=services.letters.record_text(view),
                  app=view["applications"][-1]["raw"], decidable=decidable,
                  outcomes=services.override_outcomes() if decidable else [],
                  reason_codes=services.reason_codes(ctx.today()) if decidable else [], error=error,
                  done=done_message(request), completable=completable, documents=forms.DATED_DOCUMENTS,
                  waited=((c["decided_on"] or ctx.today()) - c["received"]).days,
                  target=services.target_days(ctx.today()), typed=typed or {})


@router.get("/arenden/{case_ref}", response_class=HTMLResponse)
async def case_page(request: Request, case_ref: str, principal=Depends(signed_in), ctx=Depends(web_context)):
    try:
        view = services.case_for(ctx.store, case_ref, principal)
    except NotFound:
        return not_found_page(request)
    if principal.sees_diagnoses and services.shows_diagnoses(view):
        accounts.log_access(ctx.store, principal, view["case"]["id"], view["case"]["application_id"],
                            remote_of(request), "ärendesida")
    return case_page_response(request, ctx, principal, view)


def read_letter(request: Request, ctx, principal, case_ref: str, view_name: str):
    """The case's letter as ``(view, letter, None)``, or ``(None, None, the error page)``."""
    try:
        view, letter = services.case_letter(ctx.store, case_ref, principal, remote_of(request), view_name)
    except NotFound:
        return None, None, not_found_page(request)
    except services.NoLetter as error:
        return None, None, render(request, "error.html", 404, title="Inget beslutsbrev", message=error.problem)
    return view, letter, None


@router.get("/arenden/{case_ref}/beslutsbrev", response_class=HTMLResponse)
async def letter_page(request: Request, case_ref: str, principal=Depends(signed_in), ctx=Depends(web_context)):
    """The letter as HTML inside the page, with a link to its PDF."""
    view, letter, refused = read_letter(request, ctx, principal, case_ref, "beslutsbrev")
    if refused:
        return refused
    return render(request, "letter.html", title=f"Beslutsbrev, ärende {view['case']['id']}", c=view["case"],
                  body=Markup(services.letter_body(letter)))


@router.get("/arenden/{case_ref}/beslutsbrev.pdf")
async def letter_pdf(request: Request, case_ref: str, principal=Depends(signed_in), ctx=Depends(web_context)):
    view, letter, refused = read_letter(request, ctx, principal, case_ref, "beslutsbrev-pdf")
    if refused:
        return refused
    return pdf_response(services.letters.letter_pdf(letter), services.letters.file_name(view, "pdf"))
