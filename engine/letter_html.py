"""The decision letter as a printable page: HTML with print CSS, and PDF through WeasyPrint.

The same Letter as ``Letter.text()``: nothing is added here but layout. Jinja2 escapes every
value, so a hostile string in an application (a school name with markup) is shown, not run.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .letter import AUTHORITY, Letter

_ENV = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def letter_html(letter: Letter) -> str:
    reference = dict(letter.header).get("Diarienummer", "")
    return _ENV.get_template("letter.html").render(letter=letter, authority=AUTHORITY, reference=reference)


def letter_pdf(letter: Letter) -> bytes:
    """The letter as a PDF (A4), made from the same HTML."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment, and only PDFs need it

    return HTML(string=letter_html(letter)).write_pdf()
