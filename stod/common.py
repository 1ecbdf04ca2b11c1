"""What every command shares: turning library errors into clear CLI errors, JSON output."""
from __future__ import annotations

import functools
import sys
from datetime import date

import click
from rich.console import Console

from engine.errors import EngineError, IntakeError, RuleFileError
from engine.jsonform import output_json

console = Console()
err_console = Console(stderr=True)

EXIT_INPUT = 2


class InputProblem(click.ClickException):
    """Bad input: the message names the field or file and the fix; exit code 2."""

    exit_code = EXIT_INPUT

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def handle_errors(func):
    """Library exceptions become CLI errors here, and only here."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (IntakeError, RuleFileError) as error:
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
    write_bytes(output_json(value))


def write_bytes(data: bytes) -> None:
    """Write UTF-8 output (JSON made elsewhere) to standard output."""
    out = sys.stdout
    binary = getattr(out, "buffer", None)
    if binary is None:  # a text-only stream (a test's StringIO)
        out.write(data.decode())
        return
    out.flush()  # whatever was written as text first stays first
    binary.write(data)
    binary.flush()


def workers_option(func):
    """``--workers N``: processes that decide (default: the cores this process may use)."""
    from engine.parallel import available_cores

    return click.option("--workers", type=click.IntRange(1, 64), default=available_cores, show_default="cores",
                        help="Processes that decide; results stay in the order given.")(func)


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
        raise InputProblem(f"{path}: cannot read the file ({error.strerror})") from None
