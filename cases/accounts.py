"""Who may use the case system: accounts, sessions, API tokens, login throttling, the access log.

Stored in the case database (one named migration), so several web servers on one database
share accounts, sessions, throttling and the access log:

- ``web_users``: one row per person, with a role (``rektor``, ``handlaggare``, ``revisor``), the
  school units a rektor answers for, and an argon2 hash of the password (never the password);
- ``web_sessions``: a signed-in browser; the cookie carries only the session's random id (signed
  by the web layer), the row says whose it is, when it expires and whether it was ended;
- ``api_tokens``: a bearer token for the city's e-service, stored as its sha256 (the token is
  random and long, so a fast hash is enough), optionally limited to school units, revocable;
- ``login_attempts``: failed and successful logins per user name and address, for throttling;
- ``access_log``: every view of a case that showed diagnoses: who, in which role, when, which
  case, from which address, hash-chained like the case events (``cases.events.chain_hash``), with
  the chain's head kept in ``access_log_head`` so removing the last entries shows too;
- ``web_secrets``: the key that signs session cookies, made once per database.

Nothing here evaluates a rule.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import Column, UniqueConstraint, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from engine.sensitive import has_lone_surrogate, shown_value

from . import store as S
from .errors import InputRefused, NotFound
from .events import chain_hash
from .models import JSON_TYPE, ChainLink, Row
from .texts import NAME_MAX, USERNAME_MAX, checked_text

ROLES = ("rektor", "handlaggare", "revisor")
ROLE_TITLES = {"rektor": "rektor", "handlaggare": "handläggare", "revisor": "revisor", "e-tjanst": "e-tjänst"}
TOKEN_ROLE = "e-tjanst"
TOKEN_PREFIX = "stod_"
MIN_PASSWORD_LENGTH = 10


class WebUser(Row, table=True):
    """A person who signs in: a rektor, a handläggare or a revisor."""

    __tablename__ = "web_users"

    username: str = Field(unique=True, index=True)
    full_name: str
    role: str
    schools: list = Field(default_factory=list, sa_column=Column(JSON_TYPE, nullable=False))
    password_hash: str
    created_at: datetime
    disabled_at: Optional[datetime] = None


class WebSession(SQLModel, table=True):
    """A signed-in browser: whose, until when, and whether it was ended (logged out)."""

    __tablename__ = "web_sessions"

    id: str = Field(primary_key=True)  # sha256 of the random session id the cookie carries
    user_id: int = Field(foreign_key="web_users.id", index=True)
    created_at: datetime
    expires_at: datetime
    ended_at: Optional[datetime] = None
    remote: str = ""


class ApiToken(Row, table=True):
    """A bearer token for the e-service, stored hashed; ``schools`` empty means every school."""

    __tablename__ = "api_tokens"

    name: str = Field(index=True)
    token_hash: str = Field(unique=True, index=True)
    schools: list = Field(default_factory=list, sa_column=Column(JSON_TYPE, nullable=False))
    created_at: datetime
    revoked_at: Optional[datetime] = None


class LoginAttempt(Row, table=True):
    """One login attempt, kept for throttling (by user name and by address)."""

    __tablename__ = "login_attempts"

    username: str = Field(index=True)
    remote: str = Field(index=True)
    at: datetime = Field(index=True)
    ok: bool


class AccessLogEntry(ChainLink, Row, table=True):
    """One view of a case that showed diagnoses, in a hash chain."""

    __tablename__ = "access_log"
    __table_args__ = (UniqueConstraint("seq", name="uq_access_log_seq"),)

    seq: int
    actor: str
    role: str
    at: datetime
    case_id: int = Field(index=True)
    application_id: str
    remote: str
    view: str


class AccessLogHead(SQLModel, table=True):
    """The access log's last hash and length (one row)."""

    __tablename__ = "access_log_head"

    id: int = Field(default=1, primary_key=True)
    count: int = 0
    head: str = ""


