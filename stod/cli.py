"""The `stod` command: each subcommand parses, calls one library function, formats."""
from __future__ import annotations

import importlib

import click

from .cmd_check import check, rules

# Command modules that add themselves to the group; each is optional while being built.
COMMAND_MODULES = ("stod.cmd_cases", "stod.cmd_csi", "stod.cmd_audit")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Stödbeslut: decisions on verksamhetsstöd and CSI placements for Stockholm stad.

    Example: stod check ../shared/contract/verksamhetsstod/VS-EX-01.json
    """


main.add_command(check)
main.add_command(rules)
for module_name in COMMAND_MODULES:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        continue
    module.register(main)
