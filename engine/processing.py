"""Processing time as the policy defines it, and the one median and percentile of it.

Processing time is the number of days from receipt to the decision, less the applicant's
turns: the days from a ``komplettering`` decision to the arrival of its documents (the clock
stops while the school is asked for something). A case still waiting for its documents has
waited the days from receipt to the ``komplettering`` decision. VS-I2, the queue and every
statistic count days with ``processing_days`` and summarise them with ``percentile``.
"""
from __future__ import annotations

import math
from datetime import date
from typing import Iterable, Optional, Sequence

# One applicant's turn: (the day completion was asked for, the day the documents arrived or None).
Pause = tuple[date, Optional[date]]


def processing_days(received: date, on: date, pauses: Iterable[Pause] = ()) -> int:
    """Days from ``received`` to ``on`` that count as the authority's, never below 0.

    Each pause (asked, arrived) removes its days up to ``on``; a pause with no arrival yet
    runs until ``on``.
    """
    days = (on - received).days
    for asked, arrived in pauses:
        if asked >= on:
            continue
        end = on if arrived is None or arrived > on else arrived
        days -= max(0, (end - max(asked, received)).days)
    return max(0, days)


def percentile(values: Sequence[int], p: float) -> int | None:
    """Nearest-rank percentile: the smallest value with at least ``p`` % of values at or below it.

    Always a day count that occurred; the median is ``percentile(values, 50)``.
    """
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def median(values: Sequence[int]) -> int | None:
    return percentile(values, 50)
