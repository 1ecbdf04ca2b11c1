"""Issue 15 items 2 and 4: the configuration, /healthz and /readyz, and the JSON request log."""
from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from stod.cli import main
from stod.config import ConfigError, export, load
from stod.web.requestlog import LOGGER, UNKNOWN_PATH, JsonFormatter
from test_store import application, db_url, store  # noqa: F401  (fixtures: SQLite and PostgreSQL)
from web_helpers import make_web

SECRET = "0123456789abcdef" * 4


# -- configuration ---------------------------------------------------------------------------------

def test_the_environment_wins_over_the_file(tmp_path):
    path = tmp_path / "stod.toml"
    path.write_text('database_url = "postgresql://stod@db/stod"\nrules_dir = "/srv/regler"\nlog_level = "debug"\n'
                    'production = true\n', encoding="utf-8")
    config = load({"STOD_CONFIG": str(path), "STOD_RULES_DIR": "/env/regler", "STOD_SESSION_SECRET": SECRET})
    assert (config.database_url, config.rules_dir, config.log_level, config.production) == (
        "postgresql://stod@db/stod", "/env/regler", "DEBUG", True)
    assert config.origin["rules_dir"] == "STOD_RULES_DIR" and config.secret_problem() is None
    environ = {"STOD_RULES_DIR": "/env/regler"}
    export(config, environ)
    assert environ == {"STOD_RULES_DIR": "/env/regler", "STOD_DATABASE_URL": "postgresql://stod@db/stod"}


def test_nothing_set_means_the_defaults():
    config = load({})
    assert (config.database_url, config.session_secret, config.log_level, config.production) == (
        None, None, "INFO", False)


@pytest.mark.parametrize("content, field, message", [
    ("database_url = \n", "STOD_CONFIG", "är inte giltig TOML"),
    ('databas = "x"\n', "databas", "okänd inställning"),
    ('log_level = "högt"\n', "log_level", "är ingen loggnivå"),
    ("production = 3\n", "production", "ska vara true eller false"),
    ("rules_dir = 3\n", "rules_dir", "ska vara en textsträng"),
    ('session_secret_file = "/finns/inte"\n', "session_secret_file", "går inte att läsa"),
])
def test_a_bad_file_names_the_setting(tmp_path, content, field, message):
    path = tmp_path / "stod.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load({"STOD_CONFIG": str(path)})
    assert field in caught.value.field and message in caught.value.message


def test_a_missing_file_and_a_bad_flag_are_refused():
    with pytest.raises(ConfigError, match="finns inte"):
        load({"STOD_CONFIG": "/finns/inte.toml"})
    with pytest.raises(ConfigError, match="varken på eller av"):
        load({"STOD_PRODUCTION": "kanske"})


def test_the_secret_can_come_from_a_file(tmp_path):
    (tmp_path / "nyckel").write_text(SECRET + "\n", encoding="utf-8")
    (tmp_path / "stod.toml").write_text(f'session_secret_file = "{tmp_path / "nyckel"}"\n', encoding="utf-8")
    assert load({"STOD_CONFIG": str(tmp_path / "stod.toml")}).session_secret == SECRET


@pytest.mark.parametrize("secret, says", [
    (None, "STOD_SESSION_SECRET saknas"), ("change-me", "exempelvärde"), ("kort-nyckel", "för kort (11 tecken)")])
def test_production_refuses_to_serve_without_a_real_secret(monkeypatch, tmp_path, secret, says):
    monkeypatch.setenv("STOD_PRODUCTION", "1")
    monkeypatch.delenv("STOD_SESSION_SECRET", raising=False)
    if secret:
        monkeypatch.setenv("STOD_SESSION_SECRET", secret)
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "finns-inte.db")])
    assert result.exit_code == 2 and says in result.output and "Traceback" not in result.output
    assert not (tmp_path / "finns-inte.db").exists()


