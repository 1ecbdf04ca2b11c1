"""Real OS processes for the concurrency and crash tests, and a store consistency check.

Run as a script, this file is a caseworker's terminal: it imports the CLI once, then for
each round waits behind a file barrier and runs one ``stod`` command through the console
script's own entry point (``stod.cli:main``), recording the exit code and what it printed:

    python tests/helpers_procs.py FOLDER WORKER_NUMBER

In round n the worker touches ``FOLDER/ready-n-WORKER`` and waits for ``FOLDER/go-n``, which
holds every worker's command; it appears at one instant (a rename), so both workers of a
round leave the barrier within a millisecond or so of each other. Results go, one JSON line
per round, to ``FOLDER/results-WORKER.jsonl``. ``hold`` (PostgreSQL only) makes the
race certain instead of likely: after the caseworker has read the case inside the decision's
transaction, the worker waits until the other worker has read it too, so both decide on the
same version. On SQLite a decision's transaction holds the write lock from its start, so a
hold there would only wait for a process that cannot come: it is not used.

Imported, it offers the barrier's other side (``Workers``) and
``store_problems(store)``: every inconsistency a crash could leave, in words.
"""
from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
BARRIER_TIMEOUT_S = 60.0
HOLD_TIMEOUT_S = 10.0


def wait_for(predicate, timeout: float, what: str, interval: float = 0.0005) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout} s for {what}")
        time.sleep(interval)


# -- the worker (runs in its own process) -------------------------------------------------


def _install_hold(hold_dir: Path) -> None:
    """Hold each decision, inside its transaction, until both caseworkers have read the case."""
    from cases import workflow

    real = workflow._open_for_decision

    def held(session, case_ref, expected_version):
        found = real(session, case_ref, expected_version)
        (hold_dir / f"read-{os.getpid()}").touch()
        try:
            wait_for(lambda: len(list(hold_dir.glob("read-*"))) >= 2, HOLD_TIMEOUT_S, "the other caseworker")
        except TimeoutError:
            pass  # the other one cannot reach this point (it failed earlier): carry on
        return found

    workflow._open_for_decision = held


def _run_worker(folder: Path, me: int) -> None:
    from cases import workflow
    from engine.area import load_area
    from stod.cli import main
    from stod.common import console, err_console

    load_area("verksamhetsstod")  # warm the engine so the barrier, not start-up, sets the pace
    real_open = workflow._open_for_decision
    with open(folder / f"results-{me}.jsonl", "a", encoding="utf-8") as results:
        for n in itertools.count():
            (folder / f"ready-{n}-{me}").touch()
            go = folder / f"go-{n}"
            wait_for(go.exists, BARRIER_TIMEOUT_S, "the go signal")
            spec = json.loads(go.read_text())[me]
            if spec is None:
                return
            workflow._open_for_decision = real_open
            if spec.get("hold"):
                _install_hold(Path(spec["hold"]))
            out, err = io.StringIO(), io.StringIO()
            console.file, err_console.file = out, err
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    main.main(args=spec["args"], prog_name="stod", standalone_mode=True)
                    code = 0
                except SystemExit as done:
                    code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
            results.write(json.dumps({"round": n, "code": code, "out": out.getvalue(), "err": err.getvalue()},
                                     ensure_ascii=False) + "\n")
            results.flush()


# -- the driver's side --------------------------------------------------------------------


class Workers:
    """Caseworker processes that run one ``stod`` command per round, all released at once.

    Started first, so that their start-up overlaps whatever the test prepares meanwhile;
    ``play(specs)`` gives each worker its command for the next round (``{"args": [...],
    "hold": dir|None}``) and returns what each did (``code``, ``out``, ``err``).
    """

    def __init__(self, folder: Path, count: int = 2):
        self.folder, self.count, self.round = folder, count, 0
        self.procs, self.logs = [], []
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent.parent), os.environ.get("PYTHONPATH", "")])}
        for i in range(count):
            log = open(folder / f"worker-{i}.log", "w")
            self.logs.append(log)
            self.procs.append(subprocess.Popen([sys.executable, str(HERE), str(folder), str(i)],
                                               env=env, stdout=log, stderr=subprocess.STDOUT))

    def _alive(self) -> None:
        for i, proc in enumerate(self.procs):
            if proc.poll() is not None:
                raise RuntimeError(f"worker {i} exited ({proc.returncode}): {self.log(i)}")

    def _send(self, specs: list) -> None:
        ready = [self.folder / f"ready-{self.round}-{i}" for i in range(self.count)]

        def all_ready():
            self._alive()
            return all(p.exists() for p in ready)
        wait_for(all_ready, BARRIER_TIMEOUT_S, "the workers to reach the barrier", interval=0.002)
        tmp = self.folder / f"go-{self.round}.tmp"
        tmp.write_text(json.dumps(specs))
        tmp.rename(self.folder / f"go-{self.round}")  # appears whole, at one instant, for all

    def play(self, specs: list[dict]) -> list[dict]:
        self._send(specs)
        n, self.round = self.round, self.round + 1
        out = []
        for i in range(self.count):
            path = self.folder / f"results-{i}.jsonl"

            def done():
                self._alive()
                # complete lines only: a long line may be seen while it is being written
                return path.exists() and path.read_text(encoding="utf-8").count("\n") > n
            wait_for(done, BARRIER_TIMEOUT_S, f"worker {i} in round {n}", interval=0.002)
            out.append(json.loads(path.read_text(encoding="utf-8").splitlines()[n]))
        return out

    def log(self, i: int) -> str:
        self.logs[i].flush()
        return (self.folder / f"worker-{i}.log").read_text(errors="replace")[-3000:]

    def close(self) -> None:
        try:
            self._send([None] * self.count)
        except (RuntimeError, TimeoutError):
            pass
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self.logs:
            log.close()


