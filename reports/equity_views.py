"""The equity follow-up as the committee reads it: one set of columns for the table, CSV and Excel, and charts.

Every front door (``stod equity`` as text, ``--csv``, ``--xlsx``, ``--html``; the auditor's web
page) takes its columns, headings and chart data from here, so a figure reads the same
everywhere. Charts are SVG drawn by matplotlib (the Agg backend, no network, no CDN), each
with the numbers it shows as a table (``Chart.header`` / ``Chart.rows``) to put beside it.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from engine.explain import number, sek

from .equity import UNKNOWN, EquityGroup, EquityReport, Skolblad

# (attribute, Swedish heading, kind) in the order the committee reads them.
COLUMNS = [
    ("key", "grupp", "text"),
    ("schools", "skolor", "int"),
    ("pupils", "elever", "int"),
    ("cases", "ärenden", "int"),
    ("applications", "ansökningar vs", "int"),
    ("applications_per_100", "ansökningar per 100 elever", "dec"),
    ("share_granted", "andel beviljade", "share"),
    ("granted_sek", "beviljat", "sek"),
    ("granted_sek_per_pupil", "beviljat per elev", "sek"),
    ("median_days", "median dagar", "int"),
    ("p90_days", "90:e percentil dagar", "int"),
    ("completion_rate", "andel med komplettering", "share"),
    ("overrides", "ändrade beslut", "int"),
    ("csi_requests", "CSI-ansökningar", "int"),
    ("placements", "CSI-placeringar", "int"),
    ("placements_per_100", "placeringar per 100 elever", "dec"),
    ("waitlist", "på väntelista", "int"),
]
# The terminal is narrow: the same figures as two tables with short headings.
TERMINAL_TABLES = [
    ("Ansökningar och pengar", [("schools", "skolor"), ("pupils", "elever"), ("cases", "ärenden"),
                                ("applications_per_100", "ans./100 el."), ("share_granted", "beviljade"),
                                ("granted_sek", "beviljat"), ("granted_sek_per_pupil", "per elev")]),
    ("Handläggning och CSI", [("median_days", "median d"), ("p90_days", "p90 d"), ("completion_rate", "kompl."),
                              ("overrides", "ändrade"), ("csi_requests", "CSI-ans."), ("placements", "plac."),
                              ("placements_per_100", "plac./100 el."), ("waitlist", "kö")]),
]
KIND_OF = {a: k for a, _, k in COLUMNS}


def terminal_tables(report: EquityReport) -> list[tuple[str, list[list[str]]]]:
    """The figures as two narrower tables (title, header row + rows) for the terminal."""
    out = []
    for title, columns in TERMINAL_TABLES:
        rows = [["grupp"] + [h for _, h in columns]]
        rows += [[g.key] + [shown(getattr(g, a), KIND_OF[a]) for a, _ in columns]
                 for g in rows_of(report)]
        out.append((title, rows))
    return out


def shown(value, kind: str) -> str:
    """A figure as the table shows it (Swedish numbers; – when there is none)."""
    if value is None:
        return "–"
    if kind == "sek":
        return sek(value)
    if kind == "share":
        return f"{number(round(value * 100, 1))} %"
    return number(value) if kind != "text" else str(value)


def group_label(report: EquityReport, g: EquityGroup) -> str:
    """A group's name with its index range for a band (``band 1 (42,2–63,8)``)."""
    if report.by == "band" and g.band is not None:
        return f"band {g.band} ({number(g.index_min)}–{number(g.index_max)})"
    return g.key


def rows_of(report: EquityReport) -> list[EquityGroup]:
    return report.groups + [report.total]


def table_rows(report: EquityReport) -> list[list[str]]:
    """Header and rows as text, for the terminal and the HTML table."""
    out = [[h for _, h, _ in COLUMNS]]
    for g in rows_of(report):
        out.append([group_label(report, g)] + [shown(getattr(g, a), k) for a, _, k in COLUMNS[1:]])
    return out


def raw_rows(report: EquityReport) -> list[list]:
    """Header and rows as plain values (numbers as numbers), for CSV and Excel."""
    out = [[h for _, h, _ in COLUMNS]]
    for g in rows_of(report):
        out.append([group_label(report, g)] + [getattr(g, a) for a, _, _ in COLUMNS[1:]])
    return out


def to_csv(report: EquityReport) -> str:
    """The table as CSV: semicolons and decimal points, formulas defused (a cell starting with = + - @)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in raw_rows(report):
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else
                         ("" if v is None else v) for v in row])
    return buffer.getvalue()


# -- charts -------------------------------------------------------------------------------


@dataclass
class Chart:
    """One picture and the numbers it shows."""

    id: str
    title: str
    description: str
    header: list[str]
    kinds: list[str]  # per column, as in COLUMNS: text, int, dec, sek, share
    values: list[list]  # the numbers as numbers (Excel, tests)
    svg: str = ""

    @property
    def data_uri(self) -> str:
        """The SVG as a data: URL for an <img> (the web's CSP allows data: images, not inline styles)."""
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()

    @property
    def rows(self) -> list[list[str]]:
        """The numbers as the table beside the chart shows them."""
        return [[shown(v, k) for v, k in zip(row, self.kinds)] for row in self.values]


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "stod", "font.size": 9,
                         "axes.spines.top": False, "axes.spines.right": False})
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    return plt, fig, ax


def _svg(plt, fig, title: str) -> str:
    buffer = io.StringIO()
    fig.tight_layout()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Title": title})
    plt.close(fig)
    return buffer.getvalue()


