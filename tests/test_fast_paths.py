"""The fast paths of intake answer exactly as the strict ones (issue 12).

``parse_json`` reads with orjson where that is provably what the strict reader returns, and
``string_problems`` first looks for any problem in one pass without field paths. Each is
compared here with its strict path on generated applications and on hostile variants of them:
the same object, or the same Swedish refusal.
"""
from __future__ import annotations

import json
import random

import pytest

from engine import inputguard, intake
from engine.errors import IntakeError
from stod.services.demo_data import generate_applications

APPS = generate_applications(60, seed=17)


def _outcome(read, text):
    try:
        return ("ok", read(text))
    except IntakeError as error:
        return ("refused", str(error))


def _both(monkeypatch, text):
    fast = _outcome(lambda t: intake.parse_json(t, "a.json"), text)
    with monkeypatch.context() as m:
        m.setattr(intake, "_read_fast", lambda t: None)
        strict = _outcome(lambda t: intake.parse_json(t, "a.json"), text)
    return fast, strict


def _variants(raw: dict) -> list[bytes]:
    compact = json.dumps(raw, ensure_ascii=False).encode()
    body = compact[1:-1]
    return [
        compact,
        json.dumps(raw, ensure_ascii=False, indent=2).encode(),
        json.dumps(raw).encode(),  # every non-ASCII letter escaped
        b'{"kind": "verksamhetsstod", ' + body + b"}",  # a key twice, the first kept by nobody
        b"{" + body + b', "received": "2026-01-01"}',  # a key twice at the end
        compact.replace(b'"need": {', b'"need": {"measures": [], '),  # twice, nested
        compact.replace(b'"need": {', b'"need": {"a:b": "x:y", '),  # colons inside strings
        compact.replace(b'"need": {', b'"need": {"a\\u003ab": 1, "a:b": 2, '),  # an escaped colon
        compact.replace(b'"need": {', b'"need": {"big": 123456789012345678901234567890, '),
        compact.replace(b'"need": {', b'"need": {"big": 18446744073709551616, "ok": 18446744073709551615, '),
        compact.replace(b'"need": {', b'"need": {"big": -9223372036854775809, "ok": -9223372036854775808, '),
        compact.replace(b'"need": {', b'"need": {"f": 1e19, "g": 9.3e18, "s": "e+e+", '),
        compact.replace(b'"need": {', b'"need": {"f": 0.1000000000000000055511151231257827, "g": 2.5e-324, '),
        compact.replace(b'"need": {', b'"need": {"n": NaN, '),
        compact.replace(b'"need": {', b'"need": {"s": "\\ud800", '),
        b"\xef\xbb\xbf" + compact,
        b"[" + compact + b"]",
        compact[:-1],
        compact + b"x",
        b"  ",
        compact.replace(b'"', b"'", 2),
        compact.replace(b'"need": {', b'"need": {"deep": ' + b"[" * 300 + b"]" * 300 + b", "),  # deeper than orjson writes
    ]


@pytest.mark.parametrize("n", range(0, 60, 6))
def test_the_fast_json_reader_answers_as_the_strict_one(monkeypatch, n):
    for text in _variants(APPS[n]):
        fast, strict = _both(monkeypatch, text)
        assert fast == strict, text[:120]


def test_a_key_written_twice_is_refused_in_swedish_whatever_the_reader():
    raw = json.dumps(APPS[0], ensure_ascii=False).encode()
    with pytest.raises(IntakeError, match="står två gånger i samma objekt"):
        intake.parse_json(b'{"kind": "csi", ' + raw[1:], "a.json")


