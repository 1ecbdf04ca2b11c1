"""The equity follow-up and the skolblad as HTML: the same templates for the web app and for files.

``stod equity --html`` and ``stod skolblad --out`` write self-contained pages (the style inline,
the charts as inline SVG, nothing fetched from anywhere); the web app renders the same body
templates inside its own layout (``stod/web/equity.py``).
"""
from __future__ import annotations

from pathlib import Path

from reports.equity import Skolblad, equity
from reports.equity_views import COLUMNS, charts, group_label, shown, table_rows

TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates"
STYLES = [TEMPLATES.parent / "static" / name for name in ("stod.css", "equity.css")]
# The figures the skolblad shows per term: (attribute, heading, kind), a subset of COLUMNS.
SKOLBLAD_COLUMNS = [c for c in COLUMNS if c[0] in ("cases", "applications", "applications_per_100", "share_granted",
                                                    "granted_sek", "granted_sek_per_pupil", "median_days", "p90_days",
                                                    "completion_rate", "overrides", "csi_requests", "placements")]


def _environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))


def report_context(session, date_from=None, date_to=None, today=None) -> dict:
    """What the follow-up page shows: the per-band table with its edges, and the three charts."""
    report = equity(session, "band", date_from, date_to, today)
    return {"report": report, "grouped": report, "rows": table_rows(report),
            "charts": charts(session, date_from, date_to, today),
            "register": report.register}


def skolblad_context(sheet: Skolblad) -> dict:
    return {"sheet": sheet, "columns": SKOLBLAD_COLUMNS, "fmt": shown}


def _standalone(body: str, title: str, context: dict) -> str:
    values = {"fmt": shown, "label": group_label, **context}
    return _environment().get_template("equity/standalone.html").render(
        body=body, title=title, style="\n".join(p.read_text(encoding="utf-8") for p in STYLES), **values)


def equity_page(session, date_from=None, date_to=None, today=None) -> str:
    """The follow-up as one self-contained HTML page."""
    return _standalone("equity/_report.html", "Uppföljning mot socioekonomiskt index",
                       report_context(session, date_from, date_to, today))


def skolblad_page(sheet: Skolblad) -> str:
    """A school's skolblad as one self-contained HTML page."""
    return _standalone("equity/_skolblad.html", f"Skolblad: {sheet.school.name}", skolblad_context(sheet))
