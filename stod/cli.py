"""The `stod` command: each subcommand parses, calls one library function, formats."""
from __future__ import annotations

import importlib

import click

from .cmd_check import check, rules

# Command modules that add their commands to the group (and to `rules`) through register(main).
COMMAND_MODULES = ("stod.cmd_cases", "stod.cmd_csi", "stod.cmd_audit", "stod.cmd_web", "stod.cmd_letter",
                   "stod.cmd_equity", "stod.cmd_db")
# Commands that need none of those modules: a dry run stays fast (no database libraries loaded).
LIGHT_COMMANDS = {"check"}


class StodGroup(click.Group):
    """Loads the command modules only when a command other than a light one is asked for."""

    _loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for module_name in COMMAND_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            module.register(self)

    def get_command(self, ctx, name):
        if name not in LIGHT_COMMANDS:
            self._load()
        return super().get_command(ctx, name)

    def list_commands(self, ctx):
        self._load()
        return super().list_commands(ctx)


@click.group(cls=StodGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Stödbeslut: decisions on verksamhetsstöd and CSI placements for Stockholm stad.

    Example: stod check ../shared/contract/verksamhetsstod/VS-EX-01.json
    """


main.add_command(check)
main.add_command(rules)
