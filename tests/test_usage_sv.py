"""click's own usage errors come out in Swedish (stod.usage_sv), and its table stays true to click."""
from __future__ import annotations

import ast
import importlib
import inspect
import string

import pytest
from click.testing import CliRunner

from stod import usage_sv
from stod.cli import main


def _click_messages() -> tuple[set[str], set[tuple[str, str]]]:
    """Every text click's modules pass to ``_`` and every (singular, plural) to ``ngettext``."""
    single, plural = set(), set()
    for name in usage_sv.MODULES:
        tree = ast.parse(inspect.getsource(importlib.import_module(name)))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and texts:
                single.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) == 2:
                plural.add((texts[0], texts[1]))
    return single, plural


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_every_message_in_the_table_is_one_click_writes():
    single, plural = _click_messages()
    assert single and plural, "no messages found in click's source: the test would check nothing"
    assert set(usage_sv.MESSAGES) - single == set()
    assert set(usage_sv.PLURALS) - plural == set()


# What click writes that is not in the table: the help's own text (stod's help is English, as
# the rest of the developer documentation), prompts (stod asks nothing), and programming errors
# (an option declared wrongly), which a user of stod never meets.
NOT_TRANSLATED = {
    "file", "directory", "path",  # a path's kind: also the help's metavar (FILE), left as it is
    "Commands", "Options", "Positional arguments", "Show this message and exit.", "Show the version and exit.",
    "default: {default}", "env var: {var}", "(dynamic)", "deprecated", "%(prog)s, version %(version)s",
    "Do you want to continue?", "Confirm the action without prompting.", "Repeat for confirmation",
    "Press any key to continue...", "Error: invalid input", "Error: The two entered values do not match.",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Boolean option {decl!r} cannot use the same flag for true/false.", "Choice({choices})",
    "Could not determine name for option with declarations {decls!r}", "Invalid start character for option ({option})",
    "Name '{name}' defined twice", "Unknown color {colour!r}", "{value!r} is not a valid UUID.",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?",
}


def test_every_message_click_writes_is_translated_or_named_as_not_for_users():
    """A new click that adds an error message fails here until the message is in the table."""
    single, plural = _click_messages()
    assert single - set(usage_sv.MESSAGES) - NOT_TRANSLATED == set()
    assert plural - set(usage_sv.PLURALS) == set()


@pytest.mark.parametrize("english, swedish", [*usage_sv.MESSAGES.items(), *(
    (e, s) for pair, swedish_pair in usage_sv.PLURALS.items() for e, s in zip(pair, swedish_pair))])
def test_a_swedish_text_uses_only_the_placeholders_click_fills(english, swedish):
    assert _fields(swedish) <= _fields(english)


@pytest.mark.parametrize("args, expected", [
    (["check"], "fel: argument saknas: 'FILES...'."),
    (["check", "a.json", "--nope"], "fel: flaggan '--nope' finns inte."),
    (["nope"], "fel: kommandot 'nope' finns inte."),
    (["queu"], "Menade du 'queue'?"),
    (["check", "a.json", "--workers", "abc"], "fel: ogiltigt värde för '--workers': 'abc' är inte ett heltal"),
    (["check", "a.json", "--workers", "0"], "0 ligger utanför det tillåtna"),
    (["check", "a.json", "--workers"], "fel: flaggan '--workers' behöver ett värde."),
    (["rules", "list", "--area", "nope"], "'nope' är inte något av 'verksamhetsstod', 'csi'."),
    (["rules", "validate", "--rules", "/finns/inte"], "ogiltigt värde för '--rules': '/finns/inte' finns inte"),
    (["letter"], "fel: ange ett ärende (CASE) eller --file FIL: precis ett av dem"),
    (["decide", "1", "--by", "Anna"], "fel: ange precis ett av --confirm"),
])
def test_a_wrong_command_line_gets_a_swedish_error_and_exit_2(args, expected):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    for english in ("Error:", "Missing", "No such", "Invalid value", "is not", "Try '"):
        assert english not in result.output


@pytest.mark.parametrize("args", [["rules", "list", "--area", "19900101-1234"], ["check", "a.json", "--19900101-1234"],
                                  ["9001011234"], ["check", "a.json", "--workers", "900101-1234"]])
def test_a_usage_error_never_shows_a_personnummer(args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "fel:" in result.output
    assert "1234" not in result.output and "visas inte" in result.output, result.output
