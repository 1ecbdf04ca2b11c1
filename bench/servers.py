"""Several real ``stod serve`` processes on one database, for the two-server test and bench/load.py.

    with pg_schema(base_url) as url:          # a fresh schema in a PostgreSQL database
        people = prepare(url)                 # accounts and a token, as an operator would make them
        with serving(url, 2) as bases:        # two servers on 127.0.0.1, ready (GET /readyz is 200)
            ...
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
SCHOOL = "48213551"
DAY = "2026-12-20"
PASSWORD = "ett-langt-losenord-1"


@dataclass
class People:
    token: str
    rektor: str = "rektor"
    caseworkers: tuple[str, ...] = ("anna", "berit")
    password: str = PASSWORD


@contextlib.contextmanager
def pg_schema(base_url: str):
    """A fresh schema in the PostgreSQL database at ``base_url``; the URL that uses it. Dropped after."""
    from sqlalchemy import create_engine, text

    from cases.store import resolve_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(resolve_url(base_url))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def prepare(url: str) -> People:
    """The schema made, a rektor, two caseworkers and an e-service token."""
    from cases import accounts
    from cases.store import open_store

    store = open_store(url)
    accounts.add_user(store, "rektor", "rektor", PASSWORD, [SCHOOL], "Rektor Aspelund")
    accounts.add_user(store, "anna", "handlaggare", PASSWORD, [], "Anna Lindqvist")
    accounts.add_user(store, "berit", "handlaggare", PASSWORD, [], "Berit Holm")
    _, token = accounts.add_token(store, "e-tjansten")
    store.dispose()
    return People(token=token)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(url: str, count: int = 2, workers: int = 1, timeout: float = 120.0, log_dir: Path | None = None):
    """``count`` ``stod serve`` processes on ``url``; yields their base URLs once each is ready."""
    env = {**os.environ, "STOD_LOG_LEVEL": "WARNING", "STOD_DATABASE_URL": ""}
    procs, bases, logs = [], [], []
    try:
        for _ in range(count):
            port = free_port()
            log = open(log_dir / f"serve-{port}.log", "wb") if log_dir else subprocess.DEVNULL
            logs.append(log)
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "stod", "serve", "--db", url, "--port", str(port), "--date", DAY,
                 "--workers", str(workers)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
                start_new_session=True))
            bases.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + timeout
        for proc, base in zip(procs, bases):
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"stod serve on {base} ended with exit {proc.returncode}")
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"stod serve on {base} not ready in {timeout:.0f} s")
                time.sleep(0.2)
        yield bases
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for log in logs:
            if log is not subprocess.DEVNULL:
                log.close()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
ALERT = re.compile(r'role="alert">([^<]*)<')  # the error line of a page


class Session:
    """A signed-in browser on one server: its cookies, and the CSRF token of the last page."""

    def __init__(self, base: str, cookies=None):
        self.client = httpx.Client(base_url=base, follow_redirects=False, timeout=30, cookies=cookies)
        self.token = ""

    def get(self, path: str):
        response = self.client.get(path)
        found = CSRF.search(response.text)
        if found:
            self.token = found.group(1)
        return response

    def post(self, path: str, data: dict):
        return self.client.post(path, data={"csrf_token": self.token, **data})

    def login_attempt(self, username: str, password: str):
        self.get("/logga-in")
        return self.post("/logga-in", {"username": username, "password": password})

    def login(self, username: str, password: str = PASSWORD) -> "Session":
        response = self.login_attempt(username, password)
        if response.status_code != 303:
            raise RuntimeError(f"login of {username} gave {response.status_code}")
        return self

    def on(self, base: str) -> "Session":
        """The same browser (same cookies) talking to another server."""
        return Session(base, cookies=self.client.cookies)

    def close(self):
        self.client.close()
