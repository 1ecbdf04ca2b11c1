"""Time one CSI placement round: N generated requests over the 16 groups of the catalogue.

Not a test: prints the figure. Usage: .venv/bin/python bench/csi_round.py [N] [SEED]

The requests are valid and mostly eligible (about one in eight misses a document or the need
assessment), spread over the four focus areas and grades 1-9, with random need levels,
receipt dates and preferences; the groups are the catalogue in rules/ at HT2026's start with
random places taken. The time covers the whole round as `stod csi check` does it: eligibility
of every request on durable-rules with the trace check, the allocation, the round rules for
every eligible request, and every Swedish text.
"""
from __future__ import annotations

import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import api  # noqa: E402
from engine.areas.csi import api as csi_api  # noqa: E402

FOCI = {"AST": "psykolog", "TSK": "logoped", "HORSEL": "audionom", "NPF": "lakare"}


def request(i: int, rnd: random.Random, group_ids: list[str]) -> dict:
    focus = rnd.choice(list(FOCI))
    received = date(2026, 1, 15) + timedelta(days=rnd.randrange(180))
    docs = {
        "atgardsprogram": {"date": (received - timedelta(days=rnd.randrange(300))).isoformat(), "signed_by_rektor": True},
        "utredning": {"date": (received - timedelta(days=rnd.randrange(600))).isoformat()},
        "beslut_sarskild_undervisningsgrupp": {"date": received.isoformat(), "sarskilda_skal": True},
        "specialistutlatande": {"type": FOCI[focus], "date": (received - timedelta(days=rnd.randrange(600))).isoformat()},
        "vardnadshavare_delaktiga": rnd.random() > 0.03,
        "lagre_niva_provad": rnd.random() > 0.03,
    }
    return {
        "kind": "csi", "application_id": f"CSI-B-{i:05d}", "received": received.isoformat(),
        "school": {"unit_code": f"{rnd.randrange(10**7, 10**8)}", "name": "Skola", "district": "Söderort",
                   "municipality": "Stockholm", "organizer": "kommunal", "socioeconomic_index": 100.0},
        "applicant": {"role": "rektor", "name": "Rektor"},
        "pupil": {"ref": f"EL-{i:06d}", "grade": rnd.randint(1, 9)},
        "focus": focus,
        "preferred_groups": rnd.sample(group_ids, rnd.randint(0, 2)),
        "assessed_need_level": None if rnd.random() < 0.05 else rnd.randint(1, 5),
        "documents": docs,
    }


def main(n: int = 2000, seed: int = 7) -> None:
    rnd = random.Random(seed)
    catalogue = csi_api.catalogue_for("HT2026")
    ids = [g.id for g in catalogue]
    groups = [{"id": g.id, "focus": g.focus, "school_unit_code": g.school_unit_code, "school_name": g.school_name,
               "grades": [g.low, g.high], "capacity": g.capacity, "taken": rnd.randint(0, g.capacity)}
              for g in catalogue]
    data = {"kind": "csi_round", "term": "HT2026", "groups": groups,
            "requests": [request(i, rnd, ids) for i in range(n)]}
    api.read_application(data["requests"][0])  # load rules and compile once, outside the timing
    t0 = time.perf_counter()
    parsed = csi_api.read_round(data, "bench")
    t1 = time.perf_counter()
    decided = csi_api.check_round(parsed, date(2026, 7, 31))
    t2 = time.perf_counter()
    outcomes = Counter(r["outcome"] for r in decided.results.values())
    print(f"CSI round of {n} requests over {len(groups)} groups: intake {t1 - t0:.2f} s, "
          f"decide {t2 - t1:.2f} s, total {t2 - t0:.2f} s ({n / (t2 - t0):.0f} requests/s); "
          f"outcomes {dict(sorted(outcomes.items()))}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
