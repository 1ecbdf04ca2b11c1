"""Receiving application files: one function for every kind, used by ``stod submit`` and ``stod csi submit``."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from cases.csi import refuse_conflicts
from cases.errors import InputRefused
from cases.faults import describe
from engine import api
from engine.areas.csi import api as csi_api
from engine.errors import EngineError, IntakeError
from engine.inputguard import check_strings
from engine.intake import read_json
from engine.sensitive import shown_path
from engine.intake_errors import errors_of, refuse, shown

from .dates import check_decision_date
from .files import file_bytes, os_reason

ROUND_KIND = "csi_round"


def read_bytes(path: str) -> bytes:
    """A file's bytes, or a refusal naming the file (as ``shown_path`` shows it) and why it cannot be read."""
    try:
        return file_bytes(path)
    except OSError as error:
        raise InputRefused(shown_path(path), f"filen kan inte läsas ({os_reason(error)})") from None


STOPPED = "inte lagrad: körningen avbröts av felet ovan; kör samma kommando igen med samma filer"


@dataclass
class SubmitReport:
    """One entry per stored or refused application: ``{"file", "ok", …}``; ``failed`` counts the refusals."""

    results: list[dict] = field(default_factory=list)
    failed: int = 0

    def refuse(self, path: str, message: str, **extra) -> None:
        self.failed += 1
        self.results.append({"file": shown_path(path), **extra, "ok": False, "error": message})

    def stop(self, path: str, fault: str, rest: list[str]) -> None:
        """A store fault (full disk, read-only) stops the batch: this file and every later one are not stored."""
        self.failed += 1
        self.results.append({"file": shown_path(path), "ok": False, "stopped": True, "error": f"inte lagrad: {fault}"})
        self.results.extend({"file": shown_path(p), "ok": False, "stopped": True, "error": STOPPED} for p in rest)

    def summary(self) -> str | None:
        """After a stopped batch: which files were stored and which were not (None if none stopped)."""
        if not any(r.get("stopped") for r in self.results):
            return None
        stored = sorted({r["file"] for r in self.results if r["ok"]})
        not_stored = sorted({r["file"] for r in self.results if not r["ok"]} - set(stored))
        return (f"Körningen avbröts. Lagrade ({len(stored)}): {', '.join(stored) or 'inga'}. "
                f"Inte lagrade ({len(not_stored)}): {', '.join(not_stored)}.")



def intake_refusal(error: IntakeError) -> tuple[str, dict]:
    """What the report says of a file intake refused: every problem as text, and the error object."""
    problems = errors_of(error)
    return "\n  ".join(str(e) for e in problems), {"errors": [e.to_dict() for e in problems]}


def _items(body: bytes | dict, path: str, accept: dict[str, str] | None, hint: str) -> list[tuple]:
    """The applications a file holds, validated: one application, or a round file's requests (all or none).

    ``body`` is the file's bytes or its JSON object. From bytes one application is read as
    ``stod check`` reads it (``api.read_application``: the strings checked with every other
    field, the model validated from the bytes); anything else has its strings checked first.
    """
    if isinstance(body, dict):
        data = body
    else:
        data = read_json(body, path, check=False)[0]
        if data.get("kind") == ROUND_KIND or (accept is not None and data.get("kind") not in accept):
            check_strings(data, path)
    kind = data.get("kind")
    if accept is not None and kind not in accept:
        expected = " eller ".join(f'"{k}" ({what})' for k, what in accept.items())
        raise refuse("kind", f"{shown(kind, 'kind') or 'värdet'} är ingen sort som tas emot här; ange {expected}"
                     f"{hint if kind else ''}", path)
    if kind == ROUND_KIND:
        csi_api.read_round(data, source=path)  # the whole file is valid, or nothing is stored
        items = [api.read_application(raw, source=f"{path}: requests[{i}]") for i, raw in enumerate(data["requests"])]
    else:
        items = [api.read_application(data if isinstance(body, dict) else body, source=path)]
    for app, raw in items:
        if "completions" in raw:
            raise refuse("completions", "skrivs av ärendehanteringen när en komplettering kommer in i tid "
                         "(stod complete); en ny ansökan kan inte ha fältet, ta bort det", path)
    return items


