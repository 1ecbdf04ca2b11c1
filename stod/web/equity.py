"""The equity follow-up in the web app: the auditor's page with charts and tables, Excel and CSV, skolblad.

- revisor: ``/granskning/jamlikhet`` (per band, district or school, with the three charts and
  their tables), ``.xlsx`` and ``.csv`` of the same figures;
- revisor and handläggare: every school's skolblad (``/skolblad``, ``/skolblad/{kod}``);
- rektor: the skolblad of the schools the account answers for (another school's is 404, as if it
  did not exist).

A module-level router, included by ``stod.web.app``; roles are checked with the pages' own
``role`` dependency and pages drawn with their ``render`` (``stod.web.deps``), figures come from ``reports.equity`` through
``stod.services.equity_pages`` (the same calls ``stod equity`` and ``stod skolblad`` make).
"""
from __future__ import annotations

import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from reports.equity import BY, NoRegister, UnknownSchool, equity, skolblad
from reports.equity_views import group_label, shown, table_rows, to_csv, workbook
from stod.services.equity_pages import report_context, skolblad_context

from .deps import render, role, web_context

router = APIRouter()
revisor = role("revisor")
reader = role("revisor", "handlaggare", "rektor")
PER = {"band": "band", "stadsdel": "district", "skola": "school"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _no_register(request: Request, error: NoRegister) -> HTMLResponse:
    return render(request, "error.html", 404, title="Skolregistret saknas", message=str(error))


@router.get("/granskning/jamlikhet", response_class=HTMLResponse)
async def follow_up(request: Request, per: str = "band", principal=Depends(revisor), ctx=Depends(web_context)):
    by = PER.get(per, "band")
    try:
        with ctx.store.read() as session:
            page = report_context(session, today=ctx.today())
            report = page["report"] if by == "band" else equity(session, by, today=ctx.today())
    except NoRegister as error:
        return _no_register(request, error)
    return render(request, "equity/report.html", title="Uppföljning mot index", per=per if per in PER else "band",
                  fmt=shown, label=group_label, **{**page, "rows": table_rows(report), "grouped": report})


@router.get("/granskning/jamlikhet.csv")
async def follow_up_csv(request: Request, per: str = "band", principal=Depends(revisor),
                        ctx=Depends(web_context)):
    try:
        with ctx.store.read() as session:
            text = to_csv(equity(session, PER.get(per, "band"), today=ctx.today()))
    except NoRegister as error:
        return _no_register(request, error)
    return Response("\ufeff" + text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="uppfoljning-{PER.get(per, "band")}.csv"'})


@router.get("/granskning/jamlikhet.xlsx")
async def follow_up_xlsx(request: Request, principal=Depends(revisor), ctx=Depends(web_context)):
    try:
        with ctx.store.read() as session:
            book = workbook(session, today=ctx.today())
    except NoRegister as error:
        return _no_register(request, error)
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="uppfoljning.xlsx"'})


@router.get("/skolblad", response_class=HTMLResponse)
async def school_list(request: Request, principal=Depends(reader), ctx=Depends(web_context)):
    try:
        with ctx.store.read() as session:
            report = equity(session, "school", today=ctx.today())
    except NoRegister as error:
        return _no_register(request, error)
    schools = sorted((s for s in report.register.schools.values() if principal.may_see_school(s.unit_code)),
                     key=lambda s: (s.district, s.name))
    return render(request, "equity/schools.html", title="Skolblad", schools=schools, register=report.register,
                  fmt=shown)


@router.get("/skolblad/{unit_code}", response_class=HTMLResponse)
async def school_sheet(request: Request, unit_code: str, principal=Depends(reader), ctx=Depends(web_context)):
    not_found = render(request, "error.html", 404, title="Sidan finns inte",
                       message="Det finns inget skolblad för den skolan som du har behörighet till.")
    if not principal.may_see_school(unit_code):
        return not_found
    try:
        with ctx.store.read() as session:
            sheet = skolblad(session, unit_code, ctx.today())
    except NoRegister as error:
        return _no_register(request, error)
    except UnknownSchool:
        return not_found
    return render(request, "equity/skolblad.html", title=f"Skolblad: {sheet.school.name}", **skolblad_context(sheet))
