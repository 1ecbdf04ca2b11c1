"""What-if for the caseworker and the auditor: a proposed rules tree on the server against the
stored cases (``stod whatif``), nothing stored.

Only trees under the server's proposals folder (``Settings.proposals_dir``, ``STOD_WEB_PROPOSALS``)
can be chosen, by name: a web user never names a path on the server.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from cases.errors import InputRefused
from engine.errors import EngineError, RuleFileError
from engine.sensitive import contains_personnummer, shown_path

from . import services
from .deps import render, role, web_context
from .pages_common import query_day, shown_again

router = APIRouter()
may_compare = role("handlaggare", "revisor")
FIELD_SV = {"forslag": "Föreslaget regelverk", "fran": "Från", "till": "Till"}


def _period(fran: str, till: str):
    """The two days (``ÅÅÅÅ-MM-DD`` or empty); a period that ends before it starts holds nothing: refused."""
    start, end = query_day(fran, "fran"), query_day(till, "till")
    if start and end and end < start:
        raise InputRefused("till", f"{end.isoformat()} är före Från ({start.isoformat()}); ange en period där "
                                   "Från kommer först")
    return start, end


def rule_file_refusal(error: EngineError, folder, name: str) -> str:
    """A proposed tree that cannot be read, as ``stod whatif`` says it: the file (within the tree)
    and its line, then what is wrong. The server's own path is not shown."""
    if not isinstance(error, RuleFileError):
        text = str(error) if not contains_personnummer(str(error)) else "(felet kan innehålla ett personnummer)"
        return f"Föreslaget regelverk {name}: kan inte användas: {text}"
    path = Path(str(error.path))
    if path.is_absolute():
        try:
            path = path.resolve().relative_to((Path(folder) / name).resolve())
        except (ValueError, OSError):
            path = Path(path.name)
    shown = shown_path(path.as_posix())
    where = f"{shown}:{error.line}" if error.line else shown
    rule = f" i regel {error.rule_id}" if error.rule_id else ""
    problem = error.problem
    if contains_personnummer(f"{rule}{problem}"):
        rule, problem = "", "felet visas inte här, eftersom det kan innehålla ett personnummer"
    return f"Föreslaget regelverk {name}: regelfilerna kan inte läsas: {where}{rule}: {problem}"



@router.get("/konsekvensanalys", response_class=HTMLResponse)
async def whatif(request: Request, forslag: str = "", fran: str = "", till: str = "", principal=Depends(may_compare),
                 ctx=Depends(web_context)):
    folder = ctx.settings.proposals_dir
    report, error, status = None, None, 200
    if forslag:
        try:
            report = services.whatif(ctx.store, folder, forslag, *_period(fran, till))
        except InputRefused as refused:
            error, status = f"{FIELD_SV.get(refused.field, refused.field)}: {refused.problem}", 422
        except EngineError as broken:  # the proposed tree's files do not follow the schema
            error, status = rule_file_refusal(broken, folder, forslag), 422
    return render(request, "whatif.html", status, title="Konsekvensanalys", report=report, error=error,
                  proposals=services.proposals(folder), folder=folder, chosen=forslag, fran=shown_again(fran),
                  till=shown_again(till))
