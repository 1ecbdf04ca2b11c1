"""What the use cases need to know about a rule area, asked in one place.

The area registry of ``engine`` answers these; this module is the one seam the services call,
so the rest of the service layer names no area and no outcome.
"""
from __future__ import annotations

from datetime import date

from engine.api import AREA_OF_KIND
from engine.area import load_area

PROCESSING_TARGET = "processing_target_days"


def area_of(kind: str):
    """The loaded rule area of an application kind (``verksamhetsstod``, ``csi``)."""
    return load_area(AREA_OF_KIND.get(kind, kind))


def grant_outcomes(kind: str) -> tuple[str, ...]:
    """The outcomes that grant money (none for an area without grants)."""
    grant = area_of(kind).index.grant
    return (grant.full_outcome, grant.partial_outcome) if grant is not None else ()


def completion_outcome(kind: str) -> str:
    """The outcome that asks the applicant for documents."""
    return next(g.outcome for g in area_of(kind).index.groups if g.id == "completeness")


def round_outcomes(kind: str) -> tuple[str, ...]:
    """The outcomes a placement round gives (CSI: placering, ko); none for an area without rounds."""
    return tuple(item.outcome for item in area_of(kind).index.eligible_outcomes)


def override_outcomes(kind: str) -> tuple[str, ...]:
    """The outcomes a caseworker may choose when overriding a proposal of this kind of case.

    The outcomes of the area's rule groups, its grants and (CSI) what a round may give; never
    the "waiting for a round" marker, which is not a decision.
    """
    index = area_of(kind).index
    out = [g.outcome for g in index.groups if g.outcome]
    out += list(grant_outcomes(kind)) + [item.outcome for item in index.eligible_outcomes]
    return tuple(dict.fromkeys(out))


def processing_target_days(kind: str, day: date) -> int | None:
    """The processing-time target in force on a day, or None when the area sets none."""
    area = area_of(kind)
    if PROCESSING_TARGET not in area.params or area.params[PROCESSING_TARGET].at(day) is None:
        return None
    return int(area.param(PROCESSING_TARGET, day))