# -- consistency of a store ---------------------------------------------------------------


def store_problems(store, redecide=None) -> list[str]:
    """Everything that makes the store inconsistent; empty for a consistent store.

    Checks: no orphan rows; every case has revision 1 of its application (its own id, an
    honest sha256), a proposal with findings, the status its latest proposal implies, a
    stored ruleset, and an intact event chain that starts received → evaluated → proposal.
    ``redecide(raw, decision_date) -> Decision``, when given, re-evaluates every proposal and
    demands the stored findings be exactly the engine's (no finding lost or half-written).
    """
    from sqlalchemy import func, select

    from cases.events import verify_events
    from cases.models import (FORSLAG, KOMPLETTERING_BEGARD, ApplicationRecord, Case, DecisionRecord,
                              EventRecord, FindingRecord, RulesetVersion)
    from cases.store import sha256_of

    problems: list[str] = []
    with store.read() as s:
        case_ids = select(Case.id)
        orphans = {
            "applications": select(func.count()).select_from(ApplicationRecord)
            .where(ApplicationRecord.case_id.not_in(case_ids)),
            "decisions": select(func.count()).select_from(DecisionRecord)
            .where(DecisionRecord.case_id.not_in(case_ids)),
            "decisions without application": select(func.count()).select_from(DecisionRecord)
            .where(DecisionRecord.application_row_id.not_in(select(ApplicationRecord.id))),
            "findings": select(func.count()).select_from(FindingRecord)
            .where(FindingRecord.decision_id.not_in(select(DecisionRecord.id))),
            "events": select(func.count()).select_from(EventRecord).where(EventRecord.case_id.not_in(case_ids)),
        }
        for name, query in orphans.items():
            n = s.execute(query).scalar_one()
            if n:
                problems.append(f"{n} orphan {name}")
        apps: dict[int, list] = {}
        for row in s.execute(select(ApplicationRecord).order_by(ApplicationRecord.revision)).scalars():
            apps.setdefault(row.case_id, []).append(row)
        decisions: dict[int, list] = {}
        for row in s.execute(select(DecisionRecord).order_by(DecisionRecord.id)).scalars():
            decisions.setdefault(row.case_id, []).append(row)
        findings: dict[int, dict] = {}
        for row in s.execute(select(FindingRecord)).scalars():
            findings.setdefault(row.decision_id, {})[row.rule_id] = row.status
        events: dict[int, list] = {}
        for row in s.execute(select(EventRecord).order_by(EventRecord.seq)).scalars():
            events.setdefault(row.case_id, []).append(row.type)
        rulesets = {(r.area, r.version) for r in s.execute(select(RulesetVersion)).scalars()}
        for case in s.execute(select(Case).order_by(Case.id)).scalars():
            name = f"case {case.id} ({case.application_id})"
            revisions = apps.get(case.id, [])
            if not revisions or revisions[0].revision != 1:
                problems.append(f"{name}: no application revision 1")
                continue
            for row in revisions:
                if row.application_id != case.application_id or row.sha256 != sha256_of(row.raw):
                    problems.append(f"{name}: application revision {row.revision} is not the case's as sent")
            proposals = [d for d in decisions.get(case.id, []) if d.kind == "proposal"]
            if not proposals:
                problems.append(f"{name}: no proposal")
                continue
            for p in proposals:
                if not findings.get(p.id):
                    problems.append(f"{name}: proposal {p.id} has no findings")
                if (p.ruleset_area, p.ruleset_version) not in rulesets:
                    problems.append(f"{name}: ruleset {p.ruleset_version} of proposal {p.id} not stored")
            last = proposals[-1]
            if case.status not in ("beslutad",):
                expected = KOMPLETTERING_BEGARD if last.outcome == "komplettering" else FORSLAG
                if case.status != expected:
                    problems.append(f"{name}: status {case.status} but its latest proposal is {last.outcome}")
            if events.get(case.id, [])[:3] != ["received", "evaluated", "proposal"]:
                problems.append(f"{name}: events begin {events.get(case.id, [])[:3]}")
            if redecide is not None:
                raw = next(r for r in revisions if r.id == last.application_row_id).raw
                engine = redecide(raw, last.decision_date)
                want = {f.rule_id: f.status for f in engine.findings}
                if findings.get(last.id) != want or (engine.outcome, engine.amount_sek) != (last.outcome,
                                                                                           last.amount_sek):
                    problems.append(f"{name}: stored proposal {last.id} differs from the engine's evaluation")
        problems.extend(str(p) for p in verify_events(s))
    return problems


def table_rows(store) -> dict[str, list[tuple]]:
    """Every row of every case table, to show that a step changed nothing at all."""
    from sqlalchemy import select

    from cases.models import ApplicationRecord, Case, DecisionRecord, EventRecord, FindingRecord, RulesetVersion

    out = {}
    with store.read() as s:
        for model in (Case, ApplicationRecord, DecisionRecord, FindingRecord, EventRecord, RulesetVersion):
            table = model.__table__
            out[table.name] = [tuple(row) for row in s.execute(select(table).order_by(table.c.id)).all()]
    return out


if __name__ == "__main__":
    _run_worker(Path(sys.argv[1]), int(sys.argv[2]))
