"""The decision envelope: outcome, decisive rules, amounts, a finding for every rule, text."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Optional

from .explain import deadline, render
from .texts import decision_text

MET, NOT_MET, NOT_APPLICABLE, INFO = "met", "not_met", "not_applicable", "info"


@dataclass
class Comparison:
    fact: str
    op: str
    expected: Any
    actual: Any
    result: bool


@dataclass
class Finding:
    rule_id: str
    title: str
    group: str
    status: str  # met, not_met, not_applicable, info
    decisive: bool
    text: str
    basis: list[dict]
    facts: dict[str, Any]
    comparisons: list[Comparison]
    note: Optional[str] = None


@dataclass
class Decision:
    application_id: str
    kind: str
    received: str
    decision_date: str
    outcome: str
    outcome_title: str
    decisive_rules: list[str]
    amount_sek: Optional[int]
    level: Optional[int]
    granted_period: Optional[dict]
    completion_deadline: Optional[str]
    findings: list[Finding]
    ruleset: dict
    parameters: dict[str, Any]
    text: str = ""
    requests: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def finding(self, rule_id: str) -> Finding:
        return next(f for f in self.findings if f.rule_id == rule_id)


def build_decision(ev) -> Decision:
    """Apply the area's precedence to the evaluated rules and explain the result."""
    from .area import APPLIES, FULL, NOTE

    area, compiled, app, facts = ev.area, ev.compiled, ev.application, ev.facts
    index = area.index
    params = dict(compiled.params)
    receipt = app.received

    status: dict[str, str] = {}
    for rule in compiled.rules:
        rid = rule.spec.id
        applies = ev.holds(rid + APPLIES) if rule.applies_when is not None else True
        if not applies:
            status[rid] = NOT_APPLICABLE
        elif rule.spec.group == "info":
            status[rid] = INFO if ev.holds(rid) else NOT_MET
        else:
            status[rid] = MET if ev.holds(rid) else NOT_MET

    outcome, decisive = None, []
    for group in index.groups:
        if group.outcome is None:
            continue
        failed = [r.spec.id for r in compiled.rules if r.spec.group == group.id and status[r.spec.id] == NOT_MET]
        if failed:
            outcome, decisive = group.outcome, sorted(failed)
            break

    amount = level = period = None
    granted = False
    if outcome is None and index.grant is not None:
        granted = True
        outcome = index.grant.full_outcome if ev.holds(FULL) else index.grant.partial_outcome
        decisive = sorted(r.spec.id for r in compiled.rules if r.spec.group == "amount" and status[r.spec.id] == MET)
        amount, level = facts["amount.granted_sek"], facts["amount.level"]
        period = {"start_month": facts["period.granted_start"], "end_month": facts["period.granted_end"]}
    elif outcome is None:
        outcome = index.eligible_outcome or "eligible"
    if not granted:
        for r in compiled.rules:
            if r.spec.group == "amount":
                status[r.spec.id] = NOT_APPLICABLE

    findings = []
    for rule in compiled.rules:
        rid, spec = rule.spec.id, rule.spec
        comparisons = [Comparison(*c) for c in ev.traces[rid][1]]
        if rule.applies_when is not None:
            comparisons = [Comparison(*c) for c in ev.traces[rid + APPLIES][1]] + comparisons
        shown = {c.fact: c.actual for c in comparisons}
        for name in spec.shows:
            shown[name] = facts[name]
        st = status[rid]
        if st in (MET, INFO):
            template = spec.text.met
        elif st == NOT_MET:
            template = spec.text.not_met
        else:
            template = spec.text.not_applicable or _not_applicable_default(spec.group, outcome)
        note = None
        if rule.note_when is not None and ev.holds(rid + NOTE) and spec.text.note:
            note = render(spec.text.note, facts, params, receipt)
        findings.append(Finding(
            rule_id=rid, title=spec.title, group=spec.group, status=st, decisive=rid in decisive,
            text=render(template, facts, params, receipt),
            basis=_basis(spec), facts=shown, comparisons=comparisons, note=note))

    completion = None
    requests: list[str] = []
    completeness_group = next((g for g in index.groups if g.id == "completeness"), None)
    if completeness_group and outcome == completeness_group.outcome:
        days = area.param("completion_deadline_days", ev.decision_date)
        params["completion_deadline_days"] = days
        completion = deadline(ev.decision_date, days).isoformat()
        by_id = {r.spec.id: r.spec for r in compiled.rules}
        for rid in decisive:
            spec = by_id[rid]
            requests.append(render(spec.text.request or spec.text.not_met, facts, params, receipt))

    used = _parameters_used(area, compiled, facts, granted)
    params.update(used)
    decision = Decision(
        application_id=app.application_id or "", kind=app.kind, received=receipt.isoformat(),
        decision_date=ev.decision_date.isoformat(), outcome=outcome,
        outcome_title=index.outcome_titles.get(outcome, outcome), decisive_rules=decisive,
        amount_sek=amount, level=level, granted_period=period, completion_deadline=completion,
        findings=findings,
        ruleset={"area": area.name, "version": area.version, "binding": compiled.key,
                 "name": compiled.durable.name},
        parameters=params, requests=requests)
    decision.text = decision_text(decision, area, app)
    return decision


_BASIS: dict[int, list[dict]] = {}


def _basis(spec) -> list[dict]:
    """The rule's basis as plain dicts (made once per rule version)."""
    found = _BASIS.get(id(spec))
    if found is None:
        found = _BASIS[id(spec)] = [b.model_dump() for b in spec.basis]
    return found


def _not_applicable_default(group: str, outcome: str) -> str:
    if group == "amount":
        return f"Prövas inte: belopp och period beräknas bara vid bifall (utfallet är {outcome})."
    return "Prövas inte i detta ärende."


def _parameters_used(area, compiled, facts, granted: bool) -> dict:
    """The month-by-month values a grant used, keyed by parameter then month."""
    if not granted or not facts.get("period.granted_start"):
        return {}
    from .dates import Month, months_between

    months = months_between(Month.parse(facts["period.granted_start"]), Month.parse(facts["period.granted_end"]))
    return {name: {str(m): area.param(name, m.first_day) for m in months}
            for name, spec in area.params.items() if spec.applies_at == "month"}
