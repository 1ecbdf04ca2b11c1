"""Steps for the workflow after the first proposal: completion, overrides, processing time.

``ansökan lämnas in och prövas den "<datum>"`` stores the scenario's application as a case
(a SQLite file of the scenario's own) through the same service the CLI calls; later steps
answer a completion, override the proposal and read the queue. ``prövning`` after a
completion is the engine's decision on the application as the case now holds it, so the
shared Then-steps (rule status, outcome, amounts) read the new proposal.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from pytest_bdd import given, parsers, then, when

from cases import workflow
from cases.errors import CaseError
from cases.store import open_store
from engine.errors import EngineError

from .common_steps import examine


@dataclass
class Ärende:
    store: object
    case_id: int
    refusal: Optional[str] = None
    results: list = field(default_factory=list)

    def view(self) -> dict:
        return workflow.case_view(self.store, self.case_id, "handlaggare")


@given(parsers.parse('ansökan lämnas in och prövas den "{datum}"'), target_fixture="ärende")
def _submitted(application, datum, tmp_path):
    from stod.services.submit import submit_files

    path = tmp_path / "ansokan.json"
    import json

    path.write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
    store = open_store(str(tmp_path / "scenario.db"))
    report = submit_files(store, [str(path)], date.fromisoformat(datum))
    assert report.failed == 0, report.results
    return Ärende(store, report.results[0]["case_id"])


def _try(ärende: Ärende, step) -> None:
    try:
        ärende.results.append(step())
        ärende.refusal = None
    except (CaseError, EngineError) as error:
        ärende.refusal = str(error)


@when(parsers.parse('handlingarna kommer den "{datum}" med en utredning daterad "{utredning}"'),
      target_fixture="prövning")
def _completion(ärende, datum, utredning):
    from stod.services import casework

    _try(ärende, lambda: casework.complete(ärende.store, ärende.case_id, {"documents": {"utredning": {
        "date": utredning}}}, "komplettering.json", date.fromisoformat(datum)))
    current = ärende.view()["applications"][-1]["raw"]
    return examine(copy.deepcopy(current), date.fromisoformat(datum))


@then(parsers.parse('tas handlingarna inte emot med beskedet "{fras}"'))
@then(parsers.parse('avvisas ändringen med beskedet "{fras}"'))
def _refused(ärende, fras):
    assert ärende.refusal is not None and fras in ärende.refusal, ärende.refusal


@then(parsers.parse('väntar ärendet på komplettering senast "{datum}"'))
def _waiting(ärende, datum):
    view = ärende.view()
    assert view["case"]["status"] == "komplettering_begard"
    assert str(view["current"]["completion_deadline"]) == datum


@then(parsers.parse('är ansökans mottagandedatum "{datum}"'))
def _received(ärende, datum):
    view = ärende.view()
    assert str(view["case"]["received"]) == datum and view["applications"][-1]["raw"]["received"] == datum


@then(parsers.parse('har ärendet {dagar:d} dagars handläggningstid den "{datum}"'))
def _processing_days(ärende, dagar, datum):
    row = next(r for r in workflow.queue(ärende.store, date.fromisoformat(datum), 28) if r.case_id == ärende.case_id)
    assert row.days_waited == dagar, row


@when(parsers.parse('handläggaren ändrar förslaget till "{utfall}" med nivå {nivå:d}, perioden "{period}" och '
                    'beloppet {belopp:d} kr den "{datum}"'))
def _override_grant(ärende, utfall, nivå, period, belopp, datum):
    from stod.services import casework

    _try(ärende, lambda: casework.override(
        ärende.store, ärende.case_id, outcome=utfall, reason_code="SARSKILDA_SKAL", reason="Särskilda skäl i ärendet.",
        by="Anna Lindqvist", level=nivå, period=period, amount_sek=belopp, on=date.fromisoformat(datum)))


@when(parsers.parse('handläggaren begär komplettering av "{handling}" den "{datum}"'))
def _override_completion(ärende, handling, datum):
    from stod.services import casework

    _try(ärende, lambda: casework.override(
        ärende.store, ärende.case_id, outcome="komplettering", reason_code="UNDERLAG_KOMPLETTERAT",
        reason="Underlaget räcker inte.", by="Anna Lindqvist", items=[handling], on=date.fromisoformat(datum)))


@then(parsers.parse('är beslutet "{utfall}" med beloppet {belopp:d} kr'))
def _decided(ärende, utfall, belopp):
    assert ärende.refusal is None, ärende.refusal
    current = ärende.view()["current"]
    assert (current["kind"], current["outcome"], current["amount_sek"]) == ("decision", utfall, belopp)


@then(parsers.parse('börjar beslutstexten med "{fras}"'))
def _text_starts(ärende, fras):
    assert ärende.view()["current"]["text"].startswith(fras), ärende.view()["current"]["text"][:200]


@then(parsers.parse('står i beslutstexten "{fras}"'))
def _text_has(ärende, fras):
    assert fras in ärende.view()["current"]["text"]


@then("sparades inget beslut")
def _nothing_stored(ärende):
    assert all(d["kind"] == "proposal" for d in ärende.view()["decisions"])
