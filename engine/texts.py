"""The whole Swedish decision text, as förvaltningslagen 32 § asks: reasons, rules, facts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

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


def _param_value(value, plain: bool = False) -> str:
    """A parameter value in a text: numbers the Swedish way, or (``plain``) as they are."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        if plain:
            return "; ".join(f"{k}: {_param_value(v, True)}" for k, v in value.items())
        return ", ".join(f"{k}: {number(v)}" for k, v in value.items())
    return str(value) if plain else number(value)


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


@dataclass(frozen=True)
class TextLayout:
    """How the one decision text is laid out; an area's ``layout`` hook may give another.

    The defaults are the single decision (verksamhetsstöd, and a CSI request checked alone);
    the CSI area's hook lays out a request decided in a placement round.
    """

    received_detail: str = ""  # after the grade in the receipt line (", inriktning AST")
    decided_detail: str = ""  # after the decision date (" i placeringsomgången för …")
    # Sections right after the outcome: functions (decision) -> lines (the CSI round's findings).
    after_outcome: tuple[Callable[[Any], list[str]], ...] = ()
    change_outcomes: tuple[str, ...] = ("avslag",)  # outcomes that say what would change them
    missing_documents_note: bool = True  # with an avslag, also list the documents still missing
    left_out_groups: tuple[str, ...] = ()  # groups shown in an area section, not in the rule lists
    skipped_by_text: bool = True  # rules not examined: grouped by their text, or ids on one line
    notes_section: bool = True  # "Upplysningar": info rules and notes
    parameter_labels: bool = True  # parameters by their Swedish labels, month by month apart


DEFAULT_LAYOUT = TextLayout()


def decision_text(decision, area, app, context=None) -> str:
    """The whole decision text: one builder; an area's ``layout`` hook may adjust its sections."""
    hook = area.spec.text_sections.get("layout")
    layout = (hook(decision, app, context) if hook is not None else None) or DEFAULT_LAYOUT
    lines: list[str] = []
    lines += _head_lines(decision, area, app, layout)
    for section in layout.after_outcome:
        lines += section(decision)
    lines += rule_lines("Skäl för beslutet (avgörande regler):", [f for f in decision.findings if f.decisive],
                        with_basis=True)
    lines += _next_step_lines(decision, area, app, layout)
    lines += _rule_list_lines(decision, layout)
    if layout.notes_section:
        lines += _note_lines(decision)
    lines += _applied_lines(decision, area, layout)
    return "\n".join(lines)


def _head_lines(decision, area, app, layout: TextLayout) -> list[str]:
    lines = [f"{area.index.title} – beslutsförslag {decision.application_id}", "",
             f"Ansökan mottagen {decision.received} från {app.school.name} ({app.school.unit_code}), "
             f"elev {app.pupil.ref}, årskurs {app.pupil.grade}{layout.received_detail}. "
             f"Prövad {decision.decision_date}{layout.decided_detail}.", "",
             f"Beslut: {decision.outcome_title}."]
    if decision.amount_sek is not None:
        grant_total = area.spec.rule("grant_total")
        months = next(f for f in decision.findings if f.rule_id == grant_total).facts.get("period.granted_school_months")
        lines.append(f"Beviljat belopp: {sek(decision.amount_sek)}, nivå {decision.level}, för "
                     f"{decision.granted_period['start_month']}–{decision.granted_period['end_month']} "
                     f"({months} skolmånader).")
    return lines + [""]


def _next_step_lines(decision, area, app, layout: TextLayout) -> list[str]:
    """What to send (a completion), or what would change a refusal."""
    if decision.requests:
        return request_lines(decision, area, app.received)
    if decision.outcome not in layout.change_outcomes:
        return []
    lines = ["Vad som kan ändra utfallet: se de avgörande reglerna ovan. En ny ansökan som uppfyller dem kan prövas."]
    others = [f for f in decision.findings if f.status == "not_met" and not f.decisive and f.group == "completeness"]
    if layout.missing_documents_note and others:
        lines.append("Observera att även detta underlag saknas och behövs i en ny ansökan:")
        lines += [f"- {f.rule_id} {f.title}. {f.text}" for f in others]
    return lines + [""]


def _rule_list_lines(decision, layout: TextLayout) -> list[str]:
    """Rules met, rules not met that did not decide, rules not examined."""
    shown = [f for f in decision.findings if f.group not in layout.left_out_groups]
    lines = rule_lines("Uppfyllda regler:", [f for f in shown if f.status == "met" and not f.decisive])
    in_note = layout.missing_documents_note and decision.outcome in layout.change_outcomes
    lines += rule_lines("Regler som inte är uppfyllda men inte avgjorde beslutet:",
                        [f for f in shown if f.status == "not_met" and not f.decisive and f.group != "info"
                         and not (in_note and f.group == "completeness")])
    skipped = [f for f in decision.findings if f.status == "not_applicable"]
    if not skipped:
        return lines
    if not layout.skipped_by_text:
        return lines + ["Regler som inte prövades: " + ", ".join(f.rule_id for f in skipped) + ".", ""]
    by_text: dict[str, list[str]] = {}
    for f in skipped:
        by_text.setdefault(f.text, []).append(f.rule_id)
    return lines + ["Regler som inte prövades:"] + [f"- {', '.join(ids)}: {text}" for text, ids in by_text.items()] + [""]


def _note_lines(decision) -> list[str]:
    info = [f for f in decision.findings if f.group == "info"]
    notes = [f for f in decision.findings if f.note]
    if not (info or notes):
        return []
    return (["Upplysningar:"] + [f"- {f.rule_id}: {f.note}" for f in notes]
            + [f"- {f.rule_id} {f.title}. {f.text}" for f in info] + [""])


def _applied_lines(decision, area, layout: TextLayout) -> list[str]:
    """The rules and parameter values applied, and that the text is a proposal."""
    lines = [f"Tillämpat regelverk: {area.name} version {decision.ruleset['version']} "
             f"(regler i kraft {decision.received})."]
    if layout.parameter_labels:
        monthly = {k: v for k, v in decision.parameters.items() if area.params[k].applies_at == "month"}
        shown = tuple((_label(area, k), v) for k, v in sorted(decision.parameters.items()) if k not in monthly)
        lines.append(_param_line(shown))
        lines += [_monthly_line(_label(area, name), by_month) for name, by_month in sorted(monthly.items())]
    else:
        lines.append("Parametrar: " + "; ".join(f"{k} = {_param_value(v, True)}"
                                                for k, v in sorted(decision.parameters.items())) + ".")
    lines.append("Beslutet är ett förslag tills en handläggare med delegation har fastställt det.")
    return lines
