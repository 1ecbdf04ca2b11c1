"""Steps every rule area shares: examine an application, then check the decision.

An area's Given-steps build the application as a dict in the fixture ``application``
(use ``target_fixture="application"``); the When-step here reads it through intake and
decides it; the Then-steps check the outcome, amounts, findings and text. Rule-status steps
record coverage (see ``steps/coverage.py``).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Optional

from parse import with_pattern
from pytest_bdd import parsers, then, when

from engine import api
from engine.decision import Decision
from engine.errors import IntakeError

from .coverage import record

# The words a feature uses for a finding's status, and the engine's status they mean.
STATUS_WORDS = {
    "uppfylld": "met",
    "inte uppfylld": "not_met",
    "inte prövad": "not_applicable",
}


@dataclass
class Examination:
    """What became of an application: a decision, or a refusal at intake."""

    decision: Optional[Decision] = None
    intake_error: Optional[IntakeError] = None

    def decided(self) -> Decision:
        assert self.intake_error is None, f"ansökan avvisades vid intaget: {self.intake_error}"
        return self.decision


def received_on(base: dict, datum: str) -> dict:
    """A fresh copy of an area's base application, received on ``datum`` (the area's first Given-step)."""
    application = copy.deepcopy(base)
    application["received"] = datum
    return application


def examine(application: dict, decision_date: date) -> Examination:
    try:
        app, _ = api.read_application(copy.deepcopy(application), source="scenario")
    except IntakeError as error:
        return Examination(intake_error=error)
    return Examination(decision=api.decide(app, decision_date))


@when(parsers.parse('ansökan prövas den "{datum}"'), target_fixture="prövning")
def _examine_on(application, datum):
    return examine(application, date.fromisoformat(datum))


# -- outcome and grant ---------------------------------------------------------------------

@then(parsers.parse('blir utfallet "{utfall}"'))
def _outcome(prövning, utfall):
    decision = prövning.decided()
    assert decision.outcome == utfall, f"utfallet blev {decision.outcome}, avgörande {decision.decisive_rules}"


@then(parsers.parse('är de avgörande reglerna "{regler}"'))
@then(parsers.parse('avgörande regler är "{regler}"'))
def _decisive(prövning, regler):
    expected = sorted(r.strip() for r in regler.split(",") if r.strip())
    assert prövning.decided().decisive_rules == expected


def _amount_or_none(text: str) -> Optional[int]:
    """``48000 kr`` -> 48000; ``inget`` (nothing granted) -> None."""
    return None if text == "inget" else int(text.removesuffix(" kr").replace(" ", ""))


@then(parsers.parse("beviljas {belopp:d} kr"))
def _amount(prövning, belopp):
    assert prövning.decided().amount_sek == belopp


@then(parsers.parse("är beviljat belopp {belopp}"))
def _amount_or_nothing(prövning, belopp):
    assert prövning.decided().amount_sek == _amount_or_none(belopp)


@then("beviljas inget belopp")
def _no_amount(prövning):
    decision = prövning.decided()
    assert decision.amount_sek is None and decision.granted_period is None and decision.level is None


@then(parsers.parse("är nivån {nivå}"))
def _level(prövning, nivå):
    assert prövning.decided().level == (None if nivå == "ingen" else int(nivå))


@then(parsers.parse('är beviljad period "{start}" till "{slut}"'))
def _period(prövning, start, slut):
    assert prövning.decided().granted_period == {"start_month": start, "end_month": slut}


@then(parsers.parse('är sista dag för komplettering "{datum}"'))
def _completion_deadline(prövning, datum):
    assert prövning.decided().completion_deadline == datum


# -- findings ------------------------------------------------------------------------------

def _check_status(prövning, rule_id: str, status: str, bdd_scenario) -> None:
    finding = prövning.decided().finding(rule_id)
    assert finding.status == status, f"{rule_id} är {finding.status}: {finding.text}"
    record(rule_id, status, bdd_scenario)


@with_pattern("|".join(sorted(STATUS_WORDS, key=len, reverse=True)))
def _status_word(text: str) -> str:
    return STATUS_WORDS[text]


STATUS_TYPE = {"Status": _status_word}


@then(parsers.parse('är regel "{regel}" {status:Status}', extra_types=STATUS_TYPE))
@then(parsers.parse('regel "{regel}" är {status:Status}', extra_types=STATUS_TYPE))
def _rule_status(prövning, regel, status, bdd_scenario):
    _check_status(prövning, regel, status, bdd_scenario)


@then(parsers.parse('lämnar regel "{regel}" en upplysning'))
def _rule_info(prövning, regel, bdd_scenario):
    _check_status(prövning, regel, "info", bdd_scenario)


@then(parsers.parse('är regel "{regel}" avgörande'))
def _rule_decisive(prövning, regel):
    assert prövning.decided().finding(regel).decisive


@then(parsers.parse('är regel "{regel}" inte avgörande'))
def _rule_not_decisive(prövning, regel):
    assert not prövning.decided().finding(regel).decisive


# -- texts ---------------------------------------------------------------------------------

@then(parsers.parse('innehåller beslutstexten "{fras}"'))
@then(parsers.parse('beslutstexten innehåller "{fras}"'))
def _text_contains(prövning, fras):
    text = prövning.decided().text
    assert fras in text, f"{fras!r} finns inte i beslutstexten:\n{text}"


@then(parsers.parse('innehåller beslutstexten inte "{fras}"'))
@then(parsers.parse('beslutstexten innehåller inte "{fras}"'))
def _text_lacks(prövning, fras):
    text = prövning.decided().text
    assert fras not in text, f"{fras!r} borde inte finnas i beslutstexten:\n{text}"


@then(parsers.parse('innehåller motiveringen för regel "{regel}" "{fras}"'))
def _finding_text(prövning, regel, fras):
    finding = prövning.decided().finding(regel)
    assert fras in finding.text, f"{fras!r} finns inte i {regel}: {finding.text}"


# -- intake --------------------------------------------------------------------------------

@then(parsers.parse('avvisas ansökan vid intaget med fel i fältet "{fält}"'))
def _intake_error(prövning, fält):
    assert prövning.intake_error is not None, f"ansökan togs emot: {prövning.decision.outcome}"
    assert prövning.intake_error.field == fält, str(prövning.intake_error)


@then(parsers.parse('säger felet "{fras}"'))
def _intake_problem(prövning, fras):
    assert prövning.intake_error is not None
    assert fras in prövning.intake_error.problem, prövning.intake_error.problem
