"""The web app's factory: ``create_app(db)`` gives the ASGI app that ``stod serve`` runs.

One FastAPI app serves the Swedish pages (server-rendered Jinja2, htmx 2 vendored in
``static/``, every page usable without JavaScript) and mounts the HTTP API at ``/api/v1``
(its OpenAPI at ``/api/v1/openapi.json``). Both share one case store and one signing key.
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from cases import accounts
from cases.store import Store, open_store
from engine.explain import sek
from engine.registry import title_of
from engine.swedish import count

from .security import Keys, SecurityHeaders, Settings

HERE = Path(__file__).resolve().parent
HTMX_FILE = "htmx-2.0.11.min.js"

MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
             "november", "december")
STATUS_SV = {"mottagen": "mottagen", "forslag": "förslag", "komplettering_begard": "komplettering begärd",
             "beslutad": "beslutad"}
OUTCOME_SV = {"bifall": "bifall", "delvis_bifall": "delvis bifall", "komplettering": "komplettering",
              "avslag": "avslag", "avvisning": "avvisning"}
EVENT_SV = {"received": "mottagen", "evaluated": "prövad", "proposal": "beslutsförslag",
            "completion_requested": "komplettering begärd", "documents_added": "handlingar tillagda",
            "confirmed": "förslaget fastställt", "overridden": "ändrat beslut", "placement": "placering",
            "release": "plats frigjord"}
FINDING_SV = {"met": "uppfylld", "not_met": "inte uppfylld", "not_applicable": "inte tillämplig",
              "info": "information"}


def date_sv(value) -> str:
    """A date the Swedish way: 2 mars 2026."""
    if value is None or value == "":
        return "–"
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.day} {MONTHS_SV[day.month - 1]} {day.year}"


def kr(value) -> str:
    return "–" if value is None else sek(value)


@dataclass
class WebContext:
    """What every request handler shares."""

    store: Store
    keys: Keys
    settings: Settings
    templates: Jinja2Templates
    today: Callable[[], date]


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` is refused with 413 before the app sees it.

    A declared body (``Content-Length``) over the limit is refused unread. Every other body, a
    streamed one too (``Transfer-Encoding: chunked``, no length), is read here, at most one byte
    over the limit, and handed on whole: the app never reads a body that turns out too large
    half-way, so its own error handling (a mounted app's answers 500 to any exception) never
    answers first and the 413 is the one answer sent. The 413 is the API's Swedish error object
    under ``/api/``, a page elsewhere.
    """

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._too_large(scope, send)
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away: no one to answer
            if message["type"] != "http.request":
                continue
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                return await self._too_large(scope, send)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        pending = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replayed():
            # The body once, whole; then what the server says next (a disconnect), as before.
            return pending.pop() if pending else await receive()

        await self.app(scope, replayed, send)

    async def _too_large(self, scope, send):
        async def nothing():
            return {"type": "http.request", "body": b"", "more_body": False}

        if scope.get("path", "").startswith("/api/"):
            from .api_common import error_response

            response = error_response(413, {"errors": [{"field": "", "message": (
                f"förfrågan är för stor: högst {self.max_bytes} byte tas emot; skicka en mindre förfrågan")}]})
        else:
            from starlette.requests import Request

            from .deps import render

            response = render(Request(scope, nothing), "error.html", 413, title="Det du skickade är för stort",
                              message=f"Servern tar emot högst {self.max_bytes // 1024} kB i en förfrågan. "
                                      "Korta texterna eller skicka färre uppgifter och försök igen.")
        await response(scope, nothing, send)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.filters.update(date_sv=date_sv, kr=kr, status_sv=lambda s: STATUS_SV.get(s, s),
                       outcome_sv=lambda o: OUTCOME_SV.get(o, o or "–"), finding_sv=lambda f: FINDING_SV.get(f, f),
                       event_sv=lambda e: EVENT_SV.get(e, e),
                       kind_sv=title_of,
                       antal=lambda n, noun: count(n, noun, False))  # 1 ärende, 2 ärenden
    env.globals.update(htmx_file=HTMX_FILE, role_title=lambda r: accounts.ROLE_TITLES.get(r, r))
    return templates


def create_app(db: str | None = None, *, settings: Settings | None = None, store: Store | None = None,
               today: Callable[[], date] = date.today, session_secret: str | None = None) -> FastAPI:
    """The web app on the case store at ``db`` (a path or URL; as ``--db`` elsewhere).

    ``today`` gives the day pages count days waited on (the demo's cases run to the end of
    2027, so a demo server may be started on that day). ``session_secret`` (``STOD_SESSION_SECRET``)
    signs the cookies instead of the key kept in the database.
    """
    from . import (api, deps, equity, health, pages_case, pages_common, pages_handlaggare, pages_rektor,
                   pages_revisor, pages_whatif)
    from .requestlog import RequestLog

    settings = settings or Settings()
    owned = store is None
    store = store or open_store(db)
    from cases.queue_pages import refresh_statistics

    try:
        refresh_statistics(store)
        ctx = WebContext(store=store, keys=Keys(session_secret or accounts.secret(store), settings.session_hours),
                         settings=settings, templates=make_templates(), today=today)
    except BaseException:  # a fault (or Ctrl-C) while the app is made: a store it opened is closed
        if owned:
            store.dispose()
        raise

    @asynccontextmanager
    async def lifespan(_app):
        yield
        if owned:  # the server stops: its connections closed, so SQLite writes its log back into the database
            store.dispose()

    app = FastAPI(title="Stödbeslut", openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.ctx = ctx
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.mount("/api/v1", api.build(ctx))
    deps.add_error_pages(app)
    # One line per router: pages for everyone, per role, and other areas' own routers.
    app.include_router(pages_common.router)
    app.include_router(pages_case.router)
    app.include_router(pages_rektor.router)
    app.include_router(pages_handlaggare.router)
    app.include_router(pages_revisor.router)
    app.include_router(pages_whatif.router)
    app.include_router(equity.router)
    app.include_router(health.router)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLog)
    return app


def app_from_environment() -> FastAPI:
    """The app ``stod serve`` runs in each worker: the configuration (``stod.config``), the day and
    the single sign-on header from the environment; JSON logs at the configured level."""
    import os

    from stod.config import ConfigError, load

    from .requestlog import configure

    try:
        config = load()
    except ConfigError as error:
        raise SystemExit(f"fel: {error}") from None
    if config.production and config.secret_problem():
        raise SystemExit(f"fel: {config.secret_problem()}")
    configure(config.log_level)
    fixed = os.environ.get("STOD_WEB_DATE")
    today = (lambda: date.fromisoformat(fixed)) if fixed else date.today
    settings = Settings()
    if os.environ.get("STOD_WEB_PROPOSALS"):
        settings.proposals_dir = os.environ["STOD_WEB_PROPOSALS"]
    if os.environ.get("STOD_WEB_TRUSTED_HEADER"):
        settings.trusted_user_header = os.environ["STOD_WEB_TRUSTED_HEADER"]
        settings.trusted_proxies = tuple(os.environ.get("STOD_WEB_TRUSTED_PROXIES", "127.0.0.1").split(","))
    return create_app(config.database_url, settings=settings, today=today, session_secret=config.session_secret)
