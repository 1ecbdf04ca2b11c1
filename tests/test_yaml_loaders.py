"""Rule files are read with libyaml's events (``_FastLoader``): the same values, lines and refusals
as PyYAML's own pure-Python loader (``_LineLoader``)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine import yamlsource
from engine.errors import RuleFileError

RULES = Path(__file__).resolve().parents[1] / "rules"


def _load(text: str, loader):
    try:
        return ("ok", yaml.load(text, Loader=loader))
    except yaml.MarkedYAMLError as error:
        return ("refused", error.problem_mark.line if error.problem_mark else None)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        return ("refused", type(error).__name__)


def _lines(value, out: list) -> list:
    out.append(getattr(value, "line", None))
    if isinstance(value, dict):
        for item in value.values():
            _lines(item, out)
    elif isinstance(value, list):
        for item in value:
            _lines(item, out)
    return out


def test_libyaml_is_used():
    assert yamlsource._FastLoader is not yamlsource._LineLoader, "PyYAML without libyaml: rule files load slowly"


def test_every_rule_file_loads_the_same_with_the_same_lines():
    files = sorted(RULES.rglob("*.yaml"))
    assert len(files) >= 30
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast, slow = _load(text, yamlsource._FastLoader), _load(text, yamlsource._LineLoader)
        assert fast == slow and fast[0] == "ok", path
        assert _lines(fast[1], []) == _lines(slow[1], []), path


HOSTILE = [
    "a: &x [1, 2]\nb: *x\n",                      # an alias
    "a: 1\nb: 2\na: 3\n",                          # a key twice
    "limits:\n  hours: .inf\n",                    # not finite
    "x: .nan\n",
    "day: 2026-13-01\n",                           # no such date
    "k: " + "[" * 45 + "1" + "]" * 45 + "\n",      # nested deeper than YAML_DEPTH_MAX
    "a: [1, 2\n",                                  # syntax errors
    "a:\n  - b\n c: d\n",
    "key: 'unterminated\n",
    "- a\nb: c\n",
    "{{}: 1}\n",
    "? [a, b]\n: c\n",
    "a: !!python/object:os.system 'ls'\n",
    "2026-01-01: 1\n2026-01-01: 2\n",             # the same date twice
]


@pytest.mark.parametrize("text", HOSTILE)
def test_what_is_refused_is_refused_by_both_at_the_same_line(text):
    fast, slow = _load(text, yamlsource._FastLoader), _load(text, yamlsource._LineLoader)
    assert fast[0] == slow[0]
    if fast[0] == "refused" and isinstance(fast[1], int) and isinstance(slow[1], int):
        assert fast[1] == slow[1]
    with pytest.raises(RuleFileError) if slow[0] == "refused" else _nothing():
        yamlsource.parse_yaml(text, "x.yaml")


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
