"""Steps for the equity follow-up (features/equity): a register, known cases, the figures as shown.

The figures are compared as the committee reads them: the text of the table ``stod equity``
prints (``reports.equity_views.table_rows``), the skolblad's HTML table, the charts' tables and
the Excel workbook read back with openpyxl.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from pytest_bdd import given, parsers, then, when

from cases.schools import SchoolRow, store_register
from cases.store import open_store
from equity_store import UNREGISTERED, add_case, html_tables

MARKERS = {"uppfoljning": "the equity follow-up", "indexband": "figures per index band",
           "stadsdel": "figures per district", "skolblad": "a school's skolblad", "diagram": "charts and Excel"}


def pytest_configure(config):
    for name, what in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {what} (features/equity)")


@dataclass
class Uppföljning:
    store: object
    today: date | None = None
    report: object = None
    page: str = ""
    sheet: object = None
    charts: list = field(default_factory=list)
    workbook_path: str = ""


def _rows(datatable) -> list[dict[str, str]]:
    header, *rows = datatable
    return [dict(zip([h.strip() for h in header], [c.strip() for c in row])) for row in rows]


@pytest.fixture
def uppföljning_store(tmp_path):
    store = open_store(str(tmp_path / "stod.db"))
    yield store
    store.dispose()


@given(parsers.parse('ett skolregister för läsåret "{läsår}":'), target_fixture="uppföljning")
def _register(uppföljning_store, läsår, datatable):
    rows = [SchoolRow(r["skolenhetskod"], läsår, r["skola"], r["stadsdel"], int(r["elever"]), float(r["index"]))
            for r in _rows(datatable)]
    store_register(uppföljning_store, rows, "feature")
    return Uppföljning(uppföljning_store)


@given(parsers.parse('ansökningar mottagna "2026-09-01" för oktober till december 2026:'))
def _cases(uppföljning, datatable):
    for r in _rows(datatable):
        days = r["dagar till beslut"]
        add_case(uppföljning.store, r["ansökan"], r["skolenhetskod"], float(r["timmar"]),
                 None if days == "öppen" else int(days))


BY_SV = {"indexband": "band", "stadsdel": "district", "skola": "school"}


def _equity(uppföljning, by, date_from, datum):
    from reports.equity import equity

    uppföljning.today = date.fromisoformat(datum)
    with uppföljning.store.read() as session:
        uppföljning.report = equity(session, BY_SV[by], date_from, None, uppföljning.today)


@when(parsers.parse('uppföljningen tas fram per {by} den "{datum}"'))
def _report(uppföljning, by, datum):
    _equity(uppföljning, by, None, datum)


@when(parsers.parse('uppföljningen tas fram per {by} från "{från}" den "{datum}"'))
def _report_from(uppföljning, by, från, datum):
    _equity(uppföljning, by, date.fromisoformat(från), datum)


@then(parsers.parse('är bandgränserna "{gränser}"'))
def _edges(uppföljning, gränser):
    from engine.explain import number

    assert ", ".join(number(e) for e in uppföljning.report.register.edges) == gränser


def _assert_rows(shown: list[list[str]], datatable, key: str) -> None:
    header = shown[0]
    by_key = {row[0]: dict(zip(header, row)) for row in shown[1:]}
    for expected in _rows(datatable):
        name = expected[key]
        assert name in by_key, f"{name!r} saknas bland {list(by_key)}"
        got = {k: by_key[name].get(k if k != key else header[0]) for k in expected}
        got[key] = name
        assert got == expected, f"{name}: {got} != {expected}"


@then("är siffrorna per grupp:")
def _figures(uppföljning, datatable):
    from reports.equity_views import table_rows

    _assert_rows(table_rows(uppföljning.report), datatable, "grupp")


@then("är totalens ärenden, beslut, belopp och handläggningstider desamma som i stod stats")
def _same_as_stats(uppföljning):
    from reports.stats import stats

    with uppföljning.store.read() as session:
        total = stats(session, today=uppföljning.today).total
    mine = uppföljning.report.total
    for name in ("cases", "decided", "open", "granted_sek", "granted_cases", "median_days", "p90_days",
                 "cases_with_completion", "past_target"):
        assert getattr(mine, name) == getattr(total, name), name


@then("är gruppernas summa av ärenden och belopp lika med totalen")
def _groups_add_up(uppföljning):
    report = uppföljning.report
    for name in ("cases", "decided", "granted_sek", "granted_cases", "applications", "overrides"):
        assert sum(getattr(g, name) for g in report.groups) == getattr(report.total, name), name


@when(parsers.parse('skolbladet för "{kod}" tas fram den "{datum}"'))
def _skolblad(uppföljning, kod, datum):
    from reports.equity import skolblad
    from stod.services.equity_pages import skolblad_page

    with uppföljning.store.read() as session:
        uppföljning.sheet = skolblad(session, kod, date.fromisoformat(datum))
    uppföljning.page = skolblad_page(uppföljning.sheet)


@then(parsers.parse("ligger skolan i indexband {band:d}"))
def _band(uppföljning, band):
    assert uppföljning.sheet.band == band
    assert f"indexband {band} av 5" in uppföljning.page


@then("visar skolbladet för hela perioden:")
def _skolblad_figures(uppföljning, datatable):
    table = html_tables(uppföljning.page)["skolblad-terminer"]
    header = table[0]
    # The first row group is the whole period: its first row starts with the term cell.
    whole = [table[1][1:], table[2], table[3]]
    shown = [header[1:]] + whole
    _assert_rows(shown, datatable, "jämförelse")


@then(parsers.parse('listar skolbladet det öppna ärendet "{ansökan}"'))
def _open_case(uppföljning, ansökan):
    table = html_tables(uppföljning.page)["skolblad-oppna"]
    assert [row[1] for row in table[1:]] == [ansökan]


@then("står inga diagnoser och ingen elevreferens på skolbladet")
def _no_pupil_data(uppföljning):
    page = uppföljning.page.lower()
    for word in ("autism", "adhd", "diagnos", "el-005123"):
        assert word not in page, word


@when(parsers.parse('diagrammen och Excel-filen tas fram den "{datum}"'))
def _charts(uppföljning, datum, tmp_path):
    from reports.equity import equity
    from reports.equity_views import charts, workbook
    from stod.services.equity_pages import equity_page

    uppföljning.today = date.fromisoformat(datum)
    with uppföljning.store.read() as session:
        uppföljning.charts = charts(session, today=uppföljning.today)
        uppföljning.report = equity(session, "band", today=uppföljning.today)
        path = tmp_path / "uppfoljning.xlsx"
        workbook(session, today=uppföljning.today).save(path)
        uppföljning.page = equity_page(session, today=uppföljning.today)
    uppföljning.workbook_path = str(path)


def _chart(uppföljning, chart_id):
    return next(c for c in uppföljning.charts if c.id == chart_id)


@then(parsers.parse('har diagrammet "{chart_id}" en punkt per skola i registret'))
def _points(uppföljning, chart_id):
    chart = _chart(uppföljning, chart_id)
    assert len(chart.values) == len(uppföljning.report.register.schools)
    assert chart.svg.count('<use xlink:href="#') >= len(chart.values)  # matplotlib draws a marker per point


@then(parsers.parse('har diagrammets tabell "{chart_id}" raden "{rad}"'))
def _chart_row(uppföljning, chart_id, rad):
    assert rad.split(", ") in _chart(uppföljning, chart_id).rows


@then(parsers.parse('har Excel-bladet "{blad}" samma siffror som uppföljningen per indexband'))
def _excel(uppföljning, blad):
    from openpyxl import load_workbook

    from reports.equity_views import raw_rows

    book = load_workbook(uppföljning.workbook_path, read_only=True)
    cells = [list(row) for row in book[blad].iter_rows(values_only=True)]
    expected = raw_rows(uppföljning.report)
    assert cells[:len(expected)] == expected
    total = cells[len(expected) - 1]
    assert total[0] == "alla" and 228_000 in total and 109 in total


@then("har varje diagram sin tabell bredvid sig på sidan")
def _tables_beside(uppföljning):
    tables = html_tables(uppföljning.page)
    for chart in uppföljning.charts:
        assert tables[f"{chart.id}-tabell"][1:] == chart.rows
        assert f'src="{chart.data_uri}"' in uppföljning.page
    assert "http://" not in uppföljning.page.replace("http://www.w3.org", "")
    assert "https://" not in uppföljning.page
