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
    """A condition that does not follow the grammar; ``line`` points into the file.

    ``problem`` is Swedish (what is wrong and what to write instead): the rule loader shows it
    to the rule author as it is.
    """

    def __init__(self, problem: str, line: int | None):
        super().__init__(problem)
        self.problem, self.line = problem, line


# A fact's type as a message names it: what a value of it is, and how to write one.
KIND_SV = {"bool": "sant eller falskt (bool)", "int": "ett heltal (int)", "number": "ett tal (number)",
           "str": "en text (str)"}
KIND_FIX = {"bool": "ange true eller false", "int": "ange ett heltal utan citattecken",
            "number": "ange ett tal utan citattecken", "str": "ange en text"}
FACT_FIX = "ange ett faktum som området definierar"
PARAM_FIX = "ange en parameter som finns under parameters/"
RULE_FIX = "ange id för en regel som området definierar"


def suggest(name: str, known) -> str:
    """The nearest known name, as the end of a message: `` (menade du 'x'?)``, or ''."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return f" (menade du '{close[0]}'?)" if close else ""


def parse(raw, facts: dict[str, str], params: dict[str, Any], rule_ids: set[str], line: int | None = None) -> Condition:
    """Parse and check a condition against the known facts (name -> type) and parameters."""
    line = getattr(raw, "line", None) or line
    if not isinstance(raw, dict) or not raw:
        raise ConditionError(f"ett villkor ska vara en mappning, men här står {raw!r}; skriv till exempel "
                             "{fact: namn, ge: 1}, {all: [...]} eller {rule: id}", line)
    if "fact" in raw:
        return _parse_compare(raw, facts, params, line)
    if len(raw) != 1:
        raise ConditionError(f"ett villkor har en av nycklarna all, any, not, rule, always eller fact, men här står "
                             f"{sorted(raw)}; dela upp villkoret, till exempel med all: [...]", line)
    (key, value), = raw.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"'{key}' tar en lista med minst ett villkor; ange villkoren som en lista under "
                                 f"'{key}'", line)
        items = tuple(parse(item, facts, params, rule_ids, line) for item in value)
        return All(items) if key == "all" else AnyOf(items)
    if key == "not":
        return Not(parse(value, facts, params, rule_ids, line))
    if key == "rule":
        if not isinstance(value, str) or value not in rule_ids:
            raise ConditionError(f"okänd regel '{value}'; {RULE_FIX}{suggest(str(value), rule_ids)}", line)
        return RuleRef(value)
    if key == "always":
        if not isinstance(value, bool):
            raise ConditionError("'always' tar true eller false; skriv always: true eller always: false", line)
        return Always(value)
    raise ConditionError(f"okänd villkorsnyckel '{key}'; använd all, any, not, rule, always eller fact"
                         f"{suggest(str(key), ['all', 'any', 'not', 'rule', 'always', 'fact'])}", line)


def _parse_compare(raw: dict, facts, params, line) -> Compare:
    fact = raw["fact"]
    if not isinstance(fact, str) or fact not in facts:
        raise ConditionError(f"okänt faktum '{fact}'; {FACT_FIX}{suggest(str(fact), facts)}", line)
    ops = [k for k in raw if k != "fact"]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        bad = [k for k in ops if k not in OPERATORS]
        hint = suggest(bad[0], OPERATORS) if bad else ""
        raise ConditionError(f"en jämförelse med '{fact}' ska ha exakt en operator av {', '.join(OPERATORS)}, men här "
                             f"står {ops}; ange en av dem{hint}", line)
    op, value = ops[0], raw[ops[0]]
    kind = facts[fact]
    if isinstance(value, dict) and set(value) == {"param"}:
        name = value["param"]
        if not isinstance(name, str) or name not in params:
            raise ConditionError(f"okänd parameter '{name}'; {PARAM_FIX}{suggest(str(name), params)}", line)
        return Compare(fact, op, Param(name))
    if op == "in":
        if not isinstance(value, list) or not value:
            raise ConditionError(f"'in' på '{fact}' tar en lista med minst ett värde; ange värdena som en lista", line)
        for item in value:
            _check_type(fact, kind, item, line)
        return Compare(fact, op, tuple(value))
    _check_type(fact, kind, value, line)
    if kind in ("bool", "str") and op not in ("eq", "ne"):
        raise ConditionError(f"'{op}' går inte att använda på faktumet '{fact}', som är {KIND_SV.get(kind, kind)}; "
                             "använd eq eller ne", line)
    return Compare(fact, op, value)


def _check_type(fact: str, kind: str, value, line) -> None:
    ok = isinstance(value, PYTHON_TYPES[kind]) and not (kind != "bool" and isinstance(value, bool))
    if not ok:
        fix = KIND_FIX.get(kind, "ange ett värde av faktans typ")
        raise ConditionError(f"faktumet '{fact}' är {KIND_SV.get(kind, kind)}, men {value!r} är inte det; {fix}", line)


# --- the one walker over the tree -------------------------------------------------------

class Visitor:
    """A walk over a condition tree: one method per node type, ``visit`` dispatches.

    Every walk (resolving, durable-rules, the trace, the static checks, the reports) is a
    subclass, so a new node type is added here once and each walk says what it does with it.
    Extra arguments to ``visit`` are handed to the method. The defaults visit the children
    and return nothing.
    """

    def visit(self, cond: Condition, *args):
        return getattr(self, _METHOD[type(cond)])(cond, *args)

    def visit_compare(self, node: Compare, *args):
        return None

    def visit_all(self, node: All, *args):
        for item in node.items:
            self.visit(item, *args)

    def visit_any(self, node: AnyOf, *args):
        for item in node.items:
            self.visit(item, *args)

    def visit_not(self, node: Not, *args):
        return self.visit(node.item, *args)

    def visit_rule(self, node: RuleRef, *args):
        return None

    def visit_always(self, node: Always, *args):
        return None


_METHOD = {Compare: "visit_compare", All: "visit_all", AnyOf: "visit_any", Not: "visit_not",
           RuleRef: "visit_rule", Always: "visit_always"}


class _Resolver(Visitor):
    def __init__(self, params: dict[str, Any], rule_condition: Callable[[str], Condition]):
        self.params, self.rule_condition = params, rule_condition

    def visit_compare(self, node, negate):
        value = self.params[node.value.name] if isinstance(node.value, Param) else node.value
        if isinstance(value, list):
            value = tuple(value)
        if not negate:
            return Compare(node.fact, node.op, value)
        if node.op == "in":
            return All(tuple(Compare(node.fact, "ne", v) for v in value))
        return Compare(node.fact, NEGATED[node.op], value)

    def visit_all(self, node, negate):  # not(all) = any(not)
        items = tuple(self.visit(c, negate) for c in node.items)
        return AnyOf(items) if negate else All(items)

    def visit_any(self, node, negate):
        items = tuple(self.visit(c, negate) for c in node.items)
        return All(items) if negate else AnyOf(items)

    def visit_not(self, node, negate):
        return self.visit(node.item, not negate)

    def visit_rule(self, node, negate):
        return self.visit(self.rule_condition(node.rule_id), negate)

    def visit_always(self, node, negate):
        return Always(node.value != negate)


def resolve(cond: Condition, params: dict[str, Any], rule_condition: Callable[[str], Condition], negate: bool = False) -> Condition:
    """Bind parameters, inline rule references and push negation down to comparisons."""
    return _Resolver(params, rule_condition).visit(cond, negate)


class _ParamsUsed(Visitor):
    def __init__(self, rule_conditions: Callable[[str], list] | None):
        self.rule_conditions, self.found, self.seen = rule_conditions, {}, set()

    def visit_compare(self, node):
        if isinstance(node.value, Param):
            self.found.setdefault(node.value.name)

    def visit_rule(self, node):
        if self.rule_conditions is not None and node.rule_id not in self.seen:
            self.seen.add(node.rule_id)
            for cond in self.rule_conditions(node.rule_id):
                if cond is not None:
                    self.visit(cond)


def params_used(conds, rule_conditions: Callable[[str], list] | None = None) -> list[str]:
    """The parameters conditions compare with, in order of first use.

    With ``rule_conditions`` (rule id -> that rule's conditions), a ``rule:`` reference counts
    the parameters of the rule it names (each rule once); without, only the conditions' own.
    """
    walker = _ParamsUsed(rule_conditions)
    for cond in conds:
        if cond is not None:
            walker.visit(cond)
    return list(walker.found)


# --- durable-rules: the evaluator of record --------------------------------------------

class _Durable(Visitor):
    """The durable-rules JSON of a resolved condition (None for `always: true`)."""

    def visit_compare(self, node):
        if node.op == "eq":
            return {node.fact: node.value}
        if node.op == "in":
            return {"$or": [{node.fact: v} for v in node.value]}
        return {DURABLE_OP[node.op]: {node.fact: node.value}}

    def visit_always(self, node):
        return None if node.value else {"never__": True}  # a field no fact has

    def visit_all(self, node):
        items = [i for i in (self.visit(c) for c in node.items) if i is not None]
        return {"$and": items} if items else None

    def visit_any(self, node):
        items = [self.visit(c) for c in node.items]
        return None if any(i is None for i in items) else {"$or": items}


def to_durable(cond: Condition) -> dict | None:
    """The durable-rules JSON of a resolved condition (None for `always: true`)."""
    return _Durable().visit(cond)


# --- the trace evaluator: the reasons ---------------------------------------------------

_PY_OPS = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
}


_PY_SYMBOL = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "in": "in"}


class _TraceSource(Visitor):
    """Python source for a resolved condition: one line per comparison, constants by name."""

    def __init__(self):
        self.consts: dict[str, Any] = {}
        self.lines: list[str] = []

    def visit_compare(self, node):
        i = len(self.consts)
        self.consts[f"f{i}"], self.consts[f"v{i}"] = node.fact, node.value
        self.consts[f"e{i}"] = shown_value(node.value)
        self.lines.append(f"    a{i} = facts[f{i}]; r{i} = a{i} {_PY_SYMBOL[node.op]} v{i}; "
                          f"out.append({{'fact': f{i}, 'op': {node.op!r}, 'expected': e{i}, 'actual': a{i}, "
                          f"'result': r{i}}})")
        return f"r{i}"

    def visit_always(self, node):
        return repr(bool(node.value))

    def visit_all(self, node):
        return "(" + " and ".join(self.visit(item) for item in node.items) + ")"

    def visit_any(self, node):
        return "(" + " or ".join(self.visit(item) for item in node.items) + ")"


def shown_value(value):
    """A compared-with value as a comparison shows it: a set of values as a list."""
    return list(value) if type(value) is tuple else value


def to_trace(cond: Condition) -> Callable[[dict, list], bool]:
    """A function (facts, comparisons) -> bool that appends every comparison it makes, as
    ``{"fact", "op", "expected", "actual", "result"}`` (what a finding shows of it).

    Every branch is evaluated (no short cut) so the explanation shows all the facts. The
    function is generated as Python source once per compiled ruleset: one line per
    comparison, constants bound by name, so evaluating it costs no tree walk.
    """
    walker = _TraceSource()
    result = walker.visit(cond)
    source = "def trace(facts, out):\n" + "\n".join(walker.lines + [f"    return bool({result})"]) + "\n"
    namespace = dict(walker.consts)
    exec(compile(source, "<condition>", "exec"), namespace)  # noqa: S102 - source built from a checked tree
    trace = namespace["trace"]
    trace.source = source
    return trace


class _TraceWalk(Visitor):
    def visit_compare(self, node):
        fact, op, value, test = node.fact, node.op, node.value, _PY_OPS[node.op]
        expected = shown_value(value)

        def compare(facts, out):
            actual = facts[fact]
            result = test(actual, value)
            out.append({"fact": fact, "op": op, "expected": expected, "actual": actual, "result": result})
            return result
        return compare

    def visit_always(self, node):
        value = node.value
        return lambda facts, out: value

    def visit_all(self, node):
        parts = [self.visit(c) for c in node.items]
        return lambda facts, out: all([p(facts, out) for p in parts])

    def visit_any(self, node):
        parts = [self.visit(c) for c in node.items]
        return lambda facts, out: any([p(facts, out) for p in parts])


def to_trace_walk(cond: Condition) -> Callable[[dict, list], bool]:
    """The same as to_trace, by walking the tree: the reference the generated code is tested against."""
    return _TraceWalk().visit(cond)
