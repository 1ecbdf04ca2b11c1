"""Static checks of a rule area: defects an auditor can find without any application.

``check_area(area)`` returns a list of Defects, each naming the file, the line (where known),
the rule or parameter and what is wrong:

- ``level_table``: verksamhetsstöd's own check (its package declares it, see
  ``engine/areas/verksamhetsstod/checks.py``): a level table that leaves an hours value
  uncovered or covers it twice;
- ``parameter_dates``: a parameter with no value for part of the time a rule that uses it is
  in force, a value dated after the parameter's ``valid_to`` (it never applies) or two values
  for the same date;
- ``rule_dates``: versions of one rule id that leave a gap between them;
- ``constant_rule``: a rule that no input can make met, or none can make not met (a
  contradiction such as ``ge 10`` and ``lt 5`` on one fact in an ``all``, or a tautology);
- ``group_contradiction``: rules of a group with an outcome that cannot all hold together,
  so every application would get that outcome;
- ``duplicate_condition``: two rules in one group with the same condition.

The reasoning is over intervals per fact (bool, int, number, str) on the resolved condition
trees, at every date where a rule or parameter changes. Facts are treated as independent:
a relation between derived facts (``amount.level`` follows the hours) is not known here, so
a check can miss a defect that only such a relation causes, but it never reports a defect
that is not one under independent facts.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Iterable

import yaml

from . import conditions as C
from .area import Area
from .rulebook import LoadedRule, rule_sort_key
from .swedish import join

KINDS = ("level_table", "parameter_dates", "rule_dates", "constant_rule", "group_contradiction",
         "duplicate_condition")


@dataclass(frozen=True)
class Defect:
    """One defect: ``kind`` (one of KINDS), where it is, its subject and ``problem`` (Swedish:
    what is wrong and what to do)."""

    kind: str
    area: str
    path: str
    line: int | None
    subject: str  # a rule id, a parameter name or a group id
    problem: str

    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_dict(self) -> dict:
        return asdict(self)


# --- satisfiability over intervals ------------------------------------------------------

class _Constraints:
    """What a conjunction of comparisons says about each fact, checked as it grows."""

    def __init__(self, types: dict[str, str]):
        self.types = types
        self.by_fact: dict[str, list[tuple[str, Any]]] = {}

    def with_compare(self, cmp: C.Compare) -> "_Constraints | None":
        """A copy with the comparison added, or None when that makes the fact impossible."""
        new = _Constraints(self.types)
        new.by_fact = dict(self.by_fact)
        new.by_fact[cmp.fact] = self.by_fact.get(cmp.fact, []) + [(cmp.op, cmp.value)]
        return new if _fact_possible(self.types.get(cmp.fact, "str"), new.by_fact[cmp.fact]) else None


def _fact_possible(kind: str, constraints: list[tuple[str, Any]]) -> bool:
    allowed: set | None = {True, False} if kind == "bool" else None
    excluded: set = set()
    lo, lo_open, hi, hi_open = -math.inf, False, math.inf, False
    for op, value in constraints:
        if op in ("eq", "in"):
            values = set(value) if op == "in" else {value}
            allowed = values if allowed is None else allowed & values
        elif op == "ne":
            excluded.add(value)
        elif op in ("gt", "ge"):
            if value > lo or (value == lo and op == "gt"):
                lo, lo_open = value, op == "gt"
        elif op in ("lt", "le"):
            if value < hi or (value == hi and op == "lt"):
                hi, hi_open = value, op == "lt"

    def in_bounds(v) -> bool:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return lo == -math.inf and hi == math.inf
        return (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)

    if allowed is not None:
        candidates = [v for v in allowed if v not in excluded and in_bounds(v)]
        if kind == "int":
            candidates = [v for v in candidates if not isinstance(v, float) or v.is_integer()]
        return bool(candidates)
    if kind == "str":
        return True  # infinitely many strings; a finite set of exclusions leaves some
    if kind == "int":
        first = lo if lo == -math.inf else (math.floor(lo) + 1 if lo_open or lo != math.floor(lo) else lo)
        last = hi if hi == math.inf else (math.ceil(hi) - 1 if hi_open or hi != math.ceil(hi) else hi)
        if first > last:
            return False
        if first == -math.inf or last == math.inf:
            return True
        inside = {v for v in excluded if first <= v <= last and float(v).is_integer()}
        return (last - first + 1) > len(inside)
    # number: a real interval with a finite set of exclusions
    if lo < hi:
        return True
    return lo == hi and not lo_open and not hi_open and lo not in excluded


def satisfiable(cond: C.Condition, types: dict[str, str]) -> bool:
    """Whether some values of the facts make the resolved condition true."""
    return _Satisfiable().visit(cond, [], _Constraints(types))


class _Satisfiable(C.Visitor):
    """Whether a node and the conditions still to go (``rest``) can hold together."""

    def rest(self, rest: list, constraints: _Constraints) -> bool:
        return not rest or self.visit(rest[0], rest[1:], constraints)

    def visit_compare(self, node, rest, constraints):
        added = constraints.with_compare(node)
        return added is not None and self.rest(rest, added)

    def visit_all(self, node, rest, constraints):
        return self.rest(list(node.items) + rest, constraints)

    def visit_any(self, node, rest, constraints):
        return any(self.visit(branch, rest, constraints) for branch in node.items)

    def visit_always(self, node, rest, constraints):
        return node.value and self.rest(rest, constraints)

    def visit_not(self, node, rest, constraints):
        raise TypeError(node)  # resolved conditions have no not: negation is pushed down

    visit_rule = visit_not  # nor rule references: they are inlined


def negate(cond: C.Condition) -> C.Condition:
    """The negation of a resolved condition, pushed down to comparisons."""
    return C.resolve(cond, {}, lambda rid: None, negate=True)


class _Canonical(C.Visitor):
    def visit_compare(self, node):
        value = sorted(node.value, key=repr) if node.op == "in" else node.value
        return f"{node.fact} {node.op} {value!r}"

    def visit_always(self, node):
        return f"always {node.value}"

    def _items(self, node, head: str) -> str:
        parts = sorted({self.visit(c) for c in node.items})
        return parts[0] if len(parts) == 1 else head + ", ".join(parts) + ")"

    def visit_all(self, node):
        return self._items(node, "all(")

    def visit_any(self, node):
        return self._items(node, "any(")


def canonical(cond: C.Condition) -> str:
    """A form of a resolved condition that does not depend on the order of all/any items."""
    return _Canonical().visit(cond)


# --- the checks -------------------------------------------------------------------------

def check_area(area: Area) -> list[Defect]:
    """Every defect the static checks find in one loaded area."""
    defects: list[Defect] = []
    defects += _check_parameter_dates(area)
    for area_check in area.spec.checks:  # the area's own checks (verksamhetsstöd: level tables)
        defects += area_check(area)
    defects += _check_rule_dates(area)
    defects += _check_conditions(area)
    return _dedupe(defects)


def _dedupe(defects: Iterable[Defect]) -> list[Defect]:
    seen, out = set(), []
    for d in defects:
        key = (d.kind, d.subject, d.problem)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def line_of_value(text: str, day: date) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(f"{day.isoformat()}:"):
            return number
    return None


def _duplicate_value_dates(text: str) -> list[tuple[str, int]]:
    """Dates given twice under ``values`` (YAML keeps only the last one, silently)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    out = []
    for key, node in root.value:
        if key.value == "values" and isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for k, _ in node.value:
                if k.value in seen:
                    out.append((k.value, k.start_mark.line + 1))
                seen.add(k.value)
    return out


