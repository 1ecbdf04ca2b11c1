"""The verksamhetsstöd application form: flat form fields in, the application's JSON object out.

The form's field names are the application's own dotted paths (``need.measures``,
``documents.utredning.date``), so an intake error's ``field`` points at the input to fix. Values
are converted only where a form cannot say the type (numbers, check boxes, empty dates as
absent documents); whatever does not convert is passed on as text and the engine's intake
refuses it, naming the field: one error path, the product's own messages.
"""
from __future__ import annotations

from datetime import date
from typing import Mapping

from cases.accounts import Principal
from engine.sensitive import contains_personnummer

# Swedish names of the measures the rules know (the codes are the rules' parameter values).
MEASURE_SV = {
    "assistenthjalp": "Assistenthjälp",
    "annan_extraordinar": "Annan extraordinär stödåtgärd",
    "extra_anpassningar": "Extra anpassningar",
    "ledning_stimulans": "Ledning och stimulans",
    "specialpedagog": "Specialpedagog",
    "anpassad_studiegang": "Anpassad studiegång",
    "sarskild_undervisningsgrupp": "Särskild undervisningsgrupp",
}

DATED_DOCUMENTS = (
    ("utredning", "Pedagogisk utredning, datum"),
    ("extra_anpassningar_utvardering", "Utvärdering av extra anpassningar, datum"),
    ("foregaende_period_utvardering", "Utvärdering av föregående period, datum (vid förlängning)"),
)


def _text(form: Mapping, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _number(value: str, integer: bool = False):
    """A number if the text is one (Swedish decimal comma too), else the text for intake to refuse."""
    cleaned = value.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return value
    if integer:
        return int(number) if number.is_integer() else number
    return int(number) if number.is_integer() else number


def _optional(value: str, convert=lambda v: v):
    return convert(value) if value else None


def _dated(form: Mapping, name: str) -> dict | None:
    day = _text(form, f"documents.{name}.date")
    return {"date": day} if day else None


def application_from_form(form: Mapping, principal: Principal, received: date) -> dict:
    """The application as the e-service would send it, from the form's fields."""
    measures = form.getlist("need.measures") if hasattr(form, "getlist") else list(form.get("need.measures") or [])
    diagnoses = [d.strip() for d in _text(form, "need.diagnoses").split(",") if d.strip()]
    return {
        **_common(form, principal, received, "verksamhetsstod"),
        "renewal": form.get("renewal") == "ja",
        "previous_decision_id": _text(form, "previous_decision_id") or None,
        "period": {"start_month": _text(form, "period.start_month"), "end_month": _text(form, "period.end_month")},
        "need": {
            "description": _text(form, "need.description"),
            "diagnoses": diagnoses,
            "measures": [m for m in measures if isinstance(m, str) and m],
            "extraordinary_hours_per_week": _number(_text(form, "need.extraordinary_hours_per_week")),
            "share_in_special_group": _number(_text(form, "need.share_in_special_group") or "0"),
        },
        "documents": {
            "atgardsprogram": _atgardsprogram(form),
            **{name: _dated(form, name) for name, _ in DATED_DOCUMENTS},
            "vardnadshavare_informerade": form.get("documents.vardnadshavare_informerade") == "ja",
        },
        "requested_amount_sek": _number(_text(form, "requested_amount_sek"), integer=True),
    }


def _common(form: Mapping, principal: Principal, received: date, kind: str) -> dict:
    """The fields every kind of application has: school, applicant, pupil, receipt."""
    return {
        "kind": kind,
        "received": received.isoformat(),
        "school": {
            "unit_code": _text(form, "school.unit_code"),
            "name": _text(form, "school.name"),
            "district": _text(form, "school.district"),
            "municipality": "Stockholm",
            "organizer": _text(form, "school.organizer") or "kommunal",
            "socioeconomic_index": _optional(_text(form, "school.socioeconomic_index"), _number),
        },
        "applicant": {"role": principal.role, "name": principal.full_name},
        "pupil": {"ref": _text(form, "pupil.ref"), "grade": _number(_text(form, "pupil.grade"), integer=True)},
    }


def csi_from_form(form: Mapping, principal: Principal, received: date) -> dict:
    """A CSI placement request as the e-service would send it, from the form's fields."""
    groups = form.getlist("preferred_groups") if hasattr(form, "getlist") else list(form.get("preferred_groups") or [])
    level = _text(form, "assessed_need_level")
    decision_date = _text(form, "documents.beslut_sarskild_undervisningsgrupp.date")
    report_date = _text(form, "documents.specialistutlatande.date")
    return {
        **_common(form, principal, received, "csi"),
        "focus": _text(form, "focus"),
        "preferred_groups": [g for g in groups if isinstance(g, str) and g],
        "assessed_need_level": _number(level, integer=True) if level else None,
        "documents": {
            "atgardsprogram": _atgardsprogram(form),
            "utredning": _dated(form, "utredning"),
            "beslut_sarskild_undervisningsgrupp": ({
                "date": decision_date,
                "sarskilda_skal": form.get("documents.beslut_sarskild_undervisningsgrupp.sarskilda_skal") == "ja"}
                if decision_date else None),
            "specialistutlatande": ({"date": report_date, "type": _text(form, "documents.specialistutlatande.type")}
                                    if report_date else None),
            "vardnadshavare_delaktiga": form.get("documents.vardnadshavare_delaktiga") == "ja",
            "lagre_niva_provad": form.get("documents.lagre_niva_provad") == "ja",
        },
    }


def _atgardsprogram(form: Mapping) -> dict | None:
    day = _text(form, "documents.atgardsprogram.date")
    if not day:
        return None
    return {"date": day, "signed_by_rektor": form.get("documents.atgardsprogram.signed_by_rektor") == "ja"}


def completion_from_form(form: Mapping) -> dict:
    """The documents a rektor sends for a completion: only those filled in (as ``stod complete``'s file)."""
    documents: dict = {}
    if _atgardsprogram(form):
        documents["atgardsprogram"] = _atgardsprogram(form)
    for name, _ in DATED_DOCUMENTS:
        dated = _dated(form, name)
        if dated:
            documents[name] = dated
    if form.get("documents.vardnadshavare_informerade") == "ja":
        documents["vardnadshavare_informerade"] = True
    return {"documents": documents}


def may_be_personnummer(value) -> bool:
    """Whether a typed value contains something shaped like a personnummer (never shown again)."""
    return isinstance(value, str) and contains_personnummer(value)


def field_id(path: str) -> str:
    """The HTML id of the input for an application field path (``need.measures[0]`` → ``f-need-measures``)."""
    base = path.split("[", 1)[0]
    return "f-" + base.replace(".", "-").replace("_", "-")
