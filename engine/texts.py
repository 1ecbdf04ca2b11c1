"""The whole Swedish decision text, as förvaltningslagen 32 § asks: reasons, rules, facts."""
from __future__ import annotations

from .explain import number, sek

STATUS_SV = {"met": "uppfylld", "not_met": "inte uppfylld", "not_applicable": "inte prövad", "info": "upplysning"}


def basis_text(finding) -> str:
    """A finding's legal basis: each source with its link."""
    return "; ".join(b["text"] + (f" ({b['url']})" if b.get("url") else "") for b in finding.basis)


def rule_lines(title: str, findings, with_basis: bool = False, notes: bool = False) -> list[str]:
    """A headed list of findings, "- VS-K1 Title. Text.", optionally with notes and basis."""
    if not findings:
        return []
    lines = [title]
    for f in findings:
        lines.append(f"- {f.rule_id} {f.title}. {f.text}")
        if notes and f.note:
            lines.append(f"  {f.note}")
        if with_basis:
            lines.append(f"  Grund: {basis_text(f)}.")
    return lines + [""]


def request_lines(decision, area, received) -> list[str]:
    """What to send, by whom: the school's items with the deadline, others' items apart."""
    if not decision.requests:
        return []
    specs = {r.spec.id: r.spec for r in area.rules_on(received)}
    decisive = [f for f in decision.findings if f.decisive]
    school_items: list[str] = []
    others: dict[str, list[str]] = {}
    for finding, item in zip(decisive, decision.requests):
        addressee = specs[finding.rule_id].text.addressee
        (others.setdefault(addressee, []) if addressee else school_items).append(item)
    lines: list[str] = []
    if school_items:
        lines.append(f"Skicka in följande senast {decision.completion_deadline}:")
        lines += [f"{i}. {item}" for i, item in enumerate(school_items, 1)]
        lines += ["När underlagen har kommit in prövas ansökan i sak.", ""]
    for addressee, items in others.items():
        lines.append(f"Att göra för {addressee} (inte för skolan):")
        lines += [f"{i}. {item}" for i, item in enumerate(items, 1)] + [""]
    return lines


def _param_value(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {number(v)}" for k, v in value.items())
    return number(value)


_PARAM_LINES: dict[tuple, str] = {}


def _param_line(shown: tuple) -> str:
    key = repr(shown)
    line = _PARAM_LINES.get(key)
    if line is None:
        line = _PARAM_LINES[key] = "Parametrar: " + "; ".join(f"{k} = {_param_value(v)}" for k, v in shown) + "."
    return line


def _label(area, name: str) -> str:
    """A parameter as a principal reads it: its Swedish label, with its name for reference."""
    spec = area.params.get(name)
    return f"{spec.label} ({name})" if spec is not None and spec.label else name


_MONTHLY_LINES: dict[str, str] = {}


def _monthly_line(name: str, by_month: dict) -> str:
    """A month-by-month parameter as ranges of months with the same value."""
    key = name + repr(by_month)
    line = _MONTHLY_LINES.get(key)
    if line is None:
        runs: list[list] = []  # [first month, last month, value]
        for month, value in by_month.items():
            if runs and runs[-1][2] == value:
                runs[-1][1] = month
            else:
                runs.append([month, month, value])
        parts = [f"{a}–{b}: {_param_value(v)}" if a != b else f"{a}: {_param_value(v)}" for a, b, v in runs]
        line = _MONTHLY_LINES[key] = f"{name}: " + "; ".join(parts) + "."
    return line


def decision_text(decision, area, app) -> str:
    lines: list[str] = []
    add = lines.append
    title = area.index.title
    add(f"{title} – beslutsförslag {decision.application_id}")
    add("")
    add(f"Ansökan mottagen {decision.received} från {app.school.name} ({app.school.unit_code}), "
        f"elev {app.pupil.ref}, årskurs {app.pupil.grade}. Prövad {decision.decision_date}.")
    add("")
    add(f"Beslut: {decision.outcome_title}.")
    if decision.amount_sek is not None:
        months = next(f for f in decision.findings if f.rule_id == area.spec.rule("grant_total")).facts.get("period.granted_school_months")
        add(f"Beviljat belopp: {sek(decision.amount_sek)}, nivå {decision.level}, för "
            f"{decision.granted_period['start_month']}–{decision.granted_period['end_month']} "
            f"({months} skolmånader).")
    add("")

    lines += rule_lines("Skäl för beslutet (avgörande regler):", [f for f in decision.findings if f.decisive],
                        with_basis=True)
    if decision.requests:
        lines += request_lines(decision, area, app.received)
    elif decision.outcome in ("avslag",):
        add("Vad som kan ändra utfallet: se de avgörande reglerna ovan. En ny ansökan som uppfyller dem kan prövas.")
        others = [f for f in decision.findings if f.status == "not_met" and not f.decisive and f.group == "completeness"]
        if others:
            add("Observera att även detta underlag saknas och behövs i en ny ansökan:")
            for f in others:
                add(f"- {f.rule_id} {f.title}. {f.text}")
        add("")

    lines += rule_lines("Uppfyllda regler:", [f for f in decision.findings if f.status == "met" and not f.decisive])
    other = [f for f in decision.findings if f.status == "not_met" and not f.decisive and f.group not in ("info",)
             and not (decision.outcome == "avslag" and f.group == "completeness")]
    if other:
        add("Regler som inte är uppfyllda men inte avgjorde beslutet:")
        for f in other:
            add(f"- {f.rule_id} {f.title}. {f.text}")
        add("")
    skipped = [f for f in decision.findings if f.status == "not_applicable"]
    if skipped:
        add("Regler som inte prövades:")
        by_text: dict[str, list[str]] = {}
        for f in skipped:
            by_text.setdefault(f.text, []).append(f.rule_id)
        for text, ids in by_text.items():
            add(f"- {', '.join(ids)}: {text}")
        add("")
    info = [f for f in decision.findings if f.group == "info"]
    notes = [f for f in decision.findings if f.note]
    if info or notes:
        add("Upplysningar:")
        for f in notes:
            add(f"- {f.rule_id}: {f.note}")
        for f in info:
            add(f"- {f.rule_id} {f.title}. {f.text}")
        add("")
    add(f"Tillämpat regelverk: {area.name} version {decision.ruleset['version']} "
        f"(regler i kraft {decision.received}).")
    monthly = {k: v for k, v in decision.parameters.items() if area.params[k].applies_at == "month"}
    shown = tuple((_label(area, k), v) for k, v in sorted(decision.parameters.items()) if k not in monthly)
    add(_param_line(shown))
    for name, by_month in sorted(monthly.items()):
        add(_monthly_line(_label(area, name), by_month))
    add("Beslutet är ett förslag tills en handläggare med delegation har fastställt det.")
    return "\n".join(lines)
