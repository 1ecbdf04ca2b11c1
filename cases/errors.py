"""The case store's errors; the CLI turns them into exit codes at its boundary."""
from __future__ import annotations


class CaseError(Exception):
    """Base class of every error the case store raises on purpose."""


class NotFound(CaseError):
    """No case with that number or application id."""


class InputRefused(CaseError):
    """The caller's input cannot be stored as sent (exit 2): the message names what and why.

    Attributes: ``field`` (what was wrong, e.g. ``application_id`` or ``--reason-code``).
    """

    def __init__(self, field: str, problem: str):
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}")


class DuplicateApplication(InputRefused):
    """The same application id was sent again with different content.

    Choice (issue 5 item 3): refused, not stored as a new version. A changed application is
    either a completion (``stod complete``) of the open case or a new application with a new
    id; silently replacing what the principal first sent would break the record.
    """

    def __init__(self, application_id: str, case_id: int | None, completion: str | None = None,
                 school: str | None = None):
        self.application_id, self.case_id, self.school = application_id, case_id, school
        if case_id is None:  # the case is another school's: not even its number is told
            super().__init__("application_id", f"{application_id} används redan av en annan ansökan; ge ansökan "
                                               "ett nytt id")
            return
        super().__init__("application_id", (
            f"{application_id} är redan mottagen (ärende {case_id}) med annat innehåll; en ändrad ansökan "
            f"skickas som komplettering ({completion or f'stod complete {case_id} FIL'}) eller som ny ansökan "
            "med nytt id"))

    def sent_by(self, completion: str) -> "DuplicateApplication":
        """The same refusal for another front door: ``completion`` says how a completion is sent there."""
        return DuplicateApplication(self.application_id, self.case_id, completion if self.case_id is not None else None,
                                    self.school)

    def hidden(self) -> "DuplicateApplication":
        """The refusal for someone who may not see the case: no case number, no way to complete it."""
        return DuplicateApplication(self.application_id, None)


class ConflictError(CaseError):
    """Someone else changed the case since it was read: nothing was written (exit 1).

    Attributes: ``case_id``, ``expected_version`` and ``actual_version`` (when known).
    """

    def __init__(self, case_id: int | str, message: str, expected_version: int | None = None,
                 actual_version: int | None = None):
        self.case_id, self.expected_version, self.actual_version = case_id, expected_version, actual_version
        super().__init__(message)


class StateError(CaseError):
    """The case is not in a state where this step is possible (exit 1)."""


class MismatchError(CaseError):
    """What the caller handed in does not belong to this step (e.g. a round's results for other
    requests than its inputs): a fault of the calling code, nothing was written (exit 1)."""


class StoreUnavailable(CaseError):
    """The case store cannot be used: no database at the place named, the server does not answer
    or refuses, or the schema is of a version this code does not know (exit 2, one line)."""
