"""A rule area (verksamhetsstöd, CSI): loaded and validated once, compiled per date binding.

``Area.load("verksamhetsstod")`` reads ``rules/verksamhetsstod/`` through a RuleSource,
checks every file against the schema (errors name file, line and rule id) and is then
ready to decide: ``area.decide(application, decision_date)`` returns a Decision.
"""
from __future__ import annotations

import bisect
import time
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from . import conditions as C
from .durable import DurableRuleset
from .errors import EngineFault, RuleFileError
from .explain import FORMATS, placeholders
from .facts import FactContext, FactSet, fact_set
from .labels import AreaLabels, parse_labels, register as register_labels
from .schema import AreaIndex, ParameterFile, RuleFile, RuleSpec
from .yamlsource import FolderSource, RuleSource, content_hash, default_rules_root, line_of, parse_yaml

APPLIES, NOTE, FULL = "?applies", "!note", "@grant_full"
OUTCOME = "=outcome:"  # entry of an eligible_outcomes condition, + the outcome
_MISSING = object()


@dataclass(frozen=True)
class LoadedRule:
    spec: RuleSpec
    path: str
    line: int | None
    applies_when: C.Condition | None
    when: C.Condition
    note_when: C.Condition | None


@dataclass
class Compiled:
    """One binding's rules: conditions resolved, durable ruleset made, trace functions built."""

    key: str
    rules: list[LoadedRule]
    params: dict[str, Any]
    entries: dict[str, tuple[C.Condition, Any]]  # entry name -> (resolved condition, trace fn)
    durable: DurableRuleset


def _schema_error(path: str, raw, error: ValidationError, rule_id: str | None = None) -> RuleFileError:
    errors = error.errors(include_url=False)
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    first = extra[0] if extra else errors[0]
    loc = first["loc"]
    if rule_id is None and len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        try:
            rule_id = raw["rules"][loc[1]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
    where = ".".join(str(p) for p in loc)
    if extra:
        # A misspelt field shows as one unknown and one missing field under the same parent.
        missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == loc[:-1]]
        problem = f"{where}: unknown field '{loc[-1]}'{C.suggest(str(loc[-1]), missing)}"
    else:
        problem = f"{where}: {first['msg']}"
    return RuleFileError(path, problem, line_of(raw, loc[:-1] if extra else loc), rule_id)


