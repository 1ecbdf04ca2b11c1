"""What the use cases need to know about a rule area, asked in one place: the area registry.

``engine.registry`` declares each area's outcomes, grants, completion outcome, override
outcomes and processing-time target; this module is the one seam the services call, so the
rest of the service layer names no area and no outcome.
"""
from __future__ import annotations

from datetime import date

from engine.area import load_area, processing_target
from engine.registry import spec_for_kind


def area_of(kind: str):
    """The loaded rule area of an application kind (``verksamhetsstod``, ``csi``)."""
    return load_area(spec_for_kind(kind).name)


def grant_outcomes(kind: str) -> tuple[str, ...]:
    """The outcomes that grant money (none for an area without grants)."""
    return tuple(spec_for_kind(kind).grant_outcomes)


def completion_outcome(kind: str) -> str | None:
    """The outcome that asks the applicant for documents."""
    return spec_for_kind(kind).completion_outcome


def round_outcomes(kind: str) -> tuple[str, ...]:
    """The outcomes a placement round gives (CSI: placering, ko); none for an area without rounds."""
    return tuple(item.outcome for item in area_of(kind).index.eligible_outcomes)


def override_outcomes(kind: str) -> tuple[str, ...]:
    """The outcomes a caseworker may choose when overriding a proposal of this kind of case."""
    return tuple(spec_for_kind(kind).override_outcomes)


def processing_target_days(kind: str, day: date) -> int | None:
    """The processing-time target in force on a day, or None when the area sets none."""
    target = processing_target(kind, day)
    return None if target is None else int(target)
