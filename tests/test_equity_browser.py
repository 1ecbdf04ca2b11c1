"""The equity follow-up and a skolblad in a real headless Chromium: offline, charts with their tables.

The app runs in its own uvicorn process (``test_web_browser.run_server``) on the known store of
``equity_store`` with the demo accounts. Every request the page makes is watched: anything not
to the app itself fails the test, so the charts cannot come from a CDN. axe-core must find no
WCAG 2.1 A/AA violation on either page. Skips (or fails in CI) as the other browser tests do.
"""
from __future__ import annotations

import pytest

from equity_store import TODAY, build, html_tables
from test_web_browser import browser_type_launch_args, check_page, login, run_server  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser_type_launch_args):  # noqa: F811
    from stod.cmd_web import ensure_demo_accounts

    db = tmp_path_factory.mktemp("equity-web") / "stod.db"
    store = build(str(db))
    ensure_demo_accounts(store)
    store.dispose()
    with run_server(db, TODAY.isoformat()) as base:
        yield base


def _offline(page, base: str) -> list[str]:
    """Requests to anywhere but the app (none may happen); they are aborted and listed."""
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return outside


def _charts_drawn(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('figure img')].map(img => ({
        alt: img.alt, complete: img.complete, width: img.naturalWidth,
        table: img.closest('.chart').querySelector('table').id}))""")


def test_the_auditor_sees_the_charts_with_their_tables_offline(page, server):
    from playwright.sync_api import expect

    outside = _offline(page, server)
    login(page, server, "revisor", "Granskning", "eq-01-granskning")
    page.goto(server + "/granskning/jamlikhet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uppföljning mot socioekonomiskt index")
    drawn = _charts_drawn(page)
    assert len(drawn) == 3 and all(d["complete"] and d["width"] > 300 for d in drawn), drawn
    assert [d["table"] for d in drawn] == ["bidrag-per-elev-mot-index-tabell", "belopp-per-band-over-tid-tabell",
                                          "handlaggningstid-per-stadsdel-tabell"]
    tables = html_tables(page.content())
    assert tables["per-band"][-1][:4] == ["alla", "6", "1 650", "6"]
    assert ["Rinkebyskolan", "Rinkeby-Kista", "230", "5", "200", "132 000 kr", "660 kr"] in \
        tables["bidrag-per-elev-mot-index-tabell"]
    check_page(page, "eq-02-uppfoljning")
    assert outside == []


def test_a_rektor_sees_the_own_skolblad_offline(page, server):
    from playwright.sync_api import expect

    outside = _offline(page, server)
    login(page, server, "rektor", "Mina ärenden", "eq-03-rektor")
    page.goto(server + "/skolblad/41177203")
    expect(page.get_by_role("heading", level=1)).to_have_text("Skolblad: Rinkebyskolan")
    table = html_tables(page.content())["skolblad-terminer"]
    assert table[1][:4] == ["hela perioden", "skolan", "2", "2"]
    check_page(page, "eq-04-skolblad")
    response = page.goto(server + "/skolblad/48213551")
    assert response.status == 404
    assert outside == []
