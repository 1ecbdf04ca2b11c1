"""The `stod` command: each subcommand parses, calls one library function, formats."""
from __future__ import annotations

import importlib
import sys

import click

from . import usage_sv

usage_sv.install()  # click's own usage errors in Swedish, as stod's are (before any option is declared)

from .cmd_check import check, rules  # noqa: E402

# Command modules that add their commands to the group (and to `rules`) through register(main).
COMMAND_MODULES = ("stod.cmd_cases", "stod.cmd_csi", "stod.cmd_audit", "stod.cmd_web", "stod.cmd_letter",
                   "stod.cmd_equity", "stod.cmd_db", "stod.cmd_config")
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


def apply_config():
    """Read the configuration (environment, ``STOD_CONFIG`` file) once per command and hand it down.

    A bad configuration is exit 2. The command's context keeps what was read, so a command asking
    again sees where each value came from, not the environment ``export`` has just filled.
    """
    from .common import InputProblem
    from .config import ConfigError, export, load

    meta = click.get_current_context().meta
    if "stod.config" in meta:
        return meta["stod.config"]
    try:
        config = load()
    except ConfigError as error:
        raise InputProblem(str(error)) from None
    export(config)
    meta["stod.config"] = config
    return config


def _print_version(ctx, _param, value) -> None:
    if not value or ctx.resilient_parsing:
        return
    from .distribution import version_text

    apply_config()
    click.echo(version_text())
    ctx.exit(0)


@click.group(cls=StodGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the package version, the rules folder and its ruleset versions, and exit.")
def main():
    """Stödbeslut: decisions on verksamhetsstöd and CSI placements for Stockholm stad.

    Example: stod check ../shared/contract/verksamhetsstod/VS-EX-01.json
    """
    apply_config()


def run() -> None:
    """The ``stod`` command (the console script, ``python -m stod``): ``main``; then every store
    it opened is closed, and the process ends at once after a command with nothing else to
    close (``common.end_now``), else with what Python has left to do at exit but without
    collecting garbage object by object: that took a quarter of a command's time (0.2-0.3 s
    after `stod queue`), to free memory the process hands back whole anyway."""
    import gc

    from .common import end_now

    if sys.stdout is None:  # started with its standard output closed (`stod … >&-`): nowhere to answer
        if sys.stderr is not None:
            sys.stderr.write("fel: standardutdata är stängd; skicka utdata till en fil eller till /dev/null "
                             "(t.ex. > /dev/null)\n")
        sys.exit(2)
    _stdin_never_fails()
    try:
        main()
    except SystemExit as done:
        store = sys.modules.get("cases.store")  # not imported by a command that opened none
        try:
            if store is not None:
                store.close_all()
        except Exception:  # noqa: BLE001 - the command's answer stands; Python's own exit closes what is left
            raise done from None
        gc.freeze()
        end_now(done.code)
        raise


def _stdin_never_fails() -> None:
    """Standard input read as text keeps bytes that are not UTF-8 as lone surrogates (as Python does
    in the C locale) instead of raising UnicodeDecodeError in a UTF-8 locale: what reads it (the
    password of ``stod users add``) then refuses them in Swedish, without a traceback."""
    reconfigure = getattr(sys.stdin, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="surrogateescape")
        except (OSError, ValueError):  # closed, or not a text stream we may change: read as it is
            pass


main.add_command(check)
main.add_command(rules)
