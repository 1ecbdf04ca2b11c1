"""A rule area ready to decide: its rulebook, the compiled rulesets, evaluation; the caches.

``load_area("verksamhetsstod")`` gives the area (loaded once per process and rules content);
``area.decide(application, decision_date)`` returns a Decision. The three stages are apart:
``engine.rulebook`` loads and validates (immutable), ``engine.compiler`` compiles one
binding, and this module evaluates a case and keeps every cache of the three in one place.
"""
from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .compiler import CompiledRuleset, Entry, binding_key, compile_ruleset, rules_and_params
from .decision import build_decision
from .errors import EngineFault
from .facts import FactContext
from .rulebook import DECISION, RECEIPT, Rulebook
from .yamlsource import FolderSource, RuleSource, content_hash, default_rules_root

_MISSING = object()


class Area:
    """An area's rulebook with its caches: parameter values, compiled rulesets by date stretch."""

    def __init__(self, name: str, source: RuleSource | None = None):
        self.book = book = Rulebook(name, source)
        # What readers of an area use most, straight from the (immutable) rulebook.
        self.name, self.source, self.version, self.index, self.spec = book.name, book.source, book.version, book.index, book.spec
        self.facts, self.params, self.param_paths, self.rules = book.facts, book.params, book.param_paths, book.rules
        self.outcome_conditions, self.first_day = book.outcome_conditions, book.first_day
        self._compiled: dict[str, CompiledRuleset] = {}
        self._by_epoch: dict[tuple[int, int], CompiledRuleset] = {}
        self._param_cache: dict[tuple[str, date], Any] = {}
        self._memo: dict[tuple[str, Any], Any] = {}

    def __getattr__(self, name: str):  # the rest of the rulebook: rules_on, rule_ids, param_day, …
        if name == "book":
            raise AttributeError(name)
        return getattr(self.book, name)

    def param(self, name: str, day: date):
        """The value of a parameter in force on a day (cached: values never change in a version)."""
        key = (name, day)
        found = self._param_cache.get(key, _MISSING)
        if found is _MISSING:
            found = self._param_cache[key] = self.book.param_value(name, day)
        return found

    def memo(self, kind: str, key, make):
        """A value derived from this area's rules only (so it never changes): made once per key."""
        found = self._memo.get((kind, key), _MISSING)
        if found is _MISSING:
            found = self._memo[(kind, key)] = make()
        return found

    def processing_target(self, day: date) -> int | None:
        """The processing-time target in days in force on a day (None: the area declares none)."""
        name = self.spec.processing_target
        return self.params[name].at(day) if name and name in self.params else None

    # -- compiled rulesets -------------------------------------------------------------------

    def compiled(self, receipt: date, decision: date) -> CompiledRuleset:
        """The compiled ruleset for a case received and decided on these dates (cached).

        Cached per stretch of unchanged rules and parameters (the rulebook's change days),
        and per binding, so two stretches with the same rules and values share one.
        """
        days = self.book.change_days
        epoch = (bisect.bisect_right(days[RECEIPT], receipt), bisect.bisect_right(days[DECISION], decision))
        found = self._by_epoch.get(epoch)
        if found is None:
            rules, params = rules_and_params(self.book, self.param, receipt, decision)
            key = binding_key(rules, params)
            found = self._compiled.get(key)
            if found is None:
                found = self._compiled[key] = compile_ruleset(self.book, rules, params, key)
            self._by_epoch[epoch] = found
        return found

    # -- evaluation --------------------------------------------------------------------------

    def evaluate(self, application, decision_date: date, extra=None) -> "Evaluation":
        """Facts, the fired set from durable-rules and the trace; they must agree."""
        compiled = self.compiled(application.received, decision_date)

        def rule_holds(rule_id: str, facts: dict) -> bool:
            return compiled.rule(rule_id).trace(facts, [])

        context = FactContext(application.received, decision_date, self.param, rule_holds, extra, self.spec.rules)
        facts = self.facts.derive(application, context)
        fired = compiled.durable.fired(facts)
        traces: dict[Entry, tuple[bool, list]] = {}
        disagreements = {}
        for entry in compiled.entries:
            out: list = []
            result = entry.trace(facts, out)
            traces[entry] = (result, out)
            if (entry.name in fired) != result:
                disagreements[entry.name] = (not result, result)
        if disagreements:
            raise EngineFault(application.application_id or "?", disagreements)
        return Evaluation(self, compiled, application, decision_date, facts, traces)

    def decide(self, application, decision_date: date, extra=None):
        return build_decision(self.evaluate(application, decision_date, extra))


@dataclass
class Evaluation:
    area: Area
    compiled: CompiledRuleset
    application: Any
    decision_date: date
    facts: dict[str, Any]
    traces: dict[Entry, tuple[bool, list]] = field(default_factory=dict)

    def holds(self, entry: Entry) -> bool:
        return self.traces[entry][0]


_AREAS: dict[tuple[str, str], Area] = {}
_BY_FINGERPRINT: dict[tuple, Area] = {}
# The default rules folder is looked at again at most this often: a long-running process
# picks up changed rule files, and a batch does not stat every file for every case.
RECHECK_SECONDS = 2.0
_RECENT: dict[tuple, tuple[float, Area]] = {}


def load_area(name: str, source: RuleSource | None = None) -> Area:
    """The area, loaded once per process and per rules content.

    For a folder, the files' names, sizes and modification times are checked on each call
    (cheap), and the content hash only when they changed; a DictSource is hashed.
    """
    default = source is None
    if default:
        root = default_rules_root()
        recent = _RECENT.get((name, root))
        if recent is not None and time.monotonic() - recent[0] < RECHECK_SECONDS:
            return recent[1]
        source = FolderSource(root)
    fingerprint = source.fingerprint(name) if hasattr(source, "fingerprint") else None
    area = _BY_FINGERPRINT.get(fingerprint) if fingerprint is not None else None
    if area is None:
        key = (name, content_hash(source, name))
        if key not in _AREAS:
            _AREAS[key] = Area(name, source)
        area = _AREAS[key]
        if fingerprint is not None:
            _BY_FINGERPRINT[fingerprint] = area
    if default:
        _RECENT[(name, root)] = (time.monotonic(), area)
    return area


def load_areas(root=None, only: str | None = None) -> list[Area]:
    """The areas of a rules folder (rules/ by default), or ``only`` one: the registered ones
    with rule files there, in the registry's order, then any other area folder (an index.yaml
    naming its package)."""
    from .registry import names

    source = FolderSource(root if root is not None else default_rules_root())
    known = names()
    wanted = [only] if only else ([a for a in known if source.paths(a)]
                                  + [a for a in source.areas() if a not in known])
    if root is None:
        return [load_area(a) for a in wanted]
    return [Area(a, source) for a in wanted]


def processing_target(kind: str, day: date) -> int | None:
    """The processing-time target (days) of the area of a kind of case, in force on a day."""
    from .registry import spec_for_kind

    return load_area(spec_for_kind(kind).name).processing_target(day)
