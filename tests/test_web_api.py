"""The HTTP API under /api/v1: authentication, the same check object as the CLI, idempotent
submission, access by school, diagnoses only for caseworkers (and logged), bad bodies, limits.

Runs on SQLite, and on PostgreSQL when STOD_TEST_PG_URL is set.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cases import accounts
from stod.cli import main
from stod.web.security import Settings
from test_store import application, db_url, store  # noqa: F401  (fixtures: SQLite and PostgreSQL)
from web_helpers import DAY, SCHOOL_B, make_web

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "verksamhetsstod"
if not CONTRACT.is_dir():
    CONTRACT = Path(__file__).resolve().parents[1] / ".." / "shared" / "contract" / "verksamhetsstod"
EXAMPLES = sorted(CONTRACT.glob("VS-EX-*.json"))


@pytest.fixture
def web(store):  # noqa: F811
    return make_web(store, Settings(max_body_bytes=64 * 1024))


def body(**changes) -> bytes:
    return json.dumps(application(**changes), ensure_ascii=False).encode()


# -- authentication ------------------------------------------------------------------------


@pytest.mark.parametrize("method,url", [("post", "/api/v1/check"), ("post", "/api/v1/applications"),
                                        ("get", "/api/v1/cases/1"), ("get", "/api/v1/rules"),
                                        ("get", "/api/v1/rules/VS-A1")])
def test_every_endpoint_needs_authentication(web, method, url):
    client = web.client()
    response = getattr(client, method)(url, **({"content": body()} if method == "post" else {}))
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "Authorization"
    assert response.headers["www-authenticate"] == "Bearer"
    wrong = getattr(web.api("stod_not-a-token"), method)(url, **({"content": body()} if method == "post" else {}))
    assert wrong.status_code == 401


def test_revoked_token_is_refused(web):
    assert web.api().get("/api/v1/rules").status_code == 200
    accounts.revoke_token(web.store, "e-tjansten")
    response = web.api().get("/api/v1/rules")
    assert response.status_code == 401
    assert "återkallad" in response.json()["errors"][0]["message"]


def test_tokens_are_stored_hashed(web):
    rows = accounts.list_tokens(web.store)
    assert rows and all(web.token_all not in (r.token_hash, r.name) and len(r.token_hash) == 64 for r in rows)


# -- check ---------------------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_check_gives_exactly_what_stod_check_json_gives(web, example):
    cli = CliRunner().invoke(main, ["check", str(example), "--json", "--date", "2027-09-01"])
    assert cli.exit_code == 0, cli.output
    response = web.api().post("/api/v1/check?date=2027-09-01", content=example.read_bytes(),
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json() == json.loads(cli.output)


@pytest.mark.parametrize("content,field", [
    (b"{not json", ""),
    (b"[]", ""),
    (json.dumps({"kind": "verksamhetsstod"}).encode(), "received"),
    (body(pupil__grade="sju"), "pupil.grade"),
    (body(need__measures=["flygande_matta"]), "need.measures[0]"),
    (body(pupil__ref="19800101-1234"), "pupil.ref"),
])
def test_check_refuses_a_bad_body_with_the_error_object(web, content, field):
    response = web.api().post("/api/v1/check", content=content)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert field in [e["field"] for e in errors] and all(e["message"] for e in errors)
    assert "19800101" not in response.text  # never echo what may be a personnummer


def test_check_refuses_a_bad_date_parameter(web):
    response = web.api().post("/api/v1/check?date=igår", content=body())
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "date"
    before = web.api().post("/api/v1/check?date=2026-12-01", content=body())  # received 2026-12-09
    assert before.status_code == 422 and before.json()["errors"][0]["field"] == "date"
    assert "före ansökans mottagandedatum" in before.json()["errors"][0]["message"]


def test_request_body_over_the_limit_is_refused(web):
    big = body(need__description="x" * 70_000)
    response = web.api().post("/api/v1/check", content=big)
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"].startswith("förfrågan är för stor")


# -- applications ----------------------------------------------------------------------------


def test_submit_is_idempotent_and_refuses_other_content_under_the_same_id(web):
    client = web.api()
    first = client.post("/api/v1/applications", content=body())
    assert first.status_code == 201
    case_id = first.json()["case_id"]
    assert first.headers["location"] == f"/api/v1/cases/{case_id}"
    again = client.post("/api/v1/applications", content=body())
    assert again.status_code == 200 and again.json()["case_id"] == case_id and again.json()["created"] is False
    other = client.post("/api/v1/applications", content=body(requested_amount_sek=123456))
    assert other.status_code == 409
    assert other.json()["errors"][0]["field"] == "application_id"
    assert f"komplettering (POST /api/v1/cases/{case_id}/documents)" in other.json()["errors"][0]["message"]
    bad = client.post("/api/v1/applications", content=body(pupil__grade="sju"))
    assert bad.status_code == 422


def test_a_token_for_one_school_cannot_send_for_another(web):
    response = web.api(web.token_b).post("/api/v1/applications", content=body())  # school A
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "school.unit_code"
    ok = web.api(web.token_b).post("/api/v1/applications", content=body(
        application_id="VS-T-B", school__unit_code=SCHOOL_B))
    assert ok.status_code == 201


def test_an_id_taken_by_another_schools_case_is_refused_without_naming_that_case(web):
    taken = web.api().post("/api/v1/applications", content=body())  # school A's case
    assert taken.status_code == 201
    case_id = taken.json()["case_id"]
    other = web.api(web.token_b).post("/api/v1/applications", content=body(school__unit_code=SCHOOL_B))
    assert other.status_code == 409
    [error] = other.json()["errors"]
    assert error["field"] == "application_id" and "används redan av en annan ansökan" in error["message"]
    assert f"ärende {case_id}" not in error["message"] and "documents" not in error["message"], error


def test_session_post_needs_the_csrf_header(web):
    browser = web.login("rektor_a")
    without = browser.client.post("/api/v1/applications", content=body())
    assert without.status_code == 403 and without.json()["errors"][0]["field"] == "x-csrf-token"
    with_token = browser.client.post("/api/v1/applications", content=body(), headers={"X-CSRF-Token": browser.token})
    assert with_token.status_code == 201


def test_only_principals_and_the_e_service_send_applications(web):
    browser = web.login("anna")
    response = browser.client.post("/api/v1/applications", content=body(), headers={"X-CSRF-Token": browser.token})
    assert response.status_code == 403


# -- cases -----------------------------------------------------------------------------------


def _submit(web, **changes) -> int:
    response = web.api().post("/api/v1/applications", content=body(**changes))
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def test_case_for_each_role(web):
    case_id = _submit(web)
    as_token = web.api().get(f"/api/v1/cases/{case_id}")
    assert as_token.status_code == 200
    data = as_token.json()
    assert data["status"] == "forslag" and data["decision"]["outcome"] and data["letter"].startswith("Stockholms stad, Utbildningsförvaltningen\nBeslut om verksamhetsstöd")
    assert data["application"]["need"]["diagnoses"] == "[dold: visas bara för handläggare]"
    assert web.api().get("/api/v1/cases/VS-T-001").json()["case_id"] == case_id  # by application id too

    rektor_a = web.login("rektor_a").client.get(f"/api/v1/cases/{case_id}")
    assert rektor_a.status_code == 200 and "autism" not in rektor_a.text
    for other in (web.login("rektor_b").client, web.api(web.token_b)):
        response = other.get(f"/api/v1/cases/{case_id}")
        assert response.status_code == 404  # another school's case: as if it did not exist
        assert "VS-T-001" in response.json()["errors"][0]["message"] or str(case_id) in response.text
    revisor = web.login("erik").client.get(f"/api/v1/cases/{case_id}")
    assert revisor.status_code == 200 and "autism" not in revisor.text

    with web.store.read() as session:
        assert accounts.access_log(session) == []
    caseworker = web.login("anna").client.get(f"/api/v1/cases/{case_id}")
    assert caseworker.status_code == 200 and caseworker.json()["application"]["need"]["diagnoses"] == ["autism", "adhd"]
    with web.store.read() as session:
        [entry] = accounts.access_log(session)
        count, problems = accounts.verify_access_log(session)
    assert (entry.case_id, entry.role, entry.view, entry.remote) == (case_id, "handlaggare", "api", "testclient")
    assert entry.actor == "Anna Lindqvist (anna)" and count == 1 and problems == []


def test_unknown_case_is_404(web):
    response = web.api().get("/api/v1/cases/999")
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "case_id"


# -- rules and OpenAPI -----------------------------------------------------------------------


def test_rules_list_is_the_cli_list(web):
    cli = CliRunner().invoke(main, ["rules", "list", "--json"])
    assert web.api().get("/api/v1/rules").json() == json.loads(cli.output)


def test_one_rule_and_an_unknown_rule(web):
    rule = web.api().get("/api/v1/rules/VS-A3").json()
    assert rule["id"] == "VS-A3" and rule["when"] and rule["text"]["not_met"]
    missing = web.api().get("/api/v1/rules/VS-X9")
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "rule_id"


def test_openapi_lists_the_endpoints_and_the_intake_schema(web):
    schema = web.client().get("/api/v1/openapi.json").json()
    assert {"/check", "/applications", "/cases/{case_id}", "/rules", "/rules/{rule_id}"} <= set(schema["paths"])
    assert "VsApplication" in schema["components"]["schemas"] and "Fel" in schema["components"]["schemas"]
    body_schema = schema["paths"]["/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/VsApplication"} in body_schema["oneOf"]
    assert DAY  # the tests' decision day is fixed, not today's date


def test_a_late_completion_is_refused_in_the_apis_words(web):
    case_id = _submit(web, documents__atgardsprogram=None)
    update = {"documents": {"atgardsprogram": {"date": "2026-12-10", "signed_by_rektor": True}},
              "received": "2027-06-30"}  # long after the completion deadline
    late = web.api().post(f"/api/v1/cases/{case_id}/documents", json=update)
    assert late.status_code == 422, late.text
    [error] = late.json()["errors"]
    assert error["field"] == "received" and "POST /api/v1/applications" in error["message"], error
    assert "stod " not in error["message"] and "--" not in error["field"]
    dated = web.api().post(f"/api/v1/cases/{case_id}/documents?date=2027-06-30", json=update)
    assert dated.json()["errors"][0]["field"] == "date"


def test_documents_complete_an_open_case(web):
    case_id = _submit(web, documents__atgardsprogram=None)
    client = web.api()
    assert client.get(f"/api/v1/cases/{case_id}").json()["status"] == "komplettering_begard"
    update = {"documents": {"atgardsprogram": {"date": "2026-12-10", "signed_by_rektor": True}},
              "received": "2026-12-15"}
    other_school = web.api(web.token_b).post(f"/api/v1/cases/{case_id}/documents", json=update)
    assert other_school.status_code == 404
    bad = client.post(f"/api/v1/cases/{case_id}/documents", json={"documents": "ja"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "documents"
    done = client.post(f"/api/v1/cases/{case_id}/documents?date=2026-12-15", json=update)
    assert done.status_code == 200, done.text
    assert done.json()["created"] is True and done.json()["status"] == "forslag"
    assert client.get(f"/api/v1/cases/{case_id}").json()["status"] == "forslag"
    same = client.post(f"/api/v1/cases/{case_id}/documents?date=2026-12-15", json=update)
    assert same.status_code == 200 and same.json()["created"] is False
    caseworker = web.login("anna")
    page = caseworker.get(f"/arenden/{case_id}")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    assert caseworker.post(f"/arenden/{case_id}/faststall", {"version": version}).status_code == 303
    decided = client.post(f"/api/v1/cases/{case_id}/documents", json=update)
    assert decided.status_code == 409


# -- the token cache (throughput) --------------------------------------------------------------


def test_a_token_revoked_elsewhere_is_refused_once_the_cache_entry_expires(web, monkeypatch):
    from sqlalchemy import update

    clock = [1000.0]
    monkeypatch.setattr(accounts, "_clock", lambda: clock[0])
    assert web.api().get("/api/v1/rules").status_code == 200  # looked up, remembered for 5 s
    with web.store.write() as session:  # revoked by another process: this one's memory is not told
        session.execute(update(accounts.ApiToken).values(revoked_at=accounts.S.as_utc(None)))
    assert web.api().get("/api/v1/rules").status_code == 200
    clock[0] += Settings().token_cache_seconds + 0.01
    refused = web.api().get("/api/v1/rules")
    assert refused.status_code == 401 and "återkallad" in refused.json()["errors"][0]["message"]


def test_without_the_cache_every_call_reads_the_token(store):  # noqa: F811
    from sqlalchemy import update

    web = make_web(store, Settings(token_cache_seconds=0))
    assert web.api().get("/api/v1/rules").status_code == 200
    with web.store.write() as session:
        session.execute(update(accounts.ApiToken).values(revoked_at=accounts.S.as_utc(None)))
    assert web.api().get("/api/v1/rules").status_code == 401


def test_api_json_is_what_json_dumps_writes():
    from datetime import date, datetime

    from stod.web.api_common import json_bytes

    value = {"d": date(2027, 1, 2), "t": datetime(2027, 1, 2, 3, 4, 5), 1: ["å", 1.5, None, True], "n": 2 ** 70}
    assert json.loads(json_bytes(value)) == json.loads(json.dumps(value, ensure_ascii=False, default=str))
