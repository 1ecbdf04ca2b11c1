"""What the reports share: the areas in rules/, Swedish labels, conditions in plain Swedish."""
from __future__ import annotations

import re
from datetime import date
from html import escape
from typing import Any

from engine import conditions as C
from engine.area import Area, load_areas as _load_areas
from engine.errors import RuleFileError
from engine.explain import number
from engine.letter import STATUS_SV  # noqa: F401  (the one set of Swedish finding words)
from engine.yamlsource import FolderSource, default_rules_root

GROUP_SV = {"admissibility": "Formella förutsättningar", "substantive": "Materiella grunder",
            "completeness": "Underlag", "amount": "Belopp och period", "info": "Upplysningar"}
OP_SV = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "in": "är en av"}
RULE_ID_IN_TEXT = re.compile(r"\b[A-Z]+-[A-Z][0-9]+\b")


def load_areas(root=None, only: str | None = None) -> list[Area]:
    """The reports' entry point to the areas of a rules folder (``engine.area.load_areas``).

    A folder that holds no rule area (or no rule files for ``only``) is refused
    (``RuleFileError``): a check of nothing is no check.
    """
    source = FolderSource(root if root is not None else default_rules_root())
    found = _load_areas(root, only) if (only is None or source.paths(only)) else []
    if not found:
        what = f"inga regelfiler för {only}" if only else "inget regelområde"
        raise RuleFileError(str(source.root), f"{what} här, så inget kontrollerades; ange en mapp med områdesmappar "
                            "som verksamhetsstod/ och csi/, var och en med index.yaml och regelfiler")
    return found


_LABELS_SV: dict[str, str] | None = None


def swedish_labels() -> dict[str, str]:
    """Swedish labels of the facts conditions use (reports/fact_labels_sv.yaml)."""
    global _LABELS_SV
    if _LABELS_SV is None:
        import yaml
        from pathlib import Path

        path = Path(__file__).with_name("fact_labels_sv.yaml")
        _LABELS_SV = {str(k): str(v) for k, v in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items()}
    return _LABELS_SV


def fact_label(area: Area, name: str) -> str:
    """The fact in words for principals: its Swedish description or label, else its own description."""
    fact = area.facts.defs.get(name)
    if fact is None:
        return name
    own = getattr(fact, "description_sv", None)
    if own:
        return str(own).rstrip(".")
    return swedish_labels().get(name) or fact.description.rstrip(".")


def value_sv(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(value_sv(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {value_sv(v)}" for k, v in value.items())
    return f"”{value}”"


class SwedishHtml(C.Visitor):
    """The one Swedish rendering of a condition (HTML), with parameter values in force on a day."""

    def __init__(self, area: Area, day: date, link_rule):
        self.area, self.day, self.link_rule = area, day, link_rule

    def visit_compare(self, node):
        label = escape(fact_label(self.area, node.fact))
        code = f' <code class="fact">{escape(node.fact)}</code>'
        if isinstance(node.value, C.Param):
            name = node.value.name
            spec = self.area.params.get(name)
            current = spec.at(self.day) if spec else None
            shown = value_sv(current) if current is not None else "–"
            value = f'{escape(shown)} <a class="param" href="#param-{escape(name)}">({escape(name)})</a>'
        else:
            value = escape(value_sv(node.value))
        return f"{label}{code} {escape(OP_SV[node.op])} {value}"

    def visit_always(self, node):
        return "alltid" if node.value else "aldrig"

    def visit_rule(self, node):
        return f"regel {self.link_rule(node.rule_id)} är uppfylld"

    def visit_not(self, node):
        return f"inte: {self.visit(node.item)}"

    def _list(self, head: str, node) -> str:
        return head + "<ul>" + "".join(f"<li>{self.visit(c)}</li>" for c in node.items) + "</ul>"

    def visit_all(self, node):
        return self._list("alla dessa gäller:", node)

    def visit_any(self, node):
        return self._list("minst en av dessa gäller:", node)


def condition_html(cond, area: Area, day: date, link_rule=lambda rid: escape(rid)) -> str:
    """The condition tree in plain Swedish, with parameter values in force on ``day``.

    ``Antal timmar … ≥ 5 (least_extensive_hours)``; all/any/not as nested lists.
    """
    return SwedishHtml(area, day, link_rule).visit(cond)


def condition_text(cond, area: Area, day: date) -> str:
    """The same as ``condition_html`` as plain text (for tables and JSON)."""
    import html as _html

    text = re.sub(r"<li>", "\n  - ", condition_html(cond, area, day))
    text = re.sub(r"<[^>]+>", "", text)
    return _html.unescape(text).strip()


def rule_params(area: Area, rule) -> list[str]:
    """The parameters a rule uses: in its conditions, its texts, or naming it in their description."""
    from engine.rulebook import text_params

    names = C.params_used((rule.applies_when, rule.when, rule.note_when)) + text_params(rule.spec)
    for name, spec in sorted(area.params.items()):
        if rule.spec.id in RULE_ID_IN_TEXT.findall(spec.description):
            names.append(name)
    return [n for n in dict.fromkeys(names) if n in area.params]
