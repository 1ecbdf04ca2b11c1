"""canonical_json's fast path (orjson) writes byte for byte what its definition (json) writes.

Stored hash chains (events, the ledger, content hashes) depend on each byte of the canonical
text: a text that changed would make an untouched chain look altered. So the fast path is held
to the definition on every kind of value the definition takes, with the values where orjson
and json differ (far floats, NaN, non-string keys, big integers, lone surrogates) written out.
"""
from __future__ import annotations

import hashlib
import math
import random
import struct
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.jsonform import _canonical_by_json, canonical_bytes, canonical_hash, canonical_json


def same(value) -> None:
    """canonical_json answers as its definition does: the same text, or the same kind of error;
    canonical_hash is the sha256 of that text in UTF-8, or the same kind of error."""
    try:
        expected = _canonical_by_json(value)
    except Exception as error:  # noqa: BLE001 - the definition's own error is what is expected
        with pytest.raises(type(error)):
            canonical_json(value)
        with pytest.raises(type(error)):
            canonical_hash(value)
        with pytest.raises(type(error)):
            canonical_bytes(value)
        return
    assert canonical_json(value) == expected, value
    try:
        digest = hashlib.sha256(expected.encode()).hexdigest()
    except UnicodeEncodeError:  # a lone surrogate is not UTF-8: no hash of it either
        with pytest.raises(UnicodeEncodeError):
            canonical_hash(value)
        with pytest.raises(UnicodeEncodeError):
            canonical_bytes(value)
        return
    assert canonical_hash(value) == digest, value
    assert canonical_bytes(value) == expected.encode(), value


def _floats() -> list[float]:
    found = [0.0, -0.0, 1.0, -1.0, 25.0, 0.1, 1 / 3, 1e-4, 1e-5, 1e16, 1e15, 9999999999999998.0, 1e22, 1e21,
             5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, math.nan, math.inf, -math.inf]
    for exponent in range(-323, 309):
        for mantissa in (1.0, 1.2345, 5.0, 9.999999999999999):
            x = mantissa * 10.0 ** exponent
            if math.isfinite(x):
                found += [x, -x, math.nextafter(x, 0.0), math.nextafter(x, math.inf)]
    rng = random.Random(20261128)
    for _ in range(20_000):
        x = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        found += [x, rng.uniform(-1e6, 1e6), round(rng.uniform(0, 1e5), rng.randint(0, 6)), rng.uniform(-1e-3, 1e-3),
                  rng.uniform(1e15, 1e17)]
    return found


def test_every_kind_of_float_alone_in_a_list_and_as_a_dict_value():
    floats = _floats()
    for x in floats:
        same(x)
        same([x])
        same({"a": x, "b": [1, "x", None, x]})
    same(floats[:5000])


def test_nan_and_infinity_next_to_null():
    for special in (math.nan, math.inf, -math.inf):
        same({"a": None, "b": special})
        same([None, [special]])
        same({"null": None, "x": {"y": special}})


def test_every_character_in_strings_and_keys():
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(chars), 4096):
        text = "".join(chars[start:start + 4096])
        same(text)
        same({text: 1, text[::-1]: [text]})
    same({chr(c): c for c in range(0, 0x3000, 7)} | {"\U0001F600": 1, "\uffff": 2, "Z": 3, "ä": 4})


def test_values_orjson_refuses_or_writes_otherwise():
    same("lone \udc80 surrogate")  # both write it; its bytes cannot be encoded (the same error after)
    same({1: "a", 2: "b"})  # keys that are not strings: json writes them as text
    same({1: "a", "1": "b"})
    same({1: "a", "b": 2})  # json cannot sort them: the same TypeError
    same({True: 1, None: 2})
    same([2 ** 64, -(2 ** 63) - 1, 2 ** 63, 10 ** 40])
    nested: list = []
    for _ in range(300):
        nested = [nested, None]
    same(nested)


@dataclass
class Point:
    x: int
    y: str


