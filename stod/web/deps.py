"""What every page router shares: rendering, the role and CSRF dependencies, the error pages.

The page routers (``pages_*.py``) are module-level ``APIRouter``s; a handler states what it
needs as FastAPI dependencies instead of reading closure variables:

- ``Depends(web_context)``: the ``WebContext`` (store, keys, settings, templates, today);
- ``Depends(signed_in)``, ``Depends(role("rektor"))``…: the signed-in principal (login page
  otherwise, 403 for another role);
- ``Depends(checked_form)``: the posted form once its CSRF token is checked (403 otherwise).

Dependencies are solved in the order of the parameters, so a handler that lists the role
before the form answers "log in" before it answers "bad token", as the pages always did.
"""
from __future__ import annotations

import csv
import io
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cases.accounts import Principal

from .security import CSRF_FIELD, csrf_ok, csrf_token_for, session_principal, set_cookies

HOME = {"rektor": "/mina-arenden", "handlaggare": "/ko", "revisor": "/granskning"}
NAV = {
    "rektor": [("/mina-arenden", "Mina ärenden"), ("/ansokan", "Ny ansökan"), ("/ansokan/csi", "Begär CSI-plats"),
                ("/mina-arenden/csi", "CSI-ansökningar"), ("/skolblad", "Skolblad")],
    "handlaggare": [("/ko", "Ärendekö"), ("/csi", "CSI-grupper"), ("/konsekvensanalys", "Konsekvensanalys"),
                    ("/skolblad", "Skolblad")],
    "revisor": [("/granskning", "Granskning"), ("/granskning/tackning", "Regeltäckning"),
                ("/granskning/atkomstlogg", "Åtkomstlogg"), ("/granskning/statistik", "Statistik"),
                ("/granskning/omprovning", "Omprövning"), ("/konsekvensanalys", "Konsekvensanalys"),
                ("/granskning/arenden", "Ärenden"), ("/granskning/jamlikhet", "Uppföljning mot index"),
                ("/skolblad", "Skolblad")],
}
DONE_MESSAGES = {"skickad": "Ansökan är mottagen.", "redan": "Ansökan var redan mottagen; inget nytt sparades.",
                 "faststallt": "Beslutet är fattat: förslaget är fastställt.",
                 "andrat": "Beslutet är fattat: förslaget är ändrat.",
                 "kompletterad": "Handlingarna är mottagna och ansökan är prövad på nytt.",
                 "oforandrad": "Inga nya handlingar: ansökan är oförändrad."}


class LoginNeeded(Exception):
    pass


class Forbidden(Exception):
    pass


class CsrfFailed(Exception):
    pass


def web_context(request: Request):
    """The app's shared ``WebContext``."""
    return request.app.state.ctx


def signed_in(request: Request) -> Principal:
    """Any signed-in user (the login page otherwise)."""
    principal = session_principal(request)
    if principal is None:
        raise LoginNeeded()
    return principal


def role(*roles: str):
    """A dependency: the signed-in user, who must have one of ``roles`` (403 otherwise)."""

    def dependency(request: Request) -> Principal:
        principal = signed_in(request)
        if principal.role not in roles:
            raise Forbidden()
        return principal

    dependency.__name__ = f"role_{'_'.join(roles)}"
    return dependency


async def checked_form(request: Request):
    """The posted form, once its CSRF token is checked (403 otherwise)."""
    form = await request.form()
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        raise CsrfFailed()
    return form


def render(request: Request, template: str, status: int = 200, **values) -> HTMLResponse:
    ctx = request.app.state.ctx
    principal = session_principal(request)
    values.setdefault("title", "Stödbeslut")
    response = ctx.templates.TemplateResponse(request, template, {
        "user": principal, "nav": NAV.get(principal.role, []) if principal else [],
        "csrf_token": csrf_token_for(request), "csrf_field": CSRF_FIELD, "path": request.url.path, **values},
        status_code=status)
    set_cookies(request, response)
    return response


def done_message(request: Request) -> str | None:
    return DONE_MESSAGES.get(request.query_params.get("klart", ""))


def not_found_page(request: Request) -> Response:
    if request.url.path.startswith("/api/"):
        return Response('{"errors":[{"field":"","message":"finns inte"}]}', 404, media_type="application/json")
    return render(request, "error.html", 404, title="Sidan finns inte",
                  message="Det finns ingen sådan sida eller inget sådant ärende som du har behörighet till.")


async def _login_needed(request: Request, _error):
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": "/logga-in"})
    return RedirectResponse(f"/logga-in?nasta={quote(target)}", status_code=303)


async def _forbidden(request: Request, _error):
    return render(request, "error.html", 403, title="Inte tillåtet",
                  message="Den här sidan hör till en annan roll än din. Du ser bara det din roll behöver.")


async def _csrf_failed(request: Request, _error):
    return render(request, "error.html", 403, title="Formuläret kunde inte tas emot",
                  message="Formulärets säkerhetstoken saknas eller har gått ut. Ladda om sidan och försök igen.")


async def _not_found(request: Request, _error):
    return not_found_page(request)


def add_error_pages(app: FastAPI) -> None:
    """The pages' answers to: not signed in, another role, a bad CSRF token, no such page."""
    app.add_exception_handler(LoginNeeded, _login_needed)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(CsrfFailed, _csrf_failed)
    app.add_exception_handler(404, _not_found)


def safe_next(target: str) -> str:
    """Only a path on this site (never another host) may be the page after login."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


def csv_response(filename: str, header: list[str], rows: list[list]) -> Response:
    """A report as CSV (UTF-8 with BOM and semicolons, as Swedish spreadsheet programs read it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        # A cell starting with = + - @ would be a formula in a spreadsheet: quote it as text.
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row])
    return Response("\ufeff" + buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def pdf_response(data: bytes, filename: str) -> Response:
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
