"""Verksamhetsstöd: extra funding for one pupil with an extensive need of special support.

The area's rules, parameters and index are in ``rules/verksamhetsstod/``; its features in
``features/verksamhetsstod/``. Here: the intake model (``intake``), the facts (``facts``)
and this declaration.
"""
from ...registry import AreaSpec
from .checks import check_level_tables
from .facts import FACTS
from .intake import VsApplication, check_measures
from .override import grant_terms

AREA = AreaSpec(
    name="verksamhetsstod",
    kind="verksamhetsstod",
    title="verksamhetsstöd",
    id_prefix="VS",
    position=1,
    intake_model=VsApplication,
    intake_checks=(check_measures,),
    facts=FACTS,
    outcomes=("avvisning", "avslag", "komplettering", "delvis_bifall", "bifall"),
    grant_outcomes=("bifall", "delvis_bifall"),
    completion_outcome="komplettering",
    # The policy ("Overrides"): any outcome of the area; a completion override lists its items.
    override_outcomes=("avvisning", "avslag", "komplettering", "delvis_bifall", "bifall"),
    processing_target="processing_target_days",
    # VS-N1's own condition decides netting in the amount facts; VS-G1's finding shows the
    # granted school months in the decision text.
    rules={"netting": "VS-N1", "grant_total": "VS-G1"},
    grant_facts={"amount": "amount.granted_sek", "level": "amount.level", "start_month": "period.granted_start",
                 "end_month": "period.granted_end"},
    parameters={"completion_deadline": "completion_deadline_days", "non_school_months": "non_school_months"},
    checks=(check_level_tables,),
    grant_terms=grant_terms,
)
