"""The facts of verksamhetsstöd, derived from an application.

Amounts are worked out here, month by month with the parameters in force each month, in the
order the policy gives: VS-P1 sets the granted start, VS-P3 caps the months, VS-L1 sets the
level, VS-N1 nets (its own rule condition decides whether), VS-G1 sums.
"""
from __future__ import annotations

import functools

from ...dates import Month, months_between
from ...processing import processing_days
from ...facts import (
    APPLICATION_DEFS,
    application_facts,
    DOCUMENT_DEFS,
    document_facts,
    FactContext,
    FactDef,
    FactSet,
)

D = FactDef
DEFS = APPLICATION_DEFS + DOCUMENT_DEFS + [
    D("school.socioeconomic_index_known", "bool", "Whether the application gives the school's socioeconomic index."),
    D("school.socioeconomic_index", "number", "The school's socioeconomic index (0 when not given)."),
    D("application.renewal", "bool", "The application continues an earlier period of verksamhetsstöd."),
    D("need.extraordinary_measures", "int", "How many requested measures are extraordinary."),
    D("need.ordinary_measures", "int", "How many requested measures the grundbelopp already covers."),
    D("need.ordinary_measure_names", "str", "The requested measures the grundbelopp already covers, as 'a, b' (codes)."),
    D("need.extraordinary_hours_per_week", "number", "Extraordinary support hours per week applied for."),
    D("need.share_in_special_group", "number", "Share of school time in a särskild undervisningsgrupp (0-1)."),
    D("need.description_given", "bool", "The need is described in words (not blank)."),
    D("need.diagnoses_given", "bool", "One or more diagnoses are stated (the diagnoses themselves are not facts)."),
    D("docs.extra_anpassningar_utvardering.attached", "bool", "An evaluation of the extra anpassningar tried is attached."),
    D("docs.foregaende_period_utvardering.attached", "bool", "An evaluation of the previous period is attached."),
    D("docs.vardnadshavare_informerade", "bool", "The guardians are informed of the application."),
    D("period.requested_start", "str", "First requested month (YYYY-MM)."),
    D("period.requested_end", "str", "Last requested month (YYYY-MM)."),
    D("period.receipt_month", "str", "The month of receipt (YYYY-MM)."),
    D("period.requested_school_months", "int", "School months in the requested period."),
    D("period.school_months_from_receipt", "int", "Requested school months from the month of receipt on."),
    D("period.months_cut_by_p1", "int", "Requested school months before the month of receipt (VS-P1 removes them)."),
    D("period.months_cut_by_p3", "int", "School months past the longest period (VS-P3 removes them)."),
    D("period.granted_school_months", "int", "School months in the granted period."),
    D("period.granted_start", "str", "First granted school month ('' when none)."),
    D("period.granted_end", "str", "Last granted school month ('' when none)."),
    D("period.granted_in_full", "bool", "The granted period holds the same school months as the requested one."),
    D("amount.level", "int", "The level that the extraordinary hours give (0 below the lowest level)."),
    D("amount.netting_applies", "bool", "Extra grundbelopp is netted from each month (VS-N1's condition holds)."),
    D("amount.computed_sek", "int", "Sum over the granted months of the level amount less netting, not below 0 a month."),
    D("amount.requested_sek", "int", "The amount applied for."),
    D("amount.granted_sek", "int", "The lower of the computed and the requested amount."),
    D("amount.granted_in_full", "bool", "The granted amount equals the requested amount."),
    D("case.days_waited", "int", "Processing days from receipt to the decision date, less the applicant's "
      "turns (from a komplettering to the arrival of its documents)."),
]



def school_months(months: list[Month], excluded: list[int]) -> list[Month]:
    return [m for m in months if m.month not in excluded]


