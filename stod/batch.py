"""Many application files at once: decided in worker processes, results in input order.

``check_files`` decides files without storing them (``stod check``): a share of them in each
process, this one included (``split_map``). ``chunks`` cuts a list of files for the workers
of ``services.submit.submit_files``, which stores chunk by chunk. Each file gets its own result.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from engine import api
from engine.errors import EngineError, IntakeError
from engine.parallel import split_map, split_write

CHUNK = 100  # files per chunk (fewer when there are few files, so every worker gets some)


READ, DECIDE = "read", "decide"  # where a file went wrong


@dataclass
class FileResult:
    """What became of one file: ``value`` when it went well, else the ``error`` and the ``phase``
    (reading the file, or deciding it) where it happened."""

    path: str
    value: Any = None
    error: Exception | None = None
    phase: str = ""


def chunks(paths: list[str], workers: int) -> list[list[str]]:
    """The files cut into chunks: at most ``CHUNK``, and enough chunks to keep every worker busy.

    With several workers the first and the last chunk of each worker are a quarter of the
    others: the writing process starts on the first ones sooner, and has less left to write
    once the workers have decided the last ones.
    """
    size = max(1, min(CHUNK, -(-len(paths) // (4 * max(1, workers)))))
    if workers <= 1 or len(paths) <= 4 * workers * size:  # few files: even chunks
        return [paths[i:i + size] for i in range(0, len(paths), size)]
    small = max(1, size // 4)
    rest = len(paths) - 2 * workers * small
    sizes = [small] * workers + [size] * (rest // size) + ([rest % size] if rest % size else []) + [small] * workers
    out, start = [], 0
    for n in sizes:
        out.append(paths[start:start + n])
        start += n
    return [chunk for chunk in out if chunk]


# -- check --------------------------------------------------------------------------------


def _check_one(args) -> FileResult:
    from .common import InputProblem, read_file
    from .services.check import read_checked

    path, decision_date, as_json = args
    try:
        app, day = read_checked(read_file(path), decision_date, path)
    except (EngineError, InputProblem) as error:
        return FileResult(path, error=error, phase=READ)
    try:
        decision = api.decide(app, day)
        if as_json:
            value = api.summary_json(decision)
            value = array_item(value) if as_json == ITEM else value
        else:
            value = (decision.application_id, decision.outcome, decision.text)
    except EngineError as error:
        return FileResult(path, error=error, phase=DECIDE)
    return FileResult(path, value)


ITEM = "item"  # check_files' as_json for JSON texts that are items of one array (``array_pieces``)


def check_files(paths: list[str], decision_date: date | None, workers: int, as_json: bool | str) -> list:
    """Decide each file (nothing stored); the values in input order. With ``as_json`` each value
    is the decision's JSON text (``output_json``); with ``as_json=ITEM`` that text indented as an
    item of an array (``array_item``, done where the file is decided); else (application id,
    outcome, decision text).

    Any number of workers answers as one would (``settle``).
    """
    if workers > 1 and len(paths) > 1:
        warm_up()
    return settle(split_map(_check_one, [(p, decision_date, as_json) for p in paths], workers, min_items=8), as_json)


def write_checked(paths: list[str], decision_date: date | None, workers: int, out) -> None:
    """``stod check --json`` of many files: the decisions as one indented JSON array (what
    ``array_pieces`` of ``check_files(…, ITEM)`` makes), written to ``out`` (a binary stream)
    while the files are decided, by each worker for its share (``split_write``). The output
    stands only if every file could be decided; else it is taken back and the error raised,
    as ``settle`` says (the refused files are then listed, and nothing else is printed).
    """
    if workers > 1 and len(paths) > 1:
        warm_up()
    with split_write(_check_written, [(p, decision_date, ITEM) for p in paths], workers, out, min_items=8,
                     opening=b"[\n", between=b",\n", closing=b"\n]\n") as written:
        settle(written.results, True)
        written.keep()


def _check_written(args) -> tuple[FileResult, bytes | None]:
    result = _check_one(args)
    data, result.value = result.value, None  # the data is written; the result keeps what went wrong
    return result, data


def settle(results, as_json: bool) -> list:
    """The files' values in order, or the error their problems make, as reading every file and then
    deciding them would: a file that cannot be read at all (or whose rules cannot be loaded) stops
    the run there; else every file refused at intake is listed, all of them, in the order given;
    else the first file that could not be decided."""
    from .common import IntakeRefused

    results = list(results)
    refused = []
    for result in results:
        if result.phase == READ:
            if not isinstance(result.error, IntakeError):
                raise result.error
            refused.append((result.path, result.error))
    if refused:
        raise IntakeRefused(refused, as_json)
    for result in results:
        if result.phase == DECIDE:
            raise result.error
    return [result.value for result in results]


def array_item(obj: bytes) -> bytes:
    """One object's JSON text (``output_json``) indented as an item of an indented array."""
    return b"  " + obj.rstrip(b"\n").replace(b"\n", b"\n  ")


def array_pieces(items: list[bytes]) -> list[bytes]:
    """The pieces of one indented JSON array of these items (``array_item``), to be written in turn
    (no copy of the whole): together what ``output_json(list_of_objects)`` would write."""
    if not items:
        return [b"[]\n"]
    pieces = [b"[\n"]
    for item in items:
        pieces += (item, b",\n")
    pieces[-1] = b"\n]\n"
    return pieces


def warm_up() -> None:
    """Load every area before forking, so each worker starts with the rules read."""
    from engine.area import load_area
    from engine.registry import names

    for name in names():
        try:
            load_area(name)
        except EngineError:
            pass  # the file that needs the area reports it
