"""Reading rule files: where they come from, and YAML that remembers line numbers."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Protocol

import yaml

from .errors import RuleFileError
from .strictyaml import StrictComposer, StrictConstructor, StrictYAMLError, check_unique_keys, finite_float


class LineDict(dict):
    """A mapping from a YAML file that knows the line it started on (1-based)."""

    line: int | None = None


class LineList(list):
    line: int | None = None


class _LineLoader(StrictComposer, StrictConstructor, yaml.SafeLoader):
    """Safe YAML that remembers lines and refuses aliases, duplicate keys and .inf/.nan (strictyaml)."""


try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml: the pure-Python loader does all of it
    _FastLoader = _LineLoader
else:
    class _FastLoader(StrictComposer, StrictConstructor, yaml.composer.Composer, CParser,
                      yaml.constructor.SafeConstructor,
                      yaml.resolver.Resolver):
        """The same loader with libyaml reading the text: five times faster, and every rule file is
        read in every process. Only the events come from C: composing them into nodes (where
        aliases and depth are refused) and constructing the values are ``_LineLoader``'s own.
        """

        def __init__(self, stream):
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            yaml.composer.Composer.__init__(self)


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    check_unique_keys(loader, node)
    value = LineDict(loader.construct_mapping(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    value = LineList(loader.construct_sequence(node, deep=True))
    value.line = node.start_mark.line + 1
    return value


# Python's reasons for a date that does not exist, in Swedish.
_DATE_REASONS = {"month must be in 1..12": "månaden finns inte", "day is out of range for month":
                 "dagen finns inte i den månaden", "year 0 is out of range": "år 0 finns inte"}


def _timestamp(loader: _LineLoader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as error:  # e.g. 2026-13-01: say where, like a syntax error
        reason = _DATE_REASONS.get(str(error), "datumet eller klockslaget finns inte")
        raise StrictYAMLError(f"{node.value!r} är inget datum ({reason}); skriv datum som ÅÅÅÅ-MM-DD",
                              node.start_mark) from None


for _loader in {_LineLoader, _FastLoader}:
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
    _loader.add_constructor("tag:yaml.org,2002:float", finite_float)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


NOT_YAML = "ogiltig YAML"
_INDENT = "kontrollera indraget (fält på samma nivå börjar i samma kolumn, med mellanslag)"
_NO_TAGS = "regelfiler behöver inga taggar: ta bort den"
# The YAML parser's problems in Swedish, with the fix: libyaml's wording (what rule files are
# read with) and PyYAML's own (the pure-Python loader), matched at the start of the problem.
# A pattern's first group (a character or a tag) takes the place of {0} in the Swedish text.
YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"did not find expected key|expected <block end>, but found",
     "ett nytt fält ('namn: värde') väntades här; " + _INDENT + ", och att ingen text följer efter en text "
     "inom citattecken eller parenteser"),
    (r"did not find expected '-' indicator",
     "ett nytt listelement ('- ') väntades här; " + _INDENT + ", och att listans element börjar med '- '"),
    (r"did not find expected ',' or '\]'|expected ',' or '\]', but got",
     "',' eller ']' väntades i en lista inom hakparenteser; skilj värdena åt med kommatecken och stäng "
     "listan med ']'"),
    (r"did not find expected ',' or '\}'|expected ',' or '\}', but got",
     "',' eller '}' väntades i en mappning inom klammerparenteser; skilj fälten åt med kommatecken och "
     "stäng mappningen med '}'"),
    (r"mapping values are not allowed",
     "ett kolon (': ') står där inget fält kan börja; " + _INDENT + ", och skriv en text som innehåller "
     "': ' inom citattecken"),
    (r"(?:block )?sequence entries are not allowed",
     "ett listelement ('- ') står där ingen lista kan börja; skriv det på en egen rad under fältet, med indrag"),
    (r"mapping keys are not allowed",
     "ett '?' står där inget fält kan börja; ta bort det eller skriv texten inom citattecken"),
    (r"found character '\\t' that cannot start any token|found a tab character",
     "ett tabbtecken används för indrag; dra in med mellanslag, inte tabb"),
    (r"found character '(.*)' that cannot start any token",
     "tecknet '{0}' kan inte inleda ett värde; skriv värdet inom citattecken"),
    (r"found character that cannot start any token",
     "ett tecken som inte kan inleda ett värde (till exempel @, ` eller ett tabbtecken); dra in med "
     "mellanslag och skriv värdet inom citattecken"),
    (r"could not find expected ':'",
     "ett kolon (':') väntades efter ett fältnamn; skriv 'namn: värde', eller en text inom citattecken"),
    (r"found unexpected end of stream",
     "filen tar slut inne i en text inom citattecken; avsluta texten med samma citattecken som den börjar med"),
    (r"found unexpected document (?:indicator|separator)",
     "'---' eller '...' står inne i en text inom citattecken; avsluta texten före den raden"),
    (r"found unknown escape character(?: '(.*)')?",
     "okänd \\-följd i en text inom dubbla citattecken; skriv \\\\ för ett omvänt snedstreck, eller "
     "använd enkla citattecken"),
    (r"did not find expected hexdecimal number|expected escape sequence of",
     "en ofullständig \\x-, \\u- eller \\U-följd i en text; skriv hela teckenkoden, eller använd enkla "
     "citattecken"),
    (r"did not find expected alphabetic or numeric character|expected alphabetic or numeric character",
     "ett '*' eller '&' utan namn; ta bort tecknet eller skriv värdet inom citattecken"),
    (r"found an indentation indicator equal to 0|expected indentation indicator",
     "en indragssiffra efter '|' eller '>' ska vara 1–9; ta bort den"),
    (r"did not find expected comment or line break|expected chomping or indentation indicators|"
     r"expected a comment or a line break|did not find expected whitespace or line break|expected ' ', but",
     "oväntad text på raden; börja en flerradig text på nästa rad, och skriv en kommentar efter ' #'"),
    (r"did not find expected node content|expected the node content, but found '(.*)'",
     "ett värde väntades här; skriv ett värde, eller ta bort det överblivna tecknet"),
    (r"did not find expected <document start>|expected '<document start>', but found",
     "text efter filens slut (efter en stängd lista eller mappning, eller efter '...'); ta bort den eller "
     "rätta parenteserna"),
    (r"but found another document",
     "filen har mer än ett YAML-dokument ('---'); skriv en regelfil som ett dokument"),
    (r"second occurrence of found duplicate anchor '(.*)'",
     "ankaret &{0} står två gånger; regelfiler behöver inga ankare: ta bort dem"),
    (r"could not determine a constructor for the tag '(.*)'", "taggen '{0}' används inte i regelfiler; ta bort den"),
    (r"found undefined tag handle(?: '(.*)')?", "okänd tagg; " + _NO_TAGS),
    (r"did not find the expected '>'|expected '>', but found|did not find expected tag URI|expected URI",
     "en ofullständig tagg ('!<…>'); " + _NO_TAGS),
    (r"found duplicate (?:%YAML|YAML|%TAG) directive|duplicate tag handle|found unknown directive name|"
     r"found incompatible YAML document",
     "ett direktiv ('%YAML' eller '%TAG') som regelfiler inte använder; ta bort raden"),
    (r"found unhashable key|found unacceptable key",
     "ett fältnamn är en lista eller mappning; skriv fältnamnet som text"),
    (r"failed to decode base64 data", "ogiltiga base64-data; ta bort taggen !!binary"),
    (r"expected a scalar node, but found",
     "en tagg för ett enkelt värde (till exempel !!int eller !!str) står på en lista eller mappning; " + _NO_TAGS),
    (r"expected a (?:mapping|sequence)(?: node)?, but found",
     "en tagg (till exempel !!set, !!omap eller !!seq) passar inte värdet; " + _NO_TAGS),
)
_YAML_PROBLEMS = tuple((re.compile(en), sv) for en, sv in YAML_PROBLEMS)


def yaml_problem(error: yaml.YAMLError) -> str:
    """The YAML parser's problem in Swedish: from the table, else a Swedish sentence around it."""
    if isinstance(error, StrictYAMLError):
        return error.problem  # the strict loader's own, already Swedish
    if isinstance(error, yaml.reader.ReaderError):
        code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or " ")
        return f"otillåtet tecken U+{code:04X} (tecken nummer {error.position + 1} i filen); ta bort det"
    text = str(getattr(error, "problem", None) or error)
    context = getattr(error, "context", None) or ""
    if text == "second occurrence":  # the anchor's name is in the context
        text = f"{text} of {context}"
    for pattern, swedish in _YAML_PROBLEMS:
        found = pattern.match(text)
        if found:
            return swedish.replace("{0}", found.group(1) or "") if found.groups() else swedish
    said = " ".join(f"{context} {text}".split())
    return (f"YAML-tolken kunde inte läsa filen (den säger: ”{said}”); kontrollera raden och raden ovanför: "
            "indrag, kolon, citattecken och parenteser")


