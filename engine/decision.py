"""The decision envelope: outcome, decisive rules, amounts, a finding for every rule, text."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Callable, Optional

from .explain import deadline, render
from .letter import letter_text

MET, NOT_MET, NOT_APPLICABLE, INFO = "met", "not_met", "not_applicable", "info"


COMPARISON_FIELDS = ("fact", "op", "expected", "actual", "result")


def comparison_dict(comparison: tuple) -> dict:
    """One comparison the trace recorded: (fact, op, expected, actual, result) as a mapping."""
    fact, op, expected, actual, result = comparison
    return {"fact": fact, "op": op, "expected": list(expected) if isinstance(expected, tuple) else expected,
            "actual": actual, "result": result}


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
    comparisons: list[tuple]  # (fact, op, expected, actual, result), as the trace recorded them
    note: Optional[str] = None

    def to_dict(self) -> dict:
        return {"rule_id": self.rule_id, "title": self.title, "group": self.group, "status": self.status,
                "decisive": self.decisive, "text": self.text, "basis": [dict(b) for b in self.basis],
                "facts": dict(self.facts), "comparisons": [comparison_dict(c) for c in self.comparisons],
                "note": self.note}


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
    requests: list[str] = field(default_factory=list)
    # The whole Swedish text is made from the findings when first read (a batch that only
    # stores outcomes does not pay for it); setting it replaces it.
    _text: Optional[str] = field(default=None, repr=False, compare=False)
    _render: Optional[Callable[["Decision"], str]] = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._render(self) if self._render is not None else ""
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text = value

    def to_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}
        out["findings"] = [f.to_dict() for f in self.findings]
        out["decisive_rules"] = list(self.decisive_rules)
        out["granted_period"] = dict(self.granted_period) if self.granted_period else None
        out["ruleset"] = dict(self.ruleset)
        out["parameters"] = copy.deepcopy(self.parameters)
        out["requests"] = list(self.requests)
        out["text"] = self.text
        return out

    def finding(self, rule_id: str) -> Finding:
        return next(f for f in self.findings if f.rule_id == rule_id)


@dataclass(frozen=True)
class RuleMeta:
    """What explaining one rule needs, worked out once per compiled ruleset."""

    rule_id: str
    spec: Any
    group: str
    applies: Optional[str]  # trace entry of the applies_when condition
    note: Optional[str]  # trace entry of the note_when condition
    basis: list


def rule_meta(compiled) -> list[RuleMeta]:
    from .area import APPLIES, NOTE

    meta = getattr(compiled, "_meta", None)
    if meta is None:
        meta = [RuleMeta(r.spec.id, r.spec, r.spec.group,
                         r.spec.id + APPLIES if r.applies_when is not None else None,
                         r.spec.id + NOTE if r.note_when is not None and r.spec.text.note else None,
                         _basis(r.spec))
                for r in compiled.rules]
        compiled._meta = meta
    return meta


def build_decision(ev) -> Decision:
    """Apply the area's precedence to the evaluated rules and explain the result."""
    from .area import FULL

    area, compiled, app, facts, traces = ev.area, ev.compiled, ev.application, ev.facts, ev.traces
    index = area.index
    params = dict(compiled.params)
    receipt = app.received
    metas = rule_meta(compiled)

    status: dict[str, str] = {}
    for m in metas:
        if m.applies is not None and not traces[m.applies][0]:
            status[m.rule_id] = NOT_APPLICABLE
        elif traces[m.rule_id][0]:
            status[m.rule_id] = INFO if m.group == "info" else MET
        else:
            status[m.rule_id] = NOT_MET

    outcome, decisive = None, []
    for group in index.groups:
        if group.outcome is None:
            continue
        failed = [m.rule_id for m in metas if m.group == group.id and status[m.rule_id] == NOT_MET]
        if failed:
            outcome, decisive = group.outcome, sorted(failed)
            break

    amount = level = period = None
    granted = False
    if outcome is None and index.grant is not None:
        granted = True
        outcome = index.grant.full_outcome if traces[FULL][0] else index.grant.partial_outcome
        decisive = sorted(m.rule_id for m in metas if m.group == "amount" and status[m.rule_id] == MET)
        amount, level = facts["amount.granted_sek"], facts["amount.level"]
        period = {"start_month": facts["period.granted_start"], "end_month": facts["period.granted_end"]}
    elif outcome is None:
        from .area import OUTCOME

        outcome = next((name for name, _ in area.outcome_conditions if traces[OUTCOME + name][0]),
                       index.eligible_outcome or "eligible")
    if not granted:
        for m in metas:
            if m.group == "amount":
                status[m.rule_id] = NOT_APPLICABLE

    findings = []
    decisive_set = set(decisive)
    for m in metas:
        rid, text = m.rule_id, m.spec.text
        raw = traces[m.applies][1] + traces[rid][1] if m.applies is not None else traces[rid][1]
        shown = {c[0]: c[3] for c in raw}
        for name in m.spec.shows:
            shown[name] = facts[name]
        st = status[rid]
        if st == MET or st == INFO:
            template = text.met
        elif st == NOT_MET:
            template = text.not_met
        else:
            template = text.not_applicable or _not_applicable_default(m.group, outcome)
        note = render(text.note, facts, params, receipt) if m.note is not None and traces[m.note][0] else None
        findings.append(Finding(rid, m.spec.title, m.group, st, rid in decisive_set,
                                render(template, facts, params, receipt), m.basis, shown, raw, note))

    completion = None
    requests: list[str] = []
    completeness_group = next((g for g in index.groups if g.id == "completeness"), None)
    if completeness_group and outcome == completeness_group.outcome:
        days = area.param("completion_deadline_days", ev.decision_date)
        params["completion_deadline_days"] = days
        completion = deadline(ev.decision_date, days).isoformat()
        by_id = {m.rule_id: m.spec for m in metas}
        for rid in decisive:
            spec = by_id[rid]
            requests.append(render(spec.text.request or spec.text.not_met, facts, params, receipt))

    params.update(_parameters_used(area, facts, granted))
    decision = Decision(
        application_id=app.application_id or "", kind=app.kind, received=receipt.isoformat(),
        decision_date=ev.decision_date.isoformat(), outcome=outcome,
        outcome_title=index.outcome_titles.get(outcome, outcome), decisive_rules=decisive,
        amount_sek=amount, level=level, granted_period=period, completion_deadline=completion,
        findings=findings,
        ruleset={"area": area.name, "version": area.version, "binding": compiled.key,
                 "name": compiled.durable.name},
        parameters=params, requests=requests, _render=lambda d: letter_text(d, area, app))
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


_MONTHLY: dict[tuple, dict] = {}


def _parameters_used(area, facts, granted: bool) -> dict:
    """The month-by-month values a grant used, keyed by parameter then school month."""
    if not granted or not facts.get("period.granted_start"):
        return {}
    key = (area.version, facts["period.granted_start"], facts["period.granted_end"])
    found = _MONTHLY.get(key)
    if found is None:
        from .dates import Month, months_between

        excluded = area.param("non_school_months", Month.parse(key[1]).first_day) if "non_school_months" in area.params else []
        months = [m for m in months_between(Month.parse(key[1]), Month.parse(key[2])) if m.month not in excluded]
        found = _MONTHLY[key] = {name: {str(m): area.param(name, m.first_day) for m in months}
                                 for name, spec in area.params.items() if spec.applies_at == "month"}
    return {name: dict(values) for name, values in found.items()}
