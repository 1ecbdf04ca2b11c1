"""The web pages against hostile or odd input: numbers that are not ASCII digits, page numbers
out of range, unparseable dates, a broken proposed rules tree, a personnummer where a name or a
case is asked for, decisions without the page's version. Each answer is Swedish HTML, never a
500, never FastAPI's English JSON, and a personnummer is never shown again or stored.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from cases import accounts
from cases.models import Case
from engine.sensitive import contains_personnummer
from stod.web.security import Settings
from test_store import db_url, store  # noqa: F401  (fixtures: SQLite and PostgreSQL)
from web_helpers import Browser, form_application, make_web

ROOT = Path(__file__).resolve().parents[1]
PNR = "19121212-1212"


@pytest.fixture
def web(store):  # noqa: F811
    return make_web(store, Settings(queue_page_size=2))


def _case(web, **changes) -> int:
    rektor = web.login("rektor_a")
    rektor.get("/ansokan")
    done = rektor.post("/ansokan", form_application(**changes))
    assert done.status_code == 303, done.text
    return int(done.headers["location"].split("/")[2].split("?")[0])


def _case_row(web, case_id) -> Case:
    with web.store.read() as session:
        return session.get(Case, case_id)


def _error(response) -> str:
    """The page's error message (the one role=alert paragraph)."""
    found = re.search(r'<p class="error"[^>]*role="alert">(.*?)</p>', response.text, re.S)
    return found.group(1) if found else ""