def _hostile(raw: dict, rng: random.Random) -> dict:
    """A copy of ``raw`` with one hostile string, list or key put somewhere."""
    data = json.loads(json.dumps(raw))
    paths = []

    def walk(value, at):
        if isinstance(value, dict):
            for key, item in value.items():
                paths.append((value, key))
                walk(item, at + [key])
        elif isinstance(value, list):
            for i, item in enumerate(value):
                paths.append((value, i))
                walk(item, at + [i])

    walk(data, [])
    holder, key = rng.choice(paths)
    choice = rng.randrange(10)
    if choice == 0:
        holder[key] = "elev 20121212-1212"
    elif choice == 1:
        holder[key] = "x" * rng.choice([63, 64, 65, 199, 200, 201, 20_001])
    elif choice == 2:
        holder[key] = "\ud800"
    elif choice == 3:
        holder[key] = ["a"] * rng.choice([100, 101])
    elif choice == 4:
        holder[key] = "ref ２０１２１２１２－１２１２"
    elif choice == 5:
        holder[key] = "\u0301" + "121212-1212"
    elif choice == 6 and isinstance(holder, dict):
        holder["n." + rng.choice(["application_id", "description", "x"])] = "y" * 100
    elif choice == 7:
        deep = "z"
        for _ in range(rng.choice([18, 19, 20, 21])):
            deep = [deep]
        holder[key] = deep
    elif choice == 8 and isinstance(holder, dict):
        holder["k" * rng.choice([64, 65])] = 1
    else:
        holder[key] = "2026-03-12 10:30"
    return data


def test_the_one_pass_look_for_problems_answers_as_the_walk(monkeypatch):
    rng = random.Random(5)
    for raw in APPS:
        for data in [raw] + [_hostile(raw, rng) for _ in range(12)]:
            fast = inputguard.string_problems(data)
            with monkeypatch.context() as m:
                m.setattr(inputguard, "_clean", lambda d: False)
                slow = inputguard.string_problems(data)
            assert fast == slow, data


@pytest.mark.parametrize("n", range(0, 60, 6))
def test_the_model_from_the_file_bytes_is_the_model_from_the_object(n):
    """read_application validates a fast-read file from its own bytes: the same model, or the
    same refusal, as validating the object it holds."""
    from engine import api

    def read(body):
        try:
            return ("ok", api.read_application(body, "a.json")[0])
        except IntakeError as error:
            return ("refused", str(error))

    for text in _variants(APPS[n]):
        try:
            data = json.loads(text)
        except ValueError:
            continue
        if not isinstance(data, dict) or not intake._read_fast(text):
            continue
        assert read(text) == read(data), text[:120]
    wrong = dict(APPS[n], pupil={**APPS[n]["pupil"], "grade": "4"})
    body = json.dumps(wrong, ensure_ascii=False).encode()
    assert intake._read_fast(body) and read(body)[0] == "refused" and read(body) == read(wrong)


def test_strings_found_clean_are_kept_and_nothing_else(monkeypatch):
    """The fast look keeps strings it found free of pupil data (not searched again); a file
    with a personnummer keeps none of its strings, and is refused every time it comes."""
    monkeypatch.setattr(inputguard, "_KNOWN_CLEAN", set())
    clean = json.loads(json.dumps(APPS[1]))
    assert inputguard.string_problems(clean) == ([], False)
    assert clean["school"]["name"] in inputguard._KNOWN_CLEAN and "kind" in inputguard._KNOWN_CLEAN
    hostile = json.loads(json.dumps(APPS[2]))
    hostile["need"]["description"] = "Eleven 19121212-1212 behöver stöd"
    hostile["pupil"]["ref"] = "EL-NY-REF"
    for _ in range(2):
        problems, _ = inputguard.string_problems(hostile)
        assert [p.field for p in problems] == ["need.description"]
    assert "EL-NY-REF" not in inputguard._KNOWN_CLEAN
    assert not any("1212" in s for s in inputguard._KNOWN_CLEAN)


def test_the_kept_strings_are_bounded(monkeypatch):
    monkeypatch.setattr(inputguard, "_KNOWN_CLEAN", set())
    monkeypatch.setattr(inputguard, "KNOWN_CLEAN_MAX", 50)
    for i in range(40):
        assert inputguard.string_problems({"kind": "x", "s": f"text {i}", "t": f"other {i}"}) == ([], False)
        assert len(inputguard._KNOWN_CLEAN) <= 50
    assert inputguard.string_problems({"long": "x" * 150}) == ([], False)
    assert "x" * 150 in inputguard._KNOWN_CLEAN  # up to TEXT_MAX characters are kept
    assert inputguard.string_problems({"description": "y" * 300}) == ([], False)
    assert "y" * 300 not in inputguard._KNOWN_CLEAN
