"""A child process that runs inputs through stodbeslut and reports how each one ended.

The tests start it with ``python tests/fuzz_worker.py`` and talk to it over pipes, one JSON
object per line each way, so that a segfault or a hang in durable-rules' C extension kills
or stalls this process, not the test run: the parent sees it die (or time out) and knows
which input was being handled, because the worker announces each input before it starts.

Requests (one JSON object per line on stdin):
- ``{"op": "cli", "args": [...], "env": {...}}``: the ``stod`` command, in-process through
  click's test runner (the corpus runs hundreds of files; one interpreter start each would
  take minutes on a busy 2-core machine).
- ``{"op": "application", "text": "...", "date": "YYYY-MM-DD"}`` (or ``"b64"`` for bytes):
  intake, decision, summary, as ``stod check --json`` does.
- ``{"op": "round", "text": "...", "date": ...}``: a CSI round file, as ``stod csi check``.
- ``{"op": "submit", "text": "...", "db": "<sqlite path>", "date": ...}``: ``stod submit``
  in-process, then the store's invariants (a whole case or nothing).
- ``{"op": "rules", "area": "verksamhetsstod", "files": {path: text}, "apps": [...], "date": ...}``:
  load the area from the given files and decide the applications with it.

Each answer: ``{"start": n}`` first, then ``{"n": n, "outcome": "decision" | "refused" |
"crash", "detail": ...}``; ``crash`` carries the traceback.
"""
from __future__ import annotations

import base64
import json
import os
import select
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_PROTO = None


def reply(value: dict) -> None:
    _PROTO.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")
    _PROTO.flush()


def _payload(req: dict) -> bytes:
    return base64.b64decode(req["b64"]) if "b64" in req else req["text"].encode("utf-8")


def _day(req: dict) -> date:
    return date.fromisoformat(req.get("date") or "2026-03-02")


# -- operations ---------------------------------------------------------------------------


