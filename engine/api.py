"""What the CLI and the case store call: read an application, decide it, summarise it."""
from __future__ import annotations

import hashlib
from datetime import date

from .area import load_area
from .errors import IntakeError
from .decision import plain_copy
from .jsonform import canonical_json
from .intake import Application, parse_application, parse_json
from .registry import is_kind, spec_for_kind


def content_id(data: dict) -> str:
    digest = hashlib.sha256(canonical_json({k: v for k, v in data.items() if k != "application_id"}).encode()).hexdigest()
    kind = data.get("kind")
    return f"{spec_for_kind(kind).id_prefix if is_kind(kind) else 'APP'}-{digest[:12].upper()}"


def read_application(text: str | bytes | dict, source: str = "", area=None) -> tuple[Application, dict]:
    """Parse and validate one application; returns the model and the raw JSON object.

    An absent ``application_id`` is assigned from the content, so sending the same
    application twice gives the same id. Receipt dates before the area's first rules are
    refused, since no policy applies to them; then the area's own intake checks run.
    ``area`` is the loaded area of the application's kind (loaded here when not given).
    """
    data = text if isinstance(text, dict) else parse_json(text, source)
    as_sent = None if isinstance(text, dict) else text  # validated as it is when nothing is added
    if is_kind(data.get("kind")) and not data.get("application_id"):
        data, as_sent = {**data, "application_id": content_id(data)}, None
    app = parse_application(data, source, as_sent)
    area = area or load_area(spec_for_kind(app.kind).name)
    if app.received < area.first_day:
        raise IntakeError("received", f"is {app.received}; the policy applies to applications received "
                          f"from {area.first_day}", source)
    for check in area.spec.intake_checks:
        check(area, app, source)
    return app, data


def decide(app: Application, decision_date: date | None = None):
    """The engine's decision for one application on a decision date (today by default)."""
    return load_area(spec_for_kind(app.kind).name).decide(app, decision_date or date.today())


SUMMARY_FIELDS = ("application_id", "kind", "outcome", "decisive_rules", "amount_sek", "level",
                  "granted_period", "completion_deadline", "findings", "ruleset", "parameters", "text")


def summary(decision, shared: bool = False) -> dict:
    """The JSON object ``stod check --json`` prints for one decision.

    ``shared``: the findings' basis and facts and the parameters are the decision's own, not
    copies (for a caller that writes the object out at once: copying cost more than deciding).
    """
    d = decision
    return {"application_id": d.application_id, "kind": d.kind, "outcome": d.outcome,
            "decisive_rules": list(d.decisive_rules), "amount_sek": d.amount_sek, "level": d.level,
            "granted_period": dict(d.granted_period) if d.granted_period else None,
            "completion_deadline": d.completion_deadline,
            "findings": [f.to_dict(shared) for f in d.findings], "ruleset": dict(d.ruleset),
            "parameters": d.parameters if shared else plain_copy(d.parameters), "text": d.text}
