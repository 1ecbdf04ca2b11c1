"""Given-steps for verksamhetsstöd: a valid application, changed one field per step.

``en ansökan om verksamhetsstöd mottagen "<datum>"`` starts from ``BASE_APPLICATION`` (modelled
on the contract's VS-EX-01): a rektor at a kommunal Stockholm school applies for a pupil in
årskurs 4 needing 10 hours of assistenthjälp a week (nivå 2) for 2026-04 to 2026-06, asking
48 000 kr (3 × 16 000 kr), with every document in order. As it stands it is a bifall for
receipts in spring 2026; every later step changes one field, so a scenario names exactly what
differs. The base documents are dated late 2025 so they are current for any receipt in 2026;
scenarios with other receipts set the dates they need.
"""
from __future__ import annotations


from pytest_bdd import given, parsers

from .common_steps import received_on

BASE_APPLICATION: dict = {
    "kind": "verksamhetsstod",
    "received": "2026-03-02",
    "school": {
        "unit_code": "73920114",
        "name": "Exempelskolan",
        "district": "Rinkeby-Kista",
        "municipality": "Stockholm",
        "organizer": "kommunal",
        "socioeconomic_index": 120.0,
    },
    "applicant": {"role": "rektor", "name": "Rektor Exempelsson"},
    "pupil": {"ref": "EL-100001", "grade": 4},
    "renewal": False,
    "previous_decision_id": None,
    "period": {"start_month": "2026-04", "end_month": "2026-06"},
    "need": {
        "description": "Eleven behöver en vuxen nära under hela skoldagen för att kunna delta i undervisningen.",
        "diagnoses": [],
        "measures": ["assistenthjalp"],
        "extraordinary_hours_per_week": 10,
        "share_in_special_group": 0.0,
    },
    "documents": {
        "atgardsprogram": {"date": "2025-12-15", "signed_by_rektor": True},
        "utredning": {"date": "2025-10-01"},
        "extra_anpassningar_utvardering": {"date": "2025-12-20"},
        "foregaende_period_utvardering": None,
        "vardnadshavare_informerade": True,
    },
    "requested_amount_sek": 48000,
}


def _number(text: str):
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


@given(parsers.parse('en ansökan om verksamhetsstöd mottagen "{datum}"'), target_fixture="application")
def _application(datum):
    return received_on(BASE_APPLICATION, datum)


# -- applicant, school, pupil --------------------------------------------------------------

@given(parsers.parse('sökanden har rollen "{roll}"'))
def _role(application, roll):
    application["applicant"]["role"] = roll


@given(parsers.parse('skolan ligger i kommunen "{kommun}"'))
def _municipality(application, kommun):
    application["school"]["municipality"] = kommun


@given(parsers.parse('skolans huvudman är "{huvudman}"'))
def _organizer(application, huvudman):
    application["school"]["organizer"] = huvudman


@given(parsers.parse("skolans socioekonomiska index är {index}"))
def _index(application, index):
    application["school"]["socioeconomic_index"] = None if index == "inte angivet" else float(_number(index))


@given(parsers.parse("eleven går i årskurs {årskurs:d}"))
def _grade(application, årskurs):
    application["pupil"]["grade"] = årskurs


@given("ansökan är en förlängning")
def _renewal(application):
    application["renewal"] = True
    application["previous_decision_id"] = "VS-2025-0042"


@given("ansökan är en första ansökan")
def _first(application):
    application["renewal"] = False
    application["previous_decision_id"] = None


# -- period, need, amount ------------------------------------------------------------------

@given(parsers.parse('perioden är "{start}" till "{slut}"'))
def _period(application, start, slut):
    application["period"] = {"start_month": start, "end_month": slut}


@given(parsers.parse("eleven behöver {timmar} timmar extraordinärt stöd per vecka"))
def _hours(application, timmar):
    application["need"]["extraordinary_hours_per_week"] = _number(timmar)


