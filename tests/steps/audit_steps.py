"""Steps of tests/granskning/granskning.feature: replay, the event chains and what-if on a small store."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field

import pytest
from pytest_bdd import given, parsers, then, when
from sqlalchemy import text

ACTIONS = ("fått en annan aktör", "fått ett annat belopp", "tagits bort")


@dataclass
class Audit:
    store: object
    replay: object = None
    verify: object = None
    whatif: object = None
    proposed_rules: object = None
    counts: tuple = ()
    notes: dict = field(default_factory=dict)


@pytest.fixture(scope="session")
def granskning_template(tmp_path_factory):
    from test_audit import build_store

    path = tmp_path_factory.mktemp("granskning") / "stod.db"
    build_store(path).dispose()
    return path


def _sql(store, statement: str, **params):
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


def _counts(store) -> tuple:
    with store.engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                     for t in ("cases", "applications", "decisions", "findings", "events", "ruleset_versions"))


def _rules_with_hours(folder, hours: int):
    from engine.yamlsource import default_rules_root

    shutil.copytree(default_rules_root(), folder)
    param = folder / "verksamhetsstod" / "parameters" / "least_extensive_hours.yaml"
    param.write_text(param.read_text(encoding="utf-8").replace("value: 5", f"value: {hours}"), encoding="utf-8")
    return folder


@given("ett ärenderegister där kontraktets exempelansökningar är prövade och beslutade", target_fixture="granskning")
def _register(granskning_template, tmp_path):
    from cases.store import open_store

    copy = tmp_path / "stod.db"
    shutil.copy(granskning_template, copy)
    store = open_store(str(copy))
    yield Audit(store)
    store.dispose()


@given("att beloppet i ett beviljat beslutsförslag har ändrats direkt i databasen")
def _change_amount(granskning):
    _sql(granskning.store, "UPDATE decisions SET amount_sek=amount_sek+5000 WHERE id=(SELECT min(id) FROM decisions "
                           "WHERE kind='proposal' AND amount_sek IS NOT NULL)")


@given(parsers.parse("att händelse {seq:d} i ärende {case:d} har {action} direkt i databasen"))
def _tamper_event(granskning, seq, case, action):
    assert action in ACTIONS, f"okänd åtgärd {action!r}; välj en av {ACTIONS}"
    where = {"c": case, "s": seq}
    if action == "tagits bort":
        _sql(granskning.store, "DELETE FROM events WHERE case_id=:c AND seq=:s", **where)
    elif action == "fått en annan aktör":
        _sql(granskning.store, "UPDATE events SET actor='någon annan' WHERE case_id=:c AND seq=:s", **where)
    else:
        with granskning.store.engine.connect() as conn:
            payload = conn.execute(text("SELECT payload FROM events WHERE case_id=:c AND seq=:s"), where).scalar()
        data = json.loads(payload) if isinstance(payload, str) else dict(payload)
        data["amount_sek"] = (data.get("amount_sek") or 0) + 100000
        _sql(granskning.store, "UPDATE events SET payload=:p WHERE case_id=:c AND seq=:s", p=json.dumps(data), **where)


@given(parsers.parse("att minsta antal timmar extraordinärt stöd per vecka i rules/ har ändrats till {hours:d}"))
def _rules_changed(granskning, hours, tmp_path, monkeypatch):
    monkeypatch.setenv("STOD_RULES_DIR", str(_rules_with_hours(tmp_path / "rules", hours)))


@given(parsers.parse("ett regelförslag där minsta antal timmar extraordinärt stöd per vecka är {hours:d}"))
def _proposal(granskning, hours, tmp_path):
    granskning.proposed_rules = _rules_with_hours(tmp_path / "forslag", hours)


@when("alla beslutsförslag omprövas")
def _replay(granskning):
    from reports.replay import replay_all

    granskning.replay = replay_all(granskning.store.url)


@when("händelsekedjorna kontrolleras")
def _verify(granskning):
    from cases.audit import verify

    with granskning.store.read() as session:
        granskning.verify = verify(session)


@when("regelförslaget prövas mot registret")
def _whatif(granskning):
    from reports.whatif import whatif

    granskning.counts = _counts(granskning.store)
    with granskning.store.read() as session:
        granskning.whatif = whatif(session, granskning.proposed_rules)


@then("är alla beslutsförslag identiska vid omprövningen")
def _identical(granskning):
    r = granskning.replay
    assert r.proposals > 0 and r.identical == r.proposals, (r.differences[:3], r.problems[:3])


@then("är händelsekedjorna hela")
def _chains_whole(granskning):
    _verify(granskning)
    assert granskning.verify.ok, [str(p) for p in granskning.verify.problems]


@then(parsers.parse('visar omprövningen en avvikelse i fältet "{name}"'))
def _difference(granskning, name):
    assert [d.field for d in granskning.replay.differences] == [name]


@then("visar kontrollen av händelsekedjorna att beslutet är ändrat")
def _decision_changed(granskning):
    _verify(granskning)
    assert any("amount_sek" in p.problem and "ändrad" in p.problem for p in granskning.verify.problems)


@then(parsers.parse("pekas ärende {case:d} händelse {seq:d} ut som felaktig"))
def _named(granskning, case, seq):
    problems = granskning.verify.problems
    assert any(p.case_id == case and p.seq == seq for p in problems), [str(p) for p in problems]
    assert all(p.case_id == case for p in problems), [str(p) for p in problems]


@then("får minst ett beviljat ärende avslag")
def _refused(granskning):
    transitions = granskning.whatif.transitions
    assert any(k in transitions for k in ("bifall→avslag", "delvis_bifall→avslag")), transitions


@then("är det beviljade beloppet efter förslaget lägre än före")
def _less_money(granskning):
    assert granskning.whatif.money_after < granskning.whatif.money_before


@then("är registret oförändrat")
def _unchanged(granskning):
    assert _counts(granskning.store) == granskning.counts
