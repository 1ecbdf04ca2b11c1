"""Steps for CSI: a valid request changed one field per step, and placement rounds from tables.

``en ansökan om CSI-plats mottagen "<datum>"`` starts from ``BASE_REQUEST``: a rektor at a
kommunal Stockholm school asks for a place in an AST group for a pupil in årskurs 2, need
level 3, every document current for receipts in 2026. As it stands it is eligible; the
common When-step (``ansökan prövas den …``) then gives ``till_placeringsomgang``.

A round is built from two tables (groups, requests); requests in the table get the base
request's documents, so a round scenario names only what the round looks at.
"""
from __future__ import annotations

import copy
import json
from datetime import date

from pytest_bdd import given, parsers, then, when

from engine.areas.csi import api as csi_api

from .common_steps import Examination, received_on

BASE_REQUEST: dict = {
    "kind": "csi",
    "application_id": "CSI-BAS-01",
    "received": "2026-04-01",
    "school": {"unit_code": "48213551", "name": "Västbergaskolan", "district": "Söderort",
               "municipality": "Stockholm", "organizer": "kommunal", "socioeconomic_index": 120.0},
    "applicant": {"role": "rektor", "name": "Rektor Exempelsson"},
    "pupil": {"ref": "EL-200001", "grade": 2},
    "focus": "AST",
    "preferred_groups": [],
    "assessed_need_level": 3,
    "documents": {
        "atgardsprogram": {"date": "2026-01-10", "signed_by_rektor": True},
        "utredning": {"date": "2025-09-01"},
        "beslut_sarskild_undervisningsgrupp": {"date": "2026-02-01", "sarskilda_skal": True},
        "specialistutlatande": {"type": "psykolog", "date": "2025-11-01"},
        "vardnadshavare_delaktiga": True,
        "lagre_niva_provad": True,
    },
}


# -- one request ------------------------------------------------------------------------

@given(parsers.parse('en ansökan om CSI-plats mottagen "{datum}"'), target_fixture="application")
def _request(datum):
    return received_on(BASE_REQUEST, datum)


@given(parsers.parse('ansökan gäller inriktningen "{inriktning}"'))
def _focus(application, inriktning):
    application["focus"] = inriktning


@given(parsers.parse("eleven går i årskurs {årskurs:d}"))
def _grade(application, årskurs):
    application["pupil"]["grade"] = årskurs


@given("lägre nivåer av stöd inte är prövade")
def _lower_tiers_not_tried(application):
    application["documents"]["lagre_niva_provad"] = False


@given(parsers.parse('åtgärdsprogrammet är daterat "{datum}"'))
def _ap_date(application, datum):
    application["documents"]["atgardsprogram"]["date"] = datum


@given("åtgärdsprogrammet inte är underskrivet av rektor")
def _ap_unsigned(application):
    application["documents"]["atgardsprogram"]["signed_by_rektor"] = False


@given(parsers.parse('inget dokument "{dokument}" är bifogat'))
def _no_document(application, dokument):
    application["documents"][dokument] = None


@given(parsers.parse('utredningen är daterad "{datum}"'))
def _ut_date(application, datum):
    application["documents"]["utredning"]["date"] = datum


@given("rektors beslut om särskild undervisningsgrupp inte anger särskilda skäl")
def _no_special_reasons(application):
    application["documents"]["beslut_sarskild_undervisningsgrupp"]["sarskilda_skal"] = False


@given(parsers.parse('specialistutlåtandet är från "{typ}" och daterat "{datum}"'))
def _specialist(application, typ, datum):
    application["documents"]["specialistutlatande"] = {"type": typ, "date": datum}


@given("vårdnadshavarna inte har deltagit i ansökan")
def _guardians(application):
    application["documents"]["vardnadshavare_delaktiga"] = False


@given("placeringsgruppen inte har bedömt behovet")
def _not_assessed(application):
    application["assessed_need_level"] = None


@given(parsers.parse("placeringsgruppen har bedömt behovsnivå {nivå:d}"))
def _assessed(application, nivå):
    application["assessed_need_level"] = nivå


# A specialist report that documents each focus, so table requests are complete (CSI-K4).
REPORT_FOR_FOCUS = {"AST": "psykolog", "TSK": "logoped", "HORSEL": "audionom", "NPF": "lakare"}


