"""Property tests: no mutation of a valid input crashes, and submit stores a whole case or nothing.

Hypothesis mutates the contract examples (verksamhetsstöd applications, CSI round files)
and the rule files in ``rules/``: it deletes keys, changes types, sets null, puts extreme
numbers, strings and unicode in, nests garbage, duplicates keys in the JSON text and cuts
the text short. Every outcome must be a decision or a clean refusal; anything else (an
exception, an exit code other than 0 or 2, a partly stored case) fails with the input.

The inputs run in a child process (``fuzz_worker.py``) with a time limit, because
durable-rules' C extension can segfault or hang (``../shared/ARCHITECTURE.md``): that must
show up as a failing example, not a dead test run. Runs are derandomized (the same examples
every time, so CI is reproducible); ``STOD_FUZZ_EXAMPLES=<n>`` multiplies the example
counts for a long run, e.g. ``STOD_FUZZ_EXAMPLES=20 pytest tests/test_fuzz.py``.
"""
from __future__ import annotations

import base64
import itertools
import json
import os
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fuzz_worker import WorkerProcess

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT.parent / "shared" / "contract"
RULES = ROOT / "rules"
DECISION_DATE = "2026-03-02"
SCALE = max(1, int(os.environ.get("STOD_FUZZ_EXAMPLES", "1") or 1))
TIMEOUT = 20  # seconds for one input; the slowest real input takes well under one

VS_EXAMPLES = [json.loads(p.read_text(encoding="utf-8"))
               for p in sorted((CONTRACT / "verksamhetsstod").glob("VS-EX-*.json"))]
ROUND_EXAMPLES = [json.loads(p.read_text(encoding="utf-8"))
                  for p in sorted((CONTRACT / "csi").glob("round-example*.json")) if "expected" not in p.name]


def fuzz_settings(examples: int):
    return settings(max_examples=examples * SCALE, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def worker():
    process = WorkerProcess(timeout=TIMEOUT, env={"STOD_DATABASE_URL": ""})
    yield process
    process.close()


# -- mutations ------------------------------------------------------------------------------

EXTREME_NUMBERS = [0, -1, 1, 45, 45.000001, 4.999999, -0.0, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 10**30,
                   1e308, -1e308, 5e-324, float("inf"), float("-inf"), float("nan")]
EXTREME_STRINGS = ["", " ", "\t\n", "\x00", "rektor\x00", "ä" * 3, "e\u0301", "\u202erotker", "🧑‍🏫",
                   "\ufeffrektor", "x" * 20_000, "null", "2026-02-29", "2026-13-01", "0000-00-00", "9999-12",
                   "19990101-1234", "$t", "{\"$t\": \"case\"}", "'; DROP TABLE cases; --", "\ud800".encode(
                       "utf-8", "surrogatepass").decode("utf-8", "replace")]

json_scalars = st.one_of(st.none(), st.booleans(), st.sampled_from(EXTREME_NUMBERS), st.integers(),
                         st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(EXTREME_STRINGS),
                         st.text(max_size=40))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=12)