def parse_yaml(text: str, path: str):
    """Parse YAML text; a syntax error names the file and line, in Swedish (``yaml_problem``)."""
    try:
        return yaml.load(text, Loader=_FastLoader)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise RuleFileError(path, f"{NOT_YAML}: {yaml_problem(error)}", line) from None
    except RecursionError:
        raise RuleFileError(path, f"{NOT_YAML}: nästlat alldeles för djupt; dela upp villkoret i flera regler "
                            "och hänvisa till dem med rule:") from None
    except yaml.YAMLError as error:
        raise RuleFileError(path, f"{NOT_YAML}: {yaml_problem(error)}") from None
    except (ValueError, TypeError) as error:  # PyYAML's constructors, e.g. !!int on a text
        said = " ".join(str(error).split())
        raise RuleFileError(path, f"{NOT_YAML}: ett värde kan inte läsas (YAML-tolken säger: ”{said}”); "
                            "skriv talet eller texten utan tagg, och datum som ÅÅÅÅ-MM-DD") from None
    except (KeyError, AttributeError, IndexError):  # other constructors' faults: !!bool x, !!timestamp x
        raise RuleFileError(path, f"{NOT_YAML}: ett värde med en tagg (!!…) kan inte läsas; skriv talet eller "
                            "texten utan tagg, och datum som ÅÅÅÅ-MM-DD") from None


