"""Tests that kill the engine core's mutants (bench/mutation.py): each pins behaviour a
surviving mutant changed without any other test noticing."""
from __future__ import annotations

import json
from datetime import date

import pytest

from engine import api
from engine import conditions as C
from engine.dates import Month
from engine.durable import DurableRuleset
from engine.yamlsource import LineDict, LineList
from test_store import application


@pytest.mark.parametrize("text, message", [
    ("2026-1", "expected YYYY-MM"),
    ("26-01", "expected YYYY-MM"),
    ("2026-13", "month must be 01-12"),
    ("2026-00", "month must be 01-12"),
])
def test_month_parse_refuses_what_is_not_a_month(text, message):
    with pytest.raises(ValueError) as caught:
        Month.parse(text)
    assert message in str(caught.value) and repr(text) in str(caught.value)


def test_month_parse_reads_the_first_and_last_month():
    assert (Month.parse("2026-01"), Month.parse("2026-12")) == (Month(2026, 1), Month(2026, 12))


# -- the facts a verksamhetsstöd decision shows (each finding's facts and comparisons: stored
# with the case, printed by --json). The application of test_store: received 2026-12-09,
# 2026-09 to 2027-08, 10 hours, 90 % in a särskild undervisningsgrupp, diagnoses given.


def _facts(**changes) -> dict:
    app, _ = api.read_application(json.dumps(application(**changes)).encode(), source="t.json")
    shown: dict = {}
    for finding in api.decide(app, date(2026, 12, 10)).findings:
        shown.update(finding.facts)
        shown.update({c["fact"]: c["actual"] for c in finding.comparisons})
    return shown


def test_facts_of_a_granted_period():
    app, _ = api.read_application(json.dumps(application()).encode(), source="t.json")
    (p2,) = [f for f in api.decide(app, date(2026, 12, 10)).findings if f.rule_id == "VS-P2"]
    assert "Perioden september 2026–augusti 2027 har åtta skolmånader" in p2.text
    facts = _facts()
    assert facts["period.requested_start"] == "2026-09"
    assert (facts["period.granted_start"], facts["period.granted_end"]) == ("2026-12", "2027-08")
    assert facts["need.diagnoses_given"] is True


def test_facts_when_no_month_is_granted():
    facts = _facts(period={"start_month": "2027-07", "end_month": "2027-07"})
    assert (facts["period.granted_start"], facts["period.granted_end"]) == ("", "")
    assert facts["period.granted_school_months"] == 0


def test_facts_below_the_lowest_level():
    facts = _facts(need__extraordinary_hours_per_week=4.5)
    assert (facts["amount.level"], facts["amount.computed_sek"], facts["amount.granted_sek"]) == (0, 0, 0)


def test_facts_without_an_index_or_diagnoses():
    facts = _facts(school__socioeconomic_index=None, need__diagnoses=[])
    assert facts["school.socioeconomic_index_known"] is False
    assert facts["school.socioeconomic_index"] == 0.0
    assert facts["need.diagnoses_given"] is False


# -- conditions: each refusal of the grammar says what is wrong, and where -----------------

FACTS = {"n": "number", "b": "bool", "s": "str"}
PARAMS = {"least_hours": 5}
RULE_IDS = {"VS-S1", "VS-K2"}


def _line(value, line):
    node = LineDict(value) if isinstance(value, dict) else LineList(value)
    node.line = line
    return node


def _refusal(raw, line=None) -> C.ConditionError:
    with pytest.raises(C.ConditionError) as caught:
        C.parse(raw, FACTS, PARAMS, RULE_IDS, line)
    assert str(caught.value) == caught.value.problem
    return caught.value


MAPPING = "; skriv till exempel {fact: namn, ge: 1}, {all: [...]} eller {rule: id}"
RULE_FIX = "ange id för en regel som området definierar"
KEYS = "använd all, any, not, rule, always eller fact"


@pytest.mark.parametrize("raw, problem", [
    ([1], f"ett villkor ska vara en mappning, men här står [1]{MAPPING}"),
    ({}, f"ett villkor ska vara en mappning, men här står {{}}{MAPPING}"),
    ({"all": [], "any": []}, "ett villkor har en av nycklarna all, any, not, rule, always eller fact, men här står "
                             "['all', 'any']; dela upp villkoret, till exempel med all: [...]"),
    ({"all": []}, "'all' tar en lista med minst ett villkor; ange villkoren som en lista under 'all'"),
    ({"any": {"fact": "b", "eq": True}}, "'any' tar en lista med minst ett villkor; ange villkoren som en lista under 'any'"),
    ({"rule": "VS-S9"}, f"okänd regel 'VS-S9'; {RULE_FIX} (menade du 'VS-S1'?)"),
    ({"rule": 7}, f"okänd regel '7'; {RULE_FIX}"),
    ({"always": "yes"}, "'always' tar true eller false; skriv always: true eller always: false"),
    ({"sometimes": True}, f"okänd villkorsnyckel 'sometimes'; {KEYS}"),
    ({"alll": [{"always": True}]}, f"okänd villkorsnyckel 'alll'; {KEYS} (menade du 'all'?)"),
])
def test_parse_names_the_problem(raw, problem):
    refusal = _refusal(raw, line=3)
    assert (refusal.problem, refusal.line) == (problem, 3)