def _fmt_end(day: date | None) -> str:
    return day.isoformat() if day else "tills vidare"


def _check_parameter_dates(area: Area) -> list[Defect]:
    defects = []
    users: dict[str, list[LoadedRule]] = {}
    for rule in area.rules:
        for name in area.params_by_rule[rule]:
            users.setdefault(name, []).append(rule)
    area_start, area_end = area.span()
    for name, spec in sorted(area.params.items()):
        path = area.param_paths[name]
        text = area.source.read(path)
        dates = sorted(spec.values)
        for day_text, line in _duplicate_value_dates(text):
            defects.append(Defect("parameter_dates", area.name, path, line, name,
                                  f"två värden daterade {day_text}; bara det sista används: ta bort det ena"))
        if spec.valid_to is not None:
            for day in dates:
                if day > spec.valid_to:
                    defects.append(Defect("parameter_dates", area.name, path, line_of_value(text, day), name,
                                          f"värdet från {day} gäller aldrig: parametern upphör (valid_to) "
                                          f"{spec.valid_to}; ta bort värdet eller flytta valid_to"))
        spans = [(r.spec.valid_from, r.spec.valid_to, r.spec.id) for r in users.get(name, [])]
        if not spans:
            spans = [(area_start, area_end, f"området {area.name}")]
        for start, end, who in spans:
            if dates[0] > start:
                defects.append(Defect("parameter_dates", area.name, path, line_of_value(text, dates[0]), name,
                                      f"inget värde från {start} till {dates[0] - timedelta(days=1)}, "
                                      f"medan {who} gäller; ge parametern ett värde daterat {start}"))
            if spec.valid_to is not None and (end is None or spec.valid_to < end):
                gap_end = _fmt_end(end)
                defects.append(Defect("parameter_dates", area.name, path, None, name,
                                      f"inget värde från {spec.valid_to + timedelta(days=1)} till {gap_end} "
                                      f"(valid_to {spec.valid_to}), medan {who} gäller; flytta eller ta bort "
                                      "valid_to"))
    return defects


