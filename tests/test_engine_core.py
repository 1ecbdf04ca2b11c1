"""The engine's core: conditions, both evaluators, rule-file errors, month arithmetic."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import conditions as C
from engine.area import Area
from engine.dates import age_in_months, minus_months
from engine.durable import DurableRuleset
from engine.errors import RuleFileError
from engine.yamlsource import DictSource

RULES = Path(__file__).resolve().parents[1] / "rules"
TYPES = {"n": "number", "i": "int", "b": "bool", "s": "str"}

# -- month arithmetic (policy: "2026-03-02 minus 12 months is 2025-03-02; the 31st clamps")


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 3, 2), 12, date(2025, 3, 2)),
    (date(2026, 3, 31), 1, date(2026, 2, 28)),
    (date(2028, 3, 31), 1, date(2028, 2, 29)),
    (date(2026, 1, 15), 24, date(2024, 1, 15)),
])
def test_minus_months(day, months, expected):
    assert minus_months(day, months) == expected


@pytest.mark.parametrize("document, receipt, age", [
    (date(2025, 3, 2), date(2026, 3, 2), 12.0),   # exactly 12 months: within 12
    (date(2025, 3, 1), date(2026, 3, 2), 12.5),   # a day older: not within 12
    (date(2026, 3, 2), date(2026, 3, 2), 0.0),
    (date(2026, 2, 28), date(2026, 3, 31), 1.0),  # the 31st clamps to 28 February
    (date(2026, 2, 27), date(2026, 3, 31), 1.5),
])
def test_age_in_months(document, receipt, age):
    assert age_in_months(document, receipt) == age


# -- conditions: generated trace == tree walk == durable-rules, on random trees and facts

values = {"n": st.sampled_from([0, 4.5, 5, 9.5, 10, 30.0]), "i": st.integers(-2, 12),
          "b": st.booleans(), "s": st.sampled_from(["rektor", "Stockholm", "ä", ""])}
ops = {"n": ["eq", "ne", "lt", "le", "gt", "ge"], "i": ["eq", "ne", "lt", "le", "gt", "ge", "in"],
       "b": ["eq", "ne"], "s": ["eq", "ne", "in"]}


@st.composite
def compare(draw):
    fact = draw(st.sampled_from(sorted(TYPES)))
    op = draw(st.sampled_from(ops[fact]))
    value = tuple(draw(st.lists(values[fact], min_size=1, max_size=3))) if op == "in" else draw(values[fact])
    return C.Compare(fact, op, value)


trees = st.recursive(compare(), lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=3).map(lambda xs: C.All(tuple(xs))),
    st.lists(inner, min_size=1, max_size=3).map(lambda xs: C.AnyOf(tuple(xs))),
    inner.map(C.Not)), max_leaves=6)
fact_values = st.fixed_dictionaries({k: values[k] for k in TYPES})
_counter = iter(range(10**9))


@settings(max_examples=150, deadline=None)
@given(trees, fact_values)
def test_three_evaluators_agree(tree, facts):
    resolved = C.resolve(tree, {}, lambda rid: None)
    negated = C.resolve(C.Not(tree), {}, lambda rid: None)
    generated = C.to_trace(resolved)(facts, [])
    assert generated == C.to_trace_walk(resolved)(facts, [])
    assert C.to_trace(negated)(facts, []) == (not generated)
    ruleset = DurableRuleset(f"test@{next(_counter)}", "case", {"r": C.to_durable(resolved), "n": C.to_durable(negated)})
    fired = ruleset.fired(facts)
    assert ("r" in fired) == generated
    assert ("n" in fired) == (not generated)


def test_trace_records_every_comparison():
    tree = C.All((C.Compare("n", "ge", 5), C.AnyOf((C.Compare("b", "eq", True), C.Compare("s", "eq", "x")))))
    out: list = []
    assert C.to_trace(tree)({"n": 4.5, "b": True, "s": "y"}, out) is False
    assert [tuple(c.values()) for c in out] == [("n", "ge", 5, 4.5, False), ("b", "eq", True, True, True),
                                                 ("s", "eq", "x", "y", False)]
    assert all(list(c) == ["fact", "op", "expected", "actual", "result"] for c in out)
    walked: list = []
    C.to_trace_walk(tree)({"n": 4.5, "b": True, "s": "y"}, walked)
    assert walked == out


def test_trace_shows_a_set_of_values_as_a_list():
    out: list = []
    assert C.to_trace(C.Compare("k", "in", ("a", "b")))({"k": "b"}, out) is True
    assert out == [{"fact": "k", "op": "in", "expected": ["a", "b"], "actual": "b", "result": True}]


def test_unicode_values_match_in_durable_rules():
    ruleset = DurableRuleset("test@unicode", "case", {"r": {"s": "Sjöängsskolan"}})
    assert ruleset.fired({"s": "Sjöängsskolan"}) == {"r"}


# -- rule files: errors name the file, the line, the rule and the nearest known name

def _tree_with(replace: str, by: str) -> DictSource:
    files = {str(p.relative_to(RULES)): p.read_text(encoding="utf-8") for p in (RULES / "verksamhetsstod").rglob("*.yaml")}
    path = "verksamhetsstod/substantive.yaml"
    assert replace in files[path]
    files[path] = files[path].replace(replace, by, 1)
    return DictSource(files)


def test_typo_in_fact_names_file_line_rule_and_suggestion():
    source = _tree_with("need.extraordinary_hours_per_week, ge", "need.extraordinary_hour_per_week, ge")
    with pytest.raises(RuleFileError) as error:
        Area("verksamhetsstod", source)
    e = error.value
    assert e.path == "verksamhetsstod/substantive.yaml" and e.rule_id == "VS-S2" and e.line
    assert "okänt faktum 'need.extraordinary_hour_per_week'" in str(e)
    assert "menade du 'need.extraordinary_hours_per_week'" in str(e)
    assert str(e).startswith(f"{e.path}:{e.line} i regel VS-S2: when: ")
    line = source.read(e.path).splitlines()[e.line - 1]
    assert "extraordinary_hour_per_week" in line


def test_typo_in_parameter_is_suggested():
    source = _tree_with("{param: least_extensive_hours}", "{param: least_extensiv_hours}")
    with pytest.raises(RuleFileError, match="menade du 'least_extensive_hours'"):
        Area("verksamhetsstod", source)


def test_wrong_value_type_is_refused():
    source = _tree_with("{fact: need.extraordinary_measures, ge: 1}", "{fact: need.extraordinary_measures, ge: \"1\"}")
    with pytest.raises(RuleFileError, match=r"är ett heltal \(int\)"):
        Area("verksamhetsstod", source)


def test_unknown_schema_field_names_rule():
    source = _tree_with("    title: Omfattande behov", "    titel: Omfattande behov")
    with pytest.raises(RuleFileError) as error:
        Area("verksamhetsstod", source)
    assert error.value.rule_id == "VS-S2" and "okänt fält 'titel'" in str(error.value)
    assert "ta bort det eller rätta stavningen (menade du 'title'?)" in str(error.value)


def test_overlapping_versions_of_a_rule_are_refused():
    files = {str(p.relative_to(RULES)): p.read_text(encoding="utf-8") for p in (RULES / "verksamhetsstod").rglob("*.yaml")}
    text = files["verksamhetsstod/info.yaml"]
    files["verksamhetsstod/info2.yaml"] = text.replace("valid_from: 2026-01-01", "valid_from: 2026-06-01")
    with pytest.raises(RuleFileError, match="två versioner av VS-I1"):
        Area("verksamhetsstod", DictSource(files))


def test_yaml_syntax_error_has_a_line():
    source = _tree_with("rules:\n", "rules:\n  - [\n")
    with pytest.raises(RuleFileError) as error:
        Area("verksamhetsstod", source)
    assert error.value.line is not None and "ogiltig YAML" in str(error.value)


_PARAMETER = "description: d\nbasis: [{kind: S, text: t}]\nunit: u\napplies_at: receipt\n"
_RULE = ("rules:\n  - id: VS-X1\n    title: t\n    group: info\n    basis: [{kind: S, text: t}]\n"
         "    valid_from: 2026-01-01\n    description: d\n    when: {always: true}\n    text: {met: a, not_met: b}\n")


@pytest.mark.parametrize("model, text, problem", [
    ("RuleFile", _RULE.replace("    title: t\n", ""), "rules.0.title: saknas; ange regelns rubrik som text"),
    ("RuleFile", _RULE.replace("title: t", "title: ''"), "rules.0.title: är tom; ange regelns rubrik som text"),
    ("RuleFile", _RULE.replace("title: t", "title: [t]"), "rules.0.title: en lista är inte en text; ange regelns "
                                                          "rubrik som text"),
    ("RuleFile", _RULE.replace("group: info", "group: x"), "rules.0.group: 'x' är inget tillåtet värde; ange något "
     "av 'admissibility', 'substantive', 'completeness', 'amount', 'info' eller 'round'"),
    ("RuleFile", "rules: {a: 1}\n", "rules: en mappning är inte en lista; ange reglerna som en lista under rules:, "
                                   "minst en regel"),
    ("RuleFile", "", "(fil): är tom; skriv filen som en mappning med fältet rules: och reglerna som en lista under det"),
    ("ParameterFile", _PARAMETER + "values: {abc: {value: 1}}\n",
     "values.abc: 'abc' är inget giltigt datum; ange datumet som ÅÅÅÅ-MM-DD"),
    ("ParameterFile", _PARAMETER + "values: {2026-01-01: {}}\n", "values.2026-01-01.value: saknas; ange ett värde"),
    ("ParameterFile", _PARAMETER + "type: 'list[int]'\nvalues: {2026-01-01: {value: 5}}\n",
     "values.2026-01-01.value: passar inte typen list[int]: värdet ska vara en lista, men är 5; rätta värdet eller "
     "type"),
    ("ParameterFile", _PARAMETER + "type: 'lst[int]'\nvalues: {2026-01-01: {value: 5}}\n",
     "type: okänd typ 'lst[int]'; använd number, int, str, bool, list[T], map[K,V] eller record{namn:T,...}"),
    ("AreaIndex", "area: a\ntitle: t\ndescription: d\nfacts: f\ngroups: {}\noutcome_titles: {a: b}\n",
     "groups: en mappning är inte en lista; ange regelgrupperna som en lista, var och en med id och title"),
])
def test_a_schema_error_of_a_rule_file_is_swedish_with_the_field_and_its_fix(model, text, problem):
    """pydantic's findings go through the translator of application errors, with each field's fix."""
    from engine import schema
    from engine.rulebook import schema_error
    from engine.yamlsource import parse_yaml
    from pydantic import ValidationError

    raw = parse_yaml(text, "x.yaml")
    with pytest.raises(ValidationError) as caught:
        getattr(schema, model).model_validate(raw)
    assert schema_error("x.yaml", raw, caught.value, model=model).problem == problem


@pytest.mark.parametrize("type_text, value", [
    ("int", "x"), ("number", True), ("str", 1), ("bool", 1), ("list[int]", 5), ("map[int,int]", {"a": 1}),
    ("map[int,int]", 5), ("record{a:int}", 5), ("list[record{a:int,b:str}]", [{"a": 1, "c": 2}]),
    ("lst[int]", None), ("map[int]", None),
])
def test_every_message_of_the_parameter_types_is_said_in_swedish(type_text, value):
    """engine.valuetypes refuses a value (or a type) in Swedish, naming where in the value."""
    import re
    from engine.valuetypes import parse_type

    with pytest.raises(ValueError) as caught:
        parse_type(type_text)(value, "")
    said = str(caught.value)
    assert not re.search(r"\b(must|got|missing|unknown|use|takes|key|value)\b", said), said


def test_a_new_dated_parameter_value_changes_decisions_from_its_date():
    """A rule change is a data change with an effective date: old receipts keep the old value."""
    from engine.intake import parse_application
    import json

    files = {str(p.relative_to(RULES)): p.read_text(encoding="utf-8") for p in (RULES / "verksamhetsstod").rglob("*.yaml")}
    path = "verksamhetsstod/parameters/least_extensive_hours.yaml"
    files[path] += "  2026-09-01:\n    value: 12\n"
    area = Area("verksamhetsstod", DictSource(files))
    example = Path(__file__).resolve().parents[2] / "shared" / "contract" / "verksamhetsstod" / "VS-EX-01.json"
    raw = json.loads(example.read_text())
    before = area.decide(parse_application({**raw, "received": "2026-08-31"}), date(2026, 9, 2))
    after = area.decide(parse_application({**raw, "received": "2026-09-01",
                                           "period": {"start_month": "2026-09", "end_month": "2027-03"}}), date(2026, 9, 2))
    assert before.finding("VS-S2").status == "met"
    assert after.finding("VS-S2").status == "not_met" and after.outcome == "avslag"


def test_disagreeing_evaluators_stop_the_decision(monkeypatch):
    """A durable-rules/trace disagreement is an engine fault, never a silently wrong decision."""
    import json

    from engine import api
    from engine.durable import DurableRuleset
    from engine.errors import EngineFault

    example = Path(__file__).resolve().parents[2] / "shared" / "contract" / "verksamhetsstod" / "VS-EX-01.json"
    app, _ = api.read_application(example.read_bytes())
    real = DurableRuleset.fired
    monkeypatch.setattr(DurableRuleset, "fired", lambda self, facts: real(self, facts) - {"VS-K1"})
    with pytest.raises(EngineFault) as error:
        api.decide(app, date(2026, 2, 1))
    assert error.value.disagreements == {"VS-K1": (False, True)}
    assert "manual review" in str(error.value)


def test_placeholders_with_digits_in_fact_names_are_filled():
    """Regression (features: VS-P1/VS-P3 texts printed '{period.months_cut_by_p1}' verbatim)."""
    from engine.explain import render

    assert render("{period.months_cut_by_p1} månader", {"period.months_cut_by_p1": 2}, {}, date(2026, 3, 2)) == "2 månader"


def test_intake_error_never_echoes_a_personnummer():
    import json

    from engine import api
    from engine.errors import IntakeError

    example = Path(__file__).resolve().parents[2] / "shared" / "contract" / "verksamhetsstod" / "VS-EX-01.json"
    raw = json.loads(example.read_text())
    raw["pupil"]["ref"] = "19990101-1234"
    with pytest.raises(IntakeError) as error:
        api.read_application(raw)
    assert error.value.field == "pupil.ref" and "1234" not in str(error.value)


def test_durable_rules_is_sent_only_the_facts_its_conditions_read():
    conditions = {"r": {"$and": [{"$gte": {"n": 5}}, {"$or": [{"b": True}, {"s": "x"}]}]}, "q": {"never__": True}}
    ruleset = DurableRuleset(f"test@{next(_counter)}", "case", conditions)
    assert ruleset.fields == ("b", "n", "never__", "s")
    facts = {"n": 6, "b": False, "s": "x"}
    assert ruleset.fired(facts) == ruleset.fired({**facts, "other": "unread", "list": [1, 2]}) == {"r"}
    assert ruleset.fired({**facts, "n": 4}) == set()


def _ruleset_of_three():
    conditions = {"big": {"$gte": {"n": 5}}, "yes": {"b": True}, "x": {"s": "x"}}
    return DurableRuleset(f"test@{next(_counter)}", "case", conditions)


def _expected(facts: dict) -> set[str]:
    return {name for name, holds in (("big", facts["n"] >= 5), ("yes", facts["b"] is True), ("x", facts["s"] == "x"))
            if holds}


_RULESET_OF_THREE = _ruleset_of_three()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries({"n": st.integers(0, 9), "b": st.booleans(), "s": st.sampled_from("xy")}),
                min_size=1, max_size=12))
def test_a_state_used_again_fires_for_each_fact_alone(sequence):
    """The same facts twice in a row, and any facts after any others, fire what they fire alone."""
    ruleset = _RULESET_OF_THREE
    for facts in sequence + sequence[::-1]:
        assert ruleset.fired(facts) == _expected(facts)
    assert len(ruleset._free) == 1  # one evaluation at a time: one state, used again


def test_threads_deciding_at_once_never_share_a_state():
    import threading

    ruleset = _ruleset_of_three()
    cases = [{"n": i % 10, "b": i % 3 == 0, "s": "xy"[i % 2]} for i in range(400)]
    wrong: list = []

    def work(offset: int) -> None:
        for facts in cases[offset:] + cases[:offset]:
            if ruleset.fired(facts) != _expected(facts):
                wrong.append(facts)

    threads = [threading.Thread(target=work, args=(k * 37,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == [] and 1 <= len(ruleset._free) <= 8


def test_a_state_left_part_way_is_deleted_not_used_again(monkeypatch):
    import durable_rules_engine as dre

    ruleset = _ruleset_of_three()
    facts = {"n": 7, "b": True, "s": "x"}
    assert ruleset.fired(facts) == {"big", "yes", "x"} and ruleset._free == ["0"]

    def broken(handle, state):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(dre, "complete_and_start_action", broken)
    with pytest.raises(RuntimeError):
        ruleset.fired(facts)
    assert ruleset._free == []  # the state it left holds the fact: deleted, not kept
    monkeypatch.undo()
    assert ruleset.fired(facts) == {"big", "yes", "x"} and ruleset.fired({"n": 1, "b": False, "s": "y"}) == set()
    assert ruleset._free == ["1"]


@pytest.mark.parametrize("derived, problem", [({"a": 1}, "missing ['b'], undeclared []"),
                                              ({"a": 1, "b": 2, "c": 3}, "missing [], undeclared ['c']")])
def test_a_fact_set_that_derives_other_facts_than_it_declares_is_an_area_fault(derived, problem):
    from engine.errors import AreaFault
    from engine.facts import FactDef, FactSet

    facts = FactSet("x", [FactDef("a", "int", "A."), FactDef("b", "int", "B.")], lambda app, ctx: dict(derived))
    with pytest.raises(AreaFault) as caught:
        facts.derive(None, None)
    assert caught.value.problem == problem
    assert FactSet("x", [FactDef("a", "int", "A.")], lambda app, ctx: {"a": 1}).derive(None, None) == {"a": 1}


def test_a_template_keeps_its_texts_by_the_values_it_reads():
    from datetime import date

    from engine import explain, labels

    day = date(2026, 3, 1)
    template = "Skolan {school.name} söker {amount|sek} för {n|antal:en månad/månader}; högst {param:max|sek}."
    first = explain.render(template, {"school.name": "A", "amount": 1000, "n": 1}, {"max": 5}, day)
    assert first == "Skolan A söker 1 000 kr för en månad; högst 5 kr."
    assert explain.render(template, {"school.name": "B", "amount": 1000, "n": 2}, {"max": 5}, day) == \
        "Skolan B söker 1 000 kr för två månader; högst 5 kr."
    assert explain.render(template, {"school.name": "A", "amount": 1000, "n": 1}, {"max": 6}, day).endswith("6 kr.")
    assert explain.render(template, {"school.name": "A", "amount": 1000, "n": 1}, {"max": 5}, day) == first
    # months_before_receipt reads the receipt day: it is part of the key
    dated = "Senast {m|months_before_receipt}."
    assert explain.render(dated, {"m": 2}, {}, day) != explain.render(dated, {"m": 2}, {}, date(2026, 5, 1))
    # a list parameter cannot be a key: rendered every time
    listed = "Koder: {param:codes}."
    assert explain.render(listed, {}, {"codes": ["a"]}, day) != explain.render(listed, {}, {"codes": ["b"]}, day)
    # new labels make the kept texts stale
    coded = "Roll: {role}."
    assert explain.render(coded, {"role": "testkod_memo"}, {}, day) == "Roll: testkod_memo."
    labels.register(labels.AreaLabels(codes={"test_roles": {"testkod_memo": "Testroll"}}))
    assert explain.render(coded, {"role": "testkod_memo"}, {}, day) == "Roll: Testroll."


@pytest.mark.parametrize("value, small, large", [(1e-05, True, False), (-2.5e-07, True, False), (1e16, False, True),
                                                 (0.1, False, False), (12.5, False, False)])
def test_floats_that_python_writes_with_an_exponent_reach_durable_rules_as_plain_numbers(value, small, large):
    from engine.durable import to_json

    text = to_json({"x": value, "note": "1e5 in a text stays as it is"})
    assert "e-" not in text and "e+" not in text and "1e5 in a text" in text and json.loads(text)["x"] == value
    ruleset = DurableRuleset(f"test@{next(_counter)}", "case", {"small": {"$and": [{"$lt": {"x": 0.001}},
                                                                                   {"$gt": {"x": -0.001}}]},
                                                                "large": {"$gte": {"x": 1e15}}})
    assert ruleset.fired({"x": value}) == {name for name, holds in (("small", small), ("large", large)) if holds}


def test_orjson_writes_every_exponent_with_its_sign():
    """durable.to_json looks for 'e-' and 'e+' only: an exponent written without a sign would slip by."""
    import math
    import random
    import re
    import struct

    import orjson

    unsigned = re.compile(rb"[0-9][eE](?![+-])")
    rng = random.Random(3)
    values = [float(f"{m}e{e}") for e in range(-323, 308) for m in (1, 1.5, 9.99)]
    values += [struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(20_000)]
    written = [orjson.dumps(v) for v in values if math.isfinite(v)]
    assert len(written) > 20_000 and not [w for w in written if unsigned.search(w) or b"E" in w]
