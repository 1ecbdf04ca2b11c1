"""What a rule tree must not hold for deciding to work: checked when an area is loaded.

Schema and reference checks happen while the files are read (``area``, ``strictyaml``).
This module adds what only shows across rules or at compile time, each reported with the
file, line and rule id so ``stod rules validate`` names it, and so ``check``, ``whatif``
and ``replay`` refuse the same tree with the same message:

- ``rule:`` references that form a cycle (a rule that refers to itself, directly or not);
- conditions nested deeper than durable-rules can compile, counted after ``rule:``
  references are inlined;
- ``in:`` lists longer than ``IN_LIST_MAX`` values (a literal list, or the longest value a
  parameter list ever takes);
- more ``any``/``in`` alternatives in one area than durable-rules' ``create_ruleset`` can
  take (it stops returning past 512 on one node);
- text placeholders that are not ``{fact}``, ``{param:name}`` or ``{…|format}``;
- parameters measured in days whose values would put a date outside every calendar.

The limits were probed on durable-rules 2.0.28 (see docs/input-limits.md): one `$or` of
512 branches compiles, 513 makes ``create_ruleset`` never return, and the count is over the
whole ruleset (two rules of 257 hang); 14 nested ``$and``/``$or`` inside a rule compile,
15 give error 113. The limits below leave room for the area's own guard and outcome rules.
"""
from __future__ import annotations

import re
from typing import Any

from . import conditions as C
from .errors import RuleFileError

# Annotations name engine.rulebook's Rulebook and LoadedRule without importing it: the
# rulebook calls this module while it loads.

CONDITION_DEPTH_MAX = 12  # nested all/any (and `in`) after rule: references are inlined; 15 fails
IN_LIST_MAX = 200  # values in one `in:` list
BRANCH_MAX = 400  # any/in alternatives in one area's ruleset; 513 hangs create_ruleset
DAYS_MAX = 3650  # a parameter in days (deadlines, targets): at most ten years

_BRACE = re.compile(r"[{}]")


def check_area(area: "Rulebook") -> None:
    """Refuse a loaded area whose rules would break deciding (first problem, with file:line)."""
    by_id: dict[str, list[LoadedRule]] = {}
    for rule in area.rules:
        by_id.setdefault(rule.spec.id, []).append(rule)
    _check_cycles(by_id)
    branches: dict[str, int] = {}
    for rule in area.rules:
        for cond in _conditions(rule):
            depth = _depth(cond, by_id, area)
            if depth > CONDITION_DEPTH_MAX:
                raise _error(rule, f"villkoret är nästlat {depth} nivåer djupt (med rule:-hänvisningarna inräknade); "
                             f"durable-rules klarar högst {CONDITION_DEPTH_MAX}: dela upp det i flera regler")
            _check_in_lists(cond, rule, area)
        count = sum(_branches(c, by_id, area) for c in _conditions(rule))
        branches[rule.spec.id] = max(branches.get(rule.spec.id, 0), count)
        _check_templates(rule)
    total = sum(branches.values())
    if total > BRANCH_MAX:
        worst = max(branches, key=branches.get)
        raise _error(by_id[worst][0], f"områdets regler har tillsammans {total} any/in-alternativ "
                     f"({branches[worst]} i den här regeln); durable-rules klarar högst {BRANCH_MAX}: "
                     "använd färre värden eller en parameter med en kortare lista")
    _check_day_parameters(area)


def check_definition(name: str, definition: dict) -> None:
    """The last guard before durable-rules: a ruleset it cannot compile is refused, not hung on."""
    depth = max((_json_depth(rule) for rule in definition.values()), default=0)
    branches = sum(_json_branches(rule) for rule in definition.values())
    # Each rule's match is {"$and": [guard, condition]}: one level more than the condition itself.
    if depth > CONDITION_DEPTH_MAX + 1 or branches > BRANCH_MAX:
        raise RuleFileError(name.split("@", 1)[0] + "/", f"den kompilerade regeluppsättningen är nästlad {depth} "
                            f"nivåer djupt med {branches} alternativ; durable-rules klarar högst "
                            f"{CONDITION_DEPTH_MAX} nivåer och {BRANCH_MAX} alternativ: kör stod rules validate")


# -- the checks ------------------------------------------------------------------------


def _error(rule: "LoadedRule", problem: str) -> RuleFileError:
    return RuleFileError(rule.path, problem, rule.line, rule.spec.id)


def _conditions(rule: "LoadedRule") -> list:
    return [c for c in (rule.applies_when, rule.when, rule.note_when) if c is not None]


class _Refs(C.Visitor):
    """The rule ids a condition refers to."""

    def __init__(self):
        self.found: list[str] = []

    def visit_rule(self, node: C.RuleRef, *args):
        self.found.append(node.rule_id)


def _refs(cond) -> list[str]:
    walk = _Refs()
    walk.visit(cond)
    return walk.found


def _referenced(rule: "LoadedRule") -> list[str]:
    # What a rule: reference inlines is the rule's applies_when and when (see LoadedRule.condition).
    return [ref for cond in (rule.applies_when, rule.when) if cond is not None for ref in _refs(cond)]


