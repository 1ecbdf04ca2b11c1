"""CSI's hook into the one decision-text builder: a request decided in a placement round.

The round's findings (place, waitlists, why others went first, dates, appeal) come right
after the outcome; the rule lists leave them out, rules not examined are listed on one line
and parameters are shown as they are.
"""
from __future__ import annotations

from ...texts import TextLayout, rule_lines

ROUND_GROUP = "round"


def round_section(decision) -> list[str]:
    """The findings of the round's rules that apply, with their basis and notes."""
    findings = [f for f in decision.findings if f.group == ROUND_GROUP and f.status != "not_applicable"]
    return rule_lines("Placeringsomgången:", findings, with_basis=True, notes=True)


def layout(decision, request, placed_round) -> TextLayout | None:
    """The round's layout when the text is for a round (``placed_round``), else the default."""
    if placed_round is None:
        return None
    term = placed_round.term
    return TextLayout(received_detail=f", inriktning {request.focus}",
                      decided_detail=f" i placeringsomgången för {term.name} ({term.code})",
                      after_outcome=(round_section,), change_outcomes=("avslag", "avvisning"),
                      missing_documents_note=False, left_out_groups=(ROUND_GROUP,), skipped_by_text=False,
                      notes_section=False, parameter_labels=False)
