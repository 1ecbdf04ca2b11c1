"""What every command shares: turning library errors into clear CLI errors, JSON output."""
from __future__ import annotations

import functools
import os
import sys
import unicodedata
from datetime import date

import click
from rich.console import Console
from rich.markup import escape

from engine.dates import in_range, out_of_range
from engine.errors import EngineError, IntakeError, RuleFileError
from engine.jsonform import output_json
from engine.sensitive import output_name_problem, shown_path, shown_value
from engine.intake_errors import errors_of

from .services.files import file_bytes, os_reason


class _Console(Console):
    """rich's console, but a reader that stops reading (`stod queue | head -1`) ends the command as
    every other write to a closed pipe does (``_output_gone``: exit 141, no word), not with rich's
    own silent exit 1."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        _output_gone()


# No highlighter anywhere: it colours user text by guessing (and is quadratic on long lines).
console = _Console(highlight=False)
err_console = _Console(stderr=True, highlight=False)
# The longest user-supplied value a table cell or heading shows.
CELL_MAX = 80

EXIT_INPUT = 2


class InputProblem(click.ClickException):
    """Bad input: the message names the field or file and the fix; exit code 2."""

    exit_code = EXIT_INPUT

    def show(self, file=None) -> None:
        click.echo(f"fel: {visible(self.format_message())}", err=True)


class IntakeRefused(InputProblem):
    """Files refused at intake: every problem listed, as text on stderr or as the error object.

    With ``as_json`` stdout holds ``{"errors": [{"file", "field", "message"}, ...]}`` (the API's
    422 object, with the file named since a command may read several).
    """

    def __init__(self, refusals: list[tuple[str, IntakeError]], as_json: bool = False):
        self.refusals, self.as_json = refusals, as_json
        super().__init__("\n".join(str(error) for _, error in refusals))

    def error_object(self) -> dict:
        return {"errors": [{"file": shown_path(path), **e.to_dict()} for path, error in self.refusals for e in errors_of(error)]}

    def show(self, file=None) -> None:
        if self.as_json:
            print_json(self.error_object())
            return
        count = sum(len(errors_of(error)) for _, error in self.refusals)
        click.echo(f"fel: {count} fel att rätta innan ansökan kan prövas:", err=True)
        for _, error in self.refusals:
            for line in str(error).splitlines():
                click.echo(f"  {visible(line)}", err=True)


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
        except BrokenPipeError:  # whoever read the output stopped reading (`| head`): stop as other tools do
            _output_gone()
        except Exception as error:  # the database or the disk failed: one line, exit 2
            message = store_fault(error)
            if message is None:
                raise
            raise InputProblem(message) from None

    return wrapper


_NOTHING_TO_CLOSE = False


def nothing_to_close() -> None:
    """Say that this command leaves nothing open that must be closed but its stores (which
    ``cli.run`` closes): no temporary file, no other connection. When it has ended, the
    process may leave without tearing Python down, as a dry run of one file spends a fifth
    of its time freeing what it will never use again."""
    global _NOTHING_TO_CLOSE
    _NOTHING_TO_CLOSE = True


def end_now(code) -> None:
    """Leave at once with ``code`` (as ``sys.exit`` would read it) when the command said there is
    nothing to close (``nothing_to_close``); else return, and the caller exits as usual."""
    if not _NOTHING_TO_CLOSE:
        return
    if code is not None and not isinstance(code, int):
        return  # a message to print: the usual way out prints it
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # no one reads it (see ``_output_gone``)
            code = 141
        except (OSError, ValueError):
            return  # the usual way out reports it
    os._exit(code or 0)


def _output_gone() -> None:
    """Exit as a command killed by SIGPIPE would (128 + 13), without a word: no one reads it.

    Standard output goes to /dev/null first, so that the interpreter's last flush does not
    fail again on the closed pipe.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(141)


def visible(text: str, keep_newlines: bool = True) -> str:
    """Text with every control, escape and bidi character shown as a visible placeholder.

    C0 controls become their Unicode control pictures (ESC as ␛), DEL ␡, C1 controls and
    invisible format characters (bidi overrides, zero-width) ``<U+XXXX>``; lone surrogates
    ``<U+D800>``. Newlines (and tabs) stay when ``keep_newlines``.
    """
    out = []
    for char in text:
        code = ord(char)
        if char in "\n\t" and keep_newlines:
            out.append(char)
        elif code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif 0x80 <= code < 0xA0 or 0xD800 <= code < 0xE000 or unicodedata.category(char) in ("Cf", "Zl", "Zp"):
            out.append(f"<U+{code:04X}>")
        else:
            out.append(char)
    return "".join(out)


