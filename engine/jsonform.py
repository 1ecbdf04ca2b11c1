"""The one canonical JSON text: for hashing applications, events and anything else compared."""
from __future__ import annotations

import json


def canonical_json(value) -> str:
    """One canonical text for a JSON value: sorted keys, no spaces, UTF-8 kept (dates as text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
