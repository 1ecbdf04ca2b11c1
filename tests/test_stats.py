"""Processing times (`stod stats`): figures checked against the store's own rows."""
from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from reports.stats import percentile, stats
from test_audit import build_store

TODAY = date(2027, 12, 31)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("stats") / "stod.db")
    yield store
    store.dispose()


@pytest.mark.parametrize("values,p,expected", [
    ([], 50, None), ([7], 90, 7), ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5), ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9),
    ([10, 1, 5], 50, 5), ([3, 1, 2, 4], 50, 2), ([3, 1, 2, 4], 90, 4),
])
def test_percentile_is_nearest_rank(values, p, expected):
    assert percentile(values, p) == expected


def rows(store):
    with store.engine.connect() as conn:
        cases = conn.execute(text("SELECT id, district, received, decided_on FROM cases")).all()
        granted = conn.execute(text("SELECT sum(amount_sek) FROM decisions WHERE id IN (SELECT max(id) FROM decisions "
                                    "WHERE kind='decision' GROUP BY case_id)")).scalar()
        rounds = conn.execute(text("SELECT count(*) FROM events WHERE type='completion_requested'")).scalar()
    return cases, granted, rounds


def test_totals_match_the_rows(store):
    cases, granted, rounds = rows(store)
    with store.read() as session:
        report = stats(session, today=TODAY)
    days = sorted((date.fromisoformat(str(d)) - date.fromisoformat(str(r))).days for _, _, r, d in cases if d)
    total = report.total
    assert total.cases == len(cases) and total.decided == len(days) and total.open == len(cases) - len(days)
    assert total.median_days == days[(len(days) + 1) // 2 - 1]
    assert total.p90_days == percentile(days, 90) and total.max_days == days[-1]
    assert total.past_target == sum(1 for d in days if d > 28)  # processing_target_days is 28 in rules/
    assert total.granted_sek == granted
    assert total.completion_rounds_mean == round(rounds / len(cases), 2)
    assert total.open_past_target == total.open  # by TODAY every open case has waited past the target


def test_by_district_adds_up(store):
    cases, _, _ = rows(store)
    with store.read() as session:
        report = stats(session, by="district", today=TODAY)
    assert {g.key for g in report.groups} == {district for _, district, _, _ in cases}
    assert sum(g.cases for g in report.groups) == report.total.cases
    assert sum(g.granted_sek for g in report.groups) == report.total.granted_sek


def test_by_month_and_period(store):
    with store.read() as session:
        by_month = stats(session, by="month", today=TODAY)
        first_half = stats(session, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30), today=TODAY)
    assert all(len(g.key) == 7 and g.key[4] == "-" for g in by_month.groups)
    assert 0 < first_half.total.cases < by_month.total.cases


def test_cli_stats(store):
    from stod.cli import main

    db = store.url.removeprefix("sqlite:///")
    result = CliRunner().invoke(main, ["stats", "--by", "school", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["by"] == "school" and sum(g["cases"] for g in data["groups"]) == data["total"]["cases"]
    table = CliRunner().invoke(main, ["stats", "--db", db])
    assert table.exit_code == 0 and "Handläggningstider" in table.output
    bad = CliRunner().invoke(main, ["stats", "--db", db, "--from", "igår"])
    assert bad.exit_code == 2 and "--from" in bad.output
