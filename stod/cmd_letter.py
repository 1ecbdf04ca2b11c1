"""stod letter: the decision letter of a case or of a dry run, as text, HTML or PDF."""
from __future__ import annotations

from pathlib import Path

import click

from engine.sensitive import shown_path

from .common import InputProblem, IntakeRefused, handle_errors, output_path, parse_date, read_file
from .services.files import os_reason


@click.command("letter")
@click.argument("case", required=False)
@click.option("--file", "app_file", type=click.Path(dir_okay=False),
              help="A dry run: the letter for an application file (nothing is stored).")
@click.option("--date", "on", help="With --file: the decision date (YYYY-MM-DD); today by default.")
@click.option("--by", "caseworker", help="With --file: the caseworker named in the header.")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False), help="Write the letter as a PDF (A4) here.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Write the letter as HTML here.")
@click.option("--db", "db", metavar="PATH|URL", default=None,
              help="Database: a SQLite file path or a URL. Default: $STOD_DATABASE_URL, else ./stod.db.")
@handle_errors
def letter(case, app_file, on, caseworker, pdf_path, html_path, db):
    """The decision letter a principal can file: header, decision, reasons, what to do, appendix.

    CASE is a case number or application id in the store; --file gives the letter of an
    application file instead, without storing anything. Without --pdf or --html the letter
    is printed as text.

    Example: stod letter 12 --pdf beslut-12.pdf

    Example: stod letter --file ansokan.json --html beslut.html
    """
    from engine.letter import Letter, LetterHeader, build_letter

    if bool(case) == bool(app_file):
        raise click.UsageError("ange ett ärende (CASE) eller --file FIL: precis ett av dem")
    output_path(pdf_path, "--pdf")
    output_path(html_path, "--html")
    if app_file:
        letter_ = _dry_run(app_file, parse_date(on, "--date"), caseworker, build_letter, LetterHeader)
    else:
        if on or caseworker:
            raise click.UsageError("--date och --by hör till --file; ett sparat ärende har sitt eget beslutsdatum "
                                   "och sin handläggare: ta bort dem")
        letter_ = _stored(case, db, Letter)
    if not pdf_path and not html_path:
        click.echo(letter_.text())
        return
    from engine.letter_html import letter_html, letter_pdf

    if html_path:
        _write(html_path, letter_html(letter_).encode("utf-8"))
    if pdf_path:
        _write(pdf_path, letter_pdf(letter_))


def _dry_run(path, decision_date, caseworker, build_letter, LetterHeader):
    from engine import api
    from engine.area import load_area
    from engine.errors import IntakeError
    from engine.registry import spec_for_kind

    from .services.dates import check_decision_date

    try:
        app, _ = api.read_application(read_file(path), source=path)
        decision_date = check_decision_date(app, decision_date)  # as stod check: never before the rules or receipt
    except IntakeError as error:
        raise IntakeRefused([(path, error)]) from None
    if caseworker is not None:  # a name printed in the letter: checked as a decision's --by is
        from cases.errors import InputRefused
        from cases.texts import NAME_MAX, checked_text

        try:
            caseworker = checked_text("--by", caseworker, NAME_MAX, empty="ange handläggarens namn")
        except InputRefused as error:
            raise InputProblem(str(error)) from None
    decision = api.decide(app, decision_date)
    header = LetterHeader(decision.application_id, caseworker=caseworker)
    return build_letter(decision, load_area(spec_for_kind(app.kind).name), app, header)


def _stored(case, db, Letter):
    """A stored case's current decision as its letter (``stod.services.letters``)."""
    from cases import workflow
    from cases.errors import NotFound, StoreUnavailable
    from cases.store import open_store

    from .services.letters import NoLetter, stored_letter

    try:
        view = workflow.case_view(open_store(db, must_exist=True), case)  # only reads: never creates one
        return stored_letter(view)
    except (NotFound, StoreUnavailable) as error:
        raise InputProblem(str(error)) from None
    except NoLetter as error:
        raise InputProblem(error.problem) from None


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as error:
        raise InputProblem(f"{shown_path(path)}: kan inte skriva filen ({os_reason(error, writing=True)}); "
                           "ange en annan sökväg") from None
    click.echo(f"skrev {shown_path(path)}", err=True)


def register(main: click.Group) -> None:
    main.add_command(letter)