def _swedish_page(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text and '"detail"' not in response.text


GRANT = {"outcome": "delvis_bifall", "reason_code": "REGELTOLKNING", "reason": "Stödet behövs bara under våren.",
         "level": "2", "period_start": "2027-01", "period_end": "2027-03", "amount_sek": "20000"}


# -- 1: the override form's numbers are ASCII digits --------------------------------------------


@pytest.mark.parametrize("field,label,value", [
    ("level", "Nivå", "²"), ("level", "Nivå", "２"), ("level", "Nivå", "٢"), ("level", "Nivå", "9" * 5000),
    ("amount_sek", "Beviljat belopp", "²"), ("amount_sek", "Beviljat belopp", "２００００"),
    ("amount_sek", "Beviljat belopp", "20_000"), ("amount_sek", "Beviljat belopp", "9" * 5000),
    ("amount_sek", "Beviljat belopp", "-20000"),
])
def test_override_numbers_take_only_ascii_digits(web, field, label, value):
    case_id = _case(web)
    anna = web.login("anna")
    anna.get(f"/arenden/{case_id}")
    version = _case_row(web, case_id).version
    refused = anna.post(f"/arenden/{case_id}/andra", {**GRANT, field: value, "version": str(version)})
    _swedish_page(refused, 422)
    assert _error(refused).startswith(f"{label}:") and "0–9" in _error(refused)
    assert _case_row(web, case_id).status == "forslag" and _case_row(web, case_id).version == version
    spaced = anna.post(f"/arenden/{case_id}/andra", {**GRANT, "amount_sek": "20 000", "version": str(version)})
    assert spaced.status_code == 303  # a thousands space is no problem


# -- 2 and 3: page numbers -------------------------------------------------------------------------


HOSTILE_PAGES = ["99999999999999999999", "9223372036854775807", "9223372036854775808", "9" * 5000]


def test_access_log_page_numbers_out_of_range_show_the_last_page(web):
    case_id = _case(web)
    web.login("anna").get(f"/arenden/{case_id}")  # one logged view
    erik = web.login("erik")
    for sida in HOSTILE_PAGES:
        page = erik.get(f"/granskning/atkomstlogg?sida={sida}")
        _swedish_page(page, 200)
        assert "Anna Lindqvist (anna)" in page.text, sida  # the last page: the one there is
    for sida in ("abc", "-3", "0", "²", "１", ""):
        page = erik.get(f"/granskning/atkomstlogg?sida={sida}")
        _swedish_page(page, 200)
        assert "Anna Lindqvist (anna)" in page.text and 'href="?sida=0"' not in page.text


def test_queue_and_my_cases_page_numbers_as_in_the_queue(web):
    for i in range(5):
        _case(web, **{"pupil.ref": f"EL-20000{i}"})
    anna, erik, rektor = web.login("anna"), web.login("erik"), web.login("rektor_a")
    for browser, url in ((anna, "/ko"), (erik, "/granskning/arenden"), (rektor, "/mina-arenden")):
        for sida in HOSTILE_PAGES:
            page = browser.get(f"{url}?sida={sida}")
            _swedish_page(page, 200)
            assert "Sida 3 av 3" in page.text, (url, sida)
        for sida in ("abc", "-1", "²", "３", "1e3", ""):
            page = browser.get(f"{url}?sida={sida}")
            _swedish_page(page, 200)
            assert "Sida 1 av 3" in page.text, (url, sida)


# -- 4 and 9: what-if ----------------------------------------------------------------------------


@pytest.fixture
def proposals(tmp_path):
    folder = tmp_path / "forslag"
    shutil.copytree(ROOT / "rules", folder / "broken")
    (folder / "broken" / "verksamhetsstod" / "amount.yaml").write_text("rules:\n  - id: [oavslutad\n",
                                                                       encoding="utf-8")
    shutil.copytree(ROOT / "rules", folder / "hel")
    shutil.copytree(ROOT / "rules" / "csi", folder / "bara-csi" / "csi")
    return folder


def test_whatif_with_a_broken_proposal_names_the_file_and_line(store, proposals):  # noqa: F811
    web = make_web(store, Settings(proposals_dir=str(proposals)))
    _case(web)
    page = web.login("anna").get("/konsekvensanalys?forslag=broken")
    _swedish_page(page, 422)
    message = _error(page)
    assert re.search(r"verksamhetsstod/amount\.yaml:\d+: ogiltig YAML", message), message
    assert str(proposals) not in page.text and "Regelverk:" not in page.text


def test_whatif_period_that_ends_before_it_starts_is_refused(store, proposals):  # noqa: F811
    web = make_web(store, Settings(proposals_dir=str(proposals)))
    _case(web)
    anna = web.login("anna")
    page = anna.get("/konsekvensanalys?forslag=hel&fran=2027-01-01&till=2026-01-01")
    _swedish_page(page, 422)
    assert "Till" in _error(page) and "Från" in _error(page) and "Regelverk:" not in page.text
    same_day = anna.get("/konsekvensanalys?forslag=hel&fran=2026-12-20&till=2026-12-20")
    assert same_day.status_code == 200 and "Regelverk:" in same_day.text
    empty = anna.get("/konsekvensanalys?forslag=hel&fran=2030-01-01")  # a period without cases
    assert empty.status_code == 200 and "ingenting jämfördes" in empty.text and "Regelverk:" not in empty.text


def test_whatif_says_in_swedish_that_a_tree_lacks_an_area(store, proposals):  # noqa: F811
    web = make_web(store, Settings(proposals_dir=str(proposals)))
    case_id = _case(web)
    page = web.login("anna").get("/konsekvensanalys?forslag=bara-csi")
    assert page.status_code == 200 and "the proposed tree" not in page.text
    assert f"Ärende {case_id}: det föreslagna regelverket har inga regler för verksamhetsstöd" in page.text
    assert "1 ärende kunde inte prövas (se nedan); ingenting jämfördes" in page.text  # not just "Inga ärenden"


def test_whatif_never_shows_a_personnummer_typed_as_a_date(store, proposals):  # noqa: F811
    web = make_web(store, Settings(proposals_dir=str(proposals)))
    page = web.login("anna").get(f"/konsekvensanalys?forslag=hel&fran={PNR}&till={PNR}")
    _swedish_page(page, 422)
    assert "121212" not in page.text


# -- 5: a personnummer typed where a user name or a case is asked for --------------------------


def test_login_never_shows_or_stores_a_personnummer_and_still_throttles(web):
    browser = Browser(web.client())
    browser.get("/logga-in")
    for _ in range(5):
        refused = browser.post("/logga-in", {"username": PNR, "password": "fel-losenord-1"})
        _swedish_page(refused, 401)
        assert "121212" not in refused.text
        assert 'autocomplete="username" required value=""' in refused.text  # the field emptied
    throttled = browser.post("/logga-in", {"username": PNR, "password": "fel-losenord-1"})
    _swedish_page(throttled, 429)
    assert "121212" not in throttled.text
    with web.store.read() as session:
        names = list(session.execute(select(accounts.LoginAttempt.username)).scalars())
    assert len(names) == 5 and not any(contains_personnummer(n) for n in names)
    assert browser.post("/logga-in", {"username": "erik", "password": "erik-losenord-1"}).status_code == 303
    # the page after login: a personnummer in it is not carried along
    login_page = web.client().get(f"/logga-in?nasta=/granskning/omprovning?arende={PNR}")
    assert "121212" not in login_page.text


def test_replay_never_shows_a_personnummer_typed_as_the_case(web):
    erik = web.login("erik")
    page = erik.get(f"/granskning/omprovning?arende={PNR}")
    _swedish_page(page, 404)
    assert "121212" not in page.text and "stod queue" not in page.text
    for ref in ("99999999999999999999", "9" * 5000, "²"):
        _swedish_page(erik.get(f"/granskning/omprovning?arende={ref}"), 404)


def test_queue_date_with_a_personnummer_is_not_shown_again(web):
    page = web.login("anna").get(f"/ko?datum={PNR}")
    _swedish_page(page, 422)
    assert "121212" not in page.text


# -- 6: dates in the query string ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/ko", "/granskning/arenden"])
def test_an_unparseable_date_is_refused_naming_the_field(web, url):
    _case(web)
    browser = web.login("anna" if url == "/ko" else "erik")
    for datum in ("2026-13-45", "igår", "20270301", "2027-03-01T00:00", "２０２７-０３-０１"):
        page = browser.get(f"{url}?datum={datum}")
        _swedish_page(page, 422)
        assert "datum" in _error(page) and "ÅÅÅÅ-MM-DD" in _error(page), datum
        assert "Inga ärenden matchar." not in page.text
    assert browser.get(f"{url}?datum=2027-03-01").status_code == 200
    assert browser.get(f"{url}?datum=").status_code == 200  # empty: today


# -- 7: a decision carries the version of the page it was made on ------------------------------


@pytest.mark.parametrize("version", [None, "", "abc", "²", "２", "1.0", "9" * 5000])
def test_a_decision_without_a_valid_version_is_refused(web, version):
    case_id = _case(web)
    anna = web.login("anna")
    anna.get(f"/arenden/{case_id}")
    before = _case_row(web, case_id).version
    sent = {} if version is None else {"version": version}
    for url, form in ((f"/arenden/{case_id}/faststall", sent), (f"/arenden/{case_id}/andra", {**GRANT, **sent})):
        refused = anna.post(url, form)
        _swedish_page(refused, 422)
        assert "Versionen" in _error(refused) and "ladda om sidan" in _error(refused), url
    row = _case_row(web, case_id)
    assert row.status == "forslag" and row.version == before
    assert anna.post(f"/arenden/{case_id}/faststall", {"version": str(before)}).status_code == 303


# -- 8: refusals speak of the form's fields, not the command line's options ----------------------


def test_override_refusals_name_the_forms_fields(web):
    case_id = _case(web)
    anna = web.login("anna")
    anna.get(f"/arenden/{case_id}")
    version = str(_case_row(web, case_id).version)
    stray = anna.post(f"/arenden/{case_id}/andra", {**GRANT, "outcome": "avslag", "reason_code": "FELAKTIGA_UPPGIFTER",
                                                     "version": version})
    _swedish_page(stray, 422)
    assert "Nivå" in _error(stray) and "Beviljat belopp" in _error(stray) and "töm" in _error(stray)
    no_items = anna.post(f"/arenden/{case_id}/andra", {"outcome": "komplettering", "reason_code": "REGELTOLKNING",
                                                       "reason": "Underlaget räcker inte.", "version": version})
    _swedish_page(no_items, 422)
    assert "Begärda handlingar" in _error(no_items)
    no_period = anna.post(f"/arenden/{case_id}/andra", {**GRANT, "period_start": "", "period_end": "",
                                                        "version": version})
    _swedish_page(no_period, 422)
    half_period = anna.post(f"/arenden/{case_id}/andra", {**GRANT, "period_end": "", "version": version})
    _swedish_page(half_period, 422)
    stale = anna.post(f"/arenden/{case_id}/andra", {**GRANT, "version": str(int(version) + 7)})
    _swedish_page(stale, 409)
    for refused in (stray, no_items, no_period, half_period, stale):
        message = _error(refused)
        assert message and "--" not in message and "stod " not in message and "TEXT" not in message, message
        assert ".." not in message, message
    assert _case_row(web, case_id).status == "forslag"


def test_a_personnummer_in_any_override_field_is_refused_and_not_shown(web):
    case_id = _case(web)
    anna = web.login("anna")
    anna.get(f"/arenden/{case_id}")
    version = str(_case_row(web, case_id).version)
    for field in ("outcome", "reason_code", "level", "amount_sek", "period_start", "period_end", "items"):
        refused = anna.post(f"/arenden/{case_id}/andra", {**GRANT, field: PNR, "version": version})
        _swedish_page(refused, 422)
        assert "121212" not in refused.text and "personnummer" in _error(refused), field
    assert _case_row(web, case_id).status == "forslag"


def test_a_refused_override_keeps_what_the_caseworker_typed_but_never_a_personnummer(web):
    case_id = _case(web)
    anna = web.login("anna")
    page = anna.get(f"/arenden/{case_id}")
    assert '<textarea id="items" name="items"></textarea>' in page.text  # nothing typed yet: empty
    version = str(_case_row(web, case_id).version)
    reason = "Skolan har visat att behovet är större än timmarna säger."
    refused = anna.post(f"/arenden/{case_id}/andra", {**GRANT, "amount_sek": "²", "reason": reason,
                                                      "version": version})
    assert refused.status_code == 422
    assert f">{reason}</textarea>" in refused.text and 'value="2027-01"' in refused.text
    assert f'<option value="{GRANT["outcome"]}" selected>' in refused.text
    asked = anna.post(f"/arenden/{case_id}/andra", {"outcome": "komplettering", "reason_code": "UNDERLAG_KOMPLETTERAT",
                                                    "reason": "", "items": "Utredningen", "version": version})
    assert asked.status_code == 422 and ">Utredningen</textarea>" in asked.text
    assert ">\n</textarea>" not in refused.text and "built-in method" not in refused.text
    pnr = anna.post(f"/arenden/{case_id}/andra", {**GRANT, "level": "²", "reason": "Elev 121212-1212 flyttat",
                                                  "version": version})
    assert pnr.status_code == 422 and "121212" not in pnr.text