def submit_files(store, paths: Iterable[str], decision_date: date | None = None, *, accept: dict[str, str] | None = None,
                 wrong_kind_hint: str = "", read: Callable[[str], bytes] = read_bytes, workers: int = 1) -> SubmitReport:
    """Store each file's applications as cases, each with the engine's proposal on ``decision_date``.

    A file is one application (any kind the engine knows) or a CSI round file, whose requests
    are stored (not its groups). Each file is handled on its own: a bad file is refused whole,
    named with its field, and the others go on. ``accept`` limits the kinds (kind -> what it is) (``stod csi submit``
    takes only CSI requests and round files; ``wrong_kind_hint`` says where the others go).
    An identical application sent again is a no-op; the same id with other content is refused.

    The files go in chunks, one transaction per chunk (``cases.batch``). With several
    ``workers`` each worker reads and decides a chunk, then stores it itself when the chunks
    before it are stored (``InTurn``): the chunks are stored in the order of ``paths`` while
    the next are decided, and no decided case crosses between processes. The report is in the
    order of ``paths`` whatever the number of workers.
    """
    from engine.parallel import InTurn, ordered_map

    from ..batch import chunks, warm_up

    paths = list(paths)
    if store.url in ("sqlite://", "sqlite:///:memory:"):
        workers = 1  # an in-memory database cannot be shared with other processes
    pending = chunks(paths, workers)
    if len(pending) < 2:
        workers = 1  # one chunk: decided and stored in this process, with the caller's store
    global _JOB
    _JOB = _Job(store.url, decision_date, accept, wrong_kind_hint, read, store if workers <= 1 else None,
                InTurn(workers))
    if workers > 1:
        warm_up()
        store.engine.dispose()  # the workers open their own connections; none is inherited
    report = SubmitReport()
    stored = ordered_map(_store_chunk, list(enumerate(pending)), workers)
    try:
        for index, (prepared, answers) in enumerate(stored):
            if isinstance(answers, str):  # the store failed (full disk, read-only): this chunk and the rest are not stored
                rest = [path for chunk in pending[index:] for path in chunk]
                report.stop(rest[0], answers, rest[1:])
                break
            answers = iter(answers)
            for path, found in prepared:
                if not isinstance(found, list):
                    report.refuse(path, found[0], **found[1])
                    continue
                for application_id, problem in found:
                    extra = {"application_id": application_id} if len(found) > 1 else {}
                    answer = problem if problem is not None else next(answers)
                    if isinstance(answer, (str, InputRefused)):  # refused, or an engine fault: this application only
                        report.refuse(path, str(answer), **extra)
                    else:
                        report.results.append({"file": shown_path(path), "ok": True, **answer.to_dict()})
    finally:
        stored.close()  # the workers end here, however the loop ended
        _JOB = None
    if workers > 1:
        with store.engine.connect() as conn:  # closed last (``cli.run``), it writes SQLite's log back and removes it:
            conn.exec_driver_sql("SELECT 1")  # the workers that wrote were ended with their connections open
    return report


@dataclass
class _Job:
    """What every chunk of one ``submit_files`` call shares (workers inherit it when they fork)."""

    url: str
    decision_date: date | None
    accept: dict[str, str] | None
    hint: str
    read: Callable[[str], bytes]
    store: object | None  # the caller's store, when the chunks are prepared in this process
    turns: object = None  # ``engine.parallel.InTurn``: the chunks stored in order


_JOB: _Job | None = None
_WORKER_STORES: dict[str, object] = {}


def _checked(path: str, job: _Job, store) -> tuple[str, dict] | list[tuple] | None:
    """A file read and checked: its refusal (message, extra fields), or its applications as (model,
    JSON object, decision date). Without a ``store`` (none exists yet) a file of several
    applications cannot be checked against the stored ones: None, the store is needed."""
    try:
        body = job.read(path)
    except InputRefused as error:  # the report names the file already: only why it cannot be read
        return (error.problem, {})
    try:
        items = _items(body, path, job.accept, job.hint)
        if len(items) > 1:
            if store is None:
                return None
            refuse_conflicts(store, [raw for _, raw in items])
        on = [check_decision_date(app, job.decision_date) for app, _ in items]
    except IntakeError as error:
        return intake_refusal(error)
    except InputRefused as error:
        return (str(error), {})
    return [(app, raw, day) for (app, raw), day in zip(items, on)]


