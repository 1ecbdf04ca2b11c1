"""Each user's main path in a real headless Chromium, with axe-core on every page.

The app runs in its own uvicorn process on 127.0.0.1 (a fresh SQLite store with accounts and
a few cases); Playwright drives Debian's Chromium (``/usr/bin/chromium``, or $STOD_CHROMIUM)
through ``executable_path``, since Playwright's own browser download cannot work here. axe-core
(npm, pinned in tests/web/package.json; .ci/run installs it) is injected into each page and must
find no WCAG 2.1 A/AA violation; a deliberately broken page shows the check is not vacuous.
Screenshots of every page go to out/screenshots/ (a test artifact, not committed).

Without Chromium or axe-core these tests skip with the reason, except in CI (``CI`` set),
where they fail: CI installs both, so a missing one is a broken set-up, not a pass.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AXE_JS = Path(os.environ.get("STOD_AXE_JS", ROOT / "tests" / "web" / "node_modules" / "axe-core" / "axe.min.js"))
CHROMIUM = os.environ.get("STOD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "out" / "screenshots"
DAY = "2026-12-20"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-default-apps", "--disable-extensions"]


def _missing() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    if not AXE_JS.is_file():
        return f"axe-core not found at {AXE_JS} (npm install --prefix tests/web; .ci/run does)"
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(f"browser tests need a browser: {missing}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROME_ARGS}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser_type_launch_args):
    """The app in a uvicorn process on a fresh store: the demo accounts and three cases of school A."""
    sys.path.insert(0, str(ROOT / "tests"))
    from cases import workflow
    from cases.store import open_store
    from engine import api
    from stod.cmd_web import ensure_demo_accounts
    from test_store import application

    db = tmp_path_factory.mktemp("web") / "stod.db"
    store = open_store(str(db))
    ensure_demo_accounts(store)
    schools = [("41177203", "Rinkebyskolan"), ("41177203", "Rinkebyskolan"), ("41177214", "Kista grundskola")]
    for n, (code, name) in enumerate(schools, start=1):
        app, raw = api.read_application(application(application_id=f"VS-W-00{n}", school__unit_code=code,
                                                     school__name=name, school__district="Rinkeby-Kista",
                                                     pupil__ref=f"EL-70000{n}"))
        workflow.submit(store, app, raw, api.decide(app, date.fromisoformat(DAY)))
    app, raw = api.read_application(application(application_id="VS-W-KOMP", school__unit_code="41177214",
                                                school__name="Kista grundskola", school__district="Rinkeby-Kista",
                                                pupil__ref="EL-700009", documents__atgardsprogram=None))
    workflow.submit(store, app, raw, api.decide(app, date.fromisoformat(DAY)))
    store.dispose()
    proposals = tmp_path_factory.mktemp("forslag")
    shutil.copytree(ROOT / "rules", proposals / "samma-regler")
    with run_server(db, DAY, {"STOD_WEB_PROPOSALS": str(proposals)}) as base:
        yield base


@contextmanager
def run_server(db, day: str, extra_env: dict | None = None):
    """The app in its own uvicorn process on the store at ``db``, counting days up to ``day``."""
    port = _free_port()
    env = {**os.environ, "STOD_DATABASE_URL": str(db), "STOD_WEB_DATE": day, **(extra_env or {})}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "stod.web.app:app_from_environment", "--factory",
                                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                               env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/tillganglighet", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("the web server stopped at start")
                time.sleep(0.1)
        else:
            raise RuntimeError("the web server did not answer within 15 s")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    # Evaluated through the DevTools protocol, not as a script tag: the app's Content-Security-Policy
    # (scripts only from the site itself) stays in force for the page under test.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.map(n => n.target.join(" "))}));
    }""", WCAG)


def check_page(page, name: str) -> None:
    """Screenshot the page, then require zero WCAG 2.1 A/AA violations."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    violations = axe(page)
    assert violations == [], f"{name} ({page.url}): {violations}"


def login(page, base: str, username: str, start_page: str, shot: str) -> None:
    """Log in as a demo account; the role's start page opens and passes the checks."""
    from playwright.sync_api import expect

    page.goto(base + "/logga-in")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(f"{username}-demo-2026")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(start_page)
    check_page(page, shot)