def _check_rule_dates(area: Area) -> list[Defect]:
    defects = []
    versions: dict[str, list[LoadedRule]] = {}
    for rule in area.rules:
        versions.setdefault(rule.spec.id, []).append(rule)
    for rid, rules in versions.items():
        rules = sorted(rules, key=lambda r: r.spec.valid_from)
        for older, newer in zip(rules, rules[1:]):
            end = older.spec.valid_to
            if end is not None and newer.spec.valid_from > end + timedelta(days=1):
                defects.append(Defect("rule_dates", area.name, newer.path, newer.line, rid,
                                      f"ingen version av {rid} gäller från {end + timedelta(days=1)} till "
                                      f"{newer.spec.valid_from - timedelta(days=1)}; låt den äldre gälla (valid_to) "
                                      "till dagen innan den nyare börjar, eller lägg till en version för dagarna"))
    return defects


def _checkpoints(area: Area) -> list[date]:
    """The dates where a rule or a parameter value changes, inside the area's span."""
    start, end = area.span()
    days = {start}.union(*area.change_days.values())
    return sorted(d for d in days if d >= start and (end is None or d <= end))


def _resolved_on(area: Area, day: date) -> dict[str, tuple[LoadedRule, C.Condition, C.Condition | None]] | None:
    """Per rule in force on ``day``: (rule, resolved condition, resolved applies_when)."""
    rules = area.rules_on(day)
    by_id = {r.spec.id: r for r in rules}
    params = {}
    for name, spec in area.params.items():
        value = spec.at(day)
        if value is not None:
            params[name] = value

    def rule_condition(rule_id: str) -> C.Condition:
        return by_id[rule_id].condition()

    out = {}
    for rule in rules:
        try:
            when = C.resolve(rule.when, params, rule_condition)
            applies = C.resolve(rule.applies_when, params, rule_condition) if rule.applies_when else None
        except KeyError:
            continue  # a parameter with no value this day: reported by the parameter checks
        out[rule.spec.id] = (rule, when, applies)
    return out


