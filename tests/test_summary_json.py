"""``api.summary_json`` (findings written by orjson as dataclasses) is byte for byte ``output_json(summary(...))``."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from engine import api
from engine.jsonform import output_json
from stod.services.demo_data import generate_applications, generate_csi_requests

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "verksamhetsstod"


def _decisions():
    raws = generate_applications(150, seed=3) + generate_csi_requests(40, seed=3)
    for raw in raws:
        app, _ = api.read_application(raw)
        yield api.decide(app, app.received + timedelta(days=20))
    for path in sorted(CONTRACT.glob("VS-EX-*.json")):
        app, _ = api.read_application(path.read_bytes(), source=path.name)
        yield api.decide(app, date(2026, 11, 22))


@pytest.mark.parametrize("indent", [True, False])
def test_summary_json_is_the_summary_written_out(indent):
    decisions = list(_decisions())
    assert {d.kind for d in decisions} >= {"verksamhetsstod"} and len({d.kind for d in decisions}) == 2
    for decision in decisions:
        assert api.summary_json(decision, indent) == output_json(api.summary(decision), indent)


@dataclass
class _Pair:
    name: str
    value: int


def test_dataclasses_written_as_their_fields_on_both_paths():
    small = {"pairs": [_Pair("a", 1)], "day": date(2026, 1, 2)}
    big = {"pairs": [_Pair("a", 2 ** 70)], "day": date(2026, 1, 2)}  # beyond 64 bits: the json module's path
    assert json.loads(output_json(small, dataclasses=True)) == {"pairs": [{"name": "a", "value": 1}], "day": "2026-01-02"}
    assert json.loads(output_json(big, dataclasses=True)) == {"pairs": [{"name": "a", "value": 2 ** 70}],
                                                              "day": "2026-01-02"}
    assert output_json(small, dataclasses=True).replace(b"1\n", b"") == output_json(big, dataclasses=True).replace(
        str(2 ** 70).encode() + b"\n", b"")
    assert output_json(small) == output_json({"pairs": [str(_Pair("a", 1))], "day": "2026-01-02"})  # default: str
