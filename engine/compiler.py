"""Compiling a rulebook for one stretch of dates: conditions resolved, durable-rules and trace made.

Per binding (the rules in force on the receipt date, the parameter values they use), every
condition is resolved (parameters bound, ``rule:`` references inlined, negation pushed down)
and becomes one typed ``Entry``: a rule's condition, its applies_when, its note_when, the
grant's full_when or an eligible outcome's condition. Each entry has a durable-rules
condition (the evaluator of record) and a generated trace function (the reasons).
"""
from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Callable

from . import conditions as C
from .durable import DurableRuleset
from .rulebook import LoadedRule, Rulebook, rule_params

RULE, APPLIES, NOTE, GRANT_FULL, OUTCOME = "rule", "applies", "note", "grant_full", "outcome"
_SUFFIX = {RULE: "", APPLIES: "?applies", NOTE: "!note"}


class Entry:
    """One compiled condition: what it is (``kind``), what it is of (a rule id or an outcome).

    Entries are compared by identity (one set per compiled ruleset), which keeps the
    per-case look-ups as cheap as with strings.
    """

    __slots__ = ("kind", "subject", "name", "condition", "trace")

    def __init__(self, kind: str, subject: str, condition: C.Condition):
        self.kind, self.subject, self.condition = kind, subject, condition
        # The name durable-rules knows the entry by (also what an EngineFault reports).
        self.name = subject + _SUFFIX[kind] if kind in _SUFFIX else (
            "@grant_full" if kind == GRANT_FULL else f"=outcome:{subject}")
        self.trace: Callable[[dict, list], bool] = C.to_trace(condition)

    def __repr__(self) -> str:
        return f"Entry({self.kind}, {self.subject!r})"


class CompiledRuleset:
    """One binding's rules: typed entries, the durable-rules ruleset, the parameter values."""

    def __init__(self, key: str, rules: list[LoadedRule], params: dict[str, Any], entries: list[Entry],
                 durable: DurableRuleset):
        self.key, self.rules, self.params, self.durable = key, rules, params, durable
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by = {(e.kind, e.subject): e for e in entries}
        self.by_name = {e.name: e for e in entries}
        self.meta = None  # what explaining each rule needs (engine.decision.rule_meta makes it once)

    def entry(self, kind: str, subject: str = "") -> Entry | None:
        return self._by.get((kind, subject))

    def rule(self, rule_id: str) -> Entry:
        return self._by[(RULE, rule_id)]


def binding_params(book: Rulebook, rules: list[LoadedRule]) -> list[str]:
    """The parameters a binding needs: of its rules (through the rules in force) and the index."""
    by_id = {r.spec.id: r for r in rules}
    names = {n for rule in rules for n in rule_params(rule, by_id)}
    index_conditions = [book.full_when] + [cond for _, cond in book.outcome_conditions]

    def referenced(rule_id: str) -> list:
        found = by_id.get(rule_id)
        return [found.applies_when, found.when] if found is not None else []

    names |= set(C.params_used(index_conditions, referenced))
    return sorted(names)


def binding_key(rules: list[LoadedRule], params: dict[str, Any]) -> str:
    """A short hash of the rules in force and the parameter values: the binding's name."""
    src = json.dumps([[(r.spec.id, str(r.spec.valid_from)) for r in rules], params], sort_keys=True, default=str)
    return hashlib.sha256(src.encode()).hexdigest()[:10]


def compile_ruleset(book: Rulebook, rules: list[LoadedRule], params: dict[str, Any], key: str) -> CompiledRuleset:
    """Resolve every condition of the binding and build both evaluators."""
    by_id = {r.spec.id: r for r in rules}

    def rule_condition(rule_id: str) -> C.Condition:
        return by_id[rule_id].condition()

    entries: list[Entry] = []

    def add(kind: str, subject: str, cond: C.Condition) -> None:
        entries.append(Entry(kind, subject, C.resolve(cond, params, rule_condition)))

    for rule in rules:
        rid = rule.spec.id
        if rule.applies_when is not None:
            add(APPLIES, rid, rule.applies_when)
        add(RULE, rid, rule.condition())
        if rule.note_when is not None:
            add(NOTE, rid, rule.note_when)
    if book.full_when is not None:
        add(GRANT_FULL, "", book.full_when)
    for outcome, cond in book.outcome_conditions:
        add(OUTCOME, outcome, cond)
    durable = DurableRuleset(f"{book.name}@{book.version}@{key}", book.name,
                             {e.name: C.to_durable(e.condition) for e in entries})
    return CompiledRuleset(key, rules, params, entries, durable)


def rules_and_params(book: Rulebook, param: Callable[[str, date], Any], receipt: date, decision: date):
    """The rules in force for a case and the parameter values its binding uses."""
    rules = book.rules_on(receipt)
    params = {n: param(n, book.param_day(n, receipt, decision)) for n in binding_params(book, rules)}
    return rules, params
