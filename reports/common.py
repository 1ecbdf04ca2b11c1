"""What the reports share: the areas in rules/, Swedish labels, conditions in plain Swedish."""
from __future__ import annotations

import re
from datetime import date
from html import escape
from typing import Any

from engine import conditions as C
from engine.area import Area, load_area
from engine.errors import RuleFileError
from engine.explain import number
from engine.texts import STATUS_SV  # noqa: F401  (the one set of Swedish finding words)
from engine.yamlsource import FolderSource, default_rules_root

AREAS = ("verksamhetsstod", "csi")
GROUP_SV = {"admissibility": "Formella förutsättningar", "substantive": "Materiella grunder",
            "completeness": "Underlag", "amount": "Belopp och period", "info": "Upplysningar"}
OP_SV = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "in": "är en av"}
RULE_ID_IN_TEXT = re.compile(r"\b(?:VS|CSI)-[A-Z][0-9]+\b")


def load_areas(root=None, only: str | None = None) -> list[Area]:
    """Every area (or ``only`` that one) with rule files under the rules folder (rules/ by default).

    A folder that holds no rule area is refused (``RuleFileError``): a check of nothing is no check.
    """
    source = FolderSource(root if root is not None else default_rules_root())
    names = [a for a in AREAS if (only is None or a == only) and source.paths(a)]
    if not names:
        what = f"no rule files for {only}" if only else "no rule area"
        raise RuleFileError(str(source.root), f"{what} here (expected folders like verksamhetsstod/ and csi/ with "
                            "index.yaml and rule files); nothing was checked")
    return [load_area(a) if root is None else Area(a, source) for a in names]


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


def params_of_condition(cond) -> list[str]:
    out: list[str] = []

    def walk(c):
        if isinstance(c, C.Compare) and isinstance(c.value, C.Param):
            out.append(c.value.name)
        elif isinstance(c, (C.All, C.AnyOf)):
            for item in c.items:
                walk(item)
        elif isinstance(c, C.Not):
            walk(c.item)

    if cond is not None:
        walk(cond)
    return list(dict.fromkeys(out))


def condition_html(cond, area: Area, day: date, link_rule=lambda rid: escape(rid)) -> str:
    """The condition tree in plain Swedish, with parameter values in force on ``day``.

    ``Antal timmar … ≥ 5 (least_extensive_hours)``; all/any/not as nested lists.
    """
    if isinstance(cond, C.Compare):
        label = escape(fact_label(area, cond.fact))
        code = f' <code class="fact">{escape(cond.fact)}</code>'
        if isinstance(cond.value, C.Param):
            name = cond.value.name
            spec = area.params.get(name)
            current = spec.at(day) if spec else None
            shown = value_sv(current) if current is not None else "–"
            value = f'{escape(shown)} <a class="param" href="#param-{escape(name)}">({escape(name)})</a>'
        else:
            value = escape(value_sv(cond.value))
        return f"{label}{code} {escape(OP_SV[cond.op])} {value}"
    if isinstance(cond, C.Always):
        return "alltid" if cond.value else "aldrig"
    if isinstance(cond, C.RuleRef):
        return f"regel {link_rule(cond.rule_id)} är uppfylld"
    if isinstance(cond, C.Not):
        return f"inte: {condition_html(cond.item, area, day, link_rule)}"
    head = "alla dessa gäller:" if isinstance(cond, C.All) else "minst en av dessa gäller:"
    items = "".join(f"<li>{condition_html(c, area, day, link_rule)}</li>" for c in cond.items)
    return f"{head}<ul>{items}</ul>"


def condition_text(cond, area: Area, day: date) -> str:
    """The same as ``condition_html`` as plain text (for tables and JSON)."""
    import html as _html

    text = re.sub(r"<li>", "\n  - ", condition_html(cond, area, day))
    text = re.sub(r"<[^>]+>", "", text)
    return _html.unescape(text).strip()


def rule_params(area: Area, rule) -> list[str]:
    """The parameters a rule uses: in its conditions, its texts, or naming it in their description."""
    from engine.explain import placeholders

    names: list[str] = []
    for cond in (rule.applies_when, rule.when, rule.note_when):
        names += params_of_condition(cond)
    for template in rule.spec.text.model_dump().values():
        names += [n[6:] for n, _ in placeholders(template or "") if n.startswith("param:")]
    for name, spec in sorted(area.params.items()):
        if rule.spec.id in RULE_ID_IN_TEXT.findall(spec.description):
            names.append(name)
    return [n for n in dict.fromkeys(names) if n in area.params]