# -- a round ----------------------------------------------------------------------------

def _rows(datatable) -> list[dict[str, str]]:
    header, *rows = datatable
    return [dict(zip([h.strip() for h in header], [c.strip() for c in row])) for row in rows]


@given(parsers.parse('en placeringsomgång för "{termin}" med grupperna:'), target_fixture="round_file")
def _round(termin, datatable):
    groups = []
    for row in _rows(datatable):
        low, high = (int(x) for x in row["årskurser"].split("-"))
        groups.append({"id": row["id"], "focus": row["inriktning"], "school_unit_code": row["skolenhet"],
                       "school_name": row.get("skola") or f"Skolan {row['skolenhet']}", "grades": [low, high],
                       "capacity": int(row["platser"]), "taken": int(row["tagna"])})
    return {"kind": "csi_round", "term": termin, "groups": groups, "requests": []}


@given("ansökningarna:")
def _requests(round_file, datatable):
    for row in _rows(datatable):
        request = copy.deepcopy(BASE_REQUEST)
        request["application_id"] = row["id"]
        request["focus"] = row.get("inriktning", request["focus"])
        report = REPORT_FOR_FOCUS.get(request["focus"], "psykolog")
        request["documents"]["specialistutlatande"]["type"] = report
        request["pupil"]["grade"] = int(row.get("årskurs", request["pupil"]["grade"]))
        level = row.get("behovsnivå", "3")
        request["assessed_need_level"] = None if level in ("", "-") else int(level)
        request["received"] = row.get("mottagen", request["received"])
        request["preferred_groups"] = [g.strip() for g in row.get("önskemål", "").split(",") if g.strip()]
        if row.get("skolenhet"):
            request["school"]["unit_code"] = row["skolenhet"]
        round_file["requests"].append(request)


def _decide(round_file: dict, datum: str):
    data = csi_api.read_round(copy.deepcopy(round_file), source="scenario")
    return csi_api.check_round(data, date.fromisoformat(datum))


@when(parsers.parse('omgången körs den "{datum}"'), target_fixture="omgång")
def _run(round_file, datum):
    return _decide(round_file, datum)


@then(parsers.parse('får "{ansökan}" plats i gruppen "{grupp}"'))
def _placed(omgång, ansökan, grupp):
    result = omgång.results[ansökan]
    assert (result["outcome"], result["group"]) == ("placering", grupp), result["outcome"]


@then(parsers.parse('står "{ansökan}" i kö med platserna "{platser}"'))
def _waiting(omgång, ansökan, platser):
    expected = {g.strip(): int(p) for g, p in (item.split(":") for item in platser.split(","))}
    result = omgång.results[ansökan]
    assert result["outcome"] == "ko", result["outcome"]
    assert result["positions"] == expected


@then(parsers.parse('har "{ansökan}" plats {plats:d} i turordningen för sin inriktning'))
def _rank(omgång, ansökan, plats):
    assert omgång.results[ansökan]["rank"] == plats


@then(parsers.parse('blir utfallet för "{ansökan}" "{utfall}"'))
def _outcome_of(omgång, ansökan, utfall):
    assert omgång.results[ansökan]["outcome"] == utfall


@then(parsers.parse('är placeringen vid en annan skolenhet för "{ansökan}"'))
def _other_school(omgång, ansökan):
    assert omgång.results[ansökan]["other_school"] is True


@then(parsers.parse('blir resultatet detsamma när ansökningarna kommer i omvänd ordning den "{datum}"'))
def _reversed(omgång, round_file, datum):
    reversed_file = copy.deepcopy(round_file)
    reversed_file["requests"].reverse()
    again = _decide(reversed_file, datum)
    assert json.dumps(again.to_dict(), sort_keys=True, ensure_ascii=False) == \
        json.dumps(omgång.to_dict(), sort_keys=True, ensure_ascii=False)


@then(parsers.parse('gäller för ansökan "{ansökan}"'), target_fixture="prövning")
def _examination_of(omgång, ansökan):
    """Hand one request's decision to the common Then-steps (rule status, text)."""
    return Examination(decision=omgång.decisions[ansökan])


@then("finns inga avgörande regler")
def _no_decisive(prövning):
    assert prövning.decided().decisive_rules == []