class WebSecret(SQLModel, table=True):
    """A random key made once per database (e.g. the one that signs session cookies)."""

    __tablename__ = "web_secrets"

    name: str = Field(primary_key=True)
    value: str


TABLES = (WebUser, WebSession, ApiToken, LoginAttempt, AccessLogEntry, AccessLogHead, WebSecret)


def _create_tables(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn, tables=[t.__table__ for t in TABLES])
    conn.execute(AccessLogHead.__table__.insert().values(id=1, count=0, head=""))


S.register_migration("web_0001_accounts_sessions_tokens_access_log", _create_tables)


def _queue_indexes(conn: Connection) -> None:
    # The queue pages by receipt (ORDER BY received, id with OFFSET) and offers the districts and
    # schools present as filters (DISTINCT): both read an index instead of the whole table.
    from sqlalchemy import text

    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_cases_received_id ON cases (received, id)"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_cases_district_school ON cases "
                      "(district, school_unit_code, school_name)"))


S.register_migration("web_0002_queue_indexes", _queue_indexes)


def _drop_covered_indexes(conn: Connection) -> None:
    # The single-column indexes that the queue's indexes (web_0002) lead with: they serve the
    # same look-ups, and every case written updated them too (as 0004_drop_redundant_indexes).
    from sqlalchemy import text

    for name in ("ix_cases_district", "ix_cases_received"):
        conn.execute(text(f"DROP INDEX IF EXISTS {name}"))


S.register_migration("web_0003_drop_covered_indexes", _drop_covered_indexes)


