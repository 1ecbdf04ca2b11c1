"""The override reason codes: a dated list in rules/overrides/reason_codes.yaml (data, not a rule)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from engine.sensitive import shown_value

from .errors import InputRefused

REASON_CODES_FILE = "overrides/reason_codes.yaml"


COMPLETION_OVERDUE = "completion_overdue"  # the one case condition a reason code may require


@dataclass(frozen=True)
class ReasonCode:
    code: str
    title_sv: str
    outcomes: tuple[str, ...] = ()  # the outcomes it may be used with (empty: any)
    requires: str | None = None  # a state of the case it needs (COMPLETION_OVERDUE)


def _rules_root() -> Path:
    from engine.yamlsource import default_rules_root

    return default_rules_root()


def reason_codes(on: date, root: Path | None = None) -> list[ReasonCode]:
    """The reason codes in force on a date (the latest dated list on or before it)."""
    path = (root or _rules_root()) / REASON_CODES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        values = {date.fromisoformat(str(k)): v["value"] for k, v in data["values"].items()}
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise InputRefused(str(path), f"skälkoderna kan inte läsas ({error}); filen ska ha "
                           "values: {ÅÅÅÅ-MM-DD: {value: [{code, title_sv}, ...]}}") from None
    in_force = [d for d in values if d <= on]
    if not in_force:
        raise InputRefused("--reason-code", f"inga skälkoder gäller {on} ({path}); ange ett senare datum")
    return [ReasonCode(str(item["code"]), str(item["title_sv"]), tuple(item.get("outcomes") or ()),
                       item.get("requires")) for item in values[max(in_force)]]


def reason_code(code: str | None, on: date, root: Path | None = None) -> ReasonCode:
    """The reason code, or a refusal that lists the codes in force."""
    codes = reason_codes(on, root)
    listing = "; ".join(f"{c.code} ({c.title_sv})" for c in codes)
    if not code:
        raise InputRefused("--reason-code", f"en ändring kräver en skälkod; giltiga koder: {listing}")
    for candidate in codes:
        if candidate.code == code.strip().upper():
            return candidate
    raise InputRefused("--reason-code", f"okänd skälkod {shown_value(code)}; giltiga koder {on}: {listing}")
