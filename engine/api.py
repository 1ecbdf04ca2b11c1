"""What the CLI and the case store call: read an application, decide it, summarise it."""
from __future__ import annotations

from datetime import date

from .area import load_area
from .decision import plain_copy
from .jsonform import canonical_hash, output_json
from .intake import Application, parse_application, raw_date, read_json
from .registry import is_kind, spec_for_kind


def content_id(data: dict) -> str:
    digest = canonical_hash({k: v for k, v in data.items() if k != "application_id"})
    kind = data.get("kind")
    return f"{spec_for_kind(kind).id_prefix if is_kind(kind) else 'APP'}-{digest[:12].upper()}"


def read_application(text: str | bytes | dict, source: str = "", area=None) -> tuple[Application, dict]:
    """Parse and validate one application; returns the model and the raw JSON object.

    An absent ``application_id`` is assigned from the content, so sending the same
    application twice gives the same id. Receipt dates before the area's first rules are
    refused, since no policy applies to them, and the area's own intake checks run; every
    problem of the file is reported at once. ``area`` is the loaded area of the
    application's kind (loaded here when not given).
    """
    # parse_application checks the strings, listing their problems with every other one.
    data, body = (text, None) if isinstance(text, dict) else read_json(text, source, check=False)
    kind = data.get("kind")
    if is_kind(kind) and not data.get("application_id"):
        data, body = {**data, "application_id": content_id(data)}, None
    if area is None and is_kind(kind):
        area = load_area(spec_for_kind(kind).name)
    checks = ()
    if area is not None:
        checks = (lambda raw: received_in_force(area, raw),
                  *(lambda raw, check=check: check(area, raw) for check in area.spec.intake_checks))
    app = parse_application(data, source, checks, body)
    return app, data


def received_in_force(area, data: dict):
    """A receipt date before the area's first rules: no policy applies to it."""
    received = raw_date(data.get("received"))
    if received is not None and received < area.first_day:
        yield ("received", f"{received} är före {area.first_day}, då reglerna började gälla; "
                           f"ange rätt mottagningsdag (tidigast {area.first_day})")


def decide(app: Application, decision_date: date | None = None):
    """The engine's decision for one application on a decision date (today by default)."""
    # A dry run of an application received after today is judged on its receipt date (policy, Dates).
    return load_area(spec_for_kind(app.kind).name).decide(app, decision_date or max(date.today(), app.received))


SUMMARY_FIELDS = ("application_id", "kind", "outcome", "decisive_rules", "amount_sek", "level",
                  "granted_period", "completion_deadline", "findings", "ruleset", "parameters", "text")


def summary(decision, shared: bool = False) -> dict:
    """The JSON object ``stod check --json`` prints for one decision.

    ``shared``: the findings' basis and facts and the parameters are the decision's own, not
    copies (for a caller that writes the object out at once: copying cost more than deciding).
    """
    d = decision
    out = _summary_fields(d)
    out.update(decisive_rules=list(d.decisive_rules), granted_period=dict(d.granted_period) if d.granted_period else None,
               findings=[f.to_dict(shared) for f in d.findings], ruleset=dict(d.ruleset),
               parameters=d.parameters if shared else plain_copy(d.parameters))
    return out


def summary_json(decision, indent: bool = True) -> bytes:
    """``summary`` written as JSON (``jsonform.output_json``): what ``stod check --json`` prints.

    The decision's own values, the findings as the dataclasses they are: orjson writes a
    dataclass's fields in their order, which is ``Finding.to_dict``'s (a test holds the two
    texts equal), without a dict made for each.
    """
    return output_json(_summary_fields(decision), indent, dataclasses=True)


def _summary_fields(decision) -> dict:
    return {name: getattr(decision, name) for name in SUMMARY_FIELDS}