def op_cli(req: dict) -> dict:
    from click.testing import CliRunner

    from stod.cli import main

    old = {k: os.environ.get(k) for k in req.get("env", {})}
    if "STOD_RULES_DIR" in req.get("env", {}) or "STOD_RULES_DIR" in os.environ:
        # Each real `stod` call is a new process; load_area's short-lived cache of the default
        # rules folder (keyed by area name only) must not carry one call's tree into the next.
        import engine.area

        getattr(engine.area, "_RECENT", {}).clear()
    os.environ.update(req.get("env", {}))
    try:
        result = CliRunner().invoke(main, req["args"], catch_exceptions=True)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    detail = {"exit_code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr}
    if crashed:
        detail["traceback"] = "Traceback (most recent call last):\n" + "".join(traceback.format_exception(*result.exc_info))
    return {"outcome": "crash" if crashed else "done", "detail": detail}


def op_application(req: dict) -> dict:
    from engine import api
    from engine.errors import IntakeError

    try:
        app, _ = api.read_application(_payload(req), source="fuzz")
    except IntakeError as error:
        return {"outcome": "refused", "detail": str(error)}
    decision = api.decide(app, _day(req))
    json.dumps(api.summary(decision), ensure_ascii=False, default=str)
    return {"outcome": "decision", "detail": decision.outcome}


def op_round(req: dict) -> dict:
    from engine.areas.csi import api as csi_api
    from engine.errors import IntakeError

    try:
        data = csi_api.read_round(_payload(req), source="fuzz")
    except IntakeError as error:
        return {"outcome": "refused", "detail": str(error)}
    decided = csi_api.check_round(data, _day(req))
    json.dumps(decided, ensure_ascii=False, default=lambda o: getattr(o, "__dict__", str(o)))
    return {"outcome": "decision", "detail": None}


def store_problems(db: str) -> tuple[int, list[str]]:
    """The number of cases, and every case that is not whole (or rows that belong to none)."""
    if not Path(db).exists():
        return 0, []
    problems = []
    with sqlite3.connect(db) as conn:
        q = lambda sql: conn.execute(sql).fetchall()  # noqa: E731
        for table in ("applications", "decisions", "events"):
            orphans = q(f"SELECT count(*) FROM {table} WHERE case_id NOT IN (SELECT id FROM cases)")[0][0]
            if orphans:
                problems.append(f"{orphans} {table} rows belong to no case")
        orphans = q("SELECT count(*) FROM findings WHERE decision_id NOT IN (SELECT id FROM decisions)")[0][0]
        if orphans:
            problems.append(f"{orphans} findings belong to no decision")
        for case_id, app_id, event_count in q("SELECT id, application_id, event_count FROM cases"):
            apps = q(f"SELECT count(*) FROM applications WHERE case_id = {case_id}")[0][0]
            proposals = q(f"SELECT id FROM decisions WHERE case_id = {case_id} AND kind = 'proposal'")
            events = q(f"SELECT count(*) FROM events WHERE case_id = {case_id}")[0][0]
            findings = q(f"SELECT count(*) FROM findings WHERE decision_id = {proposals[0][0]}")[0][0] if proposals else 0
            if not (apps and proposals and events and findings and events == event_count):
                problems.append(f"case {case_id} ({app_id}) is partial: {apps} applications, {len(proposals)} "
                                f"proposals, {findings} findings, {events} events (event_count {event_count})")
        cases = q("SELECT count(*) FROM cases")[0][0]
    return cases, problems


def op_submit(req: dict) -> dict:
    db = req["db"]
    before, _ = store_problems(db)
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as handle:
        handle.write(_payload(req))
    try:
        result = op_cli({"args": ["submit", handle.name, "--db", db, "--json", "--date", _day(req).isoformat()]})
    finally:
        os.unlink(handle.name)
    after, problems = store_problems(db)
    detail = result["detail"]
    if result["outcome"] == "crash":
        return result
    code = detail["exit_code"]
    if code == 2 and after != before:
        problems.append(f"refused (exit 2) but the store went from {before} to {after} cases")
    if code == 0 and after - before not in (0, 1):
        problems.append(f"one application made {after - before} cases")
    if code not in (0, 2):
        problems.append(f"exit code {code}")
    if problems:
        return {"outcome": "crash", "detail": {"problems": problems, **detail}}
    return {"outcome": "decision" if code == 0 else "refused", "detail": detail["stdout"][-300:]}


def op_rules(req: dict) -> dict:
    from engine.area import Area
    from engine.errors import RuleFileError
    from engine.intake import parse_application
    from engine.yamlsource import DictSource

    try:
        area = Area(req["area"], DictSource(req["files"]))
    except RuleFileError as error:
        return {"outcome": "refused", "detail": str(error)}
    except Exception:  # noqa: BLE001
        return {"outcome": "crash", "detail": {"phase": "load", "traceback": traceback.format_exc()}}
    outcomes = []
    for text in req.get("apps", []):
        app = parse_application(json.loads(text))
        try:
            outcomes.append(area.decide(app, _day(req)).outcome)
        except RuleFileError as error:  # e.g. a parameter with no value on that date
            outcomes.append(f"refused: {error}")
        except Exception:  # noqa: BLE001
            return {"outcome": "crash", "detail": {"phase": "decide", "traceback": traceback.format_exc()}}
    return {"outcome": "decision", "detail": outcomes}


OPS = {"cli": op_cli, "application": op_application, "round": op_round, "submit": op_submit, "rules": op_rules}


def main() -> None:
    global _PROTO
    # The protocol gets its own copy of stdout; anything else that writes to fd 1 (the C
    # extension, a stray print) goes to stderr and cannot corrupt a reply.
    _PROTO = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    import engine.api  # noqa: F401  (import once, before the first input is timed)

    for n, line in enumerate(sys.stdin):
        req = json.loads(line)
        reply({"start": n})
        try:
            out = OPS[req["op"]](req)
        except Exception:  # noqa: BLE001 — reporting every unexpected exception is the point
            out = {"outcome": "crash", "detail": traceback.format_exc()}
        # After an error inside durable-rules its state may be broken: start afresh, so a
        # later failure is not blamed on the wrong input.
        restart = out["outcome"] == "crash" and "durable_rules_engine" in json.dumps(out["detail"], default=str)
        reply({"n": n, **out, "restart": restart})
        if restart:
            return


# -- the parent's side --------------------------------------------------------------------


class WorkerDied(AssertionError):
    """The worker crashed (a signal, e.g. SIGSEGV), exited, or hung on one input."""


class WorkerProcess:
    """A running worker; ``ask(request)`` returns its answer or raises WorkerDied.

    A dead or hung worker is replaced on the next ``ask``, so one bad input does not stop
    the rest (hypothesis goes on shrinking the input that killed it).
    """

    def __init__(self, timeout: float = 20.0, env: dict | None = None):
        self.timeout, self.env = timeout, env
        self.proc: subprocess.Popen | None = None
        self.stderr = tempfile.TemporaryFile()

    def _start(self) -> None:
        self.stderr.seek(0)
        self.stderr.truncate()
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve())], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr, cwd=ROOT,
                                     env={**os.environ, "COLUMNS": "400", **(self.env or {})})
        self._buffer = b""

    def _line(self, deadline: float) -> dict | None:
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
                if not chunk:
                    return None
                self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def ask(self, request: dict, timeout: float | None = None) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.proc.stdin.write((json.dumps(request, ensure_ascii=False) + "\n").encode("utf-8"))
        self.proc.stdin.flush()
        deadline = time.monotonic() + (timeout or self.timeout) + 30  # the first answer includes imports
        started = self._line(deadline)
        answer = self._line(time.monotonic() + (timeout or self.timeout)) if started else None
        if answer is None:
            hung = self.proc.poll() is None
            if hung:
                self.proc.kill()
            code = self.proc.wait()
            self.stderr.seek(0)
            tail = self.stderr.read().decode("utf-8", "replace")[-3000:]
            self.proc = None
            what = f"hung for more than {timeout or self.timeout} s" if hung else f"died with exit code {code}"
            raise WorkerDied(f"the worker {what} on this input:\n{json.dumps(request, ensure_ascii=False)[:4000]}\n"
                             f"worker stderr:\n{tail}")
        if answer.get("restart"):
            self.close()
        return answer

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


if __name__ == "__main__":
    main()
