"""The command-line reference, docs/cli.md, generated from the ``--help`` of every command.

    .venv/bin/python -m stod.clidoc            # write docs/cli.md
    .venv/bin/python -m stod.clidoc --check    # exit 1 naming what is missing or stale

The generator walks click's command tree from ``stod`` down, so a command added anywhere
(a new module registering itself, a new subcommand of a group) appears without editing this
file. The help is rendered at a fixed width, so the text does not depend on the terminal.
"""
from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Iterator

import click

from .cli import main

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
REGENERATE = ".venv/bin/python -m stod.clidoc"
WIDTH = 100

HEADER = f"""# The `stod` command: reference

Generated from the `--help` of every command and subcommand by `{REGENERATE}`;
do not edit by hand. `tests/test_cli_reference.py` fails when a command is missing here or the
text is stale. For what the commands are for, see the README and `docs/operations.md`.
"""


def walk(command: click.Command = main, path: tuple[str, ...] = ("stod",),
         parent: click.Context | None = None) -> Iterator[tuple[str, click.Command, click.Context]]:
    """Every visible command under ``command``, depth first in click's order, with its context."""
    # make_context applies the command's context_settings (``-h`` for help); resilient parsing
    # runs no callback and asks for no argument.
    ctx = command.make_context(path[-1], [], parent=parent, resilient_parsing=True,
                               terminal_width=WIDTH, max_content_width=WIDTH)
    yield " ".join(path), command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, path + (name,), ctx)


def _anchor(name: str) -> str:
    return name.replace(" ", "-")


def render() -> str:
    """The whole reference as Markdown: a table of contents, then one section per command."""
    commands = list(walk())
    toc = "\n".join(f"- [`{name}`](#{_anchor(name)}) — {cmd.get_short_help_str(WIDTH)}"
                    for name, cmd, _ in commands)
    sections = [f'<a id="{_anchor(name)}"></a>\n## `{name}`\n\n```text\n{cmd.get_help(ctx).rstrip()}\n```\n'
                for name, cmd, ctx in commands]
    return "\n".join([HEADER, toc + "\n", *sections])


def problems(text: str | None = None) -> list[str]:
    """What is wrong with docs/cli.md: each missing command, or the first stale lines; [] if current."""
    if text is None:
        text = REFERENCE.read_text(encoding="utf-8") if REFERENCE.exists() else ""
    missing = [name for name, _, _ in walk() if f"\n## `{name}`\n" not in text]
    if missing:
        return [f"docs/cli.md has no section for `{name}`" for name in missing]
    wanted = render()
    if text == wanted:
        return []
    diff = list(difflib.unified_diff(text.splitlines(), wanted.splitlines(), "docs/cli.md", "--help now", n=1,
                                     lineterm=""))
    return ["docs/cli.md is stale:\n" + "\n".join(diff[:40])]


def main_(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        found = problems()
        for problem in found:
            print(problem, file=sys.stderr)
        if found:
            print(f"regenerate it with: {REGENERATE}", file=sys.stderr)
        return 1 if found else 0
    if args:
        print("usage: python -m stod.clidoc [--check]", file=sys.stderr)
        return 2
    REFERENCE.parent.mkdir(exist_ok=True)
    REFERENCE.write_text(render(), encoding="utf-8")
    print(f"wrote {REFERENCE.relative_to(Path.cwd()) if REFERENCE.is_relative_to(Path.cwd()) else REFERENCE}: "
          f"{sum(1 for _ in walk())} commands")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