class Area:
    def __init__(self, name: str, source: RuleSource | None = None):
        self.name = name
        self.source = source or FolderSource(default_rules_root())
        paths = self.source.paths(name)
        if not paths:
            raise RuleFileError(f"{name}/", f"no rule files found for area '{name}' in {self.source!r}")
        self.version = content_hash(self.source, name)
        index_path = f"{name}/index.yaml"
        if index_path not in paths:
            raise RuleFileError(index_path, "missing: every area needs an index.yaml")
        raw_index = parse_yaml(self.source.read(index_path), index_path)
        try:
            self.index = AreaIndex.model_validate(raw_index)
        except ValidationError as error:
            raise _schema_error(index_path, raw_index, error) from None
        try:
            self.facts: FactSet = fact_set(self.index.facts)
        except KeyError:
            raise RuleFileError(index_path, f"unknown fact set '{self.index.facts}'", getattr(raw_index, "line", None)) from None
        self.params: dict[str, ParameterFile] = {}
        self.param_paths: dict[str, str] = {}
        raw_rules: list[tuple[str, Any, RuleSpec]] = []
        labels_path = f"{name}/labels.yaml"
        self.labels = AreaLabels()
        if labels_path in paths:
            self.labels = parse_labels(parse_yaml(self.source.read(labels_path), labels_path), labels_path)
            register_labels(self.labels)
        for path in paths:
            if path in (index_path, labels_path):
                continue
            raw = parse_yaml(self.source.read(path), path)
            if "/parameters/" in path:
                pname = path.rsplit("/", 1)[1].removesuffix(".yaml")
                if pname == "index":
                    continue
                try:
                    self.params[pname] = ParameterFile.model_validate(raw)
                except ValidationError as error:
                    raise _schema_error(path, raw, error) from None
                self.param_paths[pname] = path
            else:
                try:
                    rule_file = RuleFile.model_validate(raw)
                except ValidationError as error:
                    raise _schema_error(path, raw, error) from None
                for i, spec in enumerate(rule_file.rules):
                    raw_rules.append((path, raw["rules"][i], spec))
        order = {g.id: i for i, g in enumerate(self.index.groups)}
        loaded = self._parse_conditions(raw_rules)
        # Findings read in the policy's order: by group precedence, then as written.
        self.rules = sorted(loaded, key=lambda r: order.get(r.spec.group, len(order)))
        self._compiled: dict[str, Compiled] = {}
        self._by_epoch: dict[tuple[int, int], Compiled] = {}
        self._param_cache: dict[tuple[str, date], Any] = {}
        self.first_day = min(r.spec.valid_from for r in self.rules)

    # -- loading -------------------------------------------------------------------------

    def _parse_conditions(self, raw_rules) -> list[LoadedRule]:
        ids = {spec.id for _, _, spec in raw_rules}
        types = self.facts.types
        loaded, seen = [], {}
        for path, raw, spec in raw_rules:
            line = getattr(raw, "line", None)
            for earlier in seen.get(spec.id, []):
                if _overlaps(earlier, spec):
                    raise RuleFileError(path, f"two versions of {spec.id} are valid on the same day; "
                                        "end the older one (valid_to) before the newer one starts", line, spec.id)
            seen.setdefault(spec.id, []).append(spec)
            for name in spec.shows:
                if name not in types:
                    raise RuleFileError(path, f"shows: unknown fact '{name}'{C.suggest(name, types)}", line, spec.id)
            self._check_texts(path, line, spec, types)
            parsed = {}
            for key in ("applies_when", "when", "note_when"):
                value = raw.get(key)
                if value is None:
                    parsed[key] = None
                    continue
                try:
                    parsed[key] = C.parse(value, types, self.params, ids, getattr(value, "line", line))
                except C.ConditionError as error:
                    raise RuleFileError(path, f"{key}: {error.problem}", error.line or line, spec.id) from None
            loaded.append(LoadedRule(spec, path, line, parsed["applies_when"], parsed["when"], parsed["note_when"]))
        if self.index.grant is not None:
            try:
                self._full_when = C.parse(self.index.grant.full_when, types, self.params, ids)
            except C.ConditionError as error:
                raise RuleFileError(f"{self.name}/index.yaml", f"grant.full_when: {error.problem}", error.line) from None
            if self.index.grant.netting_rule and self.index.grant.netting_rule not in ids:
                raise RuleFileError(f"{self.name}/index.yaml", f"grant.netting_rule: unknown rule '{self.index.grant.netting_rule}'")
        self.outcome_conditions: list[tuple[str, C.Condition]] = []
        for i, item in enumerate(self.index.eligible_outcomes):
            try:
                self.outcome_conditions.append((item.outcome, C.parse(item.when, types, self.params, ids)))
            except C.ConditionError as error:
                raise RuleFileError(f"{self.name}/index.yaml", f"eligible_outcomes[{i}].when: {error.problem}", error.line) from None
        return loaded

    def _check_texts(self, path, line, spec: RuleSpec, types) -> None:
        for key, template in spec.text.model_dump().items():
            for name, fmt in placeholders(template or ""):
                if name.startswith("param:"):
                    if name[6:] not in self.params:
                        raise RuleFileError(path, f"text.{key}: unknown parameter '{name[6:]}'{C.suggest(name[6:], self.params)}", line, spec.id)
                elif name not in types:
                    raise RuleFileError(path, f"text.{key}: unknown fact '{name}'{C.suggest(name, types)}", line, spec.id)
                if fmt is not None and fmt not in FORMATS:
                    raise RuleFileError(path, f"text.{key}: unknown format '|{fmt}'{C.suggest(fmt, FORMATS)}", line, spec.id)

    # -- parameters and rules in force ---------------------------------------------------

    def param(self, name: str, day: date):
        """The value of a parameter in force on a day (cached: values never change in a version)."""
        key = (name, day)
        found = self._param_cache.get(key, _MISSING)
        if found is _MISSING:
            found = self._param_cache[key] = self._param_uncached(name, day)
        return found

    def _param_uncached(self, name: str, day: date):
        if name not in self.params:
            raise KeyError(f"unknown parameter '{name}'{C.suggest(name, self.params)}")
        value = self.params[name].at(day)
        if value is None:
            raise RuleFileError(self.param_paths[name], f"parameter '{name}' has no value on {day}")
        return value

    def param_day(self, name: str, receipt: date, decision: date) -> date:
        return decision if self.params[name].applies_at == "decision" else receipt

    def rules_on(self, day: date) -> list[LoadedRule]:
        return [r for r in self.rules if r.spec.valid_on(day)]

    def rule_ids(self) -> list[str]:
        return sorted({r.spec.id for r in self.rules}, key=_rule_sort_key)

    # -- compilation ---------------------------------------------------------------------

    def _epoch_key(self, receipt: date, decision: date) -> tuple[int, int]:
        """Which stretch of unchanged rules and parameters each date falls in."""
        if not hasattr(self, "_change_days"):
            receipt_days, decision_days = set(), set()
            for rule in self.rules:
                receipt_days.add(rule.spec.valid_from)
                if rule.spec.valid_to:
                    receipt_days.add(rule.spec.valid_to + timedelta(days=1))
            for spec in self.params.values():
                days = decision_days if spec.applies_at == "decision" else receipt_days
                days.update(spec.values)
                if spec.valid_to:
                    days.add(spec.valid_to + timedelta(days=1))
            self._change_days = (sorted(receipt_days), sorted(decision_days))
        return (bisect.bisect_right(self._change_days[0], receipt),
                bisect.bisect_right(self._change_days[1], decision))

    def compiled(self, receipt: date, decision: date) -> Compiled:
        """The compiled ruleset for a case received and decided on these dates (cached)."""
        epoch = self._epoch_key(receipt, decision)
        found = self._by_epoch.get(epoch)
        if found is None:
            found = self._by_epoch[epoch] = self._compile(receipt, decision)
        return found

    def _compile(self, receipt: date, decision: date) -> Compiled:
        rules = self.rules_on(receipt)
        by_id = {r.spec.id: r for r in rules}
        conds = [c for r in rules for c in (r.applies_when, r.when, r.note_when) if c is not None]
        if self.index.grant is not None:
            conds.append(self._full_when)
        conds.extend(cond for _, cond in self.outcome_conditions)
        names = {n for c in conds for n in _params_in(c, by_id)}
        for rule in rules:
            for template in rule.spec.text.model_dump().values():
                names |= {n[6:] for n, _ in placeholders(template or "") if n.startswith("param:")}
        names = sorted(names)
        params = {n: self.param(n, self.param_day(n, receipt, decision)) for n in names}
        key_src = json.dumps([[(r.spec.id, str(r.spec.valid_from)) for r in rules], params], sort_keys=True, default=str)
        key = hashlib.sha256(key_src.encode()).hexdigest()[:10]
        if key in self._compiled:
            return self._compiled[key]

        def rule_condition(rule_id: str) -> C.Condition:
            rule = by_id[rule_id]
            return C.All((rule.applies_when, rule.when)) if rule.applies_when else rule.when

        entries: dict[str, tuple[C.Condition, Any]] = {}

        def add(name, cond):
            resolved = C.resolve(cond, params, rule_condition)
            entries[name] = (resolved, C.to_trace(resolved))

        for rule in rules:
            rid = rule.spec.id
            if rule.applies_when is not None:
                add(rid + APPLIES, rule.applies_when)
            add(rid, rule_condition(rid))
            if rule.note_when is not None:
                add(rid + NOTE, rule.note_when)
        if self.index.grant is not None:
            add(FULL, self._full_when)
        for outcome, cond in self.outcome_conditions:
            add(OUTCOME + outcome, cond)
        durable = DurableRuleset(f"{self.name}@{self.version}@{key}", self.name,
                                 {name: C.to_durable(cond) for name, (cond, _) in entries.items()})
        compiled = Compiled(key, rules, params, entries, durable)
        self._compiled[key] = compiled
        return compiled

    # -- evaluation ----------------------------------------------------------------------

    def evaluate(self, application, decision_date: date, extra=None) -> "Evaluation":
        """Facts, the fired set from durable-rules and the trace; they must agree."""
        compiled = self.compiled(application.received, decision_date)

        def rule_holds(rule_id: str, facts: dict) -> bool:
            return compiled.entries[rule_id][1](facts, [])

        context = FactContext(application.received, decision_date, self.param, rule_holds, extra)
        facts = self.facts.derive(application, context)
        fired = compiled.durable.fired(facts)
        traces: dict[str, tuple[bool, list]] = {}
        for name, (_, trace) in compiled.entries.items():
            out: list = []
            traces[name] = (trace(facts, out), out)
        disagreements = {name: (name in fired, result) for name, (result, _) in traces.items()
                         if (name in fired) != result}
        if disagreements:
            raise EngineFault(application.application_id or "?", disagreements)
        return Evaluation(self, compiled, application, decision_date, facts, traces)

    def decide(self, application, decision_date: date, extra=None):
        from .decision import build_decision

        return build_decision(self.evaluate(application, decision_date, extra))


