"""Pages for everyone: the start page, logging in and out, the accessibility statement."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cases import accounts

from .deps import HOME, checked_form, render, safe_next, web_context
from .security import PRE_COOKIE, SESSION_COOKIE, remote_of, session_principal

router = APIRouter()


@router.get("/", include_in_schema=False)
async def home(request: Request):
    principal = session_principal(request)
    return RedirectResponse(HOME[principal.role] if principal else "/logga-in", status_code=303)


@router.get("/logga-in", response_class=HTMLResponse)
async def login_page(request: Request, nasta: str = ""):
    return render(request, "login.html", title="Logga in", nasta=safe_next(nasta), error=None, username="")


@router.post("/logga-in", response_class=HTMLResponse)
async def login(request: Request, form=Depends(checked_form), ctx=Depends(web_context)):
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    nasta = safe_next(str(form.get("nasta") or ""))
    try:
        user, sid = accounts.login(ctx.store, username, password, remote_of(request), ctx.settings.session_hours,
                                   ctx.settings.throttle)
    except accounts.LoginThrottled as error:
        return render(request, "login.html", 429, title="Logga in", nasta=nasta, username=username,
                      error=f"För många misslyckade inloggningar. Försök igen om "
                            f"{max(1, -(-error.retry_after // 60))} minuter.")
    except accounts.LoginRefused:
        return render(request, "login.html", 401, title="Logga in", nasta=nasta, username=username,
                      error="Fel användarnamn eller lösenord.")
    response = RedirectResponse(nasta or HOME[user.role], status_code=303)
    response.set_cookie(SESSION_COOKIE, ctx.keys.session_cookie(sid), max_age=ctx.keys.max_age, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


@router.post("/logga-ut")
async def logout(request: Request, form=Depends(checked_form), ctx=Depends(web_context)):
    sid = request.scope.get("stod.sid")
    if sid:
        accounts.end_session(ctx.store, sid)
    response = RedirectResponse("/logga-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/tillganglighet", response_class=HTMLResponse)
async def accessibility(request: Request):
    return render(request, "tillganglighet.html", title="Tillgänglighetsredogörelse")