def test_production_refuses_demo_accounts(monkeypatch, tmp_path):
    monkeypatch.setenv("STOD_PRODUCTION", "ja")
    monkeypatch.setenv("STOD_SESSION_SECRET", SECRET)
    result = CliRunner().invoke(main, ["serve", "--demo", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "--demo" in result.output


def test_a_bad_configuration_stops_every_command(monkeypatch, tmp_path):
    monkeypatch.setenv("STOD_CONFIG", str(tmp_path / "saknas.toml"))
    result = CliRunner().invoke(main, ["queue", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "STOD_CONFIG" in result.output


def test_the_configured_secret_signs_the_cookies(store):  # noqa: F811
    from stod.web.app import create_app

    app = create_app(store=store, session_secret=SECRET)
    assert app.state.ctx.keys.secret == SECRET


# -- health -----------------------------------------------------------------------------------------

def test_healthz_and_readyz_on_a_good_store(store):  # noqa: F811
    client = make_web(store).client()
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ok" and set(body["checks"].values()) == {"ok"}
    assert set(body["rulesets"]) >= {"verksamhetsstod", "csi"} and body["version"]
    assert "sqlite" not in ready.text and "postgresql" not in ready.text  # never the database URL


def test_readyz_names_a_pending_and_an_unknown_migration(store):  # noqa: F811
    client = make_web(store).client()
    with store.write() as session:
        session.execute(text("DELETE FROM migrations WHERE name = '0002_queue_index'"))
    body = client.get("/readyz")
    assert body.status_code == 503 and "0002_queue_index" in body.json()["checks"]["schema"]
    with store.write() as session:
        session.execute(text("INSERT INTO migrations (name, applied_at) VALUES ('0002_queue_index', CURRENT_TIMESTAMP),"
                             " ('9999_from_the_future', CURRENT_TIMESTAMP)"))
    body = client.get("/readyz")
    assert body.status_code == 503 and "9999_from_the_future" in body.json()["checks"]["schema"]


def test_readyz_fails_without_rules_and_without_a_database(store, monkeypatch, tmp_path):  # noqa: F811
    client = make_web(store).client()
    monkeypatch.setenv("STOD_RULES_DIR", str(tmp_path))
    body = client.get("/readyz")
    assert body.status_code == 503 and "inga regelområden" in body.json()["checks"]["rules"]
    monkeypatch.delenv("STOD_RULES_DIR")
    store.engine.dispose()
    if store.url.startswith("sqlite"):
        from pathlib import Path
        from sqlalchemy.engine import make_url

        Path(make_url(store.url).database).unlink()
        Path(make_url(store.url).database).mkdir()  # the file is gone: nothing can open it
        body = client.get("/readyz")
        assert body.status_code == 503 and body.json()["checks"]["database"] != "ok"


# -- the request log ---------------------------------------------------------------------------------

class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    handler, logger = Lines(), logging.getLogger(LOGGER)
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(old)


def test_each_request_is_one_json_line_without_pupil_data(store, log_lines):  # noqa: F811
    web = make_web(store)
    api = web.api()
    created = api.post("/api/v1/applications", json=application())
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    anna = web.login("anna")
    page = anna.get(f"/arenden/{case_id}")
    assert "autism" in page.text  # the caseworker sees the diagnoses …
    hostile = web.client()
    hostile.get("/19121212-1212/adhd?pnr=19121212-1212&diagnos=autism",
                headers={"X-Request-ID": "19121212-1212", "User-Agent": "autism 19121212-1212"})
    hostile.post("/api/v1/check", content=json.dumps(application(pupil__ref="19121212-1212")),
                 headers={"Authorization": f"Bearer {web.token_all}", "X-Request-ID": "adhd-autism"})
    hostile.get(f"/arenden/{case_id}?q=autism")
    entries = [json.loads(line) for line in log_lines]  # … every line is one JSON object
    assert len(entries) >= 6
    for entry in entries:
        assert {"request_id", "method", "path", "status", "duration_ms"} <= set(entry)
    text_of_log = "\n".join(log_lines)
    for secret in ("1212", "autism", "adhd", "assistent", "pnr", "diagnos", "EL-292004"):
        assert secret not in text_of_log, secret  # … and holds no personnummer, diagnosis or need
    paths = [e["path"] for e in entries]
    assert UNKNOWN_PATH in paths and "/arenden/{case_ref}" in paths and "/api/v1/applications" in paths
    statuses = {e["path"]: e["status"] for e in entries}
    assert statuses["/api/v1/check"] == 422 and statuses["/api/v1/applications"] == 201


def test_a_sane_request_id_is_kept_and_sent_back(store, log_lines):  # noqa: F811
    client = make_web(store).client()
    response = client.get("/healthz", headers={"X-Request-ID": "3f2c9a1b-7d4e-4f00-a1b2-0c3d4e5f6a7b"})
    assert response.headers["x-request-id"] == "3f2c9a1b-7d4e-4f00-a1b2-0c3d4e5f6a7b"
    assert json.loads(log_lines[-1])["request_id"] == "3f2c9a1b-7d4e-4f00-a1b2-0c3d4e5f6a7b"
    fresh = client.get("/healthz", headers={"X-Request-ID": "19121212-1212"}).headers["x-request-id"]
    assert fresh != "19121212-1212" and len(fresh) == 32


def test_a_server_error_is_logged_by_type_and_place_never_its_message(store, log_lines):  # noqa: F811
    from fastapi.testclient import TestClient

    web = make_web(store)

    def boom():
        raise ValueError("eleven 19121212-1212 har autism")

    web.app.add_api_route("/boom", boom)
    response = TestClient(web.app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    entry = json.loads(log_lines[-1])
    assert (entry["level"], entry["status"], entry["path"]) == ("ERROR", 500, "/boom")
    assert entry["error"].startswith("ValueError at test_ops.py:")
    assert "1212" not in log_lines[-1] and "autism" not in log_lines[-1]


def test_other_loggers_lines_with_a_personnummer_are_hidden():
    record = logging.LogRecord("uvicorn.error", logging.WARNING, __file__, 1, "bad request from %s", ("191212121212",),
                               None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"].startswith("(visas inte") and "1212" not in json.dumps(entry)


def test_stod_config_shows_where_each_value_comes_from_and_never_a_secret(monkeypatch, tmp_path):
    path = tmp_path / "stod.toml"
    path.write_text('database_url = "postgresql://stod:losen@db:5432/stod"\nlog_level = "WARNING"\n', encoding="utf-8")
    monkeypatch.setenv("STOD_CONFIG", str(path))
    monkeypatch.setenv("STOD_DATABASE_URL", "")  # unset; the file's value is exported here, undone after
    monkeypatch.setenv("STOD_SESSION_SECRET", SECRET)
    monkeypatch.setenv("STOD_ANCHOR_KEY", "ankarnyckel-som-inte-far-synas")
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 0, result.output
    assert f"databas: postgresql://stod:***@db:5432/stod  ({path}: database_url)" in result.output
    assert "loggnivå: WARNING" in result.output and "sessionsnyckel: satt (64 tecken)  (STOD_SESSION_SECRET)" in result.output
    assert "ankarnyckel: satt  (STOD_ANCHOR_KEY)" in result.output
    for secret in (SECRET, "losen", "ankarnyckel-som"):
        assert secret not in result.output
    monkeypatch.setenv("STOD_PRODUCTION", "1")
    monkeypatch.setenv("STOD_SESSION_SECRET", "secret")
    refused = CliRunner().invoke(main, ["config"])
    assert refused.exit_code == 2 and "exempelvärde" in refused.output