@dataclass
class Evaluation:
    area: Area
    compiled: Compiled
    application: Any
    decision_date: date
    facts: dict[str, Any]
    traces: dict[str, tuple[bool, list]] = field(default_factory=dict)

    def holds(self, name: str) -> bool:
        return self.traces[name][0]


def _overlaps(a: RuleSpec, b: RuleSpec) -> bool:
    a_end, b_end = a.valid_to or date.max, b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def _params_in(cond, by_id, seen=None) -> set[str]:
    seen = set() if seen is None else seen
    out: set[str] = set()
    if isinstance(cond, C.Compare) and isinstance(cond.value, C.Param):
        out.add(cond.value.name)
    elif isinstance(cond, (C.All, C.AnyOf)):
        for item in cond.items:
            out |= _params_in(item, by_id, seen)
    elif isinstance(cond, C.Not):
        out |= _params_in(cond.item, by_id, seen)
    elif isinstance(cond, C.RuleRef) and cond.rule_id not in seen and cond.rule_id in by_id:
        seen.add(cond.rule_id)
        rule = by_id[cond.rule_id]
        for c in (rule.applies_when, rule.when):
            if c is not None:
                out |= _params_in(c, by_id, seen)
    return out


def _rule_sort_key(rule_id: str):
    prefix, rest = rule_id.split("-", 1)
    order = "ASPNKLGIR"
    return (prefix, order.index(rest[0]) if rest[0] in order else 99, int(rest[1:]))


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
