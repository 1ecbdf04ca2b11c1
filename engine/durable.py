"""durable-rules' C extension, called directly: the evaluator of record.

What probing 2.0.28 taught (see ARCHITECTURE.md) is applied here: facts are asserted with
``assert_fact`` (every matching rule fires), every rule is guarded by a discriminator, a
sentinel rule always matches (``delete_state`` after a fact that matched nothing segfaults),
a state (``sid``) holds one evaluation at a time, JSON without ASCII escapes, and fired ids
are de-duplicated (``$or`` fires once per true branch).

A state is used again rather than deleted: after its actions are done the fact is retracted,
and the state, found empty, goes back to a free list for the next evaluation. Making a
state zeroes a ≈0.4 MB node: a third of durable-rules' own cost of a case. A state that is
not found empty (or any error on the way) is deleted, as before. Two threads never share
one: each takes a state off the list or makes a new one.
"""
from __future__ import annotations

import itertools
import json
from decimal import Decimal

import durable_rules_engine as dre
import orjson

from .rulecheck import check_definition

SENTINEL = "__sentinel__"
_HANDLES: dict[str, int] = {}


def _needs_plain(value) -> bool:
    # Python writes these floats with an exponent (1e-05, 1e+16), which durable-rules' parser rejects.
    return type(value) is float and value != 0 and (abs(value) < 1e-4 or abs(value) >= 1e16)


def to_json(value) -> str:
    """JSON for durable-rules: no ASCII escapes, and every float written without an exponent."""
    found: list[float] = []

    def walk(v):
        if _needs_plain(v):
            found.append(v)
            return f"@@float{len(found) - 1}@@"
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    try:
        data = orjson.dumps(value)
    except (orjson.JSONEncodeError, TypeError):  # what orjson cannot write takes the json module's path
        data = json.dumps(value, ensure_ascii=False).encode()
    # 1e-05 or 1e+16 (json), 1e-5 or 1e+16 (orjson): durable-rules reads none of them. Both write
    # every exponent with its sign (a test holds orjson to it), so two byte searches find them all.
    if b"e-" not in data and b"e+" not in data:
        return data.decode()  # the common case: no number written with an exponent (a string may trip this; harmless)
    text = json.dumps(walk(value), ensure_ascii=False)
    for i, number in enumerate(found):
        literal = format(Decimal(repr(number)), "f")
        text = text.replace(f'"@@float{i}@@"', literal if "." in literal else literal + ".0")
    return text


def _fields_read(conditions) -> set[str]:
    """The fact names durable-rules conditions read: every key that is not an operator ($and, $gte, …)."""
    found: set[str] = set()
    stack = [c for c in conditions if c is not None]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if not key.startswith("$"):
                    found.add(key)
                stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return found


class DurableRuleset:
    """A named durable-rules ruleset of conditions over one flat fact per case."""

    def __init__(self, name: str, tag: str, conditions: dict[str, dict | None]):
        self.name, self.tag = name, tag
        guard = {"t": tag}
        definition = {}
        for rule_name, cond in conditions.items():
            match = guard if cond is None else {"$and": [guard, cond]}
            definition[rule_name] = {"all": [{"m": match}]}
        definition[SENTINEL] = {"all": [{"m": guard}]}
        self.definition = definition
        # Only what some condition reads is asserted: the other facts cannot change what fires,
        # and every fact durable-rules is sent it parses, and copies into each action's message.
        self.fields = tuple(sorted(_fields_read(conditions.values())))
        check_definition(name, definition)  # refuse what create_ruleset would hang or fail on
        if name not in _HANDLES:  # a name can be registered only once per process
            _HANDLES[name] = dre.create_ruleset(name, to_json(definition))
        self.handle = _HANDLES[name]
        self._sids = itertools.count()
        self._free: list[str] = []  # states holding nothing, to be used again

    def fired(self, facts: dict) -> set[str]:
        """The names of the rules that fire for these facts."""
        try:
            sid = self._free.pop()
        except IndexError:
            sid = str(next(self._sids))
        message = {name: facts[name] for name in self.fields if name in facts}
        message["sid"], message["t"] = sid, self.tag
        text = to_json(message)
        handle = self.handle
        fired: set[str] = set()
        empty = False
        try:
            result = dre.assert_fact(handle, text)
            state = result[1]
            action = dre.start_action_for_state(handle, state)
            pending = action[1] if action else None
            while pending:
                # The message is {"<rule name>": {...}}: read the name, skip parsing the fact.
                fired.add(pending[2:pending.index('"', 2)])
                pending = dre.complete_and_start_action(handle, state)
            dre.retract_fact(handle, text)
            empty = dre.start_action_for_state(handle, state) is None
        finally:
            if empty:
                self._free.append(sid)
            else:
                dre.delete_state(handle, sid)
        fired.discard(SENTINEL)
        return fired