@given(parsers.parse('de sökta stödåtgärderna är "{åtgärder}"'))
def _measures(application, åtgärder):
    application["need"]["measures"] = [m.strip() for m in åtgärder.split(",") if m.strip()]


@given("inga stödåtgärder är sökta")
def _no_measures(application):
    application["need"]["measures"] = []


@given(parsers.parse("eleven är {procent} % av skoltiden i särskild undervisningsgrupp"))
def _share(application, procent):
    application["need"]["share_in_special_group"] = round(_number(procent) / 100, 4)


@given(parsers.parse('behovet är beskrivet som "{beskrivning}"'))
def _description(application, beskrivning):
    application["need"]["description"] = beskrivning


@given("behovet är inte beskrivet")
def _no_description(application):
    application["need"]["description"] = ""


@given("behovet är beskrivet med bara blanksteg")
def _blank_description(application):
    application["need"]["description"] = "   \n  "


@given(parsers.parse('eleven har diagnosen "{diagnos}"'))
def _diagnosis(application, diagnos):
    application["need"]["diagnoses"].append(diagnos)


@given(parsers.parse("sökt belopp är {belopp:d} kr"))
def _requested(application, belopp):
    application["requested_amount_sek"] = belopp


# -- documents -----------------------------------------------------------------------------

@given(parsers.parse('åtgärdsprogrammet är daterat "{datum}" och underskrivet av rektor'))
def _atgardsprogram(application, datum):
    application["documents"]["atgardsprogram"] = {"date": datum, "signed_by_rektor": True}


@given(parsers.parse('alla underlag är daterade "{datum}"'))
def _all_documents(application, datum):
    """Åtgärdsprogram (signed), utredning and evaluation of extra anpassningar, all of that date."""
    application["documents"]["atgardsprogram"] = {"date": datum, "signed_by_rektor": True}
    application["documents"]["utredning"] = {"date": datum}
    application["documents"]["extra_anpassningar_utvardering"] = {"date": datum}


@given(parsers.parse('åtgärdsprogrammet är daterat "{datum}" men inte underskrivet av rektor'))
def _atgardsprogram_unsigned(application, datum):
    application["documents"]["atgardsprogram"] = {"date": datum, "signed_by_rektor": False}


@given("inget åtgärdsprogram är bifogat")
def _no_atgardsprogram(application):
    application["documents"]["atgardsprogram"] = None


@given(parsers.parse('utredningen är daterad "{datum}"'))
def _utredning(application, datum):
    application["documents"]["utredning"] = {"date": datum}


@given("ingen utredning är bifogad")
def _no_utredning(application):
    application["documents"]["utredning"] = None


@given(parsers.parse('utvärderingen av extra anpassningar är daterad "{datum}"'))
def _evaluation(application, datum):
    application["documents"]["extra_anpassningar_utvardering"] = {"date": datum}


@given("ingen utvärdering av extra anpassningar är bifogad")
def _no_evaluation(application):
    application["documents"]["extra_anpassningar_utvardering"] = None


@given(parsers.parse('utvärderingen av föregående period är daterad "{datum}"'))
def _previous_evaluation(application, datum):
    application["documents"]["foregaende_period_utvardering"] = {"date": datum}


@given("ingen utvärdering av föregående period är bifogad")
def _no_previous_evaluation(application):
    application["documents"]["foregaende_period_utvardering"] = None


@given("vårdnadshavarna är informerade")
def _guardians_informed(application):
    application["documents"]["vardnadshavare_informerade"] = True


@given("vårdnadshavarna är inte informerade")
def _guardians_not_informed(application):
    application["documents"]["vardnadshavare_informerade"] = False


# -- malformed input -----------------------------------------------------------------------

@given(parsers.parse('fältet "{fält}" saknas i ansökan'))
def _drop_field(application, fält):
    *parents, last = fält.split(".")
    node = application
    for part in parents:
        node = node[part]
    del node[last]