def test_the_problem_has_the_line_of_its_own_node_or_else_of_the_nearest_one_above():
    assert _refusal(_line({"always": "yes"}, 12)).line == 12
    assert _refusal(_line({"always": "yes"}, 12), line=3).line == 12
    assert _refusal({"always": "yes"}, line=3).line == 3
    assert _refusal(_line({"all": [{"always": "yes"}]}, 8)).line == 8       # an inner node without a line
    assert _refusal(_line({"not": {"always": "yes"}}, 9)).line == 9
    assert _refusal(_line({"all": [_line({"always": "yes"}, 10)]}, 8)).line == 10
    assert _refusal({"always": "yes"}).line is None


def test_a_suggestion_is_the_one_nearest_name_and_only_a_near_one():
    assert C.suggest("VS-S", ["VS-K2", "VS-S1"]) == " (menade du 'VS-S1'?)"
    assert C.suggest("zzz", ["VS-S1", "VS-K2"]) == ""
    assert C.suggest("abcd", ["abxy"]) == " (menade du 'abxy'?)"   # ratio 0.5: near enough
    assert C.suggest("abcd", ["axyz"]) == ""                         # ratio 0.25: not


def test_not_parses_its_comparison_with_facts_and_parameters():
    raw = {"not": {"fact": "n", "ge": {"param": "least_hours"}}}
    assert C.parse(raw, FACTS, PARAMS, RULE_IDS) == C.Not(C.Compare("n", "ge", C.Param("least_hours")))
    assert _refusal({"not": {"fact": "m", "ge": 1}}).problem.startswith("okänt faktum 'm'; ange ett faktum")
    assert _refusal({"not": {"fact": "n", "ge": {"param": "most_hours"}}}).problem.startswith(
        "okänd parameter 'most_hours'; ange en parameter")


def test_constant_conditions_in_durable_rules():
    assert C.to_durable(C.Always(True)) is None
    assert C.to_durable(C.Always(False)) == {"never__": True}
    assert C.to_durable(C.All((C.Always(True),))) is None
    assert C.to_durable(C.All((C.Always(True), C.Compare("b", "eq", True)))) == {"$and": [{"b": True}]}
    ruleset = DurableRuleset("test@constants", "case", {"never": C.to_durable(C.Always(False)),
                                                        "b": C.to_durable(C.Compare("b", "eq", True))})
    assert ruleset.fired({"b": True, "n": 1, "s": ""}) == {"b"}


@pytest.mark.parametrize("typo, key", [("alll", "all"), ("anyy", "any"), ("nott", "not"), ("rulee", "rule"),
                                       ("alwayss", "always"), ("factt", "fact")])
def test_a_misspelt_condition_key_is_suggested(typo, key):
    assert _refusal({typo: True}).problem == f"okänd villkorsnyckel '{typo}'; {KEYS} (menade du '{key}'?)"


def test_always_parses_to_its_value():
    assert C.parse({"always": False}, FACTS, PARAMS, RULE_IDS) == C.Always(False)
    assert C.parse({"always": True}, FACTS, PARAMS, RULE_IDS) == C.Always(True)


@pytest.mark.parametrize("make", [C.to_trace, C.to_trace_walk], ids=["generated", "walk"])
def test_both_traces_of_constant_conditions(make):
    facts = {"b": True, "n": 1, "s": ""}
    for value in (True, False):
        out: list = []
        assert make(C.Always(value))(facts, out) is value and out == []
        out = []
        assert make(C.All((C.Always(value), C.Compare("b", "eq", True))))(facts, out) is value
        assert out == [{"fact": "b", "op": "eq", "expected": True, "actual": True, "result": True}]
        assert make(C.AnyOf((C.Always(value), C.Compare("b", "eq", False))))(facts, []) is value


def test_the_generated_trace_keeps_its_source():
    trace = C.to_trace(C.Compare("n", "ge", 5))
    assert trace.source.startswith("def trace(facts, out):") and ">=" in trace.source


ONE_OPERATOR = "ska ha exakt en operator av eq, ne, lt, le, gt, ge, in, men här står"
TYPED = {"n": "number", "b": "bool", "s": "str", "i": "int"}


