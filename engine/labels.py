"""Swedish labels of the codes applications and rules use (``rules/<area>/labels.yaml``).

A letter never shows a code such as ``bitradande_rektor`` or ``lakare``: every text value
passes through ``relabel``, which puts each known code's label in its place. The labels are
data beside the rules, one file per area, and part of the ruleset's version.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .conditions import suggest
from .errors import RuleFileError

SECTIONS = ("codes", "parameter_codes", "letter")

_CODES: dict[str, str] = {}
_GROUPS: dict[str, dict[str, str]] = {}
_PATTERN: list = [None]


@dataclass(frozen=True)
class AreaLabels:
    """An area's labels file: codes by group, which parameters hold codes, the letter's words."""

    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    parameter_codes: dict[str, str] = field(default_factory=dict)
    letter: dict[str, str] = field(default_factory=dict)

    def of_parameter(self, name: str, code) -> str:
        group = self.codes.get(self.parameter_codes.get(name, ""), {})
        return group.get(code, code) if isinstance(code, str) else code


def _text_map(value) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                           for k, v in value.items())


def parse_labels(raw, path: str) -> AreaLabels:
    """Check a labels file: ``codes`` (group -> code -> label), ``parameter_codes``, ``letter``."""
    if not isinstance(raw, dict):
        raise RuleFileError(path, "filen ska vara en mappning med avsnitten codes, parameter_codes och letter; "
                            "skriv dem som fält överst i filen")
    unknown = set(raw) - set(SECTIONS)
    if unknown:
        first = sorted(unknown, key=str)[0]
        raise RuleFileError(path, f"okänt avsnitt '{first}'; använd codes, parameter_codes och letter"
                            f"{suggest(str(first), SECTIONS)}")
    codes = raw.get("codes") or {}
    if not isinstance(codes, dict) or not all(_text_map(group) for group in codes.values()):
        raise RuleFileError(path, "codes: ska vara en mappning av grupper där varje grupp mappar en kod till dess "
                            "svenska benämning (en text som inte är tom); rätta gruppen")
    parameter_codes = raw.get("parameter_codes") or {}
    if not _text_map(parameter_codes) or any(g not in codes for g in parameter_codes.values()):
        raise RuleFileError(path, "parameter_codes: ska vara en mappning från parameternamn till en grupp under "
                            "codes; ange grupper som finns under codes")
    letter = raw.get("letter") or {}
    missing = {"title", "subject", "reconsideration"} - set(letter) if isinstance(letter, dict) else {"title"}
    if not _text_map(letter) or missing:
        raise RuleFileError(path, "letter: texterna title, subject och reconsideration behövs; ange dem som texter "
                            "(inte tomma) under letter")
    return AreaLabels({str(k): dict(v) for k, v in codes.items()}, dict(parameter_codes),
                      {k: " ".join(v.split()) for k, v in letter.items()})


def register(labels: AreaLabels) -> None:
    """Make an area's labels known to every text (called when the area loads).

    A code two groups share (``specialpedagog``, a role and a measure) keeps the label of the
    group written first; a list of one group's codes is labelled through that group instead.
    """
    changed = False
    for name, group in labels.codes.items():
        known = _GROUPS.setdefault(name, {})
        if any(known.get(code) != label for code, label in group.items()):
            known.update(group)
            _VERSION[0] += 1  # label_in's texts change
        for code, label in group.items():
            if code not in _CODES:
                _CODES[code] = label
                changed = True
    if changed:
        _PATTERN[0] = None
        _RELABELED.clear()
        _VERSION[0] += 1


_VERSION = [0]


def labels_version() -> int:
    """A number that changes whenever the known labels change (texts made with older ones are stale)."""
    return _VERSION[0]


def label(code: str) -> str:
    return _CODES.get(code, code)


def label_in(group: str, code: str) -> str:
    """A code labelled as a member of one group (``measures``: specialpedagog → specialpedagogiskt stöd)."""
    return _GROUPS.get(group, {}).get(code, relabel(code))


def known_codes() -> dict[str, str]:
    return dict(_CODES)


_RELABELED: dict[str, str] = {}  # every text seen, as shown (most fact texts recur: names, months)


def relabel(text: str) -> str:
    """Each code in a text (alone or in a list like 'psykolog eller lakare') as its label."""
    found = _RELABELED.get(text)
    if found is None:
        if len(_RELABELED) > 50_000:
            _RELABELED.clear()
        found = _RELABELED[text] = _relabel(text)
    return found


def _relabel(text: str) -> str:
    found = _CODES.get(text)
    if found is not None:
        return found
    pattern = _PATTERN[0]
    if pattern is None:
        shown = sorted((c for c, v in _CODES.items() if c != v), key=len, reverse=True)
        pattern = _PATTERN[0] = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, shown)) + r")(?![\w-])") \
            if shown else False
    return pattern.sub(lambda m: _CODES[m.group(1)], text) if pattern else text