def test_dates_dataclasses_and_other_objects_as_their_text():
    moment = datetime(2027, 12, 31, 10, 21, 33, 123456, tzinfo=timezone.utc)
    same({"at": moment, "day": date(2027, 12, 31), "time": time(10, 21), "naive": datetime(2027, 1, 1)})
    same({"p": Point(1, "a"), "set": {1}, "delta": timedelta(days=3), "bytes": b"x", "tuple": (1, "a", None)})


def test_texts_that_look_like_numbers_or_null():
    for text in ('a":1e5', "x,1e5", '[0.00001', "kl. 10:21:33.5", "null", '":null', "1,5 timmar", "0.0000"):
        same({"k": text, "l": [text, None]})
        same([text])


def test_a_stored_event_text_is_what_it_was():
    """An event's canonical text as the json module wrote it when the chains were made."""
    from cases.events import event_content

    content = event_content("VS-2026-00001", 2, "proposal", "e-tjänsten", datetime(2027, 12, 31, 10, 0, tzinfo=timezone.utc),
                            {"amount_sek": 120000, "hours": 25.0, "tiny": 1e-05, "none": None, "rules": ["VS-01"]})
    assert content == ('{"actor":"e-tjänsten","at":"2027-12-31T10:00:00.000000+00:00","case":"VS-2026-00001",'
                       '"payload":{"amount_sek":120000,"hours":25.0,"none":null,"rules":["VS-01"],"tiny":1e-05},'
                       '"seq":2,"type":"proposal"}')


def test_an_event_hash_is_the_chain_hash_of_its_text():
    """``event_hash`` (from orjson's bytes, the time's text kept) is ``chain_hash`` of ``event_content``:
    for a payload orjson writes as json does and for one it does not, at times in and out of UTC."""
    from zoneinfo import ZoneInfo

    from cases.events import chain_hash, event_content, event_hash

    payloads = [{"amount_sek": 120000, "hours": 25.0, "tiny": 1e-05, "none": None, "rules": ["VS-01"]},
                {"decision_id": 7, "text_sha256": "a" * 64, "namn": "Åsa Öberg\n\t\u2028"}, {}]
    times = [datetime(2027, 12, 31, 10, 0, tzinfo=timezone.utc), datetime(2027, 12, 31, 11, 0, 5, 7),
             datetime(2027, 12, 31, 11, 0, tzinfo=ZoneInfo("Europe/Stockholm"))]
    for payload in payloads:
        for at in times * 2:  # the second time from the kept text
            expected = chain_hash("b" * 64, event_content("VS-2026-00001", 3, "proposal", "e-tjänsten", at, payload))
            assert event_hash("b" * 64, "VS-2026-00001", 3, "proposal", "e-tjänsten", at, payload) == expected


def test_a_findings_hash_is_the_evidence_hash_of_its_sorted_rows():
    """``findings_hash``'s plain path gives the canonical text's hash; what it cannot write as json does
    (a subclass, a lone surrogate) goes the general way, with its answer or its error."""
    from cases.ledger import evidence_hash, findings_hash

    class Text(str):
        pass

    def definition(rows):
        return evidence_hash(sorted([r["rule_id"], r["status"], bool(r["decisive"]), r["text"] or ""] for r in rows))

    rows = [{"rule_id": f"VS-{i}", "status": "met", "decisive": i % 3 == 0, "text": f"Text {i} \"å\"\n\x01"}
            for i in (10, 2, 1, 33)]
    variants = [rows, rows[:1], [], [{**rows[0], "text": None, "decisive": 1}],
                [{**rows[0], "text": Text("sub")}], [{**rows[0], "rule_id": Text("VS-9")}]]
    for variant in variants:
        assert findings_hash(variant) == definition(variant), variant
    with pytest.raises(UnicodeEncodeError):
        definition([{**rows[0], "text": "\ud800"}])
    with pytest.raises(UnicodeEncodeError):
        findings_hash([{**rows[0], "text": "\ud800"}])


_plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.dates()
    | st.datetimes(timezones=st.none() | st.just(timezone.utc)),
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25)


@settings(max_examples=1500, deadline=None)
@given(_plain)
def test_generated_values(value):
    same(value)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.integers() | st.text(max_size=3) | st.booleans() | st.none(), _plain, max_size=4))
def test_generated_dicts_with_any_keys(value):
    same(value)
