"""The decision envelope: outcome, decisive rules, amounts, a finding for every rule, text."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Optional

from .compiler import APPLIES, GRANT_FULL, NOTE, OUTCOME, Entry
from .dates import Month, months_between
from .explain import deadline, render
from .letter import letter_text

MET, NOT_MET, NOT_APPLICABLE, INFO = "met", "not_met", "not_applicable", "info"


def plain_copy(value):
    """A copy of plain data (dicts, lists, tuples of scalars), much cheaper than deepcopy."""
    kind = type(value)
    if kind is dict:
        return {key: plain_copy(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return kind(plain_copy(item) for item in value)
    return value if kind in (int, str, float, bool) or value is None else copy.deepcopy(value)


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
    comparisons: list[dict]  # {fact, op, expected, actual, result}, as the trace recorded them
    note: Optional[str] = None

    def to_dict(self, shared: bool = False) -> dict:
        """The finding as a mapping; ``shared``: its basis, facts and comparisons are the finding's
        own (for a caller that only writes them out), else copies."""
        if shared:
            basis, facts, comparisons = self.basis, self.facts, self.comparisons
        else:
            basis, facts = [dict(b) for b in self.basis], dict(self.facts)
            comparisons = [{**c, "expected": list(c["expected"])} if type(c["expected"]) is list else dict(c)
                           for c in self.comparisons]
        return {"rule_id": self.rule_id, "title": self.title, "group": self.group, "status": self.status,
                "decisive": self.decisive, "text": self.text, "basis": basis, "facts": facts,
                "comparisons": comparisons, "note": self.note}


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
        out["parameters"] = plain_copy(self.parameters)
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
    rule: Entry  # the compiled entry of the rule's condition
    applies: Optional[Entry]  # of its applies_when condition
    note: Optional[Entry]  # of its note_when condition (when the rule has a note text)
    basis: list
    title: str
    shows: tuple  # facts its finding shows besides those its conditions read
    texts: dict  # status -> its template (not_applicable: None when the rule has none of its own)


def rule_meta(compiled) -> list[RuleMeta]:
    """What explaining each rule of a compiled ruleset needs (made once, kept with it)."""
    if compiled.meta is None:
        compiled.meta = [RuleMeta(r.spec.id, r.spec, r.spec.group, compiled.rule(r.spec.id),
                                  compiled.entry(APPLIES, r.spec.id),
                                  compiled.entry(NOTE, r.spec.id) if r.spec.text.note else None,
                                  [b.model_dump() for b in r.spec.basis], r.spec.title, tuple(r.spec.shows),
                                  {MET: r.spec.text.met, INFO: r.spec.text.met, NOT_MET: r.spec.text.not_met,
                                   NOT_APPLICABLE: r.spec.text.not_applicable or None})
                         for r in compiled.rules]
    return compiled.meta


def build_decision(ev) -> Decision:
    """Apply the area's precedence to the evaluated rules and explain the result."""
    area, compiled, app, facts = ev.area, ev.compiled, ev.application, ev.facts
    params = dict(compiled.params)
    metas = rule_meta(compiled)
    status = _statuses(metas, ev.traces)
    outcome, decisive, grant = _outcome(ev, metas, status)
    if grant is None:
        for m in metas:
            if m.group == "amount":
                status[m.rule_id] = NOT_APPLICABLE
    findings = _findings(ev, metas, status, set(decisive), outcome, params)
    completion, requests = _completion(ev, metas, outcome, decisive, params)
    params.update(_parameters_used(area, facts, grant is not None))
    amount, level, period = grant if grant is not None else (None, None, None)
    return Decision(
        application_id=app.application_id or "", kind=app.kind, received=app.received.isoformat(),
        decision_date=ev.decision_date.isoformat(), outcome=outcome,
        outcome_title=area.index.outcome_titles.get(outcome, outcome), decisive_rules=decisive,
        amount_sek=amount, level=level, granted_period=period, completion_deadline=completion,
        findings=findings,
        ruleset={"area": area.name, "version": area.version, "binding": compiled.key,
                 "name": compiled.durable.name},
        parameters=params, requests=requests, _render=lambda d: letter_text(d, area, app))


