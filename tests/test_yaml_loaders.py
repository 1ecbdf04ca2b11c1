"""Rule files are read with libyaml's events (``_FastLoader``): the same values, lines and refusals
as PyYAML's own pure-Python loader (``_LineLoader``)."""
from __future__ import annotations

import re
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


# -- the parser's problems in Swedish (engine.yamlsource.YAML_PROBLEMS) ------------------------

SYNTAX = HOSTILE + [
    "a: b: c\n", "a:\n\tb: 1\n", "a: @x\n", "a: b\nc\n", "a: 1\n---\nb: 2\n", "a: &x 1\nb: &x 2\n",
    'a: "\\q"\n', 'x: "\\x4"\n', "[a, b]]\n", "a: |0\n  x\n", "a: *\n", "a: [\n", "a: - b\n", "a: |x\n  b\n",
    "a: !x!y 1\n", "a: !<tag\n", "%YAML 1.1\n%YAML 1.1\n---\na: 1\n", "a: {b: 1\n", 'a: "b\n---\n"\n',
    "a:\n  - b\n  -c: d\n", "a: !!set [1]\n", "a\x07: 1\n",
]
ENGLISH = re.compile(r"\b(expected|found|not allowed|while|could not|cannot|must|aliases|nested|twice|finite)\b")


@pytest.mark.parametrize("text", SYNTAX)
def test_every_problem_of_either_parser_is_in_the_swedish_table(text):
    for loader in (yamlsource._FastLoader, yamlsource._LineLoader):
        try:
            yaml.load(text, Loader=loader)
        except yaml.YAMLError as error:
            swedish = yamlsource.yaml_problem(error)
            assert "YAML-tolken" not in swedish and not ENGLISH.search(swedish), (loader, error, swedish)


@pytest.mark.parametrize("text", SYNTAX)
def test_a_refused_file_is_one_swedish_line_with_its_file(text):
    try:
        yamlsource.parse_yaml(text, "x.yaml")
    except RuleFileError as error:
        message = str(error)
        assert message.startswith("x.yaml") and ": ogiltig YAML: " in message and "\n" not in message, message
        assert "YAML-tolken" not in message and not ENGLISH.search(error.problem), message


def test_a_problem_not_in_the_table_is_quoted_in_a_swedish_sentence():
    error = yaml.MarkedYAMLError("while doing something", None, "a problem never seen\nbefore", None)
    said = yamlsource.yaml_problem(error)
    assert said.startswith("YAML-tolken kunde inte läsa filen (den säger: ”while doing something a problem never "
                           "seen before”); kontrollera raden")


@pytest.mark.parametrize("text", ["a: !!bool x\n", "a: !!int abc\n", "a: !!int 0x\n", "a: !!float x\n",
                                  "a: !!timestamp x\n", "a: !!int [1]\n", "a: !!str {b: 1}\n"])
def test_a_tagged_value_that_cannot_be_read_is_refused_at_its_line_in_swedish(text):
    with pytest.raises(RuleFileError) as refused:
        yamlsource.parse_yaml(text, "x.yaml")
    message = str(refused.value)
    assert message.startswith("x.yaml:1: ogiltig YAML: ") and "tagg" in message, message
    assert "YAML-tolken" not in message and not ENGLISH.search(refused.value.problem), message
