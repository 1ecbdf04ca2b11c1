"""What-if for the caseworker and the auditor: a proposed rules tree on the server against the
stored cases (``stod whatif``), nothing stored.

Only trees under the server's proposals folder (``Settings.proposals_dir``, ``STOD_WEB_PROPOSALS``)
can be chosen, by name: a web user never names a path on the server.
"""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from cases.errors import InputRefused
from engine.sensitive import shown_value

from . import services
from .deps import render, role, web_context

router = APIRouter()
may_compare = role("handlaggare", "revisor")
FIELD_SV = {"forslag": "Föreslaget regelverk", "fran": "Från", "till": "Till"}


def _date(value: str, field: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputRefused(field, f"ange datumet som ÅÅÅÅ-MM-DD, inte {shown_value(value)}") from None


@router.get("/konsekvensanalys", response_class=HTMLResponse)
async def whatif(request: Request, forslag: str = "", fran: str = "", till: str = "", principal=Depends(may_compare),
                 ctx=Depends(web_context)):
    folder = ctx.settings.proposals_dir
    report, error, status = None, None, 200
    if forslag:
        try:
            report = services.whatif(ctx.store, folder, forslag, _date(fran, "fran"), _date(till, "till"))
        except InputRefused as refused:
            error, status = f"{FIELD_SV.get(refused.field, refused.field)}: {refused.problem}", 422
    return render(request, "whatif.html", status, title="Konsekvensanalys", report=report, error=error,
                  proposals=services.proposals(folder), folder=folder, chosen=forslag, fran=fran, till=till)
