"""The one registry of rule areas: which areas exist and what each one declares.

An area (verksamhetsstöd, CSI, …) is one package that declares, in one ``AreaSpec``
named ``AREA``: its kind, id prefix, intake model, fact definitions, outcomes (grants,
the one that asks for completion, those a caseworker may choose in an override), the
parameter holding its processing-time target, the rule ids its code depends on, and the
hooks it adds to the one decision-text builder. The generic engine knows areas only
through this registry.

The areas are the packages under ``engine/areas/`` (found, not listed), and any package
that a rules folder's ``index.yaml`` names with ``package:``; so a new area is a rules
folder and one package, and no generic code changes.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .errors import EngineError
from .facts import FactSet
from .yamlsource import default_rules_root

BUILTIN_PACKAGE = "engine.areas"
MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


class UnknownArea(EngineError):
    """No registered area has this name or kind. Attributes: ``what``, ``known``."""

    def __init__(self, what: str, known: list[str]):
        self.what, self.known = what, known
        super().__init__(f"unknown area {what!r}; known: {', '.join(known) or 'none'}")


@dataclass(frozen=True)
class AreaSpec:
    """What one rule area is: everything generic code asks an area about."""

    name: str  # the rules folder (rules/<name>/) and the ruleset's tag
    kind: str  # the "kind" of its applications
    title: str  # its name in Swedish running text ("verksamhetsstöd", "CSI")
    id_prefix: str  # of its rule ids (VS-K1) and of content-derived application ids (VS-3F…)
    position: int  # where the area is listed (reports, commands)
    intake_model: type  # the pydantic model of one application of this kind
    facts: FactSet
    outcomes: tuple[str, ...]  # every outcome a decision may have (must match index.yaml's titles)
    grant_outcomes: tuple[str, ...] = ()  # outcomes that grant money (and need an amount)
    completion_outcome: str | None = None  # the outcome that asks for completion
    override_outcomes: tuple[str, ...] = ()  # what a caseworker may decide instead of the proposal
    processing_target: str | None = None  # the parameter holding the processing-time target (days)
    rules: Mapping[str, str] = field(default_factory=dict)  # role -> rule id that code depends on
    # Hooks of the one decision letter (engine.letter): header, reasons, own_groups -> function.
    text_sections: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    # The facts a grant's amount, level and period are read from (areas whose index has a grant).
    grant_facts: Mapping[str, str] = field(default_factory=dict)  # amount, level, start_month, end_month
    # Parameters generic code looks up: completion_deadline (days), non_school_months.
    parameters: Mapping[str, str] = field(default_factory=dict)
    checks: tuple[Callable[[Any], list], ...] = ()  # the area's own static checks: area -> defects
    # The policy's bounds of an override to a grant: (area, app, proposal, outcome, level, period,
    # amount) -> terms with the engine's amount for them, or an IntakeError naming the option.
    grant_terms: Callable[..., Any] | None = None
    # Intake checks beyond the model that need the rules: (area, raw application object) -> the
    # problems as (field, Swedish message) pairs; they run whether or not the model is valid, so
    # a file's problems are all listed at once (engine.intake_errors).
    intake_checks: tuple[Callable[[Any, dict], Any], ...] = ()

    def rule(self, role: str) -> str:
        return self.rules[role]


_BY_NAME: dict[str, AreaSpec] = {}
_DISCOVERED = False


_SORTED: list[AreaSpec] | None = None  # areas() in order, kept until the next register()


def register(spec: AreaSpec) -> AreaSpec:
    """Add an area (its package calls this through ``load_package``)."""
    global _SORTED
    _BY_NAME[spec.name] = spec
    _SORTED = None
    return spec


def load_package(module: str) -> AreaSpec:
    """Import an area package and register the ``AREA`` it declares."""
    if not isinstance(module, str) or not MODULE_NAME.fullmatch(module):
        raise UnknownArea(str(module), names())
    try:
        package = importlib.import_module(module)
    except ImportError as error:
        raise UnknownArea(module, names()) from error
    spec = getattr(package, "AREA", None)
    if not isinstance(spec, AreaSpec):
        raise UnknownArea(f"{module} (declares no AREA)", names())
    return register(spec)


PACKAGE_LINE = re.compile(r"^package:\s*[\"']?([^\s\"'#]+)", re.MULTILINE)


def _discover() -> None:
    """The packages under engine/areas/, then those the rules folder's indexes name."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    _DISCOVERED = True
    base = importlib.import_module(BUILTIN_PACKAGE)
    for info in sorted(pkgutil.iter_modules(base.__path__), key=lambda i: i.name):
        if info.ispkg:
            load_package(f"{BUILTIN_PACKAGE}.{info.name}")
    root = default_rules_root()
    for index in sorted(root.glob("*/index.yaml")) if root.is_dir() else []:
        found = PACKAGE_LINE.search(index.read_text(encoding="utf-8", errors="replace"))
        if found:
            try:
                load_package(found.group(1))
            except UnknownArea:
                pass  # loading that area says so, with the file and line


_BY_KIND: dict[str, AreaSpec] = {}  # the first area in areas()' order for each kind, made with _SORTED


def _current() -> list[AreaSpec]:
    """The registered areas in order (and ``_BY_KIND``), sorted again only when they changed."""
    global _SORTED, _BY_KIND
    _discover()
    if _SORTED is None or len(_SORTED) != len(_BY_NAME):  # asked for every case: sorted once
        _SORTED = sorted(_BY_NAME.values(), key=lambda spec: (spec.position, spec.name))
        _BY_KIND = {}
        for spec in _SORTED:
            _BY_KIND.setdefault(spec.kind, spec)
    return _SORTED


def areas() -> list[AreaSpec]:
    """Every registered area, in the order of their positions."""
    return list(_current())


def names() -> list[str]:
    _discover()
    return [spec.name for spec in areas()]


def kinds() -> list[str]:
    return [spec.kind for spec in areas()]


def area_spec(name: str) -> AreaSpec:
    _discover()
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownArea(name, names()) from None


def spec_for_kind(kind: str) -> AreaSpec:
    _current()
    spec = _BY_KIND.get(kind) if isinstance(kind, str) else None
    if spec is None:
        raise UnknownArea(kind, kinds())
    return spec


def title_of(name) -> str:
    """An area's (or a kind's) name in Swedish running text; an unknown one as it is written."""
    _current()
    spec = (_BY_NAME.get(name) or _BY_KIND.get(name)) if isinstance(name, str) else None
    return spec.title if spec is not None else str(name)


def is_kind(kind) -> bool:
    _current()
    return isinstance(kind, str) and kind in _BY_KIND
