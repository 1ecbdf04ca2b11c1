"""Pages for everyone: the start page, logging in and out, the accessibility statement.

Also what every page shares in reading the query string and wording refusals: page numbers
(``page_number``), days (``query_day``), values that may be shown again (``shown_again``), and
the service layer's command-line wording turned into the form's (``web_wording``).
"""
from __future__ import annotations

import re
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cases import accounts
from cases.errors import InputRefused
from engine.sensitive import contains_personnummer, has_lone_surrogate, shown_value

from .deps import HOME, checked_form, render, safe_next, web_context
from .security import PRE_COOKIE, SESSION_COOKIE, remote_of, session_principal

router = APIRouter()

# -- the query string, as every page reads it ------------------------------------------------------

# The largest page number a page asks the database for; a larger one is this (and then the last page).
PAGE_MAX = 2**31 - 1
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def page_number(value) -> int:
    """A page number (``sida``) as every paged page reads it: ASCII digits, at least 1 and at most
    ``PAGE_MAX``; anything else (empty, a word, a sign, other digits) is page 1, as in the queue.
    The page then clamps it to its last page."""
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()):
        return 1
    if len(text) > len(str(PAGE_MAX)):  # never int() of thousands of digits
        return PAGE_MAX
    return min(max(1, int(text)), PAGE_MAX)


def last_page(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def query_day(value, label: str) -> date | None:
    """A day in the query string (``ÅÅÅÅ-MM-DD``, ASCII digits), or None when empty; refused in
    Swedish naming ``label`` (the field as the page shows it) otherwise."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    if _DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise InputRefused(label, f"ange datumet som ÅÅÅÅ-MM-DD, t.ex. 2027-03-01, inte {shown_value(text)}")


def shown_again(value) -> str:
    """What a page may put back into an input: what was typed, but never a personnummer."""
    if not isinstance(value, str) or contains_personnummer(value) or has_lone_surrogate(value):
        return ""
    return value


# -- refusals in the form's words ------------------------------------------------------------------

# The service layer names the command line's options in its refusals; pages show the form's labels.
OPTION_LABELS = {"--override": "Utfall", "--reason-code": "Skälkod", "--reason": "Motivering", "--level": "Nivå",
                 "--period": "Period", "--amount": "Beviljat belopp", "--item": "Begärda handlingar",
                 "--date": "Datum", "--by": "Handläggare", "--term": "Termin", "--group": "Grupp"}


def _emptied(match: re.Match) -> str:
    labels = [OPTION_LABELS.get(option.strip(), option.strip()) for option in match.group(1).split(",")]
    if len(labels) == 1:
        return f"töm fältet {labels[0]}"
    return f"töm fälten {', '.join(labels[:-1])} och {labels[-1]}"


_CLI_WORDING = [
    (re.compile(r"\s*\(--item TEXT, en gång per handling\)"), " (i fältet Begärda handlingar, en handling per rad)"),
    (re.compile(r"läs ärendet igen \(stod show \d+\)"), "ladda om sidan och försök igen"),
    (re.compile(r"lägg till handlingarna \(stod complete \d+ FIL\) eller ändra förslaget med --override och en "
                r"skälkod"), "rektorn skickar handlingarna, eller så ändrar du förslaget med en skälkod"),
    (re.compile(r"\(fastställ med stod decide \d+ --confirm, eller ändra förslaget\)"),
     "(fastställ förslaget på ärendets sida, eller ändra det)"),
    (re.compile(r"\(stod csi round\)"), "(Kör omgången på sidan CSI-grupper)"),
    (re.compile(r"; se stod csi groups"), "; se sidan CSI-grupper"),
    (re.compile(r"; se stod queue"), "; se listan över ärenden"),
    (re.compile(r"\s*\(stod [^)]*\)"), ""),
    (re.compile(r"ta bort (--[a-z-]+(?:, --[a-z-]+)*)"), _emptied),
    (re.compile(r"t\.ex\. --period "), "t.ex. "),
    (re.compile(r"--override ([a-z_]+)"), r"utfallet \1"),
    (re.compile(r"([0-9]{4}-[0-9]{2}|ÅÅÅÅ-MM)\.\.([0-9]{4}-[0-9]{2}|ÅÅÅÅ-MM)"), r"\1–\2"),
    (re.compile(r"--[a-z][a-z-]*"), lambda m: OPTION_LABELS.get(m.group(0), m.group(0))),
    (re.compile(r"\bdelvis_bifall\b"), "delvis bifall"),
    (re.compile(r"\bom verksamhetsstod\b"), "om verksamhetsstöd"),
]


def web_wording(text: str) -> str:
    """A refusal of the service layer in the web form's words: the form's labels for the command
    line's options, what to do on the page instead of which command to run."""
    for pattern, replacement in _CLI_WORDING:
        text = pattern.sub(replacement, text)
    return text


# -- pages -----------------------------------------------------------------------------------------

# What a login attempt with a personnummer as its user name is stored (and throttled) as. It holds a
# space, which no user name may (``accounts.add_user``), so it never names an account.
PNR_USERNAME = "(personnummer angivet)"


@router.get("/", include_in_schema=False)
async def home(request: Request):
    principal = session_principal(request)
    return RedirectResponse(HOME[principal.role] if principal else "/logga-in", status_code=303)


@router.get("/logga-in", response_class=HTMLResponse)
async def login_page(request: Request, nasta: str = ""):
    return render(request, "login.html", title="Logga in", nasta=shown_again(safe_next(nasta)), error=None,
                  username="")


@router.post("/logga-in", response_class=HTMLResponse)
async def login(request: Request, form=Depends(checked_form), ctx=Depends(web_context)):
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    nasta = shown_again(safe_next(str(form.get("nasta") or "")))
    # A personnummer typed as the user name names no account: tried (and throttled) under a
    # placeholder, so that it is neither stored in login_attempts nor shown again in the form.
    if contains_personnummer(username):
        tried, username = PNR_USERNAME, ""
    else:
        tried = username
    try:
        user, sid = accounts.login(ctx.store, tried, password, remote_of(request), ctx.settings.session_hours,
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
