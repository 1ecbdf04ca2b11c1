"""Structured logs of the web app: one JSON object a line on standard error.

Every request gives one line from the logger ``stod.request``::

    {"time": "2026-11-27T17:40:32.120Z", "level": "INFO", "logger": "stod.request",
     "request_id": "3f2c…", "method": "POST", "path": "/api/v1/applications", "status": 201,
     "duration_ms": 41.7, "client": "127.0.0.1"}

What a line never holds, because pupil data must not leave the database: the query string, any
header, any body, and the path as typed. ``path`` is the *route* the request matched (the
template, ``/arenden/{case_id}``), so a hostile ``/19121212-1212/adhd`` is logged as
``(okänd sökväg)``; a request id sent by a proxy (``X-Request-ID``) is kept only when it is a
hex token or UUID (no words) with no personnummer in it, otherwise a fresh one is made. The id is sent back as
``X-Request-ID`` so an operator can find a user's request. Exceptions are logged by type and
place (file and line), never by message, since messages may quote what the user sent.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import datetime, timezone

from engine.sensitive import HIDDEN, contains_personnummer

LOGGER = "stod.request"
UNKNOWN_PATH = "(okänd sökväg)"
REQUEST_ID_HEADER = b"x-request-id"
_SAFE_ID = re.compile(r"^[0-9A-Fa-f-]{8,64}$")  # a UUID or hex token: no room for words
_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "client", "error")


class JsonFormatter(logging.Formatter):
    """One JSON object a line; a message with a personnummer in it is hidden, tracebacks shortened."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
                 .replace("+00:00", "Z"), "level": record.levelname, "logger": record.name,
                 "message": HIDDEN if contains_personnummer(message) else message}
        entry.update({name: getattr(record, name) for name in _FIELDS if hasattr(record, name)})
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = error_summary(record.exc_info[1])
        return json.dumps(entry, ensure_ascii=False)


def error_summary(error: BaseException | None) -> str:
    """An exception by type and where it was raised; never its message."""
    if error is None:
        return ""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 2)[-2:][-1]}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}{where}"


def configure(level: str = "INFO") -> None:
    """Send the ``stod`` and ``uvicorn`` loggers as JSON lines to standard error at ``level``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("stod", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # our request line replaces it


def route_path(scope) -> str:
    """The template of the route the request matched (with any mount prefix), else ``UNKNOWN_PATH``."""
    route = scope.get("route")
    template = getattr(route, "path", None) or getattr(route, "path_format", None)
    if not template:
        return UNKNOWN_PATH
    return (scope.get("root_path", "") or "") + template


def request_id_of(scope) -> str:
    sent = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER, b"").decode("latin-1")
    if _SAFE_ID.match(sent) and not contains_personnummer(sent):
        return sent
    return uuid.uuid4().hex


class RequestLog:
    """ASGI middleware: a request id on every request and one log line when it is answered."""

    def __init__(self, app, logger: logging.Logger | None = None):
        self.app = app
        self.logger = logger or logging.getLogger(LOGGER)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []),
                                                  (REQUEST_ID_HEADER, request_id.encode())]}
            await send(message)

        error = None
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as caught:  # logged without its message, then raised on to the server
            error = caught
            raise
        finally:
            client = scope.get("client")
            extra = {"request_id": request_id, "method": scope.get("method", ""), "path": route_path(scope),
                     "status": status, "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                     "client": client[0] if client else ""}
            if error is not None:
                extra["error"] = error_summary(error)
            self.logger.log(logging.ERROR if status >= 500 else logging.INFO, "request", extra=extra)
