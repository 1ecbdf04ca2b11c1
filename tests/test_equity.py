"""The school register and the equity follow-up: import, CLI, reconciliation with stod stats, web roles.

Storage tests run on SQLite, and on PostgreSQL when STOD_TEST_PG_URL is set.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from cases.schools import SchoolYear
from equity_store import CASES, REGISTER, TODAY, YEAR, add_case, build, html_tables
from stod.cli import main
from test_store import db_url  # noqa: F401  (fixture: SQLite and PostgreSQL)

HEADER = "skolenhetskod;skolnamn;stadsdel;läsår;elever;socioekonomiskt_index"


def csv_text(rows=REGISTER, year=YEAR, header=HEADER) -> str:
    lines = [header] + [f"{c};{n};{d};{year};{p};{str(i).replace('.', ',')}" for c, n, d, p, i in rows]
    return "\n".join(lines) + "\n"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


def register_count(db: str) -> int:
    from cases.store import open_store

    store = open_store(db)
    try:
        with store.read() as session:
            return session.execute(select(func.count()).select_from(SchoolYear)).scalar_one()
    finally:
        store.dispose()


# -- import ----------------------------------------------------------------------------------


def test_import_stores_the_register_and_a_second_import_changes_nothing(db_url, tmp_path):  # noqa: F811
    file = tmp_path / "register.csv"
    file.write_text(csv_text(), encoding="utf-8")
    first = run("schools", "import", file, "--db", db_url, "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"added": 5, "changed": 0, "unchanged": 0}
    again = run("schools", "import", file, "--db", db_url, "--json")
    assert json.loads(again.output) == {"added": 0, "changed": 0, "unchanged": 5}
    corrected = [(c, n, d, p + (10 if c == "41177203" else 0), i) for c, n, d, p, i in REGISTER]
    file.write_text(csv_text(corrected) + csv_text(year="2027/28").split("\n", 1)[1], encoding="utf-8")
    third = run("schools", "import", file, "--db", db_url, "--json")
    assert json.loads(third.output) == {"added": 5, "changed": 1, "unchanged": 4}
    listed = json.loads(run("schools", "list", "--db", db_url, "--json").output)
    assert len(listed) == 10
    assert {r["pupils"] for r in listed if r["unit_code"] == "41177203"} == {210, 200}


def test_a_bad_line_refuses_the_whole_file_naming_line_and_column(tmp_path):
    db = str(tmp_path / "stod.db")
    rows = csv_text().splitlines()
    rows[2] = "4289670;Adolf Fredriks skola;Norrmalm;2026/27;femhundra;80"
    rows[4] = "46618157;Hagsätraskolan;Enskede-Årsta-Vantör;2026/2027;300;-4"
    rows.append(rows[1])  # the same school and year twice
    file = tmp_path / "register.csv"
    file.write_text("\ufeff" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run("schools", "import", file, "--db", db)
    assert result.exit_code == 2
    message = result.output
    assert "rad 3, skolenhetskod: '4289670' är ingen skolenhetskod; ange skolenhetskoden med 8 siffror" in message
    assert "rad 3, elever: 'femhundra' är inget antal elever" in message
    assert "rad 5, läsår: '2026/2027' är inget läsår; skriv det som 2026/27" in message
    assert "rad 5, socioekonomiskt_index: '-4' är inget index" in message
    assert "rad 7, skolenhetskod: 48213551 läsår 2026/27 finns redan på rad 2" in message
    assert "ingenting sparades" in message and "Traceback" not in message
    assert register_count(db) == 0


@pytest.mark.parametrize("content,expected", [
    (b"", "filen är tom"),
    ("skolenhetskod;skolnamn;elever\n1;2;3\n".encode(), "rad 1: kolumnerna stadsdel, läsår, socioekonomiskt_index saknas"),
    (HEADER.encode() + b"\n", "filen har bara rubrikraden"),
    (HEADER.encode("latin-1") + b"\n", "filen är inte UTF-8"),
    ((HEADER + "\n48213551;Västbergaskolan;Hägersten-Älvsjö;2026/27;400\n").encode(), "rad 2: 5 fält i stället för 6"),
])
def test_files_that_are_not_a_register_are_refused(tmp_path, content, expected):
    db = str(tmp_path / "stod.db")
    file = tmp_path / "register.csv"
    file.write_bytes(content)
    result = run("schools", "import", file, "--db", db)
    assert result.exit_code == 2 and expected in result.output, result.output


def test_a_personnummer_in_the_register_is_refused_and_never_echoed(tmp_path):
    db = str(tmp_path / "stod.db")
    file = tmp_path / "register.csv"
    file.write_text(HEADER + "\n48213551;Elev 20100101-1234;Hägersten-Älvsjö;2026/27;400;60\n", encoding="utf-8")
    result = run("schools", "import", file, "--db", db)
    assert result.exit_code == 2 and "rad 2, skolnamn: innehåller något som kan vara ett personnummer" in result.output
    assert "20100101" not in result.output and register_count(db) == 0


def test_a_comma_separated_export_with_decimal_points_is_read(tmp_path):
    db = str(tmp_path / "stod.db")
    file = tmp_path / "register.csv"
    file.write_text("skolenhetskod,skolnamn,stadsdel,lasar,elever,socioekonomiskt_index\n"
                    "48213551,Västbergaskolan,Hägersten-Älvsjö,2026/27,400,60.5\n", encoding="utf-8")
    assert run("schools", "import", file, "--db", db).exit_code == 0
    assert json.loads(run("schools", "list", "--db", db, "--json").output)[0]["socioeconomic_index"] == 60.5


# -- the follow-up on the command line -------------------------------------------------------


@pytest.fixture
def known(db_url):  # noqa: F811
    store = build(db_url)
    yield db_url
    store.dispose()


def test_equity_json_has_the_shape_of_stats_and_reconciles_with_it(known):
    for period in ([], ["--from", "2026-09-01", "--to", "2026-09-01"], ["--from", "2026-09-02"]):
        stats = json.loads(run("stats", "--db", known, "--date", TODAY, "--json", *period).output)["total"]
        for by in ("band", "district", "school"):
            out = run("equity", "--by", by, "--db", known, "--date", TODAY, "--json", *period)
            assert out.exit_code == 0, out.output
            data = json.loads(out.output)
            assert data["by"] == by and {"total", "groups"} <= set(data)
            for group in data["groups"] + [data["total"]]:
                assert {"key", "schools", "pupils", "cases", "granted_cases", "granted_sek", "granted_sek_per_pupil",
                        "median_days"} <= set(group)
            for name in ("cases", "decided", "open", "granted_sek", "granted_cases", "median_days", "p90_days"):
                assert data["total"][name] == stats[name], (by, period, name)
                if name not in ("median_days", "p90_days"):
                    assert sum(g[name] for g in data["groups"]) == stats[name], (by, period, name)
            assert ("band_edges" in data) == (by == "band")


def test_equity_band_table_and_csv(known):
    data = json.loads(run("equity", "--db", known, "--date", TODAY, "--json").output)
    assert data["band_edges"] == [60.0, 80.0, 100.0, 160.0]
    assert [g["key"] for g in data["groups"]] == ["band 1", "band 2", "band 3", "band 4", "band 5", "okänd skola"]
    text = run("equity", "--db", known, "--date", TODAY)
    assert text.exit_code == 0 and "band 5: 230–230 (1 skola)" in text.output and "okänd skola" in text.output
    assert "Bandgränser" in text.output
    csv_out = run("equity", "--db", known, "--date", TODAY, "--csv").output.splitlines()
    assert csv_out[0].startswith("grupp;skolor;elever;ärenden")
    assert csv_out[-1].split(";")[:4] == ["alla", "6", "1650", "6"]


def test_equity_writes_xlsx_and_html_that_hold_the_same_figures(known, tmp_path):
    from openpyxl import load_workbook

    xlsx, html = tmp_path / "u.xlsx", tmp_path / "u.html"
    out = run("equity", "--db", known, "--date", TODAY, "--xlsx", xlsx, "--html", html)
    assert out.exit_code == 0, out.output
    book = load_workbook(xlsx, read_only=True)
    assert {"Per indexband", "Per stadsdel", "Per skola", "Om uppgifterna"} <= set(book.sheetnames)
    total = [row for row in book["Per stadsdel"].iter_rows(values_only=True) if row[0] == "alla"][0]
    assert total[:4] == ("alla", 6, 1650, 6) and total[7] == 228_000
    page = html.read_text(encoding="utf-8")
    tables = html_tables(page)
    assert tables["per-band"][-1][:4] == ["alla", "6", "1 650", "6"]
    assert page.count("data:image/svg+xml;base64,") == 3 and "<script" not in page


def test_skolblad_file_and_json(known, tmp_path):
    out = tmp_path / "blad.html"
    result = run("skolblad", "41177203", "--db", known, "--date", TODAY, "--out", out)
    assert result.exit_code == 0, result.output
    tables = html_tables(out.read_text(encoding="utf-8"))
    assert tables["skolblad-terminer"][1][:2] == ["hela perioden", "skolan"]
    data = json.loads(run("skolblad", "41177203", "--db", known, "--date", TODAY, "--json").output)
    assert data["band"] == 5 and data["whole"]["school"]["granted_sek"] == 132_000 and data["open_cases"] == []


@pytest.mark.parametrize("args,expected", [
    (["skolblad", "99999999"], "ingen skola med skolenhetskod 99999999"),
    (["equity", "--by", "band", "--json", "--csv"], "välj ett av dem"),
    (["equity", "--from", "2026-13-01"], "--from"),
])
def test_bad_requests_are_exit_2(known, args, expected):
    result = run(*args, "--db", known)
    assert result.exit_code == 2 and expected in result.output


def test_without_a_register_or_a_database_nothing_is_created(tmp_path):
    missing = tmp_path / "nothing.db"
    for args in (["equity"], ["skolblad", "41177203"], ["schools", "list"]):
        result = run(*args, "--db", missing)
        assert result.exit_code == 2 and "ingen databas" in result.output
    assert not missing.exists()
    empty = str(tmp_path / "empty.db")
    store = build(empty, cases=CASES[:1], register=[])
    store.dispose()
    result = run("equity", "--db", empty)
    assert result.exit_code == 2 and "skolregistret är tomt" in result.output


def test_demo_register_is_marked_and_spread(tmp_path):
    from stod.services.demo_data import REGISTER_ONLY, SCHOOLS
    from stod.services.schools import DEMO_SCHOOL_YEARS, demo_register

    rows = demo_register(SCHOOLS, REGISTER_ONLY)
    assert len(rows) == len(DEMO_SCHOOL_YEARS) * (len(SCHOOLS) + len(REGISTER_ONLY))
    pupils = [r.pupils for r in rows]
    indices = [r.socioeconomic_index for r in rows]
    assert min(pupils) >= 80 and max(pupils) <= 1_100 and max(indices) / min(indices) > 4
    assert demo_register(SCHOOLS, REGISTER_ONLY) == rows  # deterministic


# -- the web ---------------------------------------------------------------------------------


@pytest.fixture
def web(known):
    from cases.store import open_store
    from web_helpers import make_web

    store = open_store(known)
    yield make_web(store)
    store.dispose()


def test_web_roles(web):
    revisor = web.login("erik")
    page = revisor.get("/granskning/jamlikhet")
    assert page.status_code == 200 and page.text.count('<img src="data:image/svg+xml;base64,') == 3
    assert html_tables(page.text)["per-band"][-1][:4] == ["alla", "6", "1 650", "6"]
    assert revisor.get("/granskning/jamlikhet?per=stadsdel").status_code == 200
    xlsx = revisor.get("/granskning/jamlikhet.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert revisor.get("/granskning/jamlikhet.csv").text.startswith("\ufeffgrupp;")
    assert revisor.get("/skolblad/41177203").status_code == 200

    anna = web.login("anna")
    assert anna.get("/granskning/jamlikhet").status_code == 403
    assert anna.get("/skolblad/48213551").status_code == 200
    listing = anna.get("/skolblad")
    assert listing.status_code == 200 and len(html_tables(listing.text)["skolor"]) == 6

    rektor = web.login("rektor_b")  # rektor of 41177203 only
    own = rektor.get("/skolblad/41177203")
    assert own.status_code == 200 and "Rinkebyskolan" in own.text
    assert "autism" not in own.text and "EL-" not in own.text
    assert rektor.get("/skolblad/48213551").status_code == 404
    assert rektor.get("/granskning/jamlikhet").status_code == 403
    assert len(html_tables(rektor.get("/skolblad").text)["skolor"]) == 2

    assert web.client().get("/skolblad/41177203").status_code == 303  # not signed in: to the login page


def test_web_skolblad_lists_open_cases(web):
    add_case(web.store, "VS-EQ-101", "41177203", 10, None)
    page = web.login("anna").get("/skolblad/41177203")
    rows = html_tables(page.text)["skolblad-oppna"]
    assert [r[1] for r in rows[1:]] == ["VS-EQ-101"]


# That the wheel ships templates/equity/ is checked for every tracked template by .ci/wheel_check.py
# (the package data is found by setup.py, no longer listed in pyproject.toml).


# -- CSI by the pupil's home school ------------------------------------------------------------


def test_csi_requests_placements_and_waitlist_count_by_home_school(db_url):  # noqa: F811
    from cases.schools import store_register
    from cases.store import open_store
    from equity_store import register_rows
    from reports.equity import equity
    from test_csi_store import example2, filler, run_round, submit

    def at(raw, code, name):
        raw["school"].update(unit_code=code, name=name)
        return raw

    store = open_store(db_url)
    try:
        store_register(store, register_rows(), "test")
        submit(store, [at(filler(n), "41177203", "Rinkebyskolan") for n in range(1, 10)])
        run_round(store)
        submit(store, [at(r, "48213551", "Västbergaskolan") for r in example2()])
        run_round(store)
        with store.read() as session:
            report = equity(session, "school", today=TODAY)
    finally:
        store.dispose()
    got = {g.key: (g.csi_requests, g.placements, g.waitlist, g.placements_per_100) for g in report.groups}
    # Round 1 places the nine fillers; round 2 places four of round-example-2's seven, three wait.
    assert got["Rinkebyskolan (41177203)"] == (9, 9, 0, 4.5)
    assert got["Västbergaskolan (48213551)"] == (7, 4, 3, 1.0)
    assert (report.total.csi_requests, report.total.placements, report.total.waitlist) == (16, 13, 3)