def _check_cycles(by_id: dict[str, list["LoadedRule"]]) -> None:
    edges = {rid: sorted({ref for rule in rules for ref in _referenced(rule)}) for rid, rules in by_id.items()}
    for cond_owner in by_id.values():  # note_when may refer too, but nothing refers to a note
        for rule in cond_owner:
            for ref in _refs(rule.note_when) if rule.note_when is not None else ():
                if ref == rule.spec.id:
                    raise _error(rule, f"note_when hänvisar till sin egen regel ({ref}); hänvisa till en annan regel")
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(rid: str, path: list[str]) -> None:
        state[rid] = 1
        for ref in edges.get(rid, []):
            if state.get(ref) == 1:
                cycle = path[path.index(ref):] + [ref]
                raise _error(by_id[ref][0], "rule:-hänvisningarna bildar en cirkel: " + " → ".join(cycle)
                             + "; en regel kan inte bero på sig själv: ta bort en av hänvisningarna")
            if state.get(ref) is None and ref in edges:
                visit(ref, path + [ref])
        state[rid] = 2

    for rid in sorted(edges):
        if state.get(rid) is None:
            visit(rid, [rid])


def _param_lists(area: "Rulebook", name: str) -> list:
    spec = area.params.get(name)
    if spec is None:
        return []
    return [dated.value for dated in spec.values.values() if isinstance(dated.value, (list, tuple))]


def _in_length(cond: C.Compare, area: "Rulebook") -> int:
    if isinstance(cond.value, C.Param):
        return max((len(v) for v in _param_lists(area, cond.value.name)), default=1)
    return len(cond.value) if isinstance(cond.value, (list, tuple)) else 1


class _Depth(C.Visitor):
    """How deep the condition nests all/any (and `in` lists) once rule: references are inlined."""

    def __init__(self, by_id, area):
        self.by_id, self.area = by_id, area

    def visit_compare(self, node: C.Compare, seen):
        return 1 if node.op == "in" and _in_length(node, self.area) > 1 else 0

    def visit_all(self, node, seen):
        return 1 + max((self.visit(c, seen) for c in node.items), default=0)

    visit_any = visit_all

    def visit_rule(self, node: C.RuleRef, seen):
        if node.rule_id not in self.by_id or node.rule_id in seen:
            return 0
        versions = self.by_id[node.rule_id]
        extra = 1 if any(r.applies_when is not None for r in versions) else 0
        return extra + max((self.visit(c, seen + (node.rule_id,)) for r in versions
                            for c in (r.applies_when, r.when) if c is not None), default=0)

    def visit_always(self, node, seen):
        return 0


class _Branches(C.Visitor):
    """An upper bound of the $or alternatives a condition compiles to (negation turns all into any)."""

    def __init__(self, by_id, area):
        self.by_id, self.area = by_id, area

    def visit_compare(self, node: C.Compare, seen, negate):
        n = _in_length(node, self.area) if node.op == "in" and not negate else 0
        return n if n > 1 else 0

    def visit_all(self, node, seen, negate, is_any=False):
        inner = sum(self.visit(c, seen, negate) for c in node.items)
        return inner + (len(node.items) if is_any != negate and len(node.items) > 1 else 0)

    def visit_any(self, node, seen, negate):
        return self.visit_all(node, seen, negate, is_any=True)

    def visit_not(self, node: C.Not, seen, negate):
        return self.visit(node.item, seen, not negate)

    def visit_rule(self, node: C.RuleRef, seen, negate):
        if node.rule_id not in self.by_id or node.rule_id in seen:
            return 0
        return max((sum(self.visit(c, seen + (node.rule_id,), negate) for c in (r.applies_when, r.when)
                        if c is not None) for r in self.by_id[node.rule_id]), default=0)

    def visit_always(self, node, seen, negate):
        return 0


class _InLists(C.Visitor):
    """Every `in:` comparison of a condition."""

    def __init__(self):
        self.found: list[C.Compare] = []

    def visit_compare(self, node: C.Compare, *args):
        if node.op == "in":
            self.found.append(node)


def _depth(cond, by_id, area) -> int:
    return _Depth(by_id, area).visit(cond, ())


def _branches(cond, by_id, area) -> int:
    return _Branches(by_id, area).visit(cond, (), False)


def _check_in_lists(cond, rule, area) -> None:
    walk = _InLists()
    walk.visit(cond)
    for node in walk.found:
        n = _in_length(node, area)
        if n > IN_LIST_MAX:
            what = f"parametern '{node.value.name}'" if isinstance(node.value, C.Param) else "listan"
            raise _error(rule, f"in: {what} har {n} värden; durable-rules klarar högst {IN_LIST_MAX} i en "
                         "in:-lista: använd en kortare lista eller dela upp regeln")


def _check_templates(rule: "LoadedRule") -> None:
    from .explain import PLACEHOLDER

    for key, template in rule.spec.text.model_dump().items():
        if not template:
            continue
        stray = _BRACE.search(PLACEHOLDER.sub("", template))
        if stray:
            raise _error(rule, f"text.{key}: '{stray.group()}' som inte hör till en platshållare; skriv "
                         "{fact.name}, {param:name} eller {fact.name|format} (namn med små bokstäver), och inga "
                         "andra klammerparenteser")


def _check_day_parameters(area: "Rulebook") -> None:
    for name, spec in area.params.items():
        if spec.unit != "days":
            continue
        for day, dated in spec.values.items():
            value = dated.value
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= DAYS_MAX:
                raise RuleFileError(area.param_paths[name], f"värdet från {day} är {value!r}; en parameter i dagar "
                                    f"(unit: days) ska vara ett heltal 0–{DAYS_MAX}: rätta värdet")


def _json_depth(value: Any) -> int:
    if isinstance(value, dict):
        own = 1 if any(k in ("$and", "$or") for k in value) else 0
        return own + max((_json_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max((_json_depth(v) for v in value), default=0)
    return 0


def _json_branches(value: Any) -> int:
    if isinstance(value, dict):
        own = len(value["$or"]) if isinstance(value.get("$or"), list) else 0
        return own + sum(_json_branches(v) for v in value.values())
    if isinstance(value, list):
        return sum(_json_branches(v) for v in value)
    return 0
