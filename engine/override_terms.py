"""The bounds of a caseworker's override that every area shares ("After the first proposal").

A completion override lists the items to send; its deadline is counted as for the area's
completion rules (its ``completion_deadline`` parameter). A grant's bounds are the area's own
(``AreaSpec.grant_terms``). Errors name the command-line option.
"""
from __future__ import annotations

from datetime import date

from .errors import IntakeError
from .explain import deadline


def completion_terms(area, items: list[str] | None, on: date) -> tuple[list[str], date]:
    """The items to send and the deadline of an override to completion, counted from ``on``."""
    listed = [item.strip() for item in items or () if item and item.strip()]
    if not listed:
        raise IntakeError("--item", "en begäran om komplettering ska lista vad som ska skickas in (--item TEXT, "
                          "en gång per handling)")
    return listed, deadline(on, area.param(area.spec.parameters["completion_deadline"], on))
