"""click's own error messages in Swedish: what a wrong command line gets.

A missing argument, an unknown option or command, a value of the wrong kind: click writes
these itself, through gettext (the ``_`` and ``ngettext`` of its modules), in English.
``install`` points those names at the table here, so a usage error reads as stod's own errors
do (``fel: …``, exit code 2) and names the argument or option and what it takes. The help
text (``--help``, its headings and the synopsis line ``Usage: …``) stays as it is: it is the
command's documentation, written in English with the rest of the developer documentation.

Messages not in the table (a programming error, such as an option declared twice) stay
click's. ``tests/test_usage_sv.py`` holds every message here to one that click still writes,
so an upgrade of click that rewords one is noticed rather than left in English.
"""
from __future__ import annotations

import gettext

# click's message (as its source writes it) -> the Swedish one, with the same {placeholders}
# (a placeholder may be left out: str.format ignores what a text does not use). stod's
# options take whole numbers only (no float option), hence "heltal".
MESSAGES = {
    "Error: {message}": "fel: {message}",
    "Try '{command} {option}' for help.": "Se '{command} {option}' för hjälp.",
    "Invalid value: {message}": "ogiltigt värde: {message}",
    "Invalid value for {param_hint}: {message}": "ogiltigt värde för {param_hint}: {message}",
    "Missing argument": "argument saknas:",
    "Missing option": "flagga saknas:",
    "Missing parameter": "värde saknas:",
    "Missing {param_type}": "{param_type} saknas:",
    "Missing parameter: {param_name}": "värde saknas: {param_name}",
    "Missing command.": "kommando saknas; se listan med --help.",
    "No such option {name!r}.": "flaggan {name!r} finns inte.",
    "No such command {name!r}.": "kommandot {name!r} finns inte.",
    "Option {name!r} does not take a value.": "flaggan {name!r} tar inget värde.",
    "Argument {name!r} takes {nargs} values.": "argumentet {name!r} tar {nargs} värden.",
    "Value must be an iterable.": "värdet måste vara en lista.",
    "{value!r} is not a valid {number_type}.": "{value!r} är inte ett heltal; ange ett heltal.",
    "{value} is not in the range {range}.": "{value} ligger utanför det tillåtna ({range}).",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} är varken sant eller falskt; giltiga värden: {states}",
    "Choose from:\n\t{choices}": "Välj bland:\n\t{choices}",
    # {name} is the path's kind in English ("File", "Directory"), which is also the help's
    # metavar (FILE): left out here rather than translated.
    "{name} {filename!r} does not exist.": "{filename!r} finns inte; ange en sökväg som finns.",
    "{name} {filename!r} is a file.": "{filename!r} är en fil; ange en mapp.",
    "{name} {filename!r} is a directory.": "{filename!r} är en mapp; ange en fil.",
    "{name} {filename!r} is not readable.": "{filename!r} går inte att läsa (behörighet).",
    "{name} {filename!r} is not writable.": "{filename!r} går inte att skriva till (behörighet).",
    "{name} {filename!r} is not executable.": "{filename!r} går inte att köra (behörighet).",
    "Could not open file {filename!r}: {message}": "filen {filename!r} går inte att öppna: {message}",
    "unknown error": "okänt fel",
    "Aborted!": "Avbrutet.",
}

# (singular, plural) as click writes them -> the Swedish pair (Swedish, like English, has one
# form for 1 and another for every other count).
PLURALS = {
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Menade du {possibility}?", "(Menade du något av: {possibilities}?)"),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("oväntat argument: {args}", "oväntade argument: {args}"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("flaggan {name!r} behöver ett värde.", "flaggan {name!r} behöver {nargs} värden."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} är inte {choice}.", "{value!r} är inte något av {choices}."),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        ("{value!r} följer inte formatet {format}.", "{value!r} följer inte något av formaten {formats}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("tar {nargs} värden men 1 angavs.", "tar {nargs} värden men {len} angavs."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("{len_type} värden behövs men {len_value} angavs.", "{len_type} värden behövs men {len_value} angavs."),
}

# click's modules that write messages through their own ``_`` / ``ngettext``.
MODULES = ("click.core", "click.exceptions", "click.types", "click.parser", "click.decorators", "click.termui")


class _Message(str):
    """A Swedish message whose ``format`` never shows what was typed if it may hold a personnummer
    (``engine.sensitive``): click fills in the value, the option or the arguments as given."""

    def format(self, *args, **values) -> str:
        from engine.sensitive import HIDDEN, contains_personnummer, has_lone_surrogate

        for name, value in values.items():
            if isinstance(value, str) and (contains_personnummer(value) or has_lone_surrogate(value)):
                values[name] = HIDDEN
        return str.format(self, *args, **values)


def swedish(message: str) -> str:
    """``gettext`` for click: the Swedish text of a message in the table, else the message as it is."""
    found = MESSAGES.get(message)
    return _Message(found) if found is not None else gettext.gettext(message)


def swedish_n(singular: str, plural: str, n: int) -> str:
    """``ngettext`` for click."""
    found = PLURALS.get((singular, plural))
    if found is None:
        return gettext.ngettext(singular, plural, n)
    return _Message(found[0] if n == 1 else found[1])


def install() -> None:
    """Let click write its messages in Swedish (in this process; done once, when ``stod.cli`` is imported)."""
    import importlib

    for name in MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = swedish
        if hasattr(module, "ngettext"):
            module.ngettext = swedish_n
