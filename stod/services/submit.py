"""Receiving application files: one function for every kind, used by ``stod submit`` and ``stod csi submit``."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from cases import workflow
from cases.csi import refuse_conflicts
from cases.errors import InputRefused
from cases.faults import describe
from engine import api
from engine.areas.csi import api as csi_api
from engine.errors import EngineError, IntakeError
from engine.intake import parse_json
from engine.sensitive import shown_path
from engine.intake_errors import errors_of, refuse, shown

from .dates import check_decision_date

ROUND_KIND = "csi_round"


def read_bytes(path: str) -> bytes:
    """A file's bytes, or a refusal naming the file and why it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise InputRefused(path, f"filen kan inte läsas ({error.strerror})") from None


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

    def refuse_intake(self, path: str, error: IntakeError) -> None:
        """A file intake refused: every problem, and the error object of ``--json`` and the API."""
        problems = errors_of(error)
        self.refuse(path, "\n  ".join(str(e) for e in problems), errors=[e.to_dict() for e in problems])


def _items(data: dict, path: str, accept: dict[str, str] | None, hint: str) -> list[tuple]:
    """The applications a file holds, validated: one application, or a round file's requests (all or none)."""
    kind = data.get("kind")
    if accept is not None and kind not in accept:
        expected = " eller ".join(f'"{k}" ({what})' for k, what in accept.items())
        raise refuse("kind", f"{shown(kind, 'kind') or 'värdet'} är ingen sort som tas emot här; ange {expected}"
                     f"{hint if kind else ''}", path)
    if kind == ROUND_KIND:
        csi_api.read_round(data, source=path)  # the whole file is valid, or nothing is stored
        items = [api.read_application(raw, source=f"{path}: requests[{i}]") for i, raw in enumerate(data["requests"])]
    else:
        items = [api.read_application(data, source=path)]
    for app, raw in items:
        if "completions" in raw:
            raise refuse("completions", "skrivs av ärendehanteringen när en komplettering kommer in i tid "
                         "(stod complete); en ny ansökan kan inte ha fältet, ta bort det", path)
    return items


def submit_files(store, paths: Iterable[str], decision_date: date | None = None, *, accept: dict[str, str] | None = None,
                 wrong_kind_hint: str = "", read: Callable[[str], bytes] = read_bytes) -> SubmitReport:
    """Store each file's applications as cases, each with the engine's proposal on ``decision_date``.

    A file is one application (any kind the engine knows) or a CSI round file, whose requests
    are stored (not its groups). Each file is handled on its own: a bad file is refused whole,
    named with its field, and the others go on. ``accept`` limits the kinds (kind -> what it is) (``stod csi submit``
    takes only CSI requests and round files; ``wrong_kind_hint`` says where the others go).
    An identical application sent again is a no-op; the same id with other content is refused.
    """
    report = SubmitReport()
    paths = list(paths)
    for index, path in enumerate(paths):
        try:
            items = _items(parse_json(read(path), path), path, accept, wrong_kind_hint)
            if len(items) > 1:
                refuse_conflicts(store, [raw for _, raw in items])
            on = {raw["application_id"]: check_decision_date(app, decision_date) for app, raw in items}
        except IntakeError as error:
            report.refuse_intake(path, error)
            continue
        except InputRefused as error:
            report.refuse(path, str(error))
            continue
        fault = None
        for app, raw in items:
            try:
                result = workflow.submit(store, app, raw, lambda a: api.decide(a, on[raw["application_id"]]),
                                         source=path)
                report.results.append({"file": shown_path(path), "ok": True, **result.to_dict()})
            except (InputRefused, EngineError) as error:  # a race or an engine fault stops this application only
                extra = {"application_id": raw.get("application_id")} if len(items) > 1 else {}
                report.refuse(path, str(error), **extra)
            except Exception as error:  # the store failed (full disk, read-only): nothing more can be stored
                fault = describe(error)
                if fault is None:
                    raise
                break
        if fault is not None:
            report.stop(path, fault, paths[index + 1:])
            break
    return report