def _check_conditions(area: Area) -> list[Defect]:
    """Condition defects, each reported once with the dates (checkpoints) it shows on."""
    days_of: dict[Defect, list[date]] = {}
    for day in _checkpoints(area):
        for defect in _check_conditions_on(area, day):
            days_of.setdefault(defect, []).append(day)
    out = []
    for defect, days in days_of.items():
        when = join([d.isoformat() for d in days])
        out.append(Defect(defect.kind, defect.area, defect.path, defect.line, defect.subject,
                          f"den {when}: {defect.problem}"))
    return out


def _check_conditions_on(area: Area, day: date) -> list[Defect]:
    defects = []
    types = area.facts.types
    outcome_groups = {g.id for g in area.index.groups if g.outcome}
    resolved = _resolved_on(area, day)
    for rid, (rule, when, applies) in resolved.items():
        where = (rule.path, rule.line)
        if applies is not None and not satisfiable(applies, types):
            defects.append(Defect("constant_rule", area.name, *where, rid,
                                  "inga indata gör regeln tillämplig (applies_when gäller aldrig); rätta "
                                  "villkoret i applies_when"))
            continue
        met = C.All((applies, when)) if applies is not None else when
        not_met = C.All((applies, negate(when))) if applies is not None else negate(when)
        if not satisfiable(met, types):
            defects.append(Defect("constant_rule", area.name, *where, rid,
                                  "inga indata kan göra regeln uppfylld (villkoret motsäger sig självt); rätta "
                                  "villkoret"))
        if not satisfiable(not_met, types):
            defects.append(Defect("constant_rule", area.name, *where, rid,
                                  "inga indata kan göra regeln ej uppfylld (villkoret gäller alltid); rätta "
                                  "villkoret"))
    by_group: dict[str, list[str]] = {}
    for rid, (rule, _, _) in resolved.items():
        by_group.setdefault(rule.spec.group, []).append(rid)
    for group, ids in by_group.items():
        ids = sorted(ids, key=rule_sort_key)
        passes = {rid: _passes(resolved[rid]) for rid in ids}
        seen_canonical: dict[str, str] = {}
        for rid in ids:
            rule, when, applies = resolved[rid]
            key = canonical(C.All((applies, when)) if applies is not None else when)
            if key in seen_canonical:
                defects.append(Defect("duplicate_condition", area.name, rule.path, rule.line, rid,
                                      f"samma villkor som {seen_canonical[key]} i gruppen {group}; ta bort den "
                                      "ena regeln eller ändra villkoret"))
            else:
                seen_canonical[key] = rid
        if group not in outcome_groups:
            continue
        if satisfiable(C.All(tuple(passes.values())), types):
            continue
        pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
                 if satisfiable(passes[a], types) and satisfiable(passes[b], types)
                 and not satisfiable(C.All((passes[a], passes[b])), types)]
        if pairs:
            for a, b in pairs:
                rule = resolved[b][0]
                defects.append(Defect("group_contradiction", area.name, rule.path, rule.line, f"{a}+{b}",
                                      f"{a} och {b} kan inte båda vara uppfyllda, så varje ansökan hamnar i "
                                      f"gruppen {group}; rätta villkoren så att de kan gälla samtidigt"))
        elif all(satisfiable(p, types) for p in passes.values()):
            defects.append(Defect("group_contradiction", area.name, f"{area.name}/index.yaml", None, group,
                                  f"reglerna {', '.join(ids)} kan inte alla vara uppfyllda samtidigt, så varje "
                                  f"ansökan hamnar i gruppen {group}; rätta villkoren"))
    return defects


def _passes(entry) -> C.Condition:
    """The condition under which a rule does not stop its group: not applicable, or met."""
    _, when, applies = entry
    return when if applies is None else C.AnyOf((negate(applies), when))


def check_areas(areas: Iterable[Area]) -> list[Defect]:
    return [d for area in areas for d in check_area(area)]
