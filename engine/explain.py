"""Swedish texts: rule templates filled with the facts and parameters that decided them."""
from __future__ import annotations

import re
from datetime import date, timedelta

from .dates import minus_months

PLACEHOLDER = re.compile(r"\{([a-z_.:]+)(?:\|([a-z_]+))?\}")
FORMATS = ("sek", "pct", "yesno", "or_none", "months_before_receipt")
OPERATOR_SV = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "in": "en av"}


def number(value) -> str:
    """Swedish number: decimal comma, space between thousands, no trailing ,0."""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",")
    return str(value)


def sek(value) -> str:
    return f"{number(int(value))} kr"


def fmt(value, spec: str | None, receipt: date) -> str:
    if spec == "sek":
        return sek(value)
    if spec == "pct":
        return f"{number(round(float(value) * 100, 1))} %"
    if spec == "yesno":
        return "ja" if value else "nej"
    if spec == "or_none":
        return str(value) if value not in ("", None) else "ingen"
    if spec == "months_before_receipt":
        return minus_months(receipt, int(value)).isoformat()
    if spec is None:
        return number(value)
    raise KeyError(f"unknown format '{spec}'")


def render(template: str, facts: dict, params: dict, receipt: date) -> str:
    """Fill ``{fact.name}``, ``{param:name}`` and ``{...|sek}`` style placeholders."""

    def one(match: re.Match) -> str:
        name, spec = match.group(1), match.group(2)
        value = params[name[6:]] if name.startswith("param:") else facts[name]
        return fmt(value, spec, receipt)

    return " ".join(PLACEHOLDER.sub(one, template).split())


def placeholders(template: str) -> list[tuple[str, str | None]]:
    return [(m.group(1), m.group(2)) for m in PLACEHOLDER.finditer(template)]


def deadline(decision_date: date, days: int) -> date:
    return decision_date + timedelta(days=days)
