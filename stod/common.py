"""What every command shares: turning library errors into clear CLI errors, JSON output."""
from __future__ import annotations

import errno
import functools
import json
import sys
from datetime import date

import click
from rich.console import Console

from engine.errors import EngineError, IntakeError, RuleFileError
from engine.intake_errors import errors_of

console = Console()
err_console = Console(stderr=True)

EXIT_INPUT = 2


class InputProblem(click.ClickException):
    """Bad input: the message names the field or file and the fix; exit code 2."""

    exit_code = EXIT_INPUT

    def show(self, file=None) -> None:
        click.echo(f"fel: {self.format_message()}", err=True)


class IntakeRefused(InputProblem):
    """Files refused at intake: every problem listed, as text on stderr or as the error object.

    With ``as_json`` stdout holds ``{"errors": [{"file", "field", "message"}, ...]}`` (the API's
    422 object, with the file named since a command may read several).
    """

    def __init__(self, refusals: list[tuple[str, IntakeError]], as_json: bool = False):
        self.refusals, self.as_json = refusals, as_json
        super().__init__("\n".join(str(error) for _, error in refusals))

    def error_object(self) -> dict:
        return {"errors": [{"file": path, **e.to_dict()} for path, error in self.refusals for e in errors_of(error)]}

    def show(self, file=None) -> None:
        if self.as_json:
            print_json(self.error_object())
            return
        count = sum(len(errors_of(error)) for _, error in self.refusals)
        click.echo(f"fel: {count} fel att rätta innan ansökan kan prövas:", err=True)
        for _, error in self.refusals:
            for line in str(error).splitlines():
                click.echo(f"  {line}", err=True)


def handle_errors(func):
    """Library exceptions become CLI errors here, and only here."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except IntakeError as error:
            raise IntakeRefused([(error.source, error)], bool(kwargs.get("as_json"))) from None
        except RuleFileError as error:
            raise InputProblem(str(error)) from None
        except EngineError as error:
            raise click.ClickException(str(error)) from None
        except Exception as error:
            # A database that fails mid-command (server gone, disk full) is one line and exit 2,
            # never a traceback; sqlalchemy is only looked up when a command has loaded it.
            exc = sys.modules.get("sqlalchemy.exc")
            if exc is not None and isinstance(error, exc.SQLAlchemyError):
                orig = getattr(error, "orig", None) or error
                first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
                raise InputProblem(f"databasfel: {first}") from None
            raise

    return wrapper


def print_json(value) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputProblem(f"{option}: expected a date as YYYY-MM-DD, got {value!r}") from None


def read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        why = _OS_ERROR_SV.get(error.errno, error.strerror)
        raise InputProblem(f"{path}: filen kan inte läsas ({why}); ange sökvägen till en JSON-fil") from None


_OS_ERROR_SV = {errno.ENOENT: "den finns inte", errno.EACCES: "behörighet saknas", errno.EISDIR: "det är en mapp"}