def refused_before_storing(paths: Iterable[str], decision_date: date | None = None, *,
                           accept: dict[str, str] | None = None, wrong_kind_hint: str = "",
                           read: Callable[[str], bytes] = read_bytes, **_options) -> SubmitReport | None:
    """For a store that does not exist yet: the report of ``submit_files`` when every file is
    refused before anything would be stored (read, intake, decision date), found without
    creating the store; None as soon as one file passes (then ``submit_files`` does the rest,
    that file again included). Each file refused is refused as ``submit_files`` refuses it."""
    job = _Job("", decision_date, accept, wrong_kind_hint, read, None)
    report = SubmitReport()
    for path in paths:
        found = _checked(path, job, None)
        if not isinstance(found, tuple):
            return None
        report.refuse(path, found[0], **found[1])
    return report


def _store_chunk(task: tuple[int, list[str]]) -> tuple[list, list | str | None]:
    """Read, check and decide a chunk of files (``_prepare_chunk``), then store its new cases in
    one transaction once the chunks before it are stored: (per file its refusal, or (application
    id, refusal or None) per application; the store's answers, or what stopped the store (a
    store fault: this chunk is not stored, nor is any later one)). None for the answers: an
    earlier chunk stopped the run, this one is not stored."""
    from cases.batch import store_received

    index, paths = task
    job = _JOB
    try:
        prepared = _prepare_chunk(paths)
    except BaseException:
        with job.turns.turn(index):  # the chunks after this one are not stored either
            job.turns.stop()
        raise
    with job.turns.turn(index) as going:
        if not going:
            return [], None
        items = [item for _, found in prepared if isinstance(found, list) for _, item, problem in found
                 if problem is None]
        try:
            # A refusal goes back as its text (an exception may not unpickle in the parent).
            answers = [str(a) if isinstance(a, InputRefused) else a for a in store_received(_store_of(job), items)]
        except Exception as error:
            job.turns.stop()
            fault = describe(error)
            if fault is None:
                raise
            return [], fault
    return [(path, found if not isinstance(found, list) else [(application_id, problem)
                                                            for application_id, _, problem in found])
            for path, found in prepared], answers


def _store_of(job: _Job):
    """The store the chunks are prepared with: the caller's, or a worker's own connections to it
    (the parent opened and migrated it already)."""
    from cases.store import Store

    store = job.store or _WORKER_STORES.get(job.url)
    if store is None:
        store = _WORKER_STORES[job.url] = Store(job.url, upgrade=False)
    return store


def _prepare_chunk(paths: list[str]) -> list[tuple[str, object]]:
    """Read, check and decide a chunk of files: per file its refusal (message, extra fields), or its
    applications as (application id, ``cases.batch.Received`` prepared for storing (its decision
    None when already stored), refusal or None)."""
    from cases.batch import Received, already_stored, prepare

    from engine.parallel import in_stages

    job = _JOB
    store = _store_of(job)
    files = [(path, _checked(path, job, store)) for path in paths]
    items = [Received(raw, source=path) for path, found in files if isinstance(found, list) for _, raw, _ in found]
    stored = iter(already_stored(store, items))
    items = iter(items)
    out, new = [], []  # new: (the file's entry [application id, item, refusal], model, day) of each one not stored yet
    for path, found in files:
        if not isinstance(found, list):
            out.append((path, found))
            continue
        decided = []
        for app, raw, day in found:
            entry = [raw.get("application_id"), next(items), None]
            decided.append(entry)
            if not next(stored):
                new.append((entry, app, day))
        out.append((path, decided))

    def decide(n):
        n[0][1].decision = api.decide(n[1], n[2])

    failed = in_stages(new, [((EngineError,), decide), ((EngineError,), lambda n: n[0][1].decision.text),
                             ((EngineError,), lambda n: prepare(n[0][1]))])
    for i, (error, _) in failed.items():  # an engine fault stops this application only
        new[i][0][2] = str(error)
    return [(path, found if not isinstance(found, list) else [tuple(entry) for entry in found]) for path, found in out]
