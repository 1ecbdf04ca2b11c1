"""Letters, CSI and what-if in the web and the API: who may read and do what, bad input in
Swedish, and that each call is the CLI's use case (the same letter as ``stod letter``, the same
round as ``stod csi round``).

Runs on SQLite, and on PostgreSQL when STOD_TEST_PG_URL is set.
"""
from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from cases import accounts
from stod.services.letters import stored_letter
from stod.web.app import create_app
from stod.web.security import Settings
from test_csi_store import example2, filler, submit as submit_csi
from test_store import application, db_url, store  # noqa: F401  (fixtures: SQLite and PostgreSQL)
from web_helpers import make_web

ROOT = Path(__file__).resolve().parents[1]
ROUND_DAY, RELEASE_DAY = date(2026, 6, 1), date(2026, 10, 15)


@pytest.fixture
def web(store):  # noqa: F811
    return make_web(store)


def _case(web) -> int:
    response = web.api().post("/api/v1/applications", content=json.dumps(application()).encode())
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def _letter_views(store) -> list:
    with store.read() as session:
        return sorted((e for e in accounts.access_log(session) if "beslutsbrev" in e.view), key=lambda e: e.seq)


# -- letters ----------------------------------------------------------------------------------


def test_principal_and_caseworker_read_the_letter_as_html_and_pdf(web):
    case_id = _case(web)
    from cases import workflow

    expected = stored_letter(workflow.case_view(web.store, case_id))
    for user in ("rektor_a", "anna", "erik"):
        browser = web.login(user)
        page = browser.get(f"/arenden/{case_id}/beslutsbrev")
        assert page.status_code == 200, page.text
        assert expected.title in page.text and "Ladda ned beslutsbrevet som PDF" in page.text
        assert dict(expected.header)["Diarienummer"] in page.text
        assert "autism" not in page.text  # the letter never names the pupil's diagnoses
        pdf = browser.get(f"/arenden/{case_id}/beslutsbrev.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
    assert "Beslutsbrev" in web.login("rektor_a").get(f"/arenden/{case_id}").text  # the case links to it
    views = _letter_views(web.store)
    assert [(e.role, e.view) for e in views] == [(r, v) for r in ("rektor", "handlaggare", "revisor")
                                                 for v in ("beslutsbrev", "beslutsbrev-pdf")]
    with web.store.read() as session:
        assert accounts.verify_access_log(session)[1] == []


def test_another_school_cannot_read_the_letter(web):
    case_id = _case(web)
    rektor_b = web.login("rektor_b")
    assert rektor_b.get(f"/arenden/{case_id}/beslutsbrev").status_code == 404
    assert rektor_b.get(f"/arenden/{case_id}/beslutsbrev.pdf").status_code == 404
    assert rektor_b.client.get(f"/api/v1/cases/{case_id}/letter").status_code == 404
    assert web.api(web.token_b).get(f"/api/v1/cases/{case_id}/letter").status_code == 404
    assert web.login("rektor_a").get("/arenden/999/beslutsbrev").status_code == 404
    assert _letter_views(web.store) == []  # nothing shown, nothing logged


def test_api_letter_by_format_and_accept(web):
    case_id = _case(web)
    client = web.api()
    as_json = client.get(f"/api/v1/cases/{case_id}/letter")
    assert as_json.status_code == 200 and as_json.json()["case_id"] == case_id
    assert as_json.json()["text"].startswith("Stockholms stad, Utbildningsförvaltningen")
    html = client.get(f"/api/v1/cases/{case_id}/letter?format=html")
    assert html.headers["content-type"].startswith("text/html") and "<h1>" in html.text
    pdf = client.get(f"/api/v1/cases/{case_id}/letter", headers={"Accept": "application/pdf"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    bad = client.get(f"/api/v1/cases/{case_id}/letter?format=docx")
    assert bad.status_code == 422 and bad.json()["errors"] == [
        {"field": "format", "message": "ange format som pdf, html eller json, inte 'docx'"}]
    assert client.get("/api/v1/cases/999/letter").status_code == 404
    assert web.client().get(f"/api/v1/cases/{case_id}/letter").status_code == 401
    assert [e.view for e in _letter_views(web.store)] == ["api-beslutsbrev-json", "api-beslutsbrev-html",
                                                          "api-beslutsbrev-pdf"]


# -- CSI --------------------------------------------------------------------------------------


@pytest.fixture
def csi_web(store):  # noqa: F811
    """Nine fillers and the second round example stored as requests, on the round's day."""
    submit_csi(store, [filler(n) for n in range(1, 10)] + example2())
    return make_web(store, day=ROUND_DAY)


def test_caseworker_runs_a_round_and_sees_groups_and_waitlists(csi_web):
    anna = csi_web.login("anna")
    page = anna.get("/csi?termin=HT2026")
    assert page.status_code == 200 and "CSI-AST-01" in page.text and "Omgångar hittills: 0" in page.text
    ran = anna.post("/csi/omgang", {"termin": "HT2026"})
    assert ran.status_code == 200, ran.text
    assert "Placeringsomgång 1 för HT2026 är körd och sparad" in ran.text and "CSI-F-01" in ran.text
    assert "Kö till CSI-AST-01" in ran.text
    again = anna.post("/csi/omgang", {"termin": "HT2026"})
    assert "redan körd och inget har ändrats" in again.text  # the service's own message: nothing stored twice
    api = csi_web.login("anna").client
    groups = api.get("/api/v1/csi/groups?term=HT2026").json()
    ast = next(g for g in groups["groups"] if g["id"] == "CSI-AST-01")
    assert groups["rounds"] == 1 and ast["taken"] == ast["capacity"] and ast["waitlist"] > 0
    assert len(groups["placements"]) >= 9


def test_csi_round_refusals_and_roles(csi_web):
    anna = csi_web.login("anna")
    anna.get("/csi")
    bad = anna.post("/csi/omgang", {"termin": "HT26"})
    assert bad.status_code == 422 and "Termin: &#39;HT26&#39; är ingen termin; ange HT eller VT och ett år, t.ex. HT2026" in bad.text
    early = anna.post("/csi/omgang", {"termin": "HT1950"})
    assert early.status_code == 422 and "Termin: HT1950 har inga terminsdatum för CSI i regelverket" in early.text
    empty = anna.post("/csi/omgang", {"termin": ""})
    assert empty.status_code == 422 and "Termin: ange terminen, t.ex. HT2026" in empty.text
    assert anna.post("/csi/omgang", {"termin": "HT2026"}, csrf=False).status_code == 403
    for user in ("rektor_a", "erik"):
        assert csi_web.login(user).get("/csi").status_code == 403
    token = csi_web.api()
    assert token.post("/api/v1/csi/rounds", json={"term": "HT2026"}).status_code == 403
    assert token.get("/api/v1/csi/groups").status_code == 403
    session = csi_web.login("anna")
    headers = {"X-CSRF-Token": session.token}
    assert session.client.post("/api/v1/csi/rounds", json={"term": "HT2026"}).status_code == 403  # no CSRF
    missing = session.client.post("/api/v1/csi/rounds", json={"termin": "HT2026"}, headers=headers)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "term"
    wrong = session.client.post("/api/v1/csi/rounds", json={"term": "XX1"}, headers=headers)
    assert wrong.status_code == 422 and wrong.json()["errors"] == [
        {"field": "term", "message": "'XX1' är ingen termin; ange HT eller VT och ett år, t.ex. HT2026 (år 1900–2199)"}]
    created = session.client.post("/api/v1/csi/rounds", json={"term": "HT2026"}, headers=headers)
    assert created.status_code == 201 and created.json()["round"] == 1
    assert session.client.post("/api/v1/csi/rounds", json={"term": "HT2026"}, headers=headers).status_code == 200


def test_caseworker_releases_a_place_signed_with_her_name(csi_web):
    first = csi_web.login("anna")
    first.post("/csi/omgang", {"termin": "HT2026"})
    for ref in ("CSI-F-01", "CSI-F-02"):  # only a confirmed placement can be ended
        page = first.get(f"/arenden/{ref}")
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        assert first.post(f"/arenden/{ref}/faststall", {"version": version}).status_code == 303
    later = create_app(store=csi_web.store, today=lambda: RELEASE_DAY)
    anna = type(csi_web)(csi_web.store, later, csi_web.token_all, csi_web.token_b).login("anna")
    anna.get("/csi?termin=HT2026")
    released = anna.post("/csi/frigor", {"termin": "HT2026", "placering": "CSI-F-01"})
    assert released.status_code == 200, released.text
    assert "avslutad 15 oktober 2026 av Anna Lindqvist" in released.text and "Platsen erbjuds" in released.text
    twice = anna.post("/csi/frigor", {"termin": "HT2026", "placering": "CSI-F-01"})
    assert twice.status_code == 409
    unknown = anna.post("/csi/frigor", {"termin": "HT2026", "placering": "999"})
    assert unknown.status_code == 404
    empty = anna.post("/csi/frigor", {"termin": "HT2026", "placering": ""})
    assert empty.status_code == 422 and "Placering: ange placeringens nummer" in empty.text
    headers = {"X-CSRF-Token": anna.token}
    api = anna.client.post("/api/v1/csi/placements/CSI-F-02/release", headers=headers)
    assert api.status_code == 200 and api.json()["placement"]["application_id"] == "CSI-F-02"
    assert anna.client.post("/api/v1/csi/placements/CSI-F-02/release", headers=headers).status_code == 409
    rektor = csi_web.login("rektor_a").client
    assert rektor.post("/api/v1/csi/placements/CSI-F-03/release").status_code == 403


def test_principal_sees_own_schools_csi_status(csi_web):
    csi_web.login("anna").post("/csi/omgang", {"termin": "HT2026"})
    page = csi_web.login("rektor_a").get("/mina-arenden/csi")
    assert page.status_code == 200 and "CSI-EX2-01" in page.text
    assert "CSI-EX2-05" not in page.text  # another school's request
    assert "plats 1" in page.text or "CSI-AST" in page.text
    other = csi_web.login("rektor_b").get("/mina-arenden/csi")
    assert other.status_code == 200 and "CSI-EX2" not in other.text and "CSI-F-" not in other.text
    assert csi_web.login("anna").get("/mina-arenden/csi").status_code == 403


# -- what-if ----------------------------------------------------------------------------------


def test_whatif_runs_a_proposed_tree_on_the_server(store, tmp_path):  # noqa: F811
    proposed = tmp_path / "forslag" / "hojt-belopp"
    shutil.copytree(ROOT / "rules", proposed)
    web = make_web(store, Settings(proposals_dir=str(tmp_path / "forslag")))
    _case(web)
    for user in ("anna", "erik"):
        browser = web.login(user)
        page = browser.get("/konsekvensanalys")
        assert page.status_code == 200 and '<option value="hojt-belopp"' in page.text
        result = browser.get("/konsekvensanalys?forslag=hojt-belopp")
        assert result.status_code == 200 and "1 ärende har prövats, 0 får annat utfall" in result.text
    hostile = web.login("anna").get("/konsekvensanalys?forslag=../../etc")
    assert hostile.status_code == 422 and "Föreslaget regelverk: välj ett av" in hostile.text
    bad_date = web.login("anna").get("/konsekvensanalys?forslag=hojt-belopp&fran=igår")
    assert bad_date.status_code == 422 and "Från: ange datumet som ÅÅÅÅ-MM-DD" in bad_date.text
    assert web.login("rektor_a").get("/konsekvensanalys").status_code == 403
