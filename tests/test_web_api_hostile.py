"""The HTTP API against a hostile or careless caller: a 404 that tells nothing about another
school's cases, bodies too large when streamed, dates and JSON the CLI would refuse.

Every refusal is the Swedish error object with the field named, never a 500, never English,
never the CLI's hints; nothing is stored.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cases import accounts
from cases.store import open_store
from stod.web.security import Settings
from test_store import application, db_url, store  # noqa: F401  (fixtures: SQLite and PostgreSQL)
from web_helpers import SCHOOL_B, make_web

LIMIT = 64 * 1024
# Words of English that a Swedish message never holds (the English messages the API once gave).
ENGLISH = (" the ", " a ", " is ", " with ", " only ", "completion", "whole", "application", "error")


@pytest.fixture
def web(store):  # noqa: F811
    return make_web(store, Settings(max_body_bytes=LIMIT))


def body(**changes) -> bytes:
    return json.dumps(application(**changes), ensure_ascii=False).encode()


def _submit(web, **changes) -> int:
    response = web.api().post("/api/v1/applications", content=body(**changes))
    assert response.status_code == 201, response.text
    return response.json()["case_id"]


def _only_error(response, status: int, field: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["field"] == field, error
    return error["message"]


def _swedish(message: str) -> None:
    assert message and not any(word in f" {message} " for word in ENGLISH), message


def _cases(store) -> int:
    from cases.models import Case
    from sqlalchemy import func, select

    with store.read() as session:
        return session.execute(select(func.count()).select_from(Case)).scalar_one()


# -- 1. a 404 says the same for another school's case and for none --------------------------------


@pytest.mark.parametrize("method,path", [("get", ""), ("get", "/letter"), ("post", "/documents")])
def test_another_schools_case_and_no_case_get_the_same_404(web, method, path):
    case_id = _submit(web)  # school A's case, application id VS-T-001
    school_b = web.api(web.token_b)
    for theirs, missing in ((str(case_id), "999999"), ("VS-T-001", "VS-2026-00005")):
        answers = []
        for ref in (theirs, missing):
            kwargs = {"json": {"documents": {}}} if method == "post" else {}
            response = getattr(school_b, method)(f"/api/v1/cases/{ref}{path}", **kwargs)
            message = _only_error(response, 404, "case_id")
            answers.append(message.replace(f"'{ref}'", "'REF'"))
            assert "stod " not in message, message  # no command line hint in the API
        assert answers[0] == answers[1] == "inget ärende med nummer eller ansöknings-id 'REF'", answers


# -- 2. a body over the limit: 413, streamed (chunked) or declared ---------------------------------


def _chunks(size: int, piece: int = 8192):
    for start in range(0, size, piece):
        yield b"x" * min(piece, size - start)


@pytest.mark.parametrize("path", ["/api/v1/check", "/api/v1/applications"])
def test_a_streamed_body_over_the_limit_gets_the_api_413(web, path):
    before = _cases(web.store)
    response = web.api().post(path, content=_chunks(6 * LIMIT))  # no Content-Length: chunked
    message = _only_error(response, 413, "")
    assert message.startswith("förfrågan är för stor") and str(LIMIT) in message
    assert _cases(web.store) == before


def test_a_streamed_body_within_the_limit_reaches_the_api_whole(web):
    whole = body()
    streamed = web.api().post("/api/v1/check", content=(whole[i:i + 100] for i in range(0, len(whole), 100)))
    assert streamed.status_code == 200, streamed.text
    assert streamed.json() == web.api().post("/api/v1/check", content=whole).json()


@pytest.mark.parametrize("streamed", [True, False], ids=["chunked", "content-length"])
def test_a_form_over_the_limit_gets_a_page(web, streamed):
    sent = _chunks(2 * LIMIT) if streamed else b"x" * (2 * LIMIT)
    response = web.client().post("/logga-in", content=sent,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in response.text and "för stort" in response.text and "errors" not in response.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post_chunked(port: int, path: str, headers: dict, size: int) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body=_chunks(size), headers=headers, encode_chunked=True)
        response = connection.getresponse()
        return response.status, response.getheader("content-type") or "", response.read()
    finally:
        connection.close()


def test_a_real_server_answers_a_streamed_body_over_the_limit_with_413(tmp_path):
    """uvicorn (httptools) as `stod serve` runs it: a chunked body once gave 500 and a RuntimeError."""
    db = tmp_path / "stod.db"
    created = open_store(str(db))
    _, token = accounts.add_token(created, "e-tjansten")
    created.dispose()
    port = _free_port()
    stod = Path(sys.executable).with_name("stod")
    process = subprocess.Popen([str(stod), "serve", "--db", str(db), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "COLUMNS": "200"})
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.1)
        size = 400_000  # the server's limit is 256 KB
        for path in ("/api/v1/check", "/api/v1/applications"):
            status, kind, answer = _post_chunked(port, path, {"Authorization": f"Bearer {token}"}, size)
            assert (status, kind) == (413, "application/json; charset=utf-8"), answer
            assert json.loads(answer)["errors"][0]["message"].startswith("förfrågan är för stor")
        status, kind, answer = _post_chunked(port, "/logga-in",
                                             {"Content-Type": "application/x-www-form-urlencoded"}, size)
        assert status == 413 and kind.startswith("text/html") and "för stort".encode() in answer
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0]
    assert "RuntimeError" not in output and '"level": "ERROR"' not in output, output


# -- 3. documents for a completion: the refusal in Swedish ------------------------------------------


def test_an_empty_completion_is_refused_in_swedish(web):
    case_id = _submit(web, documents__atgardsprogram=None)
    for sent in ({}, {"documents": None}):
        message = _only_error(web.api().post(f"/api/v1/cases/{case_id}/documents", json=sent), 422, "documents")
        _swedish(message)
        assert "hela ansökan" in message


# -- 4. ?date=: the CLI's rule ------------------------------------------------------------------------


BAD_DATES = ["9999-12-31", "1899-12-31", "20261215", "2026-W51-2", "2026-349", "２０２６-12-15", "2026-12-15T00:00",
             "", "19121212-1212"]


@pytest.mark.parametrize("value", BAD_DATES)
def test_a_date_the_cli_refuses_is_refused_naming_date(web, value):
    from stod.common import InputProblem, parse_date

    case_id = _submit(web, application_id="VS-T-002", documents__atgardsprogram=None)
    before = _cases(web.store)
    update = {"documents": {"atgardsprogram": {"date": "2026-12-10", "signed_by_rektor": True}},
              "received": "2026-12-15"}
    for path, sent in (("/api/v1/check", body()), ("/api/v1/applications", body()),
                       (f"/api/v1/cases/{case_id}/documents", json.dumps(update).encode())):
        response = web.api().post(path, params={"date": value}, content=sent)
        message = _only_error(response, 422, "date")
        _swedish(message)
        assert "19121212" not in response.text  # a personnummer is never echoed
        assert "ÅÅÅÅ-MM-DD" in message or "1900-01-01" in message, message
    assert _cases(web.store) == before
    assert web.api().get(f"/api/v1/cases/{case_id}").json()["status"] == "komplettering_begard"
    try:  # the CLI's rule gives the same words for what it refuses (its range and its form)
        parse_date(value, "date")
    except InputProblem as problem:
        assert response.json()["errors"][0]["message"] == problem.message.removeprefix("date: ")


def test_a_date_given_twice_is_refused_and_a_good_date_accepted(web):
    twice = web.api().post("/api/v1/check?date=2026-12-15&date=2026-12-16", content=body())
    _swedish(_only_error(twice, 422, "date"))
    good = web.api().post("/api/v1/check?date=2026-12-15", content=body())
    assert good.status_code == 200 and good.json()["outcome"], good.text


# -- 5. the CSI round's body: read as every body is ---------------------------------------------------


@pytest.mark.parametrize("sent,field,words", [
    (b'{"term": "HT2026", "term": "VT2027"}', "term", "två gånger"),
    (b'{"term": 5}', "term", "ska vara text"),
    (b'{"term": null}', "term", "ska vara text"),
    (b'{"term": ["HT2026"]}', "term", "ska vara text"),
    (b'{}', "term", "saknas"),
    (b'[]', "", "JSON-objekt"),
    (b'{"term": "HT2026", "ref": "19121212-1212"}', "ref", "personnummer"),
])
def test_a_bad_round_body_is_refused_naming_the_term(web, sent, field, words):
    anna = web.login("anna")
    response = anna.client.post("/api/v1/csi/rounds", content=sent, headers={"X-CSRF-Token": anna.token})
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors[0]["field"] == field and words in errors[0]["message"], errors
    assert "19121212" not in response.text
    for error in errors:
        _swedish(error["message"])


# -- 6. a byte-order mark before the JSON ---------------------------------------------------------------


def test_a_byte_order_mark_is_refused_in_swedish(web):
    response = web.api().post("/api/v1/check", content=b"\xef\xbb\xbf" + body())
    _swedish(_only_error(response, 422, ""))


def test_a_byte_order_mark_is_named_in_the_refusal(web):
    response = web.api().post("/api/v1/check", content=b"\xef\xbb\xbf" + body())
    assert "BOM" in _only_error(response, 422, "")


def test_school_b_token_still_sends_for_its_own_school(web):  # the 404 change keeps what is allowed
    case_id = _submit(web, application_id="VS-T-B", school__unit_code=SCHOOL_B)
    assert web.api(web.token_b).get(f"/api/v1/cases/{case_id}").status_code == 200
    assert web.api(web.token_b).get("/api/v1/cases/VS-T-B/letter").status_code == 200
