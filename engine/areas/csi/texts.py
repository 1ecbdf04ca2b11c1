"""CSI's hooks into the one decision letter (engine.letter): a request decided in a placement round.

A round decides by its rules (CSI-R1..R6), not by a failed condition: the letter's reasons
are then the round's findings, its header names the round, and the round's findings are
left out of the lists of what was fine or not.
"""
from __future__ import annotations

ROUND_GROUP = "round"


def header(decision, request, placed_round) -> list[tuple[str, str]]:
    """The round in the letter's header, for a request decided in one."""
    return [("Placeringsomgång", placed_round.term.name)] if placed_round is not None else []


def reasons(decision, area) -> list:
    """The round's rules that held and, when no place was given, those that did not (they say why)."""
    placed = area.index.eligible_outcomes[0].outcome if area.index.eligible_outcomes else None
    return [f for f in decision.findings if f.group == ROUND_GROUP
            and (f.status == "met" or (f.status == "not_met" and decision.outcome != placed))]


def own_groups() -> tuple[str, ...]:
    """Groups whose findings only the reasons show."""
    return (ROUND_GROUP,)
