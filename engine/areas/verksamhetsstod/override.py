"""The bounds of a caseworker's override to a grant, as the policy sets them ("Overrides").

A grant (``bifall``, ``delvis_bifall``) needs a level, a period inside the requested one (never
before the month of receipt) and an amount no higher than the requested amount; it is
``bifall`` only when amount and period are those requested. The amount the engine computes
for the same level and period (VS-G1's one sum, ``facts._amount``, with VS-N1's netting when
it applies) is returned so the auditor's reports can flag a grant above it. Errors name the
command-line option. Declared as the area's ``grant_terms`` hook (``engine.registry``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from ...dates import Month, months_between
from ...errors import IntakeError
from ...sensitive import shown_value
from .facts import _amount

LEVEL_TABLE, NON_SCHOOL_MONTHS = "level_hours", "non_school_months"


@dataclass(frozen=True)
class GrantTerms:
    outcome: str
    level: int
    start_month: str
    end_month: str
    school_months: int
    amount_sek: int
    computed_sek: int  # what the engine computes for this level and period

    @property
    def above_computed(self) -> bool:
        return self.amount_sek > self.computed_sek

    def to_dict(self) -> dict:
        return {**asdict(self), "above_computed": self.above_computed}


def _refuse(option: str, problem: str):
    return IntakeError(option, problem)


def parse_period(text: str | None, option: str = "--period") -> tuple[Month, Month]:
    """``YYYY-MM..YYYY-MM`` as two months, start not after end."""
    if not text:
        raise _refuse(option, "ett beviljande beslut kräver en period, t.ex. --period 2026-08..2027-06")
    try:
        start_text, end_text = text.split("..")
        start, end = Month.parse(start_text.strip()), Month.parse(end_text.strip())
    except ValueError:
        raise _refuse(option, f"ange perioden som ÅÅÅÅ-MM..ÅÅÅÅ-MM, t.ex. 2026-08..2027-06; fick {shown_value(text)}") from None
    if end < start:
        raise _refuse(option, f"perioden slutar ({end}) före sin början ({start})")
    return start, end


def grant_terms(area, app, decision, outcome: str, level: int | None, period: str | None,
                amount: int | None) -> GrantTerms:
    """The checked terms of an override to a grant; ``decision`` is the engine's proposal (for netting)."""
    grant = area.index.grant
    receipt = app.received
    levels = sorted(row["level"] for row in area.param(LEVEL_TABLE, receipt))
    if level is None or level not in levels:
        raise _refuse("--level", f"ett beviljande beslut kräver en nivå {levels[0]}–{levels[-1]}"
                      + (f"; fick {level}" if level is not None else ""))
    start, end = parse_period(period)
    requested_start, requested_end = Month.parse(app.period.start_month), Month.parse(app.period.end_month)
    receipt_month = Month.of(receipt)
    if start < requested_start or end > requested_end:
        raise _refuse("--period", f"{start}..{end} ligger inte inom den sökta perioden "
                      f"{requested_start}..{requested_end}")
    if start < receipt_month:
        raise _refuse("--period", f"{start}..{end} börjar före mottagandemånaden {receipt_month}; stöd lämnas "
                      "inte retroaktivt")
    excluded = area.param(NON_SCHOOL_MONTHS, receipt)
    granted = [m for m in months_between(start, end) if m.month not in excluded]
    if not granted:
        raise _refuse("--period", f"{start}..{end} innehåller ingen skolmånad")
    requested = [m for m in months_between(requested_start, requested_end) if m.month not in excluded]
    if amount is None or amount <= 0:
        raise _refuse("--amount", "ett beviljande beslut kräver ett belopp i kronor större än 0"
                      + (f"; fick {amount}" if amount is not None else ""))
    if amount > app.requested_amount_sek:
        raise _refuse("--amount", f"{amount} kr är mer än det sökta beloppet {app.requested_amount_sek} kr; "
                      "beviljat belopp får inte överstiga det sökta")
    netting = any(f.rule_id == grant.netting_rule and f.status == "met" for f in decision.findings)
    computed = _amount(area.param, level, netting, tuple(granted))
    in_full = amount == app.requested_amount_sek and granted == requested
    if outcome == grant.full_outcome and not in_full:
        raise _refuse("--override", f"{grant.full_outcome} kräver det sökta beloppet ({app.requested_amount_sek} kr) "
                      f"och hela den sökta perioden ({requested_start}..{requested_end}); använd "
                      f"{grant.partial_outcome} för ett lägre belopp eller en kortare period")
    if outcome == grant.partial_outcome and in_full:
        raise _refuse("--override", f"beloppet och perioden är de sökta; använd {grant.full_outcome}")
    return GrantTerms(outcome, level, str(granted[0]), str(granted[-1]), len(granted), amount, computed)
