"""CSI: places in the city's central special teaching groups, by placement rounds.

The area's rules, parameters, catalogue and index are in ``rules/csi/``; its features in
``features/csi/``. Here: the intake model of a request and a round file (``intake``), the
facts (``facts``), the placement round (``round``), deciding and reading rounds (``api``)
and this declaration.
"""
from ...registry import AreaSpec
from .facts import FACTS
from .intake import CsiRequest
from .texts import header, own_groups, reasons

PLACED, WAITING = "placering", "ko"

AREA = AreaSpec(
    name="csi",
    kind="csi",
    title="CSI",
    id_prefix="CSI",
    position=2,
    intake_model=CsiRequest,
    facts=FACTS,
    outcomes=("avvisning", "avslag", "komplettering", PLACED, WAITING, "till_placeringsomgang"),
    completion_outcome="komplettering",
    # The policy: an override keeps to the CSI outcomes (never a grant with an amount); a
    # completion override lists its items, a placering names a group with a free place.
    override_outcomes=("avvisning", "avslag", PLACED, WAITING, "komplettering"),
    parameters={"completion_deadline": "completion_deadline_days"},
    # A request decided in a round: the round named in the header, its findings as the reasons.
    text_sections={"header": header, "reasons": reasons, "own_groups": own_groups},
)