def _period(start_text: str, end_text: str, receipt_text: str, excluded: tuple, longest: int):
    """The period facts and the granted school months (pure: cached, as many cases share them)."""
    start, end, receipt_month = Month.parse(start_text), Month.parse(end_text), Month.parse(receipt_text)
    requested = school_months(months_between(start, end), list(excluded))
    from_receipt = [m for m in requested if m >= receipt_month]
    granted = tuple(from_receipt[:longest])
    return {
        "period.requested_start": str(start),
        "period.requested_end": str(end),
        "period.receipt_month": receipt_text,
        "period.requested_school_months": len(requested),
        "period.school_months_from_receipt": len(from_receipt),
        "period.months_cut_by_p1": len(requested) - len(from_receipt),
        "period.months_cut_by_p3": len(from_receipt) - len(granted),
        "period.granted_school_months": len(granted),
        "period.granted_start": str(granted[0]) if granted else "",
        "period.granted_end": str(granted[-1]) if granted else "",
        "period.granted_in_full": list(granted) == requested,
    }, granted


def _amount(param, level: int, netting: bool, granted: tuple) -> int:
    """VS-G1's sum over the granted months, each month at the amounts in force that month."""
    computed = 0
    for month in granted:
        amount = param("monthly_amount_by_level", month.first_day)[level]
        less = param("extra_grundbelopp_monthly", month.first_day) if netting else 0
        computed += max(0, amount - less)
    return computed


# Cached by wrapping, not by decorating: the mutation tool (bench/mutation.py) mutates only
# undecorated functions, and these two are the amount computation it must reach.
_period = functools.lru_cache(maxsize=1 << 16)(_period)
_amount = functools.lru_cache(maxsize=1 << 16)(_amount)


def derive(app, ctx: FactContext) -> dict:
    receipt = app.received
    extraordinary = set(ctx.at_receipt("extraordinary_measures"))
    ordinary = set(ctx.at_receipt("ordinary_measures"))
    excluded = ctx.at_receipt("non_school_months")
    docs, need = app.documents, app.need
    index = app.school.socioeconomic_index

    facts = application_facts(app) | document_facts(app.documents, receipt) | {
        "school.socioeconomic_index_known": index is not None,
        "school.socioeconomic_index": float(index) if index is not None else 0.0,
        "application.renewal": app.renewal,
        "need.extraordinary_measures": sum(1 for m in need.measures if m in extraordinary),
        "need.ordinary_measures": sum(1 for m in need.measures if m in ordinary),
        "need.ordinary_measure_names": ", ".join(m for m in need.measures if m in ordinary),
        "need.extraordinary_hours_per_week": float(need.extraordinary_hours_per_week),
        "need.share_in_special_group": float(need.share_in_special_group),
        "need.description_given": bool(need.description.strip()),
        "need.diagnoses_given": bool(need.diagnoses),
        "docs.extra_anpassningar_utvardering.attached": docs.extra_anpassningar_utvardering is not None,
        "docs.foregaende_period_utvardering.attached": docs.foregaende_period_utvardering is not None,
        "docs.vardnadshavare_informerade": docs.vardnadshavare_informerade,
        "case.days_waited": processing_days(receipt, ctx.decision, app.pauses),
        "amount.requested_sek": app.requested_amount_sek,
    }

    # Period: VS-P1 (no retroactivity), then VS-P3 (longest period) from the granted start.
    period_facts, granted = _period(app.period.start_month, app.period.end_month, str(Month.of(receipt)),
                                    tuple(excluded), ctx.at_receipt("longest_period_school_months"))
    facts.update(period_facts)

    # Level (VS-L1): the highest level whose lower bound the hours reach.
    hours = facts["need.extraordinary_hours_per_week"]
    level = 0
    for row in sorted(ctx.at_receipt("level_hours"), key=lambda r: r["from_hours"]):
        if hours >= row["from_hours"]:
            level = row["level"]
    facts["amount.level"] = level

    # Netting (VS-N1) is decided by that rule's own condition; amounts month by month (VS-G1).
    netting = ctx.rule_holds(ctx.rules["netting"], facts)
    computed = _amount(ctx.param, level, netting, granted) if level else 0
    granted_sek = min(computed, app.requested_amount_sek)
    facts.update({
        "amount.netting_applies": netting,
        "amount.computed_sek": computed,
        "amount.granted_sek": granted_sek,
        "amount.granted_in_full": granted_sek == app.requested_amount_sek,
    })
    return facts


FACTS = FactSet("verksamhetsstod", DEFS, derive)
