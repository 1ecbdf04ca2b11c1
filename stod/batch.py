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
from engine.parallel import STAGED, in_stages, split_map, split_write

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
    others: ``submit``'s workers, which store their chunks in input order, begin storing
    sooner, and the last one to finish has less left to do while the others wait.
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


GROUP = STAGED  # files decided together, stage by stage (``engine.parallel.in_stages``)


def _groups(paths: list[str], workers: int) -> list[list[str]]:
    """The files in groups of ``GROUP`` (single files when there are too few to give every worker
    four groups: then each worker still gets its share)."""
    size = GROUP if len(paths) >= 4 * GROUP * max(1, workers) else 1
    return [paths[i:i + size] for i in range(0, len(paths), size)]


def _check_group(args) -> list[FileResult]:
    """Decide a group of files (nothing stored) stage by stage (``in_stages``): read and check every
    file, then decide each one read, then write each one's letter, then its JSON. Each file keeps
    its own result: one that fails leaves the others be."""
    from .common import InputProblem, read_file
    from .services.check import read_checked

    paths, decision_date, as_json = args
    results = [FileResult(path) for path in paths]

    def stage(fn):
        def run(result):
            result.value = fn(result)
        return run

    if not as_json:
        out = stage(lambda r: (r.value.application_id, r.value.outcome, r.value.text))
    elif as_json == ITEM:
        out = stage(lambda r: array_item(api.summary_json(r.value)))
    else:
        out = stage(lambda r: api.summary_json(r.value))
    failed = in_stages(results, [((EngineError, InputProblem), stage(lambda r: read_checked(read_file(r.path),
                                                                                             decision_date, r.path))),
                                 ((EngineError,), stage(lambda r: api.decide(*r.value))),
                                 ((EngineError,), lambda r: r.value.text),  # the letter, kept on the decision
                                 ((EngineError,), out)])
    for i, (error, number) in failed.items():
        results[i].value, results[i].error, results[i].phase = None, error, READ if number == 0 else DECIDE
    return results


def _in_groups(paths: list[str], decision_date: date | None, workers: int, as_json: bool | str) -> dict:
    """The arguments of ``split_map`` or ``split_write`` for ``_check_group`` over these files."""
    groups = _groups(paths, workers)
    return {"items": [(group, decision_date, as_json) for group in groups], "workers": workers,
            "min_items": -(-_FORK_AT // len(groups[0])) if groups else _FORK_AT}


def _flat(groups) -> list[FileResult]:
    return [result for group in groups for result in group]


_FORK_AT = 8  # files: fewer are decided in this process alone, as forking would cost more than it gains

_BETWEEN = b",\n"  # between the items of stod check --json's array

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
    return settle(_flat(split_map(_check_group, **_in_groups(paths, decision_date, workers, as_json))), as_json)


def write_checked(paths: list[str], decision_date: date | None, workers: int, out) -> None:
    """``stod check --json`` of many files: the decisions as one indented JSON array (what
    ``array_pieces`` of ``check_files(…, ITEM)`` makes), written to ``out`` (a binary stream)
    while the files are decided, by each worker for its share (``split_write``). The output
    stands only if every file could be decided; else it is taken back and the error raised,
    as ``settle`` says (the refused files are then listed, and nothing else is printed).
    """
    if workers > 1 and len(paths) > 1:
        warm_up()
    with split_write(_check_written, out=out, opening=b"[\n", between=_BETWEEN, closing=b"\n]\n",
                     **_in_groups(paths, decision_date, workers, ITEM)) as written:
        settle(_flat(written.results), True)
        written.keep()


def _check_written(args) -> tuple[list[FileResult], bytes | None]:
    results = _check_group(args)
    data = [result.value for result in results if result.error is None]
    for result in results:
        result.value = None  # the data is written; the results keep what went wrong
    return results, _BETWEEN.join(data) if data else None


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