def line_of(data, loc: tuple) -> int | None:
    """The line of the deepest mapping or list along a pydantic error location."""
    line, node = getattr(data, "line", None), data
    for key in loc:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        line = getattr(node, "line", None) or line
    return line


class RuleSource(Protocol):
    """Where rule files come from: a folder on disk, or a dict in tests."""

    def paths(self, area: str) -> list[str]: ...

    def read(self, path: str) -> str: ...


class FolderSource:
    """Rule files under a folder: ``<root>/<area>/**/*.yaml``."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def paths(self, area: str) -> list[str]:
        base = self.root / area
        if not base.is_dir():
            return []
        return sorted(str(p.relative_to(self.root)) for p in base.rglob("*.yaml"))

    def areas(self) -> list[str]:
        """The folders that hold an area (an index.yaml), by name."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / "index.yaml").is_file())

    def read(self, path: str) -> str:
        try:
            return (self.root / path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise RuleFileError(path, "filen är inte UTF-8-text; spara den som UTF-8") from None

    def fingerprint(self, area: str) -> tuple:
        """Names, sizes and modification times of the area's files: changes when a file does."""
        entries = []
        for entry in sorted((self.root / area).rglob("*.yaml")):
            stat = entry.stat()
            entries.append((str(entry), stat.st_size, stat.st_mtime_ns))
        return (str(self.root.resolve()), area, tuple(entries))

    def __repr__(self) -> str:
        return f"FolderSource({str(self.root)!r})"


class DictSource:
    """Rule files held in memory, keyed by path (``verksamhetsstod/index.yaml``)."""

    def __init__(self, files: dict[str, str]):
        self.files = dict(files)

    def paths(self, area: str) -> list[str]:
        return sorted(p for p in self.files if p.startswith(area + "/") and p.endswith(".yaml"))

    def read(self, path: str) -> str:
        return self.files[path]


def content_hash(source: RuleSource, area: str) -> str:
    """The ruleset version: a hash over every file of the area, path and content."""
    digest = hashlib.sha256()
    for path in source.paths(area):
        digest.update(path.encode())
        digest.update(b"\0")
        digest.update(source.read(path).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


RULES_DIR_ENV = "STOD_RULES_DIR"


def release_rules(top: Path) -> Path:
    """The release's rules under ``top`` (site-packages or the checkout): ``stod/rules``, else ``rules``.

    An installed wheel carries the release's rules as the data folder ``stod/rules`` beside this
    package; a source checkout has them in ``rules/`` at its top. The installed folder is looked
    for first, so a checkout (which has no ``stod/rules``) and a wheel never mix.
    """
    installed = top / "stod" / "rules"
    return installed if installed.is_dir() else top / "rules"


_RELEASE_RULES = release_rules(Path(__file__).resolve().parent.parent)
_OVERRIDES: dict[str, Path] = {}


def default_rules_root() -> Path:
    """The rules folder: ``STOD_RULES_DIR`` if set, else the release's rules (``release_rules``).

    Resolved once per process (per override value): it is asked for every case, and
    resolving walks the file system.
    """
    override = os.environ.get(RULES_DIR_ENV)
    if not override:
        return _RELEASE_RULES
    found = _OVERRIDES.get(override)
    if found is None:
        found = _OVERRIDES[override] = Path(override)
    return found