@pytest.mark.parametrize("raw, problem", [
    ({"fact": "n", "ge": 5, "le": 6}, f"en jämförelse med 'n' {ONE_OPERATOR} ['ge', 'le']; ange en av dem"),
    ({"fact": "n"}, f"en jämförelse med 'n' {ONE_OPERATOR} []; ange en av dem"),
    ({"fact": "n", "gte": 5}, f"en jämförelse med 'n' {ONE_OPERATOR} ['gte']; ange en av dem (menade du 'gt'?)"),
    ({"fact": "n", "ge": 5, "lte": 6},
     f"en jämförelse med 'n' {ONE_OPERATOR} ['ge', 'lte']; ange en av dem (menade du 'lt'?)"),
    ({"fact": "s", "in": []}, "'in' på 's' tar en lista med minst ett värde; ange värdena som en lista"),
    ({"fact": "s", "in": "x"}, "'in' på 's' tar en lista med minst ett värde; ange värdena som en lista"),
    ({"fact": "s", "in": ["a", 3]}, "faktumet 's' är en text (str), men 3 är inte det; ange en text"),
    ({"fact": "s", "ge": "a"}, "'ge' går inte att använda på faktumet 's', som är en text (str); använd eq eller ne"),
    ({"fact": "b", "lt": True},
     "'lt' går inte att använda på faktumet 'b', som är sant eller falskt (bool); använd eq eller ne"),
    ({"fact": "n", "eq": "x"}, "faktumet 'n' är ett tal (number), men 'x' är inte det; ange ett tal utan citattecken"),
    ({"fact": "b", "eq": 1}, "faktumet 'b' är sant eller falskt (bool), men 1 är inte det; ange true eller false"),
    ({"fact": "n", "eq": True}, "faktumet 'n' är ett tal (number), men True är inte det; ange ett tal utan citattecken"),
    ({"fact": "i", "eq": 1.5}, "faktumet 'i' är ett heltal (int), men 1.5 är inte det; ange ett heltal utan citattecken"),
    ({"fact": "n", "ge": {"param": "least_hour"}},
     "okänd parameter 'least_hour'; ange en parameter som finns under parameters/ (menade du 'least_hours'?)"),
])
def test_a_comparison_names_its_problem_and_line(raw, problem):
    with pytest.raises(C.ConditionError) as caught:
        C.parse(raw, TYPED, PARAMS, RULE_IDS, 4)
    assert (caught.value.problem, caught.value.line) == (problem, 4)


def test_in_takes_a_list_of_literals():
    assert C.parse({"fact": "s", "in": ["a", "b"]}, TYPED, PARAMS, RULE_IDS) == C.Compare("s", "in", ("a", "b"))
    assert C.parse({"fact": "n", "in": [1, 2.5]}, TYPED, PARAMS, RULE_IDS) == C.Compare("n", "in", (1, 2.5))
    assert C.parse({"fact": "s", "ne": "a"}, TYPED, PARAMS, RULE_IDS) == C.Compare("s", "ne", "a")
    assert C.parse({"fact": "b", "eq": False}, TYPED, PARAMS, RULE_IDS) == C.Compare("b", "eq", False)


def test_resolve_binds_parameters_under_not_and_inlines_nested_rule_references():
    rules = {"A": C.RuleRef("B"), "B": C.Compare("n", "ge", C.Param("least_hours"))}
    assert C.resolve(C.Not(C.Compare("n", "ge", C.Param("least_hours"))), PARAMS, rules.get) == C.Compare("n", "lt", 5)
    assert C.resolve(C.RuleRef("A"), PARAMS, rules.get) == C.Compare("n", "ge", 5)
    assert C.resolve(C.Not(C.RuleRef("A")), PARAMS, rules.get) == C.Compare("n", "lt", 5)


def test_resolve_negates_constants():
    assert C.resolve(C.Always(True), {}, lambda rid: None) == C.Always(True)
    assert C.resolve(C.Always(False), {}, lambda rid: None) == C.Always(False)
    assert C.resolve(C.Not(C.Always(True)), {}, lambda rid: None) == C.Always(False)
    assert C.resolve(C.Not(C.Always(False)), {}, lambda rid: None) == C.Always(True)



# -- the one condition walker (issue 8): extra arguments reach every node; parameters used --


def test_the_visitor_hands_extra_arguments_down_through_all_any_and_not():
    class Collect(C.Visitor):
        def visit_compare(self, node, out):
            out.append(node.fact)

    out: list = []
    Collect().visit(C.All((C.Compare("n", "ge", 5), C.AnyOf((C.Not(C.Compare("b", "eq", True)),)))), out)
    assert out == ["n", "b"]


def test_params_used_follows_each_referenced_rule_once_and_only_when_asked():
    rules = {"A": [C.Compare("n", "ge", C.Param("least_hours")), None],
             "B": [C.All((C.RuleRef("A"), C.Compare("n", "lt", C.Param("most_hours"))))]}
    cond = C.All((C.RuleRef("B"), C.RuleRef("A"), C.Compare("b", "eq", C.Param("flag"))))
    assert C.params_used([cond], rules.get) == ["least_hours", "most_hours", "flag"]
    assert C.params_used([cond]) == ["flag"]
    calls: list = []
    C.params_used([C.All((C.RuleRef("A"), C.RuleRef("A")))], lambda rid: calls.append(rid) or rules[rid])
    assert calls == ["A"]


def test_any_with_a_constant_true_branch_is_always_true_in_durable_rules():
    assert C.to_durable(C.AnyOf((C.Always(True), C.Compare("b", "eq", True)))) is None
    assert C.to_durable(C.AnyOf((C.Compare("b", "eq", False), C.Compare("b", "eq", True)))) == {
        "$or": [{"b": False}, {"b": True}]}
