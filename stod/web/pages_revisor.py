"""The auditor's pages: chains verified, rule coverage, the access log, statistics, replay, all
cases; the reports download as CSV. What-if (shared with the caseworker) is ``pages_whatif``."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from cases import accounts
from cases.errors import NotFound

from . import services
from .deps import csv_response, render, role, web_context
from .pages_common import last_page, page_number, shown_again, web_wording
from .pages_handlaggare import queue_response

router = APIRouter()
revisor = role("revisor")
ACCESS_LOG_PAGE = 100


@router.get("/granskning", response_class=HTMLResponse)
async def audit(request: Request, principal=Depends(revisor), ctx=Depends(web_context)):
    return render(request, "audit.html", title="Granskning", report=services.verify(ctx.store))


@router.get("/granskning/tackning", response_class=HTMLResponse)
async def coverage(request: Request, principal=Depends(revisor), ctx=Depends(web_context)):
    return render(request, "coverage.html", title="Regeltäckning", report=services.coverage(ctx.store))


@router.get("/granskning/tackning.csv")
async def coverage_csv(principal=Depends(revisor), ctx=Depends(web_context)):
    report = services.coverage(ctx.store)
    rows = [[r.area, r.rule_id, r.title, len(r.tagged), len(r.met), len(r.not_met),
             (r.production or {}).get("met", 0) + (r.production or {}).get("info", 0),
             (r.production or {}).get("not_met", 0), (r.production or {}).get("decisive", 0),
             (r.production or {}).get("overrides", 0)] for r in report.rules]
    return csv_response("regeltackning.csv", ["område", "regel", "titel", "scenarier", "visad uppfylld",
                                              "visad inte uppfylld", "uppfylld i ärenden", "inte uppfylld",
                                              "avgörande", "ändrade"], rows)


@router.get("/granskning/atkomstlogg", response_class=HTMLResponse)
async def access_log(request: Request, sida: str = "", principal=Depends(revisor), ctx=Depends(web_context)):
    """The access log, newest first, a page at a time; a page past the last shows the last (as the queue)."""
    per = ACCESS_LOG_PAGE
    with ctx.store.read() as session:
        total = session.execute(select(func.count()).select_from(accounts.AccessLogEntry)).scalar_one()
        page = min(page_number(sida), last_page(total, per))
        entries = accounts.access_log(session, limit=per + 1, offset=(page - 1) * per)
    return render(request, "access_log.html", title="Åtkomstlogg", entries=entries[:per], sida=page,
                  more=len(entries) > per)


@router.get("/granskning/atkomstlogg.csv")
async def access_log_csv(principal=Depends(revisor), ctx=Depends(web_context)):
    with ctx.store.read() as session:
        entries = accounts.access_log(session, limit=None)
    rows = [[e.seq, e.at.isoformat(), e.actor, e.role, e.case_id, e.application_id, e.remote, e.view, e.hash]
            for e in entries]
    return csv_response("atkomstlogg.csv", ["nr", "tid (UTC)", "vem", "roll", "ärende", "ansökan", "varifrån",
                                            "vy", "hash"], rows)


def stats_report(request: Request, ctx):
    per = request.query_params.get("per", "")
    return per, services.statistics(ctx.store, services.STATS_BY.get(per), ctx.today())


@router.get("/granskning/statistik", response_class=HTMLResponse)
async def statistics(request: Request, principal=Depends(revisor), ctx=Depends(web_context)):
    per, report = stats_report(request, ctx)
    return render(request, "stats.html", title="Statistik", report=report, per=per,
                  rows=(report.groups + [report.total]) if report.by else [report.total])


@router.get("/granskning/statistik.csv")
async def statistics_csv(request: Request, principal=Depends(revisor), ctx=Depends(web_context)):
    per, report = stats_report(request, ctx)
    rows = [[g.key, g.cases, g.decided, g.open, g.median_days, g.p90_days, f"{g.completion_rounds_mean:.2f}",
             g.past_target, g.open_past_target, g.granted_sek]
            for g in ((report.groups + [report.total]) if report.by else [report.total])]
    return csv_response(f"statistik{'-' + per if per else ''}.csv",
                        ["grupp", "ärenden", "beslutade", "öppna", "median dagar", "90:e percentil dagar",
                         "kompletteringar per ärende", "beslutade över målet", "öppna över målet",
                         "beviljat kr"], rows)


@router.get("/granskning/omprovning", response_class=HTMLResponse)
async def replay(request: Request, principal=Depends(revisor), ctx=Depends(web_context)):
    case_ref = request.query_params.get("arende", "").strip()
    every = request.query_params.get("alla") == "ja"
    report, error = None, None
    if case_ref or every:
        try:
            report = services.replay(ctx.store, case_ref or None)
        except NotFound as missing:
            error = web_wording(str(missing))
    return render(request, "replay.html", 404 if error else 200, title="Omprövning", report=report,
                  error=error, case_ref=shown_again(case_ref))


@router.get("/granskning/arenden", response_class=HTMLResponse)
async def all_cases(request: Request, principal=Depends(revisor), ctx=Depends(web_context)):
    return queue_response(request, ctx, "queue.html", "Alla ärenden", False)
