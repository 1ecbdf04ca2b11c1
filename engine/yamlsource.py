"""Reading rule files: where they come from, and YAML that remembers line numbers."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

import yaml

from .errors import RuleFileError
from .strictyaml import StrictComposer, check_unique_keys, finite_float


class LineDict(dict):
    """A mapping from a YAML file that knows the line it started on (1-based)."""

    line: int | None = None


class LineList(list):
    line: int | None = None


class _LineLoader(StrictComposer, yaml.SafeLoader):
    """Safe YAML that remembers lines and refuses aliases, duplicate keys and .inf/.nan (strictyaml)."""


try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml: the pure-Python loader does all of it
    _FastLoader = _LineLoader
else:
    class _FastLoader(StrictComposer, yaml.composer.Composer, CParser, yaml.constructor.SafeConstructor,
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


def _timestamp(loader: _LineLoader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as error:  # e.g. 2026-13-01: say where, like a syntax error
        raise yaml.constructor.ConstructorError(None, None, f"{node.value!r} is not a date ({error}); "
                                                "write dates as YYYY-MM-DD", node.start_mark) from None


for _loader in {_LineLoader, _FastLoader}:
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
    _loader.add_constructor("tag:yaml.org,2002:float", finite_float)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def parse_yaml(text: str, path: str):
    """Parse YAML text; a syntax error names the file and line."""
    try:
        return yaml.load(text, Loader=_FastLoader)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise RuleFileError(path, f"not valid YAML: {error.problem}", line) from None
    except RecursionError:
        raise RuleFileError(path, "not valid YAML: nested far too deeply") from None
    except yaml.YAMLError as error:
        raise RuleFileError(path, f"not valid YAML: {error}") from None
    except (ValueError, TypeError) as error:  # PyYAML's constructors, e.g. a date like 2026-13-01
        raise RuleFileError(path, f"not valid YAML: {error}; write dates as YYYY-MM-DD") from None


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
            raise RuleFileError(path, "is not UTF-8 text; save the file as UTF-8") from None

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