def paths_of(value, prefix=()):
    """Every path into a JSON value (dict keys and list indexes), the root included."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths_of(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths_of(item, prefix + (i,))


def _get(value, path):
    for key in path:
        value = value[key]
    return value


def _nest(value, depth: int):
    for i in range(depth):
        value = [value] if i % 2 else {"x": value}
    return value


@st.composite
def mutated_value(draw, base):
    """``base`` (a JSON value, not changed) with one to three mutations at random paths."""
    data = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(paths_of(data))
        path = draw(st.sampled_from(paths[1:] or paths))
        op = draw(st.sampled_from(["delete", "null", "replace", "extreme_number", "extreme_string",
                                   "nest", "wrap_list", "add_key", "empty"]))
        if not path:
            data = draw(json_values)
            continue
        parent, key = _get(data, path[:-1]), path[-1]
        if op == "delete":
            del parent[key]
        elif op == "null":
            parent[key] = None
        elif op == "replace":
            parent[key] = draw(json_values)
        elif op == "extreme_number":
            parent[key] = draw(st.sampled_from(EXTREME_NUMBERS))
        elif op == "extreme_string":
            parent[key] = draw(st.sampled_from(EXTREME_STRINGS))
        elif op == "nest":
            # Deep, but below the JSON decoder's recursion limit (that bug has its own corpus entry).
            parent[key] = _nest(parent[key], draw(st.integers(1, 200)))
        elif op == "wrap_list":
            parent[key] = [parent[key]]
        elif op == "add_key":
            target = parent[key] if isinstance(parent[key], dict) else parent
            if isinstance(target, dict):
                target[draw(st.sampled_from(["hours", "$t", "kind", "extra", "", "need"]))] = draw(json_values)
        elif op == "empty":
            parent[key] = type(parent[key])() if isinstance(parent[key], (dict, list, str)) else 0
    return data


@st.composite
def mutated_text(draw, base):
    """The JSON text of a mutated value, sometimes with a duplicated key, cut short, or a bad byte."""
    data = draw(mutated_value(base))
    text = json.dumps(data, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1])))
    op = draw(st.sampled_from(["none", "none", "duplicate_key", "truncate", "bad_byte", "bom"]))
    raw = text.encode("utf-8")
    if op == "duplicate_key" and isinstance(data, dict) and data:
        key = draw(st.sampled_from(sorted(data, key=str)))
        dup = json.dumps({key: draw(json_values)})[1:-1]
        raw = ("{" + dup + ", " + text.lstrip()[1:]).encode("utf-8")
    elif op == "truncate" and raw:
        raw = raw[:draw(st.integers(0, len(raw) - 1))]
    elif op == "bad_byte" and raw:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80"])) + raw[at:]
    elif op == "bom":
        raw = b"\xef\xbb\xbf" + raw
    return raw


def _request(op: str, raw: bytes, **extra) -> dict:
    return {"op": op, "b64": base64.b64encode(raw).decode(), "date": DECISION_DATE, **extra}


def ask_json(worker, op: str, data, errors: str = "strict", **extra) -> tuple[dict, bytes]:
    """Send ``data`` to the worker as UTF-8 JSON for ``op``: its answer and the bytes sent."""
    raw = json.dumps(data, ensure_ascii=False).encode("utf-8", errors)
    return worker.ask(_request(op, raw, **extra)), raw


def example_with(field: tuple, value) -> dict:
    """A copy of the first verksamhetsstöd example with one (nested) field set to ``value``."""
    data = json.loads(json.dumps(VS_EXAMPLES[0]))
    target = data
    for key in field[:-1]:
        target = target[key]
    target[field[-1]] = value
    return data


def assert_clean(answer: dict, raw) -> None:
    """No crash of any kind is allowed: every input is decided or refused."""
    event(answer["outcome"])
    assert answer["outcome"] in ("decision", "refused"), (
        f"input ended in {answer['outcome']}:\n{raw[:3000]!r}\n\n{answer['detail']}")


# -- properties -----------------------------------------------------------------------------


@fuzz_settings(300)
@given(st.sampled_from(VS_EXAMPLES).flatmap(mutated_text), st.sampled_from([DECISION_DATE, "2026-01-01", "2031-12-31"]))
def test_mutated_applications_are_decided_or_refused(worker, raw, day):
    answer = worker.ask({**_request("application", raw), "date": day})
    assert_clean(answer, raw)


MEASURES = ["assistenthjalp", "annan_extraordinar", "extra_anpassningar", "ledning_stimulans", "specialpedagog",
            "anpassad_studiegang", "sarskild_undervisningsgrupp"]
free_text = st.one_of(st.text(max_size=60), st.sampled_from(EXTREME_STRINGS))
months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(2000, 2040), st.integers(1, 12))


@st.composite
def well_formed_application(draw):
    """An application intake accepts the shape of, with extreme values everywhere it allows them:
    these reach the facts, durable-rules and the texts, where most mutations are refused earlier."""
    data = json.loads(json.dumps(draw(st.sampled_from(VS_EXAMPLES))))
    received = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2040, 12, 31)))
    start, end = sorted([draw(months), draw(months)])
    def doc(extra=None):
        return draw(st.one_of(st.none(), st.builds(lambda d: {"date": d.isoformat(), **(extra or {})},
                                                   st.dates(min_value=date(2000, 1, 1), max_value=received))))
    data.update({
        "received": received.isoformat(),
        "applicant": {"role": draw(st.one_of(st.just("rektor"), free_text)), "name": draw(free_text)},
        "pupil": {"ref": draw(st.text(min_size=1, max_size=30).filter(lambda s: not s.strip().isdigit())),
                  "grade": draw(st.one_of(st.integers(-1, 10), st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**30])))},
        "renewal": draw(st.booleans()),
        "previous_decision_id": draw(st.one_of(st.none(), free_text)),
        "period": {"start_month": start, "end_month": end},
        "need": {"description": draw(free_text), "diagnoses": draw(st.lists(free_text, max_size=3)),
                 "measures": draw(st.lists(st.sampled_from(MEASURES), min_size=1, max_size=8)),
                 "extraordinary_hours_per_week": draw(st.one_of(st.floats(0, 45), st.sampled_from([0, 4.999999, 5, 45]))),
                 "share_in_special_group": draw(st.one_of(st.floats(0, 1), st.sampled_from([0, 0.75, 0.7499999, 1])))},
        "documents": {"atgardsprogram": doc({"signed_by_rektor": draw(st.booleans())}), "utredning": doc(),
                      "extra_anpassningar_utvardering": doc(), "foregaende_period_utvardering": doc(),
                      "vardnadshavare_informerade": draw(st.booleans())},
        "requested_amount_sek": draw(st.one_of(st.integers(1, 10**6), st.sampled_from([1, 2**31, 2**63, 10**30]))),
    })
    data["school"].update({"name": draw(free_text), "district": draw(free_text),
                           "municipality": draw(st.one_of(st.just("Stockholm"), free_text)),
                           "socioeconomic_index": draw(st.one_of(st.none(), st.floats(0, 1e308)))})
    return data


@fuzz_settings(300)
@given(well_formed_application())
def test_well_formed_extremes_are_decided_or_refused(worker, data):
    assert_clean(*ask_json(worker, "application", data))


_ids = itertools.count()


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("fuzz") / "store.db")


@fuzz_settings(100)
@given(st.one_of(st.sampled_from(VS_EXAMPLES).flatmap(mutated_value), well_formed_application()))
def test_submit_stores_a_whole_case_or_nothing(worker, fuzz_db, data):
    """Every submit leaves every case in the store whole; a refusal adds nothing."""
    if isinstance(data, dict) and isinstance(data.get("application_id"), str) and data["application_id"].startswith("VS-EX-"):
        # A fresh id, so a mutation is judged on itself, not refused as a changed resubmission.
        data["application_id"] = f"FUZZ-{next(_ids)}"
    assert_clean(*ask_json(worker, "submit", data, errors="surrogatepass", db=fuzz_db))


@pytest.mark.skipif(not ROUND_EXAMPLES, reason="no CSI round examples")
@fuzz_settings(100)
@given(st.sampled_from(ROUND_EXAMPLES).flatmap(mutated_text))
def test_mutated_round_files_are_decided_or_refused(worker, raw):
    answer = worker.ask(_request("round", raw))
    assert_clean(answer, raw)


FOCI = ["AST", "TSK", "HORSEL", "NPF"]


@st.composite
def well_formed_round(draw):
    """A round intake accepts, with extreme catalogues (no room, full, taken above capacity, odd
    grade spans) and requests (every need level, unknown preferred groups, foreign focus), so
    that the placement round and its rules run, where most mutations refuse the whole round."""
    data = json.loads(json.dumps(draw(st.sampled_from(ROUND_EXAMPLES))))
    group_ids = [g["id"] for g in data.get("groups") or []]
    for group in data.get("groups") or []:
        low = draw(st.integers(0, 9))
        group.update({"capacity": draw(st.one_of(st.integers(0, 3), st.just(10**9))),
                      "taken": draw(st.one_of(st.integers(0, 4), st.just(2**62))),
                      "grades": [low, draw(st.integers(low, 12))],
                      "focus": draw(st.one_of(st.sampled_from(FOCI), free_text.filter(bool)))})
    if draw(st.booleans()):
        data.pop("groups", None)
    requests = draw(st.lists(st.sampled_from(data["requests"]), min_size=1, max_size=len(data["requests"]),
                             unique_by=lambda r: r["application_id"]))
    for request in requests:
        request.update({"assessed_need_level": draw(st.one_of(st.none(), st.integers(1, 5))),
                        "focus": draw(st.one_of(st.sampled_from(FOCI), free_text)),
                        "preferred_groups": draw(st.lists(st.one_of(st.sampled_from(group_ids or ["X"]), free_text),
                                                          max_size=4)),
                        "pupil": {**request["pupil"], "grade": draw(st.integers(-1, 12))}})
        request["documents"]["lagre_niva_provad"] = draw(st.booleans())
    data["requests"] = requests
    data["term"] = draw(st.sampled_from(["HT2026", "VT2027", "HT2027", "VT2031"]))
    return data


@pytest.mark.skipif(not ROUND_EXAMPLES, reason="no CSI round examples")
@fuzz_settings(60)
@given(well_formed_round())
def test_well_formed_rounds_are_decided_or_refused(worker, data):
    assert_clean(*ask_json(worker, "round", data))


# -- rule files -----------------------------------------------------------------------------

VS_RULE_FILES = {p.relative_to(RULES).as_posix(): p.read_text(encoding="utf-8")
                 for p in sorted((RULES / "verksamhetsstod").rglob("*.yaml"))}
RULE_APPS = [json.dumps(VS_EXAMPLES[i], ensure_ascii=False) for i in (0, 4, 9, 14) if i < len(VS_EXAMPLES)]
YAML_TOKENS = ["", " ", ":", "- ", "{", "}", "[", "]", "#", "&a", "*a", "!!python/object:os.system", "null", "~",
               "0", "-1", "1e999", "2026-02-30", "yes", "ge", "gte", "fact", "param", "rule", "VS-S1", "always: false",
               "\t", "'", '"', "|", ">", "%", "@", "\u00e4"]


@st.composite
def mutated_yaml_text(draw, text: str) -> str:
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent", "token", "truncate"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][2:] if lines[i].startswith("  ") else lines[i]
        elif op == "token":
            at = draw(st.integers(0, len(lines[i])))
            cut = draw(st.integers(0, 6))
            lines[i] = lines[i][:at] + draw(st.sampled_from(YAML_TOKENS)) + lines[i][at + cut:]
        elif op == "truncate":
            lines = lines[:i]
    return "\n".join(lines) + "\n"


@st.composite
def mutated_yaml_values(draw, text: str) -> str:
    return yaml.safe_dump(draw(mutated_value(_plain(yaml.safe_load(text)))), allow_unicode=True)


def _plain(value):
    """YAML data as JSON data: dates (also as mapping keys) become ISO text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


