"""The web pages without a browser: login, sessions, CSRF, throttling, what each role may see
and do, the application form and its pre-check, deciding, the access log.

Runs on SQLite, and on PostgreSQL when STOD_TEST_PG_URL is set.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from cases import accounts
from cases.accounts import AccessLogEntry, WebSession
from cases.models import Case, EventRecord
from stod.web.app import create_app
from stod.web.security import SESSION_COOKIE, Settings
from test_store import db_url, store  # noqa: F401  (fixtures: SQLite and PostgreSQL)
from web_helpers import DAY, PASSWORDS, SCHOOL_B, Browser, form_application, make_web


@pytest.fixture
def web(store):  # noqa: F811
    return make_web(store, Settings(queue_page_size=2))


def apply(browser: Browser, **changes):
    browser.get("/ansokan")
    return browser.post("/ansokan", form_application(**changes))


# -- login, sessions, CSRF -------------------------------------------------------------------


def test_pages_need_login_and_go_back_after_it(web):
    client = web.client()
    response = client.get("/ko?sida=2")
    assert response.status_code == 303 and response.headers["location"] == "/logga-in?nasta=/ko%3Fsida%3D2"
    browser = Browser(client)
    browser.get("/logga-in?nasta=/ko")
    done = browser.post("/logga-in", {"username": "anna", "password": PASSWORDS["anna"], "nasta": "/ko"})
    assert done.status_code == 303 and done.headers["location"] == "/ko"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie


def test_login_never_redirects_to_another_site(web):
    browser = Browser(web.client())
    browser.get("/logga-in")
    done = browser.post("/logga-in", {"username": "anna", "password": PASSWORDS["anna"],
                                      "nasta": "//evil.example/"})
    assert done.headers["location"] == "/ko"


def test_wrong_password_says_so_without_saying_which(web):
    browser = Browser(web.client())
    browser.get("/logga-in")
    for username in ("anna", "okand"):
        response = browser.post("/logga-in", {"username": username, "password": "fel-losenord-här"})
        assert response.status_code == 401 and "Fel användarnamn eller lösenord." in response.text
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_form_without_its_csrf_token_is_refused(web):
    anon = Browser(web.client())
    anon.get("/logga-in")
    refused = anon.post("/logga-in", {"username": "anna", "password": PASSWORDS["anna"]}, csrf=False)
    assert refused.status_code == 403 and "säkerhetstoken" in refused.text
    wrong = anon.post("/logga-in", {"username": "anna", "password": PASSWORDS["anna"], "csrf_token": "x" * 64})
    assert wrong.status_code == 403

    rektor = web.login("rektor_a")
    rektor.get("/ansokan")
    assert rektor.post("/ansokan", form_application(), csrf=False).status_code == 403
    assert rektor.post("/ansokan/forhandsbedomning", form_application(), csrf=False).status_code == 403
    assert rektor.post("/logga-ut", csrf=False).status_code == 403
    with web.store.read() as session:
        assert session.execute(select(Case)).first() is None  # nothing stored

    case_id = int(apply(rektor).headers["location"].split("/")[2].split("?")[0])
    anna = web.login("anna")
    anna.get(f"/arenden/{case_id}")
    assert anna.post(f"/arenden/{case_id}/faststall", {"version": "1"}, csrf=False).status_code == 403
    # another session's token is no token for this one
    rektor_token = rektor.token
    assert anna.post(f"/arenden/{case_id}/faststall", {"csrf_token": rektor_token}, csrf=False).status_code == 403


def test_an_expired_session_shows_the_login_page(web):
    anna = web.login("anna")
    assert anna.get("/ko").status_code == 200
    with web.store.write() as session:
        session.execute(update(WebSession).values(expires_at=accounts.S.utcnow() - timedelta(seconds=1)))
    response = anna.get("/ko")
    assert response.status_code == 303 and response.headers["location"].startswith("/logga-in")
    assert anna.client.get("/logga-in").status_code == 200


def test_a_tampered_cookie_is_no_session(web):
    anna = web.login("anna")
    value = anna.client.cookies.get(SESSION_COOKIE)
    anna.client.cookies.clear()
    anna.client.cookies.set(SESSION_COOKIE, value)
    assert anna.get("/ko").status_code == 200  # the same cookie, set again: still a session
    anna.client.cookies.clear()
    anna.client.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert anna.get("/ko").status_code == 303


def test_logout_ends_the_session_on_the_server(web):
    anna = web.login("anna")
    cookie = anna.client.cookies.get(SESSION_COOKIE)
    assert anna.post("/logga-ut").status_code == 303
    replay = web.client()
    replay.cookies.set(SESSION_COOKIE, cookie)
    assert replay.get("/ko").status_code == 303  # the old cookie no longer opens a session


def test_login_throttling_is_kept_in_the_database(web, store):  # noqa: F811
    browser = Browser(web.client())
    browser.get("/logga-in")
    for _ in range(5):
        assert browser.post("/logga-in", {"username": "anna", "password": "fel-losenord-1"}).status_code == 401
    throttled = browser.post("/logga-in", {"username": "anna", "password": PASSWORDS["anna"]})
    assert throttled.status_code == 429 and "För många misslyckade inloggningar" in throttled.text
    # A second server on the same database refuses too (not process memory).
    other = Browser(__import__("fastapi.testclient", fromlist=["TestClient"]).TestClient(
        create_app(store=store, today=lambda: DAY), follow_redirects=False))
    other.get("/logga-in")
    assert other.post("/logga-in", {"username": "anna", "password": PASSWORDS["anna"]}).status_code == 429
    # Other accounts are not locked out by anna's failures.
    assert other.post("/logga-in", {"username": "erik", "password": PASSWORDS["erik"]}).status_code == 303
    # After the window, the right password works again.
    with store.write() as session:
        session.execute(update(accounts.LoginAttempt).values(at=accounts.S.utcnow() - timedelta(minutes=16)))
    assert browser.post("/logga-in", {"username": "anna", "password": PASSWORDS["anna"]}).status_code == 303


# -- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("user,forbidden", [
    ("rektor_a", ["/ko", "/granskning", "/granskning/tackning", "/granskning/atkomstlogg", "/granskning/arenden"]),
    ("anna", ["/mina-arenden", "/ansokan", "/granskning", "/granskning/atkomstlogg"]),
    ("erik", ["/ko", "/mina-arenden", "/ansokan"]),
])
def test_each_role_sees_only_its_own_pages(web, user, forbidden):
    browser = web.login(user)
    for url in forbidden:
        response = browser.get(url)
        assert response.status_code == 403, url
        assert "en annan roll" in response.text


def test_home_goes_to_the_roles_start_page(web):
    for user, home in (("rektor_a", "/mina-arenden"), ("anna", "/ko"), ("erik", "/granskning")):
        browser = web.login(user)
        assert browser.get("/").headers["location"] == home
        assert browser.get(home).status_code == 200


# -- a rektor applies ------------------------------------------------------------------------


def test_rektor_applies_and_sees_the_case_without_diagnoses(web):
    rektor = web.login("rektor_a")
    form = rektor.get("/ansokan")
    assert 'name="school.name" type="text" value="' in form.text
    done = apply(rektor)
    assert done.status_code == 303 and done.headers["location"].endswith("?klart=skickad")
    case_page = rektor.get(done.headers["location"])
    assert "Ansökan är mottagen." in case_page.text and "autism" not in case_page.text
    assert "[dold: visas bara för handläggare]" in case_page.text
    assert "Fastställ" not in case_page.text  # a rektor decides nothing
    again = apply(rektor)
    assert again.headers["location"] == done.headers["location"].replace("skickad", "redan")
    mine = rektor.get("/mina-arenden")
    assert "Västbergaskolan" in mine.text and "1 ärende." in mine.text
    # the other school's rektor: neither in the list nor by address
    other = web.login("rektor_b")
    assert "Västbergaskolan" not in other.get("/mina-arenden").text
    assert other.get(done.headers["location"]).status_code == 404
    # events name the rektor who sent it
    with web.store.read() as session:
        actors = set(session.execute(select(EventRecord.actor)).scalars())
    assert actors == {"Rektor Aspelund (rektor_a)"}


def test_rektor_cannot_send_for_another_school(web):
    rektor = web.login("rektor_a")
    response = apply(rektor, **{"school.unit_code": SCHOOL_B})
    assert response.status_code == 403 and "dina egna skolenheter" in response.text
    with web.store.read() as session:
        assert session.execute(select(Case)).first() is None


def test_a_bad_form_names_the_field_and_stores_nothing(web):
    rektor = web.login("rektor_a")
    response = apply(rektor, **{"pupil.grade": "sju"})
    assert response.status_code == 422
    assert 'href="#f-pupil-grade"' in response.text and 'aria-invalid="true"' in response.text
    assert 'value="sju"' in response.text  # what was typed stays in the form
    with web.store.read() as session:
        assert session.execute(select(Case)).first() is None


def test_live_precheck_fragment_and_the_page_without_javascript(web):
    rektor = web.login("rektor_a")
    rektor.get("/ansokan")
    fragment = rektor.post("/ansokan/forhandsbedomning", form_application(), headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Utfall om ansökan skickas nu: <strong>bifall</strong>" in fragment.text
    assert 'id="status" hx-swap-oob="innerHTML"' in fragment.text and 'role="status"' not in fragment.text
    missing = rektor.post("/ansokan/forhandsbedomning", form_application(**{"documents.atgardsprogram.date": ""}),
                          headers={"HX-Request": "true"})
    assert "komplettering" in missing.text and "Skicka med" in missing.text and "Åtgärdsprogram" in missing.text
    bad = rektor.post("/ansokan/forhandsbedomning", form_application(**{"need.extraordinary_hours_per_week": "många"}),
                      headers={"HX-Request": "true"})
    assert 'href="#f-need-extraordinary-hours-per-week"' in bad.text
    page = rektor.post("/ansokan/forhandsbedomning", form_application())  # no JavaScript: the whole page
    assert "<html" in page.text and "Utfall om ansökan skickas nu" in page.text and page.text.count('role="status"') == 1
    with web.store.read() as session:
        assert session.execute(select(Case)).first() is None  # a pre-check stores nothing


# -- a caseworker decides --------------------------------------------------------------------


def _case(web, **changes) -> int:
    done = apply(web.login("rektor_a"), **changes)
    return int(done.headers["location"].split("/")[2].split("?")[0])


def test_caseworker_confirms_signed_by_the_logged_in_user(web):
    case_id = _case(web)
    anna = web.login("anna")
    page = anna.get(f"/arenden/{case_id}")
    assert "autism, adhd" in page.text and "Fastställ förslaget" in page.text
    done = anna.post(f"/arenden/{case_id}/faststall", {"version": "99"})
    assert done.status_code == 409  # a stale version: nothing overwritten
    anna.get(f"/arenden/{case_id}")
    version = web.store and _version(web, case_id)
    done = anna.post(f"/arenden/{case_id}/faststall", {"version": str(version)})
    assert done.status_code == 303
    page = anna.get(done.headers["location"])
    assert "Beslut fattat 2026-12-20 av Anna Lindqvist" in page.text and "Fastställ förslaget" not in page.text
    with web.store.read() as session:
        last = session.execute(select(EventRecord).where(EventRecord.case_id == case_id)
                               .order_by(EventRecord.seq.desc())).scalars().first()
    assert (last.type, last.actor) == ("confirmed", "Anna Lindqvist")


def _version(web, case_id) -> int:
    with web.store.read() as session:
        return session.get(Case, case_id).version


def test_caseworker_overrides_with_a_reason_code(web):
    case_id = _case(web)
    anna = web.login("anna")
    anna.get(f"/arenden/{case_id}")
    version = str(_version(web, case_id))
    refused = anna.post(f"/arenden/{case_id}/andra", {"outcome": "avslag", "version": version, "reason_code": "FELAKTIGA_UPPGIFTER",
                                                        "reason": ""})
    assert refused.status_code == 422 and "motivering" in refused.text
    before = _version(web, case_id)
    pnr = anna.post(f"/arenden/{case_id}/andra", {"outcome": "avslag", "version": version, "reason_code": "FELAKTIGA_UPPGIFTER",
                                                    "reason": "Eleven 121212-1212 har flyttat."})
    assert pnr.status_code == 422 and "Motivering" in pnr.text and "personnummer" in pnr.text
    assert "121212" not in pnr.text and _version(web, case_id) == before  # not echoed, nothing stored
    done = anna.post(f"/arenden/{case_id}/andra", {"outcome": "avslag", "version": version, "reason_code": "FELAKTIGA_UPPGIFTER",
                                                     "reason": "Timantalet stämmer inte med åtgärdsprogrammet."})
    assert done.status_code == 303
    page = anna.get(done.headers["location"])
    assert "Beslutet är fattat: förslaget är ändrat." in page.text and "följdes inte" in page.text


def test_only_caseworkers_decide(web):
    case_id = _case(web)
    for user in ("rektor_a", "erik"):
        browser = web.login(user)
        browser.get(f"/arenden/{case_id}")
        assert browser.post(f"/arenden/{case_id}/faststall", {"version": "1"}).status_code == 403


def test_queue_pages_and_filters(web):
    for i in range(5):
        _case(web, **{"pupil.ref": f"EL-10000{i}"})
    anna = web.login("anna")
    first = anna.get("/ko")
    assert "5 ärenden öppna" in first.text and "Sida 1 av 3" in first.text and "Nästa sida" in first.text
    last = anna.get("/ko?sida=3")
    assert "Sida 3 av 3" in last.text and last.text.count('href="/arenden/') == 1
    none = anna.get("/ko?stadsdel=Bromma")
    assert "0 ärenden" in none.text and "Inga ärenden matchar." in none.text
    assert "5 ärenden" in anna.get("/ko?stadsdel=H%C3%A4gersten-%C3%84lvsj%C3%B6").text


# -- the access log --------------------------------------------------------------------------


def test_every_diagnosis_view_is_logged_and_verified_by_the_revisor(web):
    case_id = _case(web)
    web.login("rektor_a").get(f"/arenden/{case_id}")  # no diagnoses shown: not logged
    web.login("erik").get(f"/arenden/{case_id}")
    anna = web.login("anna")
    anna.get(f"/arenden/{case_id}")
    anna.get(f"/arenden/{case_id}")
    erik = web.login("erik")
    log = erik.get("/granskning/atkomstlogg")
    assert log.text.count("Anna Lindqvist (anna)") == 2 and "ärendesida" in log.text
    assert "Åtkomstloggen är hel: 2 visningar" in erik.get("/granskning").text
    with web.store.write() as session:
        session.execute(update(AccessLogEntry).where(AccessLogEntry.seq == 1).values(remote="10.0.0.9"))
    broken = erik.get("/granskning")
    assert "1 fel i åtkomstloggen" in broken.text and "post 1: innehållet stämmer inte" in broken.text
    with web.store.write() as session:
        session.execute(update(AccessLogEntry).where(AccessLogEntry.seq == 1).values(remote="testclient"))
        session.execute(AccessLogEntry.__table__.delete().where(AccessLogEntry.seq == 2))
    assert "loggens slut" in erik.get("/granskning").text


def test_revisor_reads_coverage_and_every_case(web):
    _case(web)
    erik = web.login("erik")
    coverage = erik.get("/granskning/tackning")
    assert coverage.status_code == 200 and "VS-A1" in coverage.text
    cases = erik.get("/granskning/arenden")
    assert "1 ärende." in cases.text


def test_accessibility_statement_is_public(web):
    page = web.client().get("/tillganglighet")
    assert page.status_code == 200 and "Tillgänglighetsredogörelse" in page.text and 'lang="sv"' in page.text
    assert "Digg" in page.text


def test_single_sign_on_header_is_off_by_default_and_believed_only_from_the_proxy(store):  # noqa: F811
    from fastapi.testclient import TestClient

    plain = make_web(store)
    assert plain.client().get("/ko", headers={"X-Remote-User": "anna"}).status_code == 303  # off: login page
    sso = create_app(store=store, today=lambda: DAY,
                     settings=Settings(trusted_user_header="X-Remote-User", trusted_proxies=("testclient",)))
    client = TestClient(sso, follow_redirects=False)
    page = client.get("/ko", headers={"X-Remote-User": "anna"})
    assert page.status_code == 200 and "Anna Lindqvist (handläggare)" in page.text
    assert client.get("/ko", headers={"X-Remote-User": "rektor_a"}).status_code == 403  # the account's role holds
    assert client.get("/ko", headers={"X-Remote-User": "okand"}).status_code == 303
    not_proxy = create_app(store=store, today=lambda: DAY,
                           settings=Settings(trusted_user_header="X-Remote-User", trusted_proxies=("10.0.0.1",)))
    other = TestClient(not_proxy, follow_redirects=False)
    assert other.get("/ko", headers={"X-Remote-User": "anna"}).status_code == 303  # not from the proxy: ignored


def test_my_cases_show_the_completion_deadline(web):
    rektor = web.login("rektor_a")
    apply(rektor, **{"documents.atgardsprogram.date": ""})
    mine = rektor.get("/mina-arenden")
    assert "komplettering begärd" in mine.text and "Komplettera senast" in mine.text
    assert "januari 2027" in mine.text  # the deadline the proposal set, in Swedish


def test_every_response_carries_the_security_headers(web):
    for url in ("/logga-in", "/api/v1/openapi.json", "/finns-inte"):
        response = web.client().get(url)
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
    assert "no-store" not in web.client().get("/static/stod.css").headers.get("cache-control", "")


def test_queue_flags_a_missed_completion_deadline(web):
    _case(web, **{"documents.atgardsprogram.date": ""})
    anna = web.login("anna")
    assert "tiden har gått ut" not in anna.get("/ko").text
    late = anna.get("/ko?datum=2027-03-01")
    assert "komplettera senast" in late.text and "tiden har gått ut" in late.text


def test_a_personnummer_typed_into_the_form_is_refused_and_never_shown_again(web):
    rektor = web.login("rektor_a")
    for field, value in (("pupil.ref", "19800101-1234"),):
        response = apply(rektor, **{field: value})
        assert response.status_code == 422, field
        assert "1234" not in response.text and "800101" not in response.text
        fragment = rektor.post("/ansokan/forhandsbedomning", form_application(**{field: value}),
                               headers={"HX-Request": "true"})
        assert "800101" not in fragment.text
    with web.store.read() as session:
        assert session.execute(select(Case)).first() is None


def test_rektor_sends_the_documents_a_completion_asks_for(web):
    case_id = _case(web, **{"documents.atgardsprogram.date": ""})
    rektor = web.login("rektor_a")
    page = rektor.get(f"/arenden/{case_id}")
    assert "Komplettera ansökan" in page.text and "Åtgärdsprogram för eleven" in page.text
    assert rektor.post(f"/arenden/{case_id}/komplettera", {}, csrf=False).status_code == 403
    other = web.login("rektor_b")
    other.get("/mina-arenden")
    assert other.post(f"/arenden/{case_id}/komplettera", {"documents.atgardsprogram.date": "2026-12-01"}
                      ).status_code == 404
    bad = rektor.post(f"/arenden/{case_id}/komplettera", {"documents.atgardsprogram.date": "2027-05-01",
                                                          "documents.atgardsprogram.signed_by_rektor": "ja"})
    assert bad.status_code == 422 and "documents.atgardsprogram.date" in bad.text  # dated after its arrival
    done = rektor.post(f"/arenden/{case_id}/komplettera", {"documents.atgardsprogram.date": "2026-12-01",
                                                           "documents.atgardsprogram.signed_by_rektor": "ja"})
    assert done.status_code == 303 and done.headers["location"].endswith("?klart=kompletterad")
    page = rektor.get(done.headers["location"])
    assert "Handlingarna är mottagna" in page.text and "Komplettera ansökan" not in page.text
    assert "förslag" in page.text
    assert "Komplettera ansökan" not in web.login("anna").get(f"/arenden/{case_id}").text  # the rektor's task


def csi_form(**changes) -> dict:
    fields = {"school.unit_code": "48213551", "school.name": "Västbergaskolan", "school.district": "Hägersten-Älvsjö",
              "school.organizer": "kommunal", "pupil.ref": "EL-550001", "pupil.grade": "2", "focus": "NPF",
              "preferred_groups": ["CSI-NPF-03"], "documents.atgardsprogram.date": "2026-10-23",
              "documents.atgardsprogram.signed_by_rektor": "ja", "documents.utredning.date": "2026-06-30",
              "documents.beslut_sarskild_undervisningsgrupp.date": "2026-12-11",
              "documents.beslut_sarskild_undervisningsgrupp.sarskilda_skal": "ja",
              "documents.specialistutlatande.date": "2026-11-10", "documents.specialistutlatande.type": "lakare",
              "documents.vardnadshavare_delaktiga": "ja", "documents.lagre_niva_provad": "ja"}
    fields.update(changes)
    return fields


def test_rektor_requests_a_csi_place_with_the_same_precheck(web):
    rektor = web.login("rektor_a")
    page = rektor.get("/ansokan/csi")
    assert page.status_code == 200 and "CSI-NPF-03" in page.text and "Begär plats i CSI-grupp" in page.text
    fragment = rektor.post("/ansokan/csi/forhandsbedomning", csi_form(), headers={"HX-Request": "true"})
    assert "Utfall om ansökan skickas nu" in fragment.text
    missing = rektor.post("/ansokan/csi/forhandsbedomning", csi_form(**{"documents.lagre_niva_provad": ""}),
                          headers={"HX-Request": "true"})
    assert "inte uppfylld" in missing.text
    done = rektor.post("/ansokan/csi", csi_form())
    assert done.status_code == 303, done.text
    case = rektor.get(done.headers["location"])
    assert "Ansökan är mottagen." in case.text and "CSI" in case.text
    assert web.login("rektor_b").get(done.headers["location"]).status_code == 404


def test_revisor_downloads_reports_as_csv(web):
    case_id = _case(web)
    web.login("anna").get(f"/arenden/{case_id}")
    erik = web.login("erik")
    log = erik.get("/granskning/atkomstlogg.csv")
    assert log.status_code == 200 and log.headers["content-type"].startswith("text/csv")
    assert 'filename="atkomstlogg.csv"' in log.headers["content-disposition"]
    lines = log.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("nr;tid (UTC);vem") and len(lines) == 2 and "Anna Lindqvist (anna)" in lines[1]
    coverage = erik.get("/granskning/tackning.csv").text.lstrip("\ufeff").splitlines()
    assert coverage[0].startswith("område;regel;titel") and any(";VS-A1;" in line for line in coverage)
    assert web.login("anna").get("/granskning/atkomstlogg.csv").status_code == 403


def test_csv_cells_cannot_become_formulas():
    from stod.web.deps import csv_response

    body = csv_response("x.csv", ["a"], [["=HYPERLINK(\"x\")"], ["ok"]]).body.decode()
    assert "'=HYPERLINK" in body and "\nok" in body.replace("\r", "")


def test_revisor_reads_statistics_grouped_and_as_csv(web):
    case_id = _case(web)
    anna = web.login("anna")
    anna.get(f"/arenden/{case_id}")
    anna.post(f"/arenden/{case_id}/faststall", {"version": str(_version(web, case_id))})
    erik = web.login("erik")
    page = erik.get("/granskning/statistik?per=stadsdel")
    assert page.status_code == 200 and "Hägersten-Älvsjö" in page.text and "40 000 kr" in page.text
    csv_lines = erik.get("/granskning/statistik.csv?per=stadsdel").text.lstrip("\ufeff").splitlines()
    assert csv_lines[0].startswith("grupp;ärenden;beslutade") and csv_lines[1].startswith("Hägersten-Älvsjö;1;1;")
    assert web.login("rektor_a").get("/granskning/statistik").status_code == 403


def test_revisor_replays_one_case_and_all(web):
    case_id = _case(web)
    erik = web.login("erik")
    assert "Ompröva ärendet" in erik.get("/granskning/omprovning").text
    one = erik.get(f"/granskning/omprovning?arende={case_id}")
    assert "Omprövade 1 av 1 beslutsförslag: 1 identiska" in one.text
    every = erik.get("/granskning/omprovning?alla=ja")
    assert "Omprövade 1 av 1" in every.text
    assert erik.get("/granskning/omprovning?arende=999").status_code == 404
    with web.store.write() as session:
        from cases.models import DecisionRecord
        session.execute(update(DecisionRecord).values(outcome="avslag"))
    changed = erik.get(f"/granskning/omprovning?arende={case_id}")
    assert "1 avviker" in changed.text and "<td>outcome</td><td>avslag</td><td>bifall</td>" in changed.text


def test_caseworker_grants_less_within_the_bounds(web):
    case_id = _case(web)
    anna = web.login("anna")
    anna.get(f"/arenden/{case_id}")
    form = {"outcome": "delvis_bifall", "reason_code": "REGELTOLKNING", "reason": "Stödet behövs bara under våren.",
            "version": str(_version(web, case_id))}
    missing = anna.post(f"/arenden/{case_id}/andra", form)
    assert missing.status_code == 422 and "Nivå" in missing.text
    done = anna.post(f"/arenden/{case_id}/andra", {**form, "level": "2", "period_start": "2027-01",
                                                     "period_end": "2027-03", "amount_sek": "20000"})
    assert done.status_code == 303, done.text
    page = anna.get(done.headers["location"])
    assert "Beviljat belopp: 20 000 kr, nivå 2, perioden 2027-01–2027-03." in page.text