def chart_per_pupil_vs_index(points: list[dict]) -> Chart:
    """Grants per pupil against the index, one point per register school."""
    chart = Chart("bidrag-per-elev-mot-index", "Beviljat per elev mot socioekonomiskt index",
                  "En punkt per skola i skolregistret: skolans index och beviljat belopp per elev.",
                  ["skola", "stadsdel", "index", "band", "elever", "beviljat", "beviljat per elev"],
                  ["text", "text", "dec", "int", "int", "sek", "sek"],
                  [[p["name"], p["district"], p["index"], p["band"], p["pupils"], p["granted_sek"], p["per_pupil"]]
                   for p in points])
    plt, fig, ax = _figure()
    ax.scatter([p["index"] for p in points], [p["per_pupil"] for p in points], color="#1d5f9a", s=22)
    ax.set_xlabel("socioekonomiskt index")
    ax.set_ylabel("beviljat per elev (kr)")
    chart.svg = _svg(plt, fig, chart.title)
    return chart


def chart_money_per_band(report: EquityReport) -> Chart:
    """Money granted per band and term (by decision date)."""
    keys = [g.key for g in report.groups]
    terms = list(report.terms)
    chart = Chart("belopp-per-band-over-tid", "Beviljat belopp per indexband och termin",
                  "Beviljade belopp per termin (beslutsdatum), en linje per indexband.",
                  ["termin"] + keys, ["text"] + ["sek"] * len(keys),
                  [[t] + [report.terms[t].get(k, 0) for k in keys] for t in terms])
    plt, fig, ax = _figure()
    for k in keys:
        ax.plot(terms, [report.terms[t].get(k, 0) / 1000 for t in terms], marker="o", label=k)
    ax.set_ylabel("beviljat (tusen kr)")
    ax.legend(fontsize=7, frameon=False)
    chart.svg = _svg(plt, fig, chart.title)
    return chart


def chart_days_per_district(report: EquityReport) -> Chart:
    """Median and 90th percentile processing days per district."""
    groups = [g for g in report.groups if g.median_days is not None]
    chart = Chart("handlaggningstid-per-stadsdel", "Handläggningstid per stadsdel",
                  "Median och 90:e percentil dagar från mottagande till beslut (kompletteringstid räknas inte).",
                  ["stadsdel", "beslutade", "median dagar", "90:e percentil dagar"], ["text", "int", "int", "int"],
                  [[g.key, g.decided, g.median_days, g.p90_days] for g in groups])
    plt, fig, ax = _figure()
    names = [g.key for g in groups]
    positions = range(len(groups))
    ax.barh([p + 0.2 for p in positions], [g.median_days for g in groups], height=0.4, label="median",
            color="#1d5f9a")
    ax.barh([p - 0.2 for p in positions], [g.p90_days for g in groups], height=0.4, label="90:e percentil",
            color="#c0504d")
    ax.set_yticks(list(positions), names)
    ax.set_xlabel("dagar")
    ax.legend(fontsize=7, frameon=False)
    chart.svg = _svg(plt, fig, chart.title)
    return chart


def school_points(report: EquityReport, session) -> list[dict]:
    """Per register school: index, band, pupils, money granted and per pupil (over the report's period)."""
    from .equity import equity

    by_school = equity(session, "school", _day(report.date_from), _day(report.date_to), _day(report.today))
    register = report.register
    money = {g.key: g for g in by_school.groups}
    out = []
    for s in sorted(register.schools.values(), key=lambda s: (s.socioeconomic_index, s.unit_code)):
        g = money.get(f"{s.name} ({s.unit_code})")
        granted = g.granted_sek if g else 0
        out.append({"unit_code": s.unit_code, "name": s.name, "district": s.district, "index": s.socioeconomic_index,
                    "band": register.band_of(s.socioeconomic_index), "pupils": s.pupils, "granted_sek": granted,
                    "per_pupil": round(granted / s.pupils)})
    return out


def _day(text):
    from datetime import date

    return date.fromisoformat(text) if text else None


def charts(session, date_from=None, date_to=None, today=None) -> list[Chart]:
    """The three charts of the follow-up, over the same period and store."""
    from .equity import equity

    bands = equity(session, "band", date_from, date_to, today)
    districts = equity(session, "district", date_from, date_to, today)
    return [chart_per_pupil_vs_index(school_points(bands, session)), chart_money_per_band(bands),
            chart_days_per_district(districts)]


# -- Excel --------------------------------------------------------------------------------


def workbook(session, date_from=None, date_to=None, today=None):
    """The follow-up as an openpyxl workbook: one sheet per grouping, one per chart's numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .equity import BY, equity

    book = Workbook()
    book.remove(book.active)
    titles = {"band": "Per indexband", "district": "Per stadsdel", "school": "Per skola"}
    first = None
    for by in BY:
        report = equity(session, by, date_from, date_to, today)
        first = first or report
        sheet = book.create_sheet(titles[by])
        for row in raw_rows(report):
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        if by == "band":
            sheet.append([])
            sheet.append(["bandgränser (index)"] + list(report.register.edges))
    for chart in charts(session, date_from, date_to, today):
        sheet = book.create_sheet(chart.title[:31])
        sheet.append(chart.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in chart.values:
            sheet.append(row)
    about = book.create_sheet("Om uppgifterna")
    about.append(["Uppföljning av verksamhetsstöd och CSI mot skolornas socioekonomiska index"])
    about.append(["läsår i skolregistret", first.register.school_year])
    about.append(["period (mottagna)", first.date_from or "från början", first.date_to or "till sista ärendet"])
    if first.register.demo:
        about.append(["DEMODATA: skolregistret är påhittat av stod demo"])
    about.append([f"'{UNKNOWN}': ärenden från skolor som inte finns i registret; ingår i totalen men inte i "
                  "per-elev-talen"])
    return book
