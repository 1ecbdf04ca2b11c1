"""Write docs/letters/: one decision letter per outcome of each area, from the contract examples.

Run from the repository root: ``python docs/letters/make.py`` (``--check`` only compares, and
exits 1 when a letter on disk differs from what the engine writes today). The test
``tests/test_letters.py`` runs the check, so the examples cannot drift from the engine.
"""
from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine import api  # noqa: E402
from engine.areas.csi import api as csi_api  # noqa: E402
from engine.area import load_area  # noqa: E402
from engine.letter import LetterHeader, build_letter  # noqa: E402

OUT = Path(__file__).resolve().parent
CONTRACT = ROOT.parent / "shared" / "contract"
# (area, outcome) -> the contract example that shows it; verksamhetsstöd is decided 14 days after receipt.
VS_EXAMPLES = {"bifall": "VS-EX-16", "delvis_bifall": "VS-EX-08", "avslag": "VS-EX-14",
               "komplettering": "VS-EX-19", "avvisning": "VS-EX-09"}
CSI_ROUND, CSI_ROUND_DATE = "round-example.json", date(2026, 7, 31)


def letters() -> dict[str, str]:
    """File name -> letter text, for every outcome of both areas."""
    out: dict[str, str] = {}
    for outcome, example in VS_EXAMPLES.items():
        app, _ = api.read_application((CONTRACT / "verksamhetsstod" / f"{example}.json").read_bytes())
        decision = api.decide(app, app.received + timedelta(days=14))
        assert decision.outcome == outcome, (example, decision.outcome)
        out[f"verksamhetsstod-{outcome}.txt"] = decision.text
    area = load_area("csi")
    data = csi_api.read_round((CONTRACT / "csi" / CSI_ROUND).read_bytes())
    decided = csi_api.check_round(data, CSI_ROUND_DATE)
    placed = None
    for application_id, result in decided.results.items():
        name = f"csi-{result['outcome']}.txt"
        if name not in out:
            out[name] = result["text"]
        if result["outcome"] == "placering" and placed is None:
            placed = application_id
    request = next(r for r in data.requests if r.application_id == placed)
    single = api.decide(request, CSI_ROUND_DATE)  # the same request checked alone, before any round
    out[f"csi-{single.outcome}.txt"] = build_letter(single, area, request, LetterHeader(request.application_id)).text()
    return out


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, text in sorted(letters().items()):
        path = OUT / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text + "\n":
                stale.append(name)
        else:
            path.write_text(text + "\n", encoding="utf-8")
    if stale:
        print("stale letters (run python docs/letters/make.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
