"""Who is asking: session cookies, bearer tokens, CSRF tokens and the request body limit.

- The session cookie carries only a random session id, signed with a key kept in the database
  (``cases.accounts.secret``) and time-stamped: a cookie older than the session's lifetime, or
  whose session row was ended (logout) or expired, is no session. HttpOnly, SameSite=Lax, and
  Secure when the request came over https.
- CSRF: every form carries a token derived (HMAC) from the session id, or before login from a
  random pre-session cookie; a POST without the right token is refused with 403. htmx sends it
  as the form field too; JSON requests with a session cookie send it as ``X-CSRF-Token``.
- Bearer tokens (``Authorization: Bearer stod_…``) are for the e-service and need no CSRF token:
  a browser never sends them on its own.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.requests import Request

from cases import accounts
from cases.accounts import Principal

SESSION_COOKIE = "stod_session"
PRE_COOKIE = "stod_pre"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass
class Settings:
    """How the web app runs; every value has a sensible default for a city's intranet."""

    session_hours: float = 8.0
    max_body_bytes: int = 256 * 1024
    throttle: accounts.Throttle = accounts.Throttle()
    queue_page_size: int = 50
    # How long a server may remember a bearer token it has looked up (0: ask the database every time).
    # A token revoked by another process (stod tokens revoke) is refused at the latest this much later.
    token_cache_seconds: float = 5.0
    # Proposed rules trees a caseworker or auditor may run a what-if with (each a sub-folder laid
    # out like rules/); chosen by name on the page, never by a path.
    proposals_dir: str | None = "forslag"
    # Single sign-on behind a reverse proxy (off unless a header is named): the proxy signs the
    # user in and sends the user name in this header; it is believed only from these addresses.
    trusted_user_header: str | None = None
    trusted_proxies: tuple[str, ...] = ("127.0.0.1",)


class Keys:
    """The signing key of one database, and what is made from it."""

    def __init__(self, secret: str, session_hours: float):
        self.secret = secret
        self.max_age = int(session_hours * 3600)
        self.serializer = URLSafeTimedSerializer(secret, salt="stod-session")

    def session_cookie(self, sid: str) -> str:
        return self.serializer.dumps({"sid": sid})

    def session_id(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            data = self.serializer.loads(cookie, max_age=self.max_age)
        except (SignatureExpired, BadSignature):
            return None
        sid = data.get("sid") if isinstance(data, dict) else None
        return sid if isinstance(sid, str) else None

    def csrf_token(self, seed: str) -> str:
        return hmac.new(self.secret.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def remote_of(request: Request) -> str:
    return request.client.host if request.client else "okänd"


def session_principal(request: Request) -> Principal | None:
    """The signed-in user of this request's session cookie, if the session is live."""
    cached = request.scope.get("stod.principal", False)
    if cached is not False:
        return cached
    ctx = request.app.state.ctx
    proxied = proxy_user(request, ctx.settings)
    if proxied is not None:
        user, sid = accounts.user_by_name(ctx.store, proxied), None
    else:
        sid = ctx.keys.session_id(request.cookies.get(SESSION_COOKIE))
        user = accounts.session_user(ctx.store, sid) if sid else None
    principal = accounts.principal_of(user) if user else None
    request.scope["stod.principal"] = principal
    request.scope["stod.sid"] = sid if user else None
    return principal


def proxy_user(request: Request, settings: Settings) -> str | None:
    """The user name the trusted single sign-on proxy sent, or None (mode off, or not from the proxy)."""
    if not settings.trusted_user_header:
        return None
    if remote_of(request) not in settings.trusted_proxies:
        return None  # anyone can send the header; only the proxy's word counts
    name = request.headers.get(settings.trusted_user_header, "").strip()
    return name or None


def bearer_principal(request: Request) -> Principal | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    ctx = request.app.state.ctx
    return accounts.token_principal(ctx.store, token.strip(), ctx.settings.token_cache_seconds)


def csrf_seed(request: Request) -> str | None:
    """What this request's CSRF token is made from: the session id, else the pre-session cookie."""
    session_principal(request)
    sid = request.scope.get("stod.sid")
    if sid:
        return f"s:{sid}"
    pre = request.cookies.get(PRE_COOKIE) or request.scope.get("stod.new_pre")
    return f"p:{pre}" if pre else None


def csrf_token_for(request: Request) -> str:
    """The token the page's forms carry (a pre-session cookie is made when there is none)."""
    seed = csrf_seed(request)
    if seed is None:
        request.scope["stod.new_pre"] = secrets.token_urlsafe(24)
        seed = csrf_seed(request)
    return request.app.state.ctx.keys.csrf_token(seed)


def csrf_ok(request: Request, sent: str | None) -> bool:
    seed = csrf_seed(request)
    if seed is None or not sent:
        return False
    return accounts.constant_equal(request.app.state.ctx.keys.csrf_token(seed), sent)


def set_cookies(request: Request, response) -> None:
    """Set the pre-session cookie if this request made one (pages call it on their response)."""
    pre = request.scope.get("stod.new_pre")
    if pre:
        response.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                            path="/")


SECURITY_HEADERS = [
    # Scripts and styles only from this site (htmx is vendored; no inline script anywhere).
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    # Pages carry pupil data: no copies in shared caches or the browser's back-forward history.
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    """ASGI middleware: the same protective headers on every response (static files may be cached)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope.get("path", "").startswith("/static/")

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present and not (static and n == b"cache-control")]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, with_headers)