def _statuses(metas: list[RuleMeta], traces) -> dict[str, str]:
    status: dict[str, str] = {}
    for m in metas:
        if m.applies is not None and not traces[m.applies][0]:
            status[m.rule_id] = NOT_APPLICABLE
        elif traces[m.rule][0]:
            status[m.rule_id] = INFO if m.group == "info" else MET
        else:
            status[m.rule_id] = NOT_MET
    return status


def _outcome(ev, metas: list[RuleMeta], status: dict[str, str]):
    """(outcome, decisive rule ids, (amount, level, period) of a grant or None), by precedence."""
    index, traces, compiled, facts = ev.area.index, ev.traces, ev.compiled, ev.facts
    for group in index.groups:
        if group.outcome is None:
            continue
        failed = [m.rule_id for m in metas if status[m.rule_id] == NOT_MET and m.group == group.id]
        if failed:
            return group.outcome, sorted(failed), None
    if index.grant is not None:
        outcome = index.grant.full_outcome if traces[compiled.entry(GRANT_FULL)][0] else index.grant.partial_outcome
        decisive = sorted(m.rule_id for m in metas if m.group == "amount" and status[m.rule_id] == MET)
        named = ev.area.spec.grant_facts
        period = {"start_month": facts[named["start_month"]], "end_month": facts[named["end_month"]]}
        return outcome, decisive, (facts[named["amount"]], facts[named["level"]], period)
    outcome = next((name for name, _ in ev.area.outcome_conditions if traces[compiled.entry(OUTCOME, name)][0]),
                   index.eligible_outcome or "eligible")
    return outcome, [], None


def _findings(ev, metas: list[RuleMeta], status: dict[str, str], decisive: set[str], outcome: str,
              params: dict) -> list[Finding]:
    traces, facts, receipt = ev.traces, ev.facts, ev.application.received
    findings = []
    add = findings.append
    for m in metas:
        rid = m.rule_id
        raw = traces[m.applies][1] + traces[m.rule][1] if m.applies is not None else traces[m.rule][1]
        shown = {}
        for c in raw:
            shown[c["fact"]] = c["actual"]
        for name in m.shows:
            shown[name] = facts[name]
        st = status[rid]
        template = m.texts[st]
        if template is None:
            template = _not_applicable_default(m.group, outcome)
        note = render(m.spec.text.note, facts, params, receipt) if m.note is not None and traces[m.note][0] else None
        add(Finding(rid, m.title, m.group, st, rid in decisive, render(template, facts, params, receipt), m.basis,
                    shown, raw, note))
    return findings


def _completion(ev, metas: list[RuleMeta], outcome: str, decisive: list[str], params: dict):
    """(deadline, items to send) when the outcome asks for completion; adds the deadline's parameter."""
    completeness_group = next((g for g in ev.area.index.groups if g.id == "completeness"), None)
    if not completeness_group or outcome != completeness_group.outcome:
        return None, []
    name = ev.area.spec.parameters["completion_deadline"]
    days = params[name] = ev.area.param(name, ev.decision_date)
    by_id = {m.rule_id: m.spec for m in metas}
    requests = [render(by_id[rid].text.request or by_id[rid].text.not_met, ev.facts, params, ev.application.received)
                for rid in decisive]
    return deadline(ev.decision_date, days).isoformat(), requests


def _not_applicable_default(group: str, outcome: str) -> str:
    if group == "amount":
        return f"Prövas inte: belopp och period beräknas bara vid bifall (utfallet är {outcome})."
    return "Prövas inte i detta ärende."


def _parameters_used(area, facts, granted: bool) -> dict:
    """The month-by-month values a grant used, keyed by parameter then school month."""
    named = area.spec.grant_facts
    if not granted or not facts.get(named["start_month"]):
        return {}
    start, end = facts[named["start_month"]], facts[named["end_month"]]

    def monthly() -> dict:
        gaps = area.spec.parameters.get("non_school_months")
        excluded = area.param(gaps, Month.parse(start).first_day) if gaps in area.params else []
        months = [m for m in months_between(Month.parse(start), Month.parse(end)) if m.month not in excluded]
        return {name: {str(m): area.param(name, m.first_day) for m in months}
                for name, spec in area.params.items() if spec.applies_at == "month"}

    found = area.memo("monthly_parameters", (start, end), monthly)
    return {name: dict(values) for name, values in found.items()}
