"""Facts: the named, typed values that rules look at, each defined once with a description."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Mapping

from .dates import age_in_months
from .errors import AreaFault

# Cached by wrapping, not by decorating (bench/mutation.py mutates the undecorated function):
# a batch asks for the same few thousand (document day, receipt day) pairs again and again.
_age_in_months = functools.lru_cache(maxsize=1 << 16)(age_in_months)


@dataclass(frozen=True)
class FactDef:
    name: str
    type: str  # bool, int, number, str
    description: str  # one line an auditor can read


class FactSet:
    """The facts of one rule area and the function that derives them from an application."""

    def __init__(self, name: str, defs: list[FactDef], derive: Callable[..., dict[str, Any]]):
        self.name = name
        self.defs = {d.name: d for d in defs}
        self._names = frozenset(self.defs)
        self._derive = derive

    @property
    def types(self) -> dict[str, str]:
        return {name: d.type for name, d in self.defs.items()}

    def derive(self, application, context: "FactContext") -> dict[str, Any]:
        facts = self._derive(application, context)
        if facts.keys() != self._names:  # a programming error, never an input error
            missing, extra = self._names - facts.keys(), facts.keys() - self._names
            raise AreaFault(self.name, "fact set", f"missing {sorted(missing)}, undeclared {sorted(extra)}")
        return facts


@dataclass
class FactContext:
    """What deriving facts may consult: parameter values at the right dates, and rules."""

    receipt: date
    decision: date
    param: Callable[[str, date], Any]  # (name, day) -> value in force
    rule_holds: Callable[[str, dict], bool]  # (rule id, facts so far) -> condition holds
    extra: Any = None  # what an area passes beside the application (CSI: the round's catalogue and result)
    rules: Mapping[str, str] = field(default_factory=dict)  # the area's named rules (role -> rule id)

    def at_receipt(self, name: str):
        return self.param(name, self.receipt)


# Facts every kind of application has, defined once (the shared part of the intake model).
APPLICATION_DEFS = [
    FactDef("applicant.role", "str", "The applicant's role as written on the application."),
    FactDef("school.municipality", "str", "The school's municipality as written."),
    FactDef("school.organizer", "str", "kommunal or fristaende."),
    FactDef("pupil.grade", "int", "The pupil's grade on the application (0 = förskoleklass)."),
]


def application_facts(app) -> dict[str, Any]:
    """The facts of APPLICATION_DEFS, from the fields every application shares."""
    return {"applicant.role": app.applicant.role, "school.municipality": app.school.municipality,
            "school.organizer": app.school.organizer, "pupil.grade": app.pupil.grade}


# The åtgärdsprogram and the utredning, which both kinds of application attach.
DOCUMENT_DEFS = [
    FactDef("docs.atgardsprogram.attached", "bool", "An åtgärdsprogram is attached."),
    FactDef("docs.atgardsprogram.signed_by_rektor", "bool", "The åtgärdsprogram is signed by the rektor."),
    FactDef("docs.atgardsprogram.date", "str", "The åtgärdsprogram's date ('' when none)."),
    FactDef("docs.atgardsprogram.age_months", "number",
            "Months from the åtgärdsprogram's date to receipt; a part month counts 0.5."),
    FactDef("docs.utredning.attached", "bool", "An utredning is attached."),
    FactDef("docs.utredning.date", "str", "The utredning's date ('' when none)."),
    FactDef("docs.utredning.age_months", "number", "Months from the utredning's date to receipt; a part month counts 0.5."),
]


def dated_document(doc, receipt: date) -> tuple[bool, str, float]:
    """(attached, date as text, age in months at receipt) of an optional dated document.

    A document sent with a completion may be dated after receipt (up to the completion's
    arrival, which intake checks); it is new, age 0, and meets every age limit.
    """
    if doc is None:
        return False, "", 0.0
    return True, doc.date.isoformat(), max(0.0, _age_in_months(doc.date, receipt))


def document_facts(docs, receipt: date) -> dict[str, Any]:
    """The facts of DOCUMENT_DEFS."""
    ap_attached, ap_date, ap_age = dated_document(docs.atgardsprogram, receipt)
    ut_attached, ut_date, ut_age = dated_document(docs.utredning, receipt)
    return {
        "docs.atgardsprogram.attached": ap_attached,
        "docs.atgardsprogram.signed_by_rektor": bool(docs.atgardsprogram and docs.atgardsprogram.signed_by_rektor),
        "docs.atgardsprogram.date": ap_date,
        "docs.atgardsprogram.age_months": ap_age,
        "docs.utredning.attached": ut_attached,
        "docs.utredning.date": ut_date,
        "docs.utredning.age_months": ut_age,
    }
