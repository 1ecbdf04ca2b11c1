"""What the CLI and the case store call: read an application, decide it, summarise it."""
from __future__ import annotations

import hashlib
import json
from datetime import date

from . import csi_intake  # noqa: F401  (registers the CSI request kind with intake)
from .area import load_area
from .intake import Application, parse_application, parse_json, raw_date
from .intake_errors import shown

AREA_OF_KIND = {"verksamhetsstod": "verksamhetsstod", "csi": "csi"}
ID_PREFIX = {"verksamhetsstod": "VS", "csi": "CSI"}


def canonical(data: dict) -> str:
    """The application JSON in one canonical form (sorted keys, no spaces) for hashing."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_id(data: dict) -> str:
    digest = hashlib.sha256(canonical({k: v for k, v in data.items() if k != "application_id"}).encode()).hexdigest()
    return f"{ID_PREFIX.get(data.get('kind'), 'APP')}-{digest[:12].upper()}"


def read_application(text: str | bytes | dict, source: str = "") -> tuple[Application, dict]:
    """Parse and validate one application; returns the model and the raw JSON object.

    An absent ``application_id`` is assigned from the content, so sending the same
    application twice gives the same id. Receipt dates before the area's first rules are
    refused, since no policy applies to them.
    """
    data = text if isinstance(text, dict) else parse_json(text, source)
    if isinstance(data.get("kind"), str) and data["kind"] in AREA_OF_KIND and not data.get("application_id"):
        data = {**data, "application_id": content_id(data)}
    kind = data.get("kind")
    area = load_area(AREA_OF_KIND[kind]) if isinstance(kind, str) and kind in AREA_OF_KIND else None
    checks = (lambda raw: received_in_force(area, raw), lambda raw: _unknown_measures(area, raw)) if area else ()
    app = parse_application(data, source, checks)
    return app, data


def received_in_force(area, data: dict):
    """A receipt date before the area's first rules: no policy applies to it."""
    received = raw_date(data.get("received"))
    if received is not None and received < area.first_day:
        yield ("received", f"{received} är före {area.first_day}, då reglerna började gälla; "
                           f"ange rätt mottagningsdag (tidigast {area.first_day})")


def _unknown_measures(area, data: dict):
    """Each measure must be one the ruleset names (ordinary or extraordinary)."""
    received = raw_date(data.get("received"))
    need = data.get("need")
    measures = need.get("measures") if isinstance(need, dict) else None
    if "extraordinary_measures" not in area.params or received is None or received < area.first_day \
            or not isinstance(measures, list):
        return
    known = set(area.param("extraordinary_measures", received)) | set(area.param("ordinary_measures", received))
    for i, measure in enumerate(measures):
        if isinstance(measure, str) and measure not in known:
            yield (f"need.measures[{i}]", f"{shown(measure, 'need.measures')} är ingen stödåtgärd i regelverket; "
                                          f"ange en av {', '.join(sorted(known))}")


def decide(app: Application, decision_date: date | None = None):
    """The engine's decision for one application on a decision date (today by default)."""
    # A dry run of an application received after today is judged on its receipt date (policy, Dates).
    return load_area(AREA_OF_KIND[app.kind]).decide(app, decision_date or max(date.today(), app.received))


SUMMARY_FIELDS = ("application_id", "kind", "outcome", "decisive_rules", "amount_sek", "level",
                  "granted_period", "completion_deadline", "findings", "ruleset", "parameters", "text")


def summary(decision) -> dict:
    """The JSON object ``stod check --json`` prints for one decision."""
    full = decision.to_dict()
    return {key: full[key] for key in SUMMARY_FIELDS}
