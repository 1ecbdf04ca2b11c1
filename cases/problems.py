"""One break found by a check of the stored history, in words an auditor can act on."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChainProblem:
    """One break in a case's chain, in words an auditor can act on."""

    case_id: int
    application_id: str
    seq: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"händelse {self.seq} (rad {self.event_id})" if self.seq is not None else "kedjans slut"
        return f"ärende {self.case_id} ({self.application_id}), {where}: {self.problem}"