# -- who is asking --------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """A signed-in person or an e-service token: name, role and the school units it may act for.

    ``schools`` None means every school (handläggare, revisor, a token without --school).
    """

    kind: str  # user | token
    id: int
    name: str
    full_name: str
    role: str
    schools: Optional[tuple[str, ...]]

    def may_see_school(self, unit_code: str) -> bool:
        return self.schools is None or unit_code in self.schools

    @property
    def sees_diagnoses(self) -> bool:
        return self.role == "handlaggare"

    @property
    def decides(self) -> bool:
        return self.role == "handlaggare"

    @property
    def applies(self) -> bool:
        return self.role in ("rektor", TOKEN_ROLE)


def principal_of(user: WebUser) -> Principal:
    schools = tuple(user.schools) if user.role == "rektor" else None
    return Principal("user", user.id, user.username, user.full_name, user.role, schools)


# -- passwords and users --------------------------------------------------------------------


def _hasher():
    from argon2 import PasswordHasher  # imported on use: the CLI's other commands stay light

    return PasswordHasher()


def check_password(password: str) -> None:
    """Refuse a password that cannot be an account's (never repeating it): too short, or not text
    (bytes that are not UTF-8, read from standard input as lone surrogates, which argon2 cannot hash)."""
    if has_lone_surrogate(password):
        raise InputRefused("lösenord", "innehåller byte som inte är UTF-8-text (lösenordet visas inte); skriv "
                                       "lösenordet som vanlig text i UTF-8")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputRefused("lösenord", f"är för kort ({len(password)} tecken); använd minst "
                           f"{MIN_PASSWORD_LENGTH} tecken")


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher().hash(password)


def _password_bytes(password: str) -> bytes:
    """A password as argon2 verifies it: UTF-8, with a lone surrogate kept as its code (it then
    matches no account's password, all of which are text) instead of failing to encode."""
    return password.encode("utf-8", "surrogatepass")


def _check_school_code(code: str) -> None:
    if not (len(code) == 8 and code.isascii() and code.isdigit()):
        raise InputRefused("--school", f"{shown_value(code)} är inte en skolenhetskod; ange åtta siffror, "
                                       "t.ex. 41177203")


def _check_schools(role: str, schools: list[str]) -> list[str]:
    if role not in ROLES:
        raise InputRefused("--role", f"okänd roll {role!r}; välj en av {', '.join(ROLES)}")
    for code in schools:
        _check_school_code(code)
    if role == "rektor" and not schools:
        raise InputRefused("--school", "en rektor behöver minst en skolenhet (--school SKOLENHETSKOD)")
    if role != "rektor" and schools:
        raise InputRefused("--school", f"bara en rektor knyts till skolenheter; en {ROLE_TITLES[role]} ser alla")
    return sorted(set(schools))


USERNAME_FIX = "ange ett användarnamn utan mellanslag, t.ex. anna.lindqvist"
# What a new user name may hold: ASCII letters and digits, ".", "-", "_" (and "@", for the
# e-mail-like names a single sign-on proxy sends). A look-alike of another account's name
# (fullwidth "Ａｎｎａ", Cyrillic "аnna", "ANNA" beside "anna") is then either refused or, for
# upper case, the same account: names are stored in lower case and compared so.
USERNAME_CHARS = re.compile(r"[a-z0-9._@-]+")


def username_key(username: str) -> str:
    """A user name as accounts are looked up and told apart: NFKC, no surrounding white space,
    case folded ("ANNA" and fullwidth "Ａｎｎａ" are "anna")."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()


def checked_username(username: str) -> str:
    """A new account's user name, normalised (``username_key``), or an InputRefused naming NAME."""
    username = checked_text("NAME", username, USERNAME_MAX, empty=USERNAME_FIX)
    if any(c.isspace() for c in username):
        raise InputRefused("NAME", USERNAME_FIX)
    key = username_key(username)
    if not USERNAME_CHARS.fullmatch(key):
        raise InputRefused("NAME", "får bara innehålla bokstäverna a–z, siffror och . - _ @ (så att inget konto kan "
                                   "se ut som ett annat); ange t.ex. anna.lindqvist")
    return key


def _named(session: Session, username: str) -> WebUser | None:
    """The account with this user name: the name as stored, else the one whose name in lower case
    is its ``username_key`` (accounts made before names were stored in lower case)."""
    exact = session.execute(select(WebUser).where(WebUser.username == username)).scalars().first()
    if exact is not None:
        return exact
    key = username_key(username)
    if not key or has_lone_surrogate(key):
        return None
    return session.execute(select(WebUser).where(func.lower(WebUser.username) == key).order_by(WebUser.id)
                           ).scalars().first()


def check_account(username: str, role: str, password: str, schools: list[str] | None = None,
                  full_name: str | None = None) -> tuple[str, str, list[str]]:
    """A new account's user name (normalised), full name and school units, or an InputRefused:
    everything ``add_user`` checks before it opens a transaction (a caller may check before it
    opens the store, so that a refused account creates no database)."""
    username = checked_username(username)
    full_name = username if full_name is None else checked_text("--full-name", full_name, NAME_MAX,
                                                                empty="ange det namn som står under besluten")
    codes = _check_schools(role, list(schools or []))
    check_password(password)
    return username, full_name, codes


def add_user(store: S.Store, username: str, role: str, password: str, schools: list[str] | None = None,
             full_name: str | None = None, at: datetime | None = None) -> WebUser:
    """Create an account; the user name must be new (``username_key``: not even in other case)."""
    username, full_name, codes = check_account(username, role, password, schools, full_name)
    hashed = hash_password(password)
    at = S.as_utc(at)
    try:
        with store.write() as session:
            if _named(session, username) is not None:
                raise InputRefused("NAME", f"användaren {username!r} finns redan")
            user = WebUser(username=username, full_name=full_name, role=role, schools=codes,
                           password_hash=hashed, created_at=at)
            session.add(user)
            session.flush()
            return user
    except IntegrityError:
        raise InputRefused("NAME", f"användaren {username!r} finns redan") from None


def list_users(store: S.Store) -> list[WebUser]:
    with store.read() as session:
        return list(session.execute(select(WebUser).order_by(WebUser.username)).scalars())


def user_by_name(store: S.Store, username: str) -> WebUser | None:
    """An enabled account by user name (the single sign-on mode's look-up)."""
    with store.read() as session:
        user = _named(session, username)
    return user if user is not None and user.disabled_at is None else None


def user_by_id(session: Session, user_id: int) -> WebUser | None:
    user = session.get(WebUser, user_id)
    return user if user is not None and user.disabled_at is None else None


# -- login and throttling -------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    """How many failed logins are allowed, per user name and per address, within a window."""

    max_failures_per_user: int = 5
    max_failures_per_remote: int = 20
    window: timedelta = timedelta(minutes=15)


class LoginRefused(Exception):
    """Wrong user name or password (the message does not say which)."""


class LoginThrottled(Exception):
    """Too many failed logins lately; ``retry_after`` seconds until the next try is allowed."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"för många misslyckade inloggningar; försök igen om {max(1, retry_after // 60)} minuter")


def _throttled(session: Session, username: str, remote: str, now: datetime, throttle: Throttle) -> int:
    """Seconds to wait, or 0: failures since the window began (and since the last success)."""
    since = now - throttle.window
    waits = []
    for column, value, limit in ((LoginAttempt.username, username, throttle.max_failures_per_user),
                                 (LoginAttempt.remote, remote, throttle.max_failures_per_remote)):
        last_ok = session.execute(select(func.max(LoginAttempt.at)).where(column == value, LoginAttempt.ok)
                                  ).scalar()
        start = max(since, S.as_utc(last_ok)) if last_ok else since
        failures = list(session.execute(select(LoginAttempt.at).where(column == value, LoginAttempt.at > start,
                                                                      ~LoginAttempt.ok)
                                        .order_by(LoginAttempt.at.desc()).limit(limit)).scalars())
        if len(failures) >= limit:
            oldest = S.as_utc(failures[-1])
            waits.append(int((oldest + throttle.window - now).total_seconds()) + 1)
    return max(waits, default=0)


def login(store: S.Store, username: str, password: str, remote: str, session_hours: float,
          throttle: Throttle = Throttle(), at: datetime | None = None) -> tuple[WebUser, str]:
    """Check a password and open a session; returns the user and the session's random id."""
    now = S.as_utc(at)
    typed = (username or "").strip()[:200]
    # Throttled under the name's key: "ANNA" and "anna" are one account, and count as one.
    username = "?" if has_lone_surrogate(typed) else username_key(typed)[:200]
    with store.read() as session:
        wait = _throttled(session, username, remote, now, throttle)
        user = None if username == "?" else _named(session, typed)
    if wait > 0:
        raise LoginThrottled(wait)
    ok = False
    hasher = _hasher()
    if user is not None and user.disabled_at is None:
        from argon2.exceptions import VerificationError

        try:
            ok = hasher.verify(user.password_hash, _password_bytes(password))
        except VerificationError:
            ok = False
    else:
        # The same work for an unknown name, so timing does not tell which names exist.
        try:
            hasher.verify(_DUMMY_HASH(), _password_bytes(password))
        except Exception:  # noqa: BLE001 - always a mismatch
            pass
    with store.write() as session:
        session.add(LoginAttempt(username=username, remote=remote, at=now, ok=ok))
        if not ok:
            session.flush()
        else:
            sid = secrets.token_urlsafe(32)
            session.add(WebSession(id=_sid_hash(sid), user_id=user.id, created_at=now,
                                   expires_at=now + timedelta(hours=session_hours), remote=remote))
            return user, sid
    raise LoginRefused("fel användarnamn eller lösenord")


_dummy: list[str] = []


def _DUMMY_HASH() -> str:  # noqa: N802
    if not _dummy:
        _dummy.append(_hasher().hash(secrets.token_hex(16)))
    return _dummy[0]


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def session_user(store: S.Store, sid: str, at: datetime | None = None) -> WebUser | None:
    """The user of a live session, or None when it is unknown, ended or expired."""
    now = S.as_utc(at)
    with store.read() as session:
        row = session.get(WebSession, _sid_hash(sid))
        if row is None or row.ended_at is not None or S.as_utc(row.expires_at) <= now:
            return None
        return user_by_id(session, row.user_id)


def end_session(store: S.Store, sid: str, at: datetime | None = None) -> None:
    with store.write() as session:
        row = session.get(WebSession, _sid_hash(sid))
        if row is not None and row.ended_at is None:
            row.ended_at = S.as_utc(at)


# -- API tokens -----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_token(name: str, schools: list[str] | None = None) -> str:
    """A new token's name, or an InputRefused: what ``add_token`` checks before the store is opened."""
    for code in schools or []:
        _check_school_code(code)
    return checked_text("NAME", name, NAME_MAX, empty="ange ett namn på token, t.ex. e-tjansten")


def add_token(store: S.Store, name: str, schools: list[str] | None = None, at: datetime | None = None
              ) -> tuple[ApiToken, str]:
    """A new bearer token; the token itself is returned once and only its hash is kept."""
    name = check_token(name, schools)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.write() as session:
        row = ApiToken(name=name, token_hash=_token_hash(token), schools=sorted(set(schools or [])),
                       created_at=S.as_utc(at))
        session.add(row)
        session.flush()
        return row, token


def list_tokens(store: S.Store) -> list[ApiToken]:
    with store.read() as session:
        return list(session.execute(select(ApiToken).order_by(ApiToken.id)).scalars())


def revoke_token(store: S.Store, ref: str, at: datetime | None = None) -> list[ApiToken]:
    """Revoke the token with this number, or every live token with this name."""
    number = S.row_id(ref)
    with store.write() as session:
        query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
        query = query.where(ApiToken.id == number) if number is not None else query.where(ApiToken.name == ref)
        rows = [] if has_lone_surrogate(ref) else list(session.execute(query).scalars())
        if not rows:  # the reference as typed is shown only if it cannot be a personnummer
            raise NotFound(f"ingen giltig token med nummer eller namn {shown_value(ref)}; se stod tokens list")
        for row in rows:
            row.revoked_at = S.as_utc(at)
    _TOKEN_CACHE.clear()
    return rows


# Tokens found lately, per process: {(database, token hash): (principal, expiry on the monotonic clock)}.
# Every API call asks who its token is; a few seconds' memory saves a database read per call.
# A revocation in this process empties it at once; one made elsewhere (stod tokens revoke, another
# server) takes effect when the entry expires.
_TOKEN_CACHE: dict[tuple[str, str], tuple[Principal, float]] = {}
_TOKEN_CACHE_MAX = 10_000
_clock = time.monotonic


def token_principal(store: S.Store, token: str, max_age: float = 0.0) -> Principal | None:
    """The live token's principal, or None. ``max_age`` > 0: a lookup may be remembered that many seconds."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    key = (store.url, _token_hash(token))
    if max_age > 0:
        hit = _TOKEN_CACHE.get(key)
        if hit is not None and hit[1] > _clock():
            return hit[0]
    # A plain row, not an ORM object: every API call asks this, so it should cost one indexed read.
    query = select(ApiToken.id, ApiToken.name, ApiToken.schools, ApiToken.revoked_at).where(
        ApiToken.token_hash == key[1])
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.revoked_at is not None:
        _TOKEN_CACHE.pop(key, None)
        return None
    principal = Principal("token", row.id, row.name, row.name, TOKEN_ROLE, tuple(row.schools or ()) or None)
    if max_age > 0:
        if len(_TOKEN_CACHE) >= _TOKEN_CACHE_MAX:
            _TOKEN_CACHE.clear()
        _TOKEN_CACHE[key] = (principal, _clock() + max_age)
    return principal


# -- the key that signs cookies ---------------------------------------------------------------


def secret(store: S.Store, name: str = "session") -> str:
    """A random key kept in the database, made on first use (the same for every server)."""
    with store.read() as session:
        row = session.get(WebSecret, name)
    if row is not None:
        return row.value
    try:
        with store.write() as session:
            if session.get(WebSecret, name) is None:
                session.add(WebSecret(name=name, value=secrets.token_hex(32)))
    except IntegrityError:
        pass  # another server made it first
    with store.read() as session:
        return session.get(WebSecret, name).value


def constant_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


# -- the access log -------------------------------------------------------------------------


GENESIS = hashlib.sha256(b"stodbeslut:access-log").hexdigest()


def _entry_content(seq: int, actor: str, role: str, at: datetime, case_id: int, application_id: str,
                   remote: str, view: str) -> str:
    return S.canonical_json({"seq": seq, "actor": actor, "role": role,
                             "at": S.as_utc(at).isoformat(timespec="microseconds"), "case_id": case_id,
                             "application_id": application_id, "remote": remote, "view": view})


def log_access(store: S.Store, principal: Principal, case_id: int, application_id: str, remote: str, view: str,
               at: datetime | None = None) -> AccessLogEntry:
    """Record one view of a case that showed diagnoses (its own transaction, chained)."""
    at = S.as_utc(at)
    actor = f"{principal.full_name} ({principal.name})"
    for _ in range(5):
        try:
            with store.write() as session:
                head = session.execute(select(AccessLogHead).where(AccessLogHead.id == 1).with_for_update()
                                       ).scalars().one()
                seq, prev = head.count + 1, head.head or GENESIS
                digest = chain_hash(prev, _entry_content(seq, actor, principal.role, at, case_id, application_id,
                                                         remote, view))
                entry = AccessLogEntry(seq=seq, actor=actor, role=principal.role, at=at, case_id=case_id,
                                       application_id=application_id, remote=remote, view=view, prev_hash=prev,
                                       hash=digest)
                session.add(entry)
                head.count, head.head = seq, digest
                session.flush()
                return entry
        except IntegrityError:
            continue  # another server took this number; read the head again
    raise RuntimeError("åtkomstloggen kunde inte skrivas efter fem försök")


def access_log(session: Session, case_id: int | None = None, limit: int | None = 200, offset: int = 0
               ) -> list[AccessLogEntry]:
    """Entries of the access log, newest first (``limit`` None: all)."""
    query = select(AccessLogEntry).order_by(AccessLogEntry.seq.desc()).limit(limit).offset(offset)
    if case_id is not None:
        query = query.where(AccessLogEntry.case_id == case_id)
    return list(session.execute(query).scalars())


@dataclass(frozen=True)
class AccessProblem:
    """One break in the access log's chain."""

    seq: int | None
    problem: str

    def __str__(self) -> str:
        return f"åtkomstlogg, {'post ' + str(self.seq) if self.seq is not None else 'loggens slut'}: {self.problem}"


def verify_access_log(session: Session) -> tuple[int, list[AccessProblem]]:
    """Recompute the access log's chain; returns the number of entries and every break."""
    problems: list[AccessProblem] = []
    prev, expected, count = GENESIS, 1, 0
    for entry in session.execute(select(AccessLogEntry).order_by(AccessLogEntry.seq, AccessLogEntry.id)).scalars():
        count += 1
        if entry.seq != expected:
            problems.append(AccessProblem(entry.seq, f"löpnummer {entry.seq} där {expected} väntades "
                                                     "(post borttagen eller infogad)"))
        if entry.prev_hash != prev:
            problems.append(AccessProblem(entry.seq, "pekar inte på föregående posts hash (post borttagen, "
                                                     "infogad eller ändrad före denna)"))
        recomputed = chain_hash(entry.prev_hash, _entry_content(entry.seq, entry.actor, entry.role, entry.at,
                                                                entry.case_id, entry.application_id, entry.remote,
                                                                entry.view))
        if recomputed != entry.hash:
            problems.append(AccessProblem(entry.seq, "innehållet stämmer inte med sin hash (posten är ändrad)"))
        prev, expected = entry.hash, entry.seq + 1
    head = session.get(AccessLogHead, 1)
    if head is None or head.count != count or (count and head.head != prev):
        problems.append(AccessProblem(None, f"loggen anger {head.count if head else '?'} poster, men {count} finns "
                                            "(post borttagen eller tillagd i slutet)"))
    return count, problems
