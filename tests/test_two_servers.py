"""Issue 15 item 3: two real ``stod serve`` processes on one PostgreSQL database.

Nothing a request needs lives in one process: accounts, sessions, the cookie-signing key, CSRF
seeds, login throttling and the cases are in the database; the engine's caches are keyed by the
ruleset version (the hash of the rule files). So a case sent through one server is seen and
decided through the other, a browser signed in on one is signed in on both, failed logins count
on both, and a decision raced through both servers has exactly one winner.
"""
from __future__ import annotations

import copy
import os
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import servers  # noqa: E402
from test_store import application  # noqa: E402

PG_URL = os.environ.get("STOD_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="two servers share one PostgreSQL: set STOD_TEST_PG_URL "
                                                    "(.ci/pg.sh start); CI does")


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    logs = tmp_path_factory.mktemp("serve-logs")
    with servers.pg_schema(PG_URL) as url:
        people = servers.prepare(url)
        with servers.serving(url, 2, log_dir=logs) as bases:
            yield bases, people


def api(base: str, people) -> "servers.httpx.Client":
    return servers.httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {people.token}"})


def submit(base: str, people, application_id: str) -> int:
    body = copy.deepcopy(application(application_id=application_id))
    with api(base, people) as client:
        response = client.post("/api/v1/applications", json=body)
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def case_on(base: str, people, case_id: int) -> dict:
    with api(base, people) as client:
        response = client.get(f"/api/v1/cases/{case_id}")
    assert response.status_code == 200, response.text
    return response.json()


def test_a_case_sent_through_one_server_is_seen_and_decided_through_the_other(two):
    (a, b), people = two
    case_id = submit(a, people, "VS-2S-001")
    seen = case_on(b, people, case_id)
    assert (seen["status"], seen["decision"]["outcome"]) == ("forslag", "delvis_bifall")
    # Signed in on server A; the same cookie is a session on server B, and A's CSRF token holds there.
    anna_a = servers.Session(a).login("anna")
    anna_b = anna_a.on(b)
    page = anna_b.get(f"/arenden/{case_id}")
    assert page.status_code == 200 and "Fastställ" in page.text
    version = servers.VERSION.search(page.text).group(1)
    done = anna_b.post(f"/arenden/{case_id}/faststall", {"version": version})
    assert done.status_code == 303, done.text
    decided = case_on(a, people, case_id)
    assert decided["status"] == "beslutad" and decided["decision"]["decided_by"] == "Anna Lindqvist"
    # Logging out on B ends the session on A as well.
    anna_b.post("/logga-ut", {})
    assert anna_a.get("/ko").status_code in (302, 303)


def test_a_decision_raced_through_both_servers_has_exactly_one_winner(two):
    (a, b), people = two
    for round_no in range(3):
        case_id = submit(a, people, f"VS-2S-R{round_no}")
        anna, berit = servers.Session(a).login("anna"), servers.Session(b).login("berit")
        versions = [servers.VERSION.search(s.get(f"/arenden/{case_id}").text).group(1) for s in (anna, berit)]
        assert versions[0] == versions[1]
        barrier, answers = threading.Barrier(2), {}

        def decide(name, session, version):
            barrier.wait()
            answers[name] = session.post(f"/arenden/{case_id}/faststall", {"version": version})

        threads = [threading.Thread(target=decide, args=(n, s, v))
                   for n, s, v in (("anna", anna, versions[0]), ("berit", berit, versions[1]))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(r.status_code for r in answers.values())
        assert statuses == [303, 409], {n: (r.status_code, r.text[:300]) for n, r in answers.items()}
        loser = next(r for r in answers.values() if r.status_code == 409)
        alert = servers.ALERT.search(loser.text).group(1)
        assert f"ärende {case_id}" in alert and "inget skrevs över" in alert, alert  # a clear conflict answer
        winner = next(n for n, r in answers.items() if r.status_code == 303)
        final = case_on(b, people, case_id)
        assert final["status"] == "beslutad"
        assert final["decision"]["decided_by"] == {"anna": "Anna Lindqvist", "berit": "Berit Holm"}[winner]
        assert final["version"] == int(versions[0]) + 1  # one decision written, not two


def test_failed_logins_count_on_both_servers(two):
    (a, b), _ = two
    for base in (a, b, a, b, a):
        response = servers.Session(base).login_attempt("rektor", "fel-losenord-123")
        assert response.status_code == 401  # the login page again, with the refusal
    assert servers.Session(b).login_attempt("rektor", servers.PASSWORD).status_code == 429
