"""A caseworker's use cases on a stored case: add documents, confirm, override, the queue, one case."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cases import workflow
from engine import api
from engine.intake import parse_json

from .areas import override_outcomes, processing_target_days

VS_KIND = "verksamhetsstod"


def complete(store, case_ref: str | int, content: bytes | dict, source: str, arrived: date | None = None):
    """Documents sent for an open case: the application's next revision and a new proposal.

    ``content`` is the whole application again or ``{"documents": {...}}``; ``arrived`` the day
    the documents came (else the file's ``received``, else today), which is also the new
    proposal's date. Within the completion deadline the application keeps its receipt date.
    """
    update = content if isinstance(content, dict) else parse_json(content, source)
    day = workflow.arrival_of(update, arrived, date.today())
    return workflow.add_documents(store, case_ref, update, lambda raw: api.read_application(raw, source=source),
                                  lambda app: api.decide(app, day), received=day, source=source)


def confirm(store, case_ref: str | int, *, by: str, on: date | None = None, expected_version: int | None = None):
    """A named caseworker confirms the latest proposal."""
    return workflow.confirm(store, case_ref, by=by, on=on, expected_version=expected_version)


def override(store, case_ref: str | int, *, outcome: str, reason_code: str | None, reason: str | None, by: str,
             amount_sek: int | None = None, on: date | None = None, expected_version: int | None = None):
    """A named caseworker decides otherwise, with a reason code and a reason, within the case's own area."""
    kind = workflow.case_kind(store, case_ref)
    return workflow.override(store, case_ref, outcome=outcome, reason_code=reason_code, reason=reason, by=by,
                             amount_sek=amount_sek, on=on, expected_version=expected_version,
                             outcomes=override_outcomes(kind))


@dataclass
class Queue:
    day: date
    target_days: int | None
    rows: list

    @property
    def over_target(self) -> int:
        return sum(r.over_target for r in self.rows)


def queue(store, on: date | None = None) -> Queue:
    """Open cases on a day, oldest first, with days waited against the processing-time target."""
    day = on or date.today()
    target = processing_target_days(VS_KIND, day)
    return Queue(day, target, workflow.queue(store, day, target))


def show(store, case_ref: str | int, role: str | None = None) -> dict:
    """Everything about one case as ``role`` may see it."""
    return workflow.case_view(store, case_ref, role)
