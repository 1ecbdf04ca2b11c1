"""Many application files at once: decided in worker processes, in chunks, results in input order.

``check_files`` decides files without storing them (``stod check``); ``chunks`` cuts a list
of files for the workers (``services.submit.submit_files`` stores chunk by chunk). Each file
gets its own result.
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
    from .services.dates import check_decision_date

    app, _ = api.read_application(data, source=source)
    return output_json(api.summary(api.decide(app, check_decision_date(app, decision_date)), shared=True))


def _check_one(args) -> FileResult:
    from .common import InputProblem, read_file

    path, decision_date, as_json = args
    try:
        if as_json:
            return FileResult(path, explained_json(read_file(path), decision_date, path))
        from .services.dates import check_decision_date

        app, _ = _read(path)
        decision = api.decide(app, check_decision_date(app, decision_date))
        return FileResult(path, (decision.application_id, decision.outcome, decision.text))
    except (IntakeError, EngineError, InputProblem) as error:
        return _failure(path, error)


def check_files(paths: list[str], decision_date: date | None, workers: int, as_json: bool) -> list[FileResult]:
    """Decide each file (nothing stored); in input order. With ``as_json`` each value is the
    decision's JSON text (``output_json``), else (application id, outcome, decision text)."""
    if workers > 1 and len(paths) > 1:
        warm_up()
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


def warm_up() -> None:
    """Load every area before forking, so each worker starts with the rules read."""
    from engine.area import load_area
    from engine.registry import names

    for name in names():
        try:
            load_area(name)
        except EngineError:
            pass  # the file that needs the area reports it