@st.composite
def mutated_rule_tree(draw) -> tuple[str, dict]:
    path = draw(st.sampled_from(sorted(VS_RULE_FILES)))
    text = VS_RULE_FILES[path]
    new = draw(st.one_of(mutated_yaml_text(text), mutated_yaml_values(text)))
    return path, {**VS_RULE_FILES, path: new}


@fuzz_settings(60)
@given(mutated_rule_tree())
def test_mutated_rule_files_load_and_decide_or_refuse(worker, mutated):
    """A changed rule tree is refused with file and line, or it decides the examples: never a crash."""
    path, files = mutated
    answer = worker.ask({"op": "rules", "area": "verksamhetsstod", "files": files, "apps": RULE_APPS,
                         "date": DECISION_DATE})
    event(answer["outcome"])
    assert answer["outcome"] in ("decision", "refused"), f"{path} changed to:\n{files[path][:4000]}\n\n{answer['detail']}"
    if answer["outcome"] == "refused":
        assert "verksamhetsstod/" in answer["detail"], f"the refusal names no file: {answer['detail']}"


# -- issue 10: personnummer in any form, string lengths, rule-file shapes ---------------------

DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\ufe63", "\uff0d", "+", "", " "]
SPACES = [" ", "\u00a0", "\u2007", "\u202f", "\u3000", "\t"]
INVISIBLE = ["", "", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
TEXT_FIELDS = [("pupil", "ref"), ("need", "description"), ("applicant", "name"), ("school", "name"),
               ("school", "district"), ("application_id",)]


@st.composite
def written_personnummer(draw) -> tuple[str, str]:
    """A personnummer or samordningsnummer as a person might type it: (text, its ten core digits)."""
    year, month = draw(st.integers(0, 99)), draw(st.integers(1, 12))
    day = draw(st.integers(1, 28)) + draw(st.sampled_from([0, 60]))
    tail = draw(st.integers(0, 9999))
    core = f"{year:02d}{month:02d}{day:02d}{tail:04d}"
    century = draw(st.sampled_from(["", "19", "20"]))
    glue = lambda: draw(st.sampled_from(INVISIBLE + ([""] * 4)))  # noqa: E731
    inner = draw(st.sampled_from(["", "", "-", " ", "."]))
    date_part = inner.join([core[0:2], core[2:4], core[4:6]])
    sep = draw(st.sampled_from(DASHES + SPACES))
    text = century + glue() + date_part + glue() + sep + glue() + core[6:]
    if draw(st.booleans()):  # fullwidth or other non-ASCII digits
        base = draw(st.sampled_from([0xFF10, 0x0660, 0x06F0, 0x0966]))
        text = "".join(chr(base + int(c)) if c.isdigit() else c for c in text)
    prefix = draw(st.sampled_from(["", "EL-", "elev ", "Ref: ", "x_"]))
    suffix = draw(st.sampled_from(["", ".", " (elev)", "_a"]))
    return prefix + text + suffix, core


@fuzz_settings(150)
@given(written_personnummer(), st.sampled_from(TEXT_FIELDS))
def test_a_personnummer_in_any_form_and_field_is_refused_and_never_echoed(worker, written, field):
    text, core = written
    value = text if field[-1] != "description" else f"Eleven ({text}) behöver stöd."
    answer, _ = ask_json(worker, "application", example_with(field, value))
    assert answer["outcome"] == "refused", f"{text!r} in {'.'.join(field)} was not refused: {answer['detail']}"
    assert "personnummer" in answer["detail"] and ".".join(field) in answer["detail"], answer["detail"]
    assert core[-4:] not in answer["detail"] and text not in answer["detail"], answer["detail"]


STRING_FIELDS = TEXT_FIELDS + [("school", "municipality"), ("applicant", "role"), ("previous_decision_id",)]


@fuzz_settings(80)
@given(st.sampled_from(STRING_FIELDS), st.integers(0, 25_000), st.sampled_from(["a", "ä", "🧑‍🏫", "[b]", "\x1b["]))
def test_strings_of_any_length_are_decided_or_refused_quickly(worker, field, length, unit):
    value = (unit * (length // len(unit) + 1))[:length] or "x"
    answer, raw = ask_json(worker, "application", example_with(field, value))
    assert_clean(answer, raw[:300])
    limit = {"description": 20_000, "ref": 64, "application_id": 64, "previous_decision_id": 64}.get(field[-1], 200)
    if length > limit:
        assert answer["outcome"] == "refused" and "tecken" in answer["detail"], answer["detail"]


RULE_HEAD = """rules:
  - id: VS-X9
    title: Provregel
    group: info
    description: Fuzz.
    basis:
      - kind: "A"
        text: "Fuzz"
    valid_from: 2026-01-01
"""


@st.composite
def rule_shape(draw) -> str:
    """A rule whose condition is deep, wide, self-referring or holds odd numbers and aliases."""
    shape = draw(st.sampled_from(["in_list", "nested", "self_ref", "number", "alias", "template"]))
    cond, met = "{fact: pupil.grade, ge: 0}", '"U."'
    if shape == "in_list":
        cond = "{fact: pupil.grade, in: [" + ", ".join(str(i) for i in range(draw(st.integers(0, 700)))) + "]}"
    elif shape == "nested":
        for i in range(draw(st.integers(1, 60))):
            cond = f"{{{draw(st.sampled_from(['all', 'any', 'not']))}: " + (
                f"{cond}}}" if cond.startswith("{not") or i % 3 == 2 else f"[{cond}, {{fact: pupil.grade, le: {i}}}]}}")
    elif shape == "self_ref":
        cond = draw(st.sampled_from(["{rule: VS-X9}", "{not: {rule: VS-X9}}", "{all: [{rule: VS-S1}, {rule: VS-X9}]}"]))
    elif shape == "number":
        cond = "{fact: need.extraordinary_hours_per_week, ge: " + draw(st.sampled_from(
            [".inf", "-.inf", ".nan", "1e999", "-0.0", "1e-300", "5"])) + "}"
    elif shape == "alias":
        return "x: &x [1, 2]\ny: [*x, *x]\n" + RULE_HEAD + f"    when: {cond}\n    text:\n      met: {met}\n      not_met: \"I.\"\n"
    elif shape == "template":
        met = '"' + draw(st.sampled_from(["{pupil.grade|Sek}", "{pupil.grade|sek2}", "{pupil.grade", "}",
                                           "{param:least_extensive_hours|pct}", "{{pupil.grade}}"])) + '"'
    return RULE_HEAD + f"    when: {cond}\n    text:\n      met: {met}\n      not_met: \"I.\"\n"


@fuzz_settings(60)
@given(rule_shape())
def test_rule_file_shapes_are_refused_or_decide(worker, text):
    """Shapes that once hung, overflowed the stack or were accepted and then broke deciding."""
    files = {**VS_RULE_FILES, "verksamhetsstod/zz_fuzz.yaml": text}
    answer = worker.ask({"op": "rules", "area": "verksamhetsstod", "files": files, "apps": RULE_APPS,
                         "date": DECISION_DATE})
    event(answer["outcome"])
    assert answer["outcome"] in ("decision", "refused"), f"{text[:3000]}\n\n{answer['detail']}"
    if answer["outcome"] == "refused":
        assert "verksamhetsstod/" in str(answer["detail"]), answer["detail"]
    else:
        assert not any(str(o).startswith("refused") for o in answer["detail"]), answer["detail"]
