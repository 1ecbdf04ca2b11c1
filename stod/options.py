"""The click options and error mapping that the commands on the case store share.

One definition each of ``--db``, of the ``FILES`` argument of the submit commands, and of the
mapping of the case store's errors onto exit codes, so `stod submit` and `stod csi submit` (and
every other command on the store) cannot drift apart. ``store_command`` puts the usual
``--date``, ``--json`` and ``--db`` in the order ``--help`` shows them; the help texts stay with
each command, since what the date means differs from one command to the next.
"""
from __future__ import annotations

import functools

import click

from cases.errors import CaseError, ConflictError, InputRefused, NotFound, StateError, StoreUnavailable

from .common import InputProblem, handle_errors


def db_option(func):
    return click.option("--db", "db", metavar="PATH|URL", default=None,
                        help="Database: a SQLite file path or a URL (postgresql+psycopg://…). "
                             "Default: $STOD_DATABASE_URL, else ./stod.db.")(func)


def case_errors(func):
    """The case store's errors become CLI errors: bad input exit 2, conflicts and states exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (InputRefused, NotFound, StoreUnavailable) as error:
            raise InputProblem(str(error)) from None
        except ConflictError as error:
            raise click.ClickException(f"konflikt: {error}") from None
        except (StateError, CaseError) as error:  # CaseError: the rest of the hierarchy, e.g. MismatchError
            raise click.ClickException(str(error)) from None

    return handle_errors(wrapper)


def files_argument(func):
    """FILES...: one or more files, each handled on its own (the submit commands)."""
    return click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))(func)


def store_command(*, date_help: str | None = None, json_help: str | None = None):
    """A command on the case store: ``--date`` and ``--json`` (each where it has a help text),
    then ``--db``, and the store's errors mapped to exit codes (see ``case_errors``)."""

    def decorate(func):
        func = db_option(case_errors(func))
        if json_help is not None:
            func = click.option("--json", "as_json", is_flag=True, help=json_help)(func)
        if date_help is not None:
            func = click.option("--date", "on", help=date_help)(func)
        return func

    return decorate
