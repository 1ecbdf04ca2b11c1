"""Declarative conditions: parsed from rule files, compiled for durable-rules and for the trace.

A condition is a tree of
- a comparison ``{fact: need.extraordinary_hours_per_week, ge: {param: least_hours}}``
  with one operator of eq, ne, lt, le, gt, ge, in and a literal or a parameter;
- ``all: [...]``, ``any: [...]``, ``not: {...}``;
- ``rule: VS-S1`` (that rule's own condition, inlined);
- ``always: true``.

Compilation resolves parameters to the values in force, inlines rule references and pushes
negation down to the comparisons, so both targets see the same small tree.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Union

OPERATORS = ("eq", "ne", "lt", "le", "gt", "ge", "in")
NEGATED = {"eq": "ne", "ne": "eq", "lt": "ge", "ge": "lt", "le": "gt", "gt": "le"}
DURABLE_OP = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}
SYMBOL = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "in": "∈"}
PYTHON_TYPES = {"bool": (bool,), "int": (int,), "number": (int, float), "str": (str,)}


@dataclass(frozen=True)
class Param:
    name: str


@dataclass(frozen=True)
class Compare:
    fact: str
    op: str
    value: Any  # a literal, a tuple of literals for `in`, or a Param


@dataclass(frozen=True)
class All:
    items: tuple


@dataclass(frozen=True)
class AnyOf:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: Any


@dataclass(frozen=True)
class RuleRef:
    rule_id: str


@dataclass(frozen=True)
class Always:
    value: bool = True


Condition = Union[Compare, All, AnyOf, Not, RuleRef, Always]


class ConditionError(ValueError):
    """A condition that does not follow the grammar; ``line`` points into the file."""

    def __init__(self, problem: str, line: int | None):
        super().__init__(problem)
        self.problem, self.line = problem, line


def suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""


def parse(raw, facts: dict[str, str], params: dict[str, Any], rule_ids: set[str], line: int | None = None) -> Condition:
    """Parse and check a condition against the known facts (name -> type) and parameters."""
    line = getattr(raw, "line", None) or line
    if not isinstance(raw, dict) or not raw:
        raise ConditionError(f"a condition must be a mapping, got {raw!r}", line)
    if "fact" in raw:
        return _parse_compare(raw, facts, params, line)
    if len(raw) != 1:
        raise ConditionError(f"a condition has one key of all, any, not, rule, always, fact; got {sorted(raw)}", line)
    (key, value), = raw.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"'{key}' takes a non-empty list of conditions", line)
        items = tuple(parse(item, facts, params, rule_ids, line) for item in value)
        return All(items) if key == "all" else AnyOf(items)
    if key == "not":
        return Not(parse(value, facts, params, rule_ids, line))
    if key == "rule":
        if not isinstance(value, str) or value not in rule_ids:
            raise ConditionError(f"unknown rule '{value}'{suggest(str(value), rule_ids)}", line)
        return RuleRef(value)
    if key == "always":
        if not isinstance(value, bool):
            raise ConditionError("'always' takes true or false", line)
        return Always(value)
    raise ConditionError(f"unknown condition key '{key}'{suggest(str(key), ['all', 'any', 'not', 'rule', 'always', 'fact'])}", line)


def _parse_compare(raw: dict, facts, params, line) -> Compare:
    fact = raw["fact"]
    if not isinstance(fact, str) or fact not in facts:
        raise ConditionError(f"unknown fact '{fact}'{suggest(str(fact), facts)}", line)
    ops = [k for k in raw if k != "fact"]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        bad = [k for k in ops if k not in OPERATORS]
        hint = suggest(bad[0], OPERATORS) if bad else ""
        raise ConditionError(f"a comparison on '{fact}' needs exactly one operator of {', '.join(OPERATORS)}; got {ops}{hint}", line)
    op, value = ops[0], raw[ops[0]]
    kind = facts[fact]
    if isinstance(value, dict) and set(value) == {"param"}:
        name = value["param"]
        if not isinstance(name, str) or name not in params:
            raise ConditionError(f"unknown parameter '{name}'{suggest(str(name), params)}", line)
        return Compare(fact, op, Param(name))
    if op == "in":
        if not isinstance(value, list) or not value:
            raise ConditionError(f"'in' on '{fact}' takes a non-empty list", line)
        for item in value:
            _check_type(fact, kind, item, line)
        return Compare(fact, op, tuple(value))
    _check_type(fact, kind, value, line)
    if kind in ("bool", "str") and op not in ("eq", "ne"):
        raise ConditionError(f"'{op}' does not apply to the {kind} fact '{fact}'; use eq or ne", line)
    return Compare(fact, op, value)


def _check_type(fact: str, kind: str, value, line) -> None:
    ok = isinstance(value, PYTHON_TYPES[kind]) and not (kind != "bool" and isinstance(value, bool))
    if not ok:
        raise ConditionError(f"fact '{fact}' is a {kind}; {value!r} is not", line)


def resolve(cond: Condition, params: dict[str, Any], rule_condition: Callable[[str], Condition], negate: bool = False) -> Condition:
    """Bind parameters, inline rule references and push negation down to comparisons."""
    if isinstance(cond, Compare):
        value = params[cond.value.name] if isinstance(cond.value, Param) else cond.value
        if isinstance(value, list):
            value = tuple(value)
        if not negate:
            return Compare(cond.fact, cond.op, value)
        if cond.op == "in":
            return All(tuple(Compare(cond.fact, "ne", v) for v in value))
        return Compare(cond.fact, NEGATED[cond.op], value)
    if isinstance(cond, (All, AnyOf)):
        items = tuple(resolve(c, params, rule_condition, negate) for c in cond.items)
        flip = isinstance(cond, All) == negate  # not(all) = any(not)
        return AnyOf(items) if flip else All(items)
    if isinstance(cond, Not):
        return resolve(cond.item, params, rule_condition, not negate)
    if isinstance(cond, RuleRef):
        return resolve(rule_condition(cond.rule_id), params, rule_condition, negate)
    if isinstance(cond, Always):
        return Always(cond.value != negate)
    raise TypeError(cond)


def facts_of(cond: Condition) -> list[str]:
    """The facts a resolved condition looks at, in order of first use."""
    seen: dict[str, None] = {}

    def walk(c):
        if isinstance(c, Compare):
            seen.setdefault(c.fact)
        elif isinstance(c, (All, AnyOf)):
            for item in c.items:
                walk(item)

    walk(cond)
    return list(seen)


# --- durable-rules: the evaluator of record --------------------------------------------

def to_durable(cond: Condition) -> dict | None:
    """The durable-rules JSON of a resolved condition (None for `always: true`)."""
    if isinstance(cond, Compare):
        if cond.op == "eq":
            return {cond.fact: cond.value}
        if cond.op == "in":
            return {"$or": [{cond.fact: v} for v in cond.value]}
        return {DURABLE_OP[cond.op]: {cond.fact: cond.value}}
    if isinstance(cond, Always):
        return None if cond.value else {"never__": True}  # a field no fact has
    items = [to_durable(c) for c in cond.items]
    if isinstance(cond, All):
        items = [i for i in items if i is not None]
        return {"$and": items} if items else None
    if any(i is None for i in items):
        return None
    return {"$or": items}


# --- the trace evaluator: the reasons ---------------------------------------------------

_PY_OPS = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
}


_PY_SYMBOL = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "in": "in"}


def to_trace(cond: Condition) -> Callable[[dict, list], bool]:
    """A function (facts, comparisons) -> bool that appends every comparison it makes.

    Every branch is evaluated (no short cut) so the explanation shows all the facts. The
    function is generated as Python source once per compiled ruleset: one line per
    comparison, constants bound by name, so evaluating it costs no tree walk.
    """
    consts: dict[str, Any] = {}
    lines: list[str] = []

    def emit(c) -> str:
        if isinstance(c, Compare):
            i = len(consts)
            consts[f"f{i}"], consts[f"v{i}"] = c.fact, c.value
            lines.append(f"    a{i} = facts[f{i}]; r{i} = a{i} {_PY_SYMBOL[c.op]} v{i}; "
                         f"out.append((f{i}, {c.op!r}, v{i}, a{i}, r{i}))")
            return f"r{i}"
        if isinstance(c, Always):
            return repr(bool(c.value))
        parts = [emit(item) for item in c.items]
        joiner = " and " if isinstance(c, All) else " or "
        return "(" + joiner.join(parts) + ")"

    result = emit(cond)
    source = "def trace(facts, out):\n" + "\n".join(lines + [f"    return bool({result})"]) + "\n"
    namespace = dict(consts)
    exec(compile(source, "<condition>", "exec"), namespace)  # noqa: S102 - source built from a checked tree
    trace = namespace["trace"]
    trace.source = source
    return trace


def to_trace_walk(cond: Condition) -> Callable[[dict, list], bool]:
    """The same as to_trace, by walking the tree: the reference the generated code is tested against."""
    if isinstance(cond, Compare):
        fact, op, value, test = cond.fact, cond.op, cond.value, _PY_OPS[cond.op]

        def compare(facts, out):
            actual = facts[fact]
            result = test(actual, value)
            out.append((fact, op, value, actual, result))
            return result
        return compare
    if isinstance(cond, Always):
        value = cond.value
        return lambda facts, out: value
    parts = [to_trace_walk(c) for c in cond.items]
    if isinstance(cond, All):
        return lambda facts, out: all([p(facts, out) for p in parts])
    return lambda facts, out: any([p(facts, out) for p in parts])