def safe(value, limit: int | None = CELL_MAX) -> str:
    """User-supplied text for rich: controls made visible, markup escaped, cut to ``limit`` characters.

    The one way the CLI puts a value that came from outside (ids, names, reasons, file
    names, texts holding them) into anything rich renders.
    """
    return escape(shown(value, limit))


def shown(value, limit: int | None = CELL_MAX) -> str:
    """``safe`` without the markup escaped: for text written as it is, not through rich."""
    text = "" if value is None else str(value)
    if limit is not None and len(text) > limit:
        text = text[:limit - 1] + "…"
    return visible(text, keep_newlines=limit is None)


def store_fault(error: BaseException) -> str | None:
    """A one-line account of a database or disk error (None if the error is something else)."""
    if not isinstance(error, Exception) or isinstance(error, (click.ClickException, click.exceptions.Exit)):
        return None
    from cases.faults import describe

    return describe(error)


def print_json(value) -> None:
    write_bytes(output_json(value))


class _TextAsBytes:
    """A text-only stream (a test's StringIO) taking bytes (UTF-8), as ``write_bytes`` does."""

    def __init__(self, text):
        import codecs

        self.text, self.decoder = text, codecs.getincrementaldecoder("utf-8")()

    def write(self, data: bytes) -> int:
        self.text.write(self.decoder.decode(data))  # a character cut between two writes waits for its rest
        return len(data)

    def flush(self) -> None:
        self.text.flush()


def binary_stdout():
    """Standard output as a binary stream (a text-only one, such as a test's StringIO, takes UTF-8
    through ``_TextAsBytes``), with whatever was written to it as text before written first."""
    out = sys.stdout
    binary = getattr(out, "buffer", None)
    out.flush()
    return binary if binary is not None else _TextAsBytes(out)


def write_bytes(*pieces: bytes) -> None:
    """Write UTF-8 output (JSON made elsewhere, whole or in pieces) to standard output."""
    binary = binary_stdout()
    for piece in pieces:  # write(), not writelines(): a stream that copies what it is written (a test's) sees all
        binary.write(piece)
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
        day = date.fromisoformat(value) if value.isascii() else None
    except ValueError:
        day = None
    if day is None:
        raise InputProblem(f"{option}: {shown_value(value)} är inget datum; ange datumet som ÅÅÅÅ-MM-DD")
    if not in_range(day):
        raise InputProblem(f"{option}: {out_of_range(day)}; ange ett datum inom det intervallet")
    return day


def parse_period(date_from: str | None, date_to: str | None) -> tuple[date | None, date | None]:
    """``--from`` and ``--to`` as days; a period that ends before it starts is refused (it holds nothing)."""
    start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if start and end and end < start:
        raise InputProblem(f"--to: {end.isoformat()} är före --from {start.isoformat()}; "
                           "ange en period där --from kommer först")
    return start, end


def read_file(path: str, what: str = "en JSON-fil") -> bytes:
    try:
        return file_bytes(path)
    except OSError as error:
        raise InputProblem(f"{shown_path(path)}: filen kan inte läsas ({os_reason(error)}); "
                           f"ange sökvägen till {what}") from None


def output_path(path: str | None, option: str, example: str | None = None) -> str | None:
    """``path`` as given (None stays None) for a file or folder the command will write, or an
    InputProblem naming ``option`` when the path holds a personnummer or samordningsnummer (the
    one check, ``engine.sensitive.output_name_problem``, that ``stod db backup`` makes too; the path
    is never repeated). Call it before anything is read or written: a refused command creates
    nothing. ``example`` is a name to suggest; by default ``stod-ÅÅÅÅ-MM-DD`` with the path's suffix."""
    if path is None:
        return None
    if example is None:
        suffix = os.path.splitext(path)[1]
        plain = suffix.isascii() and 1 < len(suffix) <= 6 and suffix[1:].isalnum() and not suffix[1:].isdigit()
        example = "stod-ÅÅÅÅ-MM-DD" + (suffix if plain else "")
    problem = output_name_problem(path, example)
    if problem is not None:
        raise InputProblem(f"{option}: {problem}")
    return path


def new_file(path: str, option: str, force: bool, force_option: str = "--force") -> str:
    """``output_path`` for a file that must not replace one already there unless ``force`` (as
    ``stod db backup``): an existing file is refused naming ``option`` and the way to replace it."""
    output_path(path, option)
    if not force and os.path.lexists(path):
        raise InputProblem(f"{option}: {shown_path(path)} finns redan; välj ett nytt filnamn eller skriv över "
                           f"med {force_option}")
    return path