def test_axe_flags_a_deliberately_broken_page(page, browser_type_launch_args):
    """The negative control: a page with known WCAG failures must be flagged, rule by rule."""
    page.set_content('<html><head><title>trasig</title></head><body><img src="x.png">'
                     '<input type="text"><p style="color:#bbbbbb;background:#ffffff">svag kontrast</p></body></html>')
    found = {v["id"] for v in axe(page)}
    assert {"html-has-lang", "image-alt", "label", "color-contrast"} <= found


def test_public_pages(page, server):
    from playwright.sync_api import expect

    page.goto(server + "/logga-in")
    check_page(page, "01-logga-in")
    page.goto(server + "/tillganglighet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tillgänglighetsredogörelse")
    check_page(page, "02-tillganglighet")
    page.goto(server + "/logga-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_a_rektor_applies_with_the_live_precheck(page, server):
    from playwright.sync_api import expect

    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    login(page, server, "rektor", "Mina ärenden", "10-rektor-mina-arenden")
    page.get_by_role("link", name="Ny ansökan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ansök om verksamhetsstöd")
    check_page(page, "11-rektor-ansokan-tom")
    page.get_by_label("Skolans namn *").fill("Rinkebyskolan")
    page.get_by_label("Stadsdel *").fill("Rinkeby-Kista")
    page.get_by_label("Elevens referens *").fill("EL-812345")
    page.get_by_label("Årskurs *").fill("4")
    page.get_by_label("Första månad *").fill("2027-01")
    page.get_by_label("Sista månad *").fill("2027-06")
    page.get_by_label("Beskrivning av behovet *").fill("Eleven behöver en vuxen nära hela skoldagen.")
    page.get_by_label("Diagnoser").fill("adhd")
    page.get_by_label("Assistenthjälp").check()
    page.get_by_label("Timmar extraordinärt stöd per vecka *").fill("10")
    page.get_by_label("Sökt belopp i kronor *").fill("40000")
    # No action plan yet: the live pre-check says what to send.
    status = page.locator("#status")
    expect(page.locator("#forhandsbedomning")).to_contain_text("Utfall om ansökan skickas nu: komplettering")
    expect(page.locator("#forhandsbedomning")).to_contain_text("Skicka med")
    expect(status).to_have_text("Förhandsbedömning: komplettering.")
    assert page.locator("[role=status]").count() == 1
    check_page(page, "12-rektor-forhandsbedomning-komplettering")
    page.get_by_label("Åtgärdsprogram, datum").fill("2026-10-06")
    page.get_by_label("Åtgärdsprogrammet är underskrivet av rektor").check()
    page.get_by_label("Pedagogisk utredning, datum").fill("2026-09-16")
    page.get_by_label("Utvärdering av extra anpassningar, datum").fill("2026-11-05")
    page.get_by_label("Vårdnadshavare är informerade om ansökan").check()
    expect(page.locator("#forhandsbedomning")).to_contain_text("Utfall om ansökan skickas nu: bifall")
    expect(status).to_have_text("Förhandsbedömning: bifall.")
    check_page(page, "13-rektor-forhandsbedomning-bifall")
    page.get_by_role("button", name="Skicka ansökan").click()
    expect(page.locator(".notice")).to_have_text("Ansökan är mottagen.")
    expect(page.locator(".letter")).to_contain_text("Beslut: Bifall")
    expect(page.locator("main")).not_to_contain_text("adhd")  # diagnoses are for caseworkers only
    check_page(page, "14-rektor-arende")
    page.get_by_role("link", name="Beslutsbrevet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beslut om verksamhetsstöd")
    expect(page.locator(".letter-doc")).to_contain_text("Diarienummer")
    expect(page.locator("main")).not_to_contain_text("adhd")
    check_page(page, "19-rektor-beslutsbrev")
    with page.expect_download() as download:
        page.evaluate("() => { const a = document.querySelector('a[href$=\"beslutsbrev.pdf\"]');"
                      " a.setAttribute('download', ''); a.click(); }")
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_role("link", name="CSI-ansökningar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CSI-ansökningar")
    check_page(page, "1a-rektor-csi-ansokningar")
    assert console_errors == [], "\n".join(console_errors)  # htmx ran under the Content-Security-Policy without a complaint


def test_a_caseworker_confirms_one_case_and_overrides_another(page, server):
    from playwright.sync_api import expect

    login(page, server, "handlaggare", "Ärendekö", "20-handlaggare-ko")
    page.get_by_role("link", name="(VS-W-001)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ärende")
    expect(page.locator("dl.facts")).to_contain_text("autism, adhd")
    check_page(page, "21-handlaggare-arende")
    page.get_by_role("button", name="Fastställ förslaget").click()
    expect(page.locator(".notice")).to_have_text("Beslutet är fattat: förslaget är fastställt.")
    expect(page.locator(".letter")).to_contain_text("av Anna Lindqvist")
    check_page(page, "22-handlaggare-beslutat")
    page.goto(server + "/ko")
    page.get_by_role("link", name="(VS-W-002)").click()
    page.get_by_label("Utfall").select_option("avslag")
    page.get_by_label("Skälkod").select_option("FELAKTIGA_UPPGIFTER")
    page.get_by_label("Motivering").fill("Timantalet stämmer inte med åtgärdsprogrammet.")
    page.get_by_role("button", name="Fatta ändrat beslut").click()
    expect(page.locator(".notice")).to_have_text("Beslutet är fattat: förslaget är ändrat.")
    check_page(page, "23-handlaggare-andrat")
    page.get_by_role("link", name="CSI-grupper").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CSI-grupper")
    check_page(page, "24-handlaggare-csi-grupper")
    page.get_by_role("button", name="Kör omgången").click()
    expect(page.locator(".notice")).to_be_visible()
    check_page(page, "25-handlaggare-csi-omgang")
    page.get_by_role("link", name="Konsekvensanalys").click()
    page.get_by_role("button", name="Pröva ärendena").click()
    expect(page.locator("main")).to_contain_text("ärenden har prövats")
    check_page(page, "26-handlaggare-konsekvensanalys")


def test_a_revisor_verifies_the_chains_and_opens_coverage(page, server):
    from playwright.sync_api import expect

    login(page, server, "revisor", "Granskning", "30-revisor-granskning")
    expect(page.locator("main")).to_contain_text("Händelsekedjorna är hela")
    expect(page.locator("main")).to_contain_text("Åtkomstloggen är hel")
    page.get_by_role("link", name="Regeltäckning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Regeltäckning")
    check_page(page, "31-revisor-tackning")
    page.get_by_role("link", name="Åtkomstlogg", exact=True).click()
    check_page(page, "32-revisor-atkomstlogg")
    page.get_by_role("link", name="Statistik", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistik")
    check_page(page, "35-revisor-statistik")
    page.get_by_role("link", name="Omprövning", exact=True).click()
    page.get_by_role("button", name="Ompröva alla lagrade förslag").click()
    expect(page.locator("main")).to_contain_text("Omprövade")
    check_page(page, "36-revisor-omprovning")
    page.get_by_role("link", name="Ärenden", exact=True).click()
    check_page(page, "33-revisor-arenden")
    page.get_by_role("link", name="Konsekvensanalys", exact=True).click()
    page.get_by_role("button", name="Pröva ärendena").click()
    expect(page.locator("main")).to_contain_text("ärenden har prövats")
    check_page(page, "37-revisor-konsekvensanalys")
    page.goto(server + "/ko")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inte tillåtet")
    check_page(page, "34-revisor-inte-tillatet")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE", "timezone_id": "Europe/Stockholm"}


def test_a_rektor_sends_the_documents_asked_for(page, server):
    from playwright.sync_api import expect

    login(page, server, "rektor", "Mina ärenden", "15-rektor-mina-arenden-komplettering")
    page.get_by_role("link", name="(VS-W-KOMP)").click()
    expect(page.get_by_role("heading", name="Komplettera ansökan")).to_be_visible()
    check_page(page, "16-rektor-komplettering")
    page.locator("#k-atgardsprogram").fill("2026-12-01")
    page.get_by_label("Åtgärdsprogrammet är underskrivet av rektor").check()
    page.get_by_role("button", name="Skicka handlingarna").click()
    expect(page.locator(".notice")).to_have_text("Handlingarna är mottagna och ansökan är prövad på nytt.")
    check_page(page, "17-rektor-kompletterad")
    page.get_by_role("link", name="Begär CSI-plats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Begär plats i CSI-grupp")
    page.get_by_label("Elevens referens *").fill("EL-812399")
    page.get_by_label("Årskurs *").fill("2")
    page.get_by_label("CSI-NPF-03", exact=False).check()
    expect(page.locator("#forhandsbedomning")).to_contain_text("Utfall om ansökan skickas nu")
    check_page(page, "18-rektor-csi-forhandsbedomning")
