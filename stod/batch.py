"""Many application files at once: decided in worker processes, in chunks, results in input order.

``check_files`` decides files without storing them (``stod check``); ``submit_files`` reads
and decides chunks of files in worker processes while this process stores the chunks
before them, one transaction per chunk (``cases.batch.store_received``), so deciding and
writing overlap. Each file gets its own result; a bad file does not stop the others.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from engine import api
from engine.errors import EngineError, IntakeError, RuleFileError
from engine.jsonform import output_json
from engine.parallel import ordered_map

CHUNK = 100  # files per chunk (fewer when there are few files, so every worker gets some)
INPUT, FAULT = "input", "fault"  # a problem with the file (exit 2), a fault of the engine


@dataclass
class FileResult:
    """What became of one file: ``value`` when it went well, else ``problem`` and its ``message``."""

    path: str
    value: Any = None
    problem: str | None = None
    message: str = ""


def _read(path: str):
    """(application, raw) of one file; raises IntakeError or InputProblem (unreadable file)."""
    from .common import read_file

    return api.read_application(read_file(path), source=path)


def _failure(path: str, error: Exception) -> FileResult:
    from .common import InputProblem

    if isinstance(error, InputProblem):
        return FileResult(path, problem=INPUT, message=error.format_message())
    kind = INPUT if isinstance(error, (IntakeError, RuleFileError)) else FAULT
    return FileResult(path, problem=kind, message=str(error))


def chunks(paths: list[str], workers: int) -> list[list[str]]:
    """The files cut into chunks: at most ``CHUNK``, and enough chunks to keep every worker busy."""
    size = max(1, min(CHUNK, -(-len(paths) // (4 * max(1, workers)))))
    return [paths[i:i + size] for i in range(0, len(paths), size)]


# -- check --------------------------------------------------------------------------------


def explained_json(data: bytes, decision_date: date | None, source: str = "") -> bytes:
    """One application's bytes in, its explained decision as JSON out (``stod check --json``)."""
    app, _ = api.read_application(data, source=source)
    return output_json(api.summary(api.decide(app, decision_date), shared=True))


def _check_one(args) -> FileResult:
    from .common import InputProblem, read_file

    path, decision_date, as_json = args
    try:
        if as_json:
            return FileResult(path, explained_json(read_file(path), decision_date, path))
        app, _ = _read(path)
        decision = api.decide(app, decision_date)
        return FileResult(path, (decision.application_id, decision.outcome, decision.text))
    except (IntakeError, EngineError, InputProblem) as error:
        return _failure(path, error)


def check_files(paths: list[str], decision_date: date | None, workers: int, as_json: bool) -> list[FileResult]:
    """Decide each file (nothing stored); in input order. With ``as_json`` each value is the
    decision's JSON text (``output_json``), else (application id, outcome, decision text)."""
    if workers > 1 and len(paths) > 1:
        _warm_up()
    chunk = max(1, min(CHUNK, len(paths) // (8 * max(1, workers))))  # files a worker takes at a time
    return list(ordered_map(_check_one, [(p, decision_date, as_json) for p in paths], workers, min_items=8,
                            chunksize=chunk))


def json_array(objects: list[bytes]) -> bytes:
    """The JSON texts of several objects (``output_json``) as one indented array, as
    ``output_json(list_of_objects)`` would write it."""
    if not objects:
        return b"[]\n"
    inner = b",\n".join(b"\n".join(b"  " + line for line in obj.rstrip(b"\n").split(b"\n")) for obj in objects)
    return b"[\n" + inner + b"\n]\n"


def _warm_up() -> None:
    """Load every area before forking, so each worker starts with the rules read."""
    from engine.area import load_area
    from engine.registry import names

    for name in names():
        try:
            load_area(name)
        except EngineError:
            pass  # the file that needs the area reports it


# -- submit -------------------------------------------------------------------------------

_WORKER_STORES: dict[str, Any] = {}


def _decide_chunk(args) -> list[tuple[FileResult, Any]]:
    """Read a chunk of files and decide those not stored yet: [(result, stored fields of the decision)]."""
    from cases.batch import already_stored
    from cases.store import Store
    from cases.workflow import decision_fields

    from .common import InputProblem

    url, paths, decision_date = args
    read: list = []
    for path in paths:
        try:
            read.append((path, *_read(path)))
        except (EngineError, InputProblem) as error:
            read.append((path, error, None))
    parsed = [(path, app, raw) for path, app, raw in read if raw is not None]
    store = _WORKER_STORES.get(url) or _WORKER_STORES.setdefault(url, Store(url))
    known = dict(zip((p for p, _, _ in parsed), already_stored(store, [raw for _, _, raw in parsed])))
    out = []
    for path, app, raw in read:
        if raw is None:
            out.append((_failure(path, app), None))
            continue
        if known[path]:
            out.append((FileResult(path, raw), None))  # answered "redan mottagen" by the store
            continue
        try:
            decision = decision_fields(api.decide(app, decision_date))
        except EngineError as error:
            out.append((_failure(path, error), None))
            continue
        out.append((FileResult(path, raw), decision))
    return out


def submit_files(store, paths: list[str], decision_date: date, workers: int, *, actor: str | None = None
                 ) -> list[FileResult]:
    """Store each file as a case with the engine's proposal; one result per file, in input order.

    A result's value is the ``StepResult`` of a stored (or already stored) application.
    An in-memory database cannot be shared with workers: it is done in this process.
    """
    from cases.batch import Received, store_received
    from cases.errors import InputRefused

    if store.url in ("sqlite://", "sqlite:///:memory:"):
        workers = 1
    if workers > 1:
        _warm_up()
        store.engine.dispose()  # no open connection is inherited by the workers (they open their own)
    kwargs = {"actor": actor} if actor else {}
    tasks = [(store.url, chunk, decision_date) for chunk in chunks(paths, workers)]
    if workers <= 1:
        _WORKER_STORES[store.url] = store  # this process: the caller's store answers the look-ups
    results: list[FileResult] = []
    try:
        for decided in ordered_map(_decide_chunk, tasks, workers):
            ready = [(result, decision) for result, decision in decided if result.problem is None]
            stored = store_received(store, [Received(result.value, decision, result.path)
                                            for result, decision in ready], **kwargs)
            answers = iter(stored)
            for result, _ in decided:
                if result.problem is not None:
                    results.append(result)
                    continue
                answer = next(answers)
                if isinstance(answer, InputRefused):
                    results.append(FileResult(result.path, problem=INPUT, message=str(answer)))
                else:
                    results.append(FileResult(result.path, answer))
    finally:
        if workers <= 1:
            _WORKER_STORES.pop(store.url, None)
    return results
