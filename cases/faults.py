"""When the database itself fails: one line saying what is wrong with the store, never a traceback.

``describe(error)`` turns a database or file-system error into a Swedish sentence (full
disk, read-only store, a file that is not a database, a database that cannot be reached, a
schema that does not match). A file-system error met outside the database (writing the output, a
PDF, a backup) is described by its errno, without naming the store. The schema itself is checked at every open by
``cases.store`` (``_check_is_store``).
"""
from __future__ import annotations

import errno

from .errors import StoreUnavailable


# Substrings of driver messages (SQLite and PostgreSQL), most specific first.
_KINDS = (
    (("database or disk is full", "no space left on device", "disk full", "could not extend file"),
     "lagringen är full (ingen plats kvar på disken); frigör utrymme och kör kommandot igen"),
    (("readonly database", "read-only", "read only"),
     "databasen är skrivskyddad; ge skrivrätt eller välj en annan databas med --db"),
    (("file is not a database", "file is encrypted", "database disk image is malformed"),
     "filen är inte en stodbeslut-databas (SQLite kan inte läsa den); välj rätt fil med --db"),
    (("unable to open database file", "could not connect", "connection refused", "does not exist",
      "password authentication failed", "no such host", "name or service not known"),
     "databasen går inte att öppna eller nå; kontrollera --db eller STOD_DATABASE_URL"),
    (("no such table", "no such column", "undefinedtable", "undefinedcolumn", "has no column"),
     "databasens tabeller stämmer inte med programmets schema; välj rätt databas med --db"),
    (("disk i/o error", "input/output error"),
     "lagringen gav ett in-/utmatningsfel; kontrollera disken och kör kommandot igen"),
)


# A file-system error that is not the database's own (writing the output, a PDF, a backup): it
# says what failed without calling it the store's (``stod check > /dev/full`` stores nothing).
_FILE_ERRORS = {
    errno.ENOSPC: "det gick inte att skriva: ingen plats kvar på disken; frigör utrymme och kör kommandot igen",
    errno.EDQUOT: "det gick inte att skriva: diskkvoten är slut; frigör utrymme och kör kommandot igen",
    errno.EFBIG: "det gick inte att skriva: filen blir för stor för filsystemet; skriv till ett annat filsystem",
    errno.EROFS: "det gick inte att skriva: filsystemet är skrivskyddat; skriv till en annan plats",
    errno.EIO: "ett in-/utmatningsfel vid läsning eller skrivning; kontrollera disken och kör kommandot igen",
}


def describe(error: BaseException) -> str | None:
    """A one-line Swedish account of a database or file error, or None if it is not one."""
    if isinstance(error, StoreUnavailable):
        return str(error)
    module = type(error).__module__ or ""
    if not (module.startswith(("sqlalchemy", "sqlite3", "psycopg")) or isinstance(error, OSError)):
        return None
    if isinstance(error, OSError) and error.errno in _FILE_ERRORS:
        return _FILE_ERRORS[error.errno]
    text = str(getattr(error, "orig", None) or error).lower()
    for needles, message in _KINDS:
        if any(n in text for n in needles):
            return message
    if isinstance(error, OSError):
        return f"lagringen gav ett fel ({error.strerror or type(error).__name__}); kontrollera disken och --db"
    first = str(getattr(error, "orig", None) or error).splitlines()[0][:160] if str(error) else type(error).__name__
    return f"databasfel: {first}"
