"""The installed distribution: its version, the rulesets it runs, and the import names it owns.

The wheel installs four top-level import packages: ``engine``, ``cases``, ``reports`` and
``stod`` (the source layout fixes the first three; renaming them tree-wide would touch every
module and test while six engineers edit them). Bare names like ``engine`` could be claimed by
another distribution in the same environment, and pip would then silently overwrite one with the
other. So the distribution *owns* these names explicitly (``OWNED_TOP_LEVEL``, the same list
``setup.py`` builds the wheel from) and checks them: each must be imported from the same place as
``stod`` itself, and no other installed distribution may declare it. ``stod --version`` shows the
result, ``stod serve`` and ``/readyz`` refuse to run on a collision.
"""
from __future__ import annotations

import importlib
import importlib.metadata as metadata
from pathlib import Path

from .services.files import os_reason

DISTRIBUTION = "stodbeslut"
OWNED_TOP_LEVEL = ("engine", "cases", "reports", "stod")


def version() -> str:
    """The installed package version ("0.1.0"), or a note that the code runs uninstalled."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "okänd (ej installerat paket)"


def ruleset_versions() -> dict[str, str]:
    """Each rule area of the rules folder in use and its ruleset version (the hash of its files)."""
    from engine.yamlsource import FolderSource, content_hash, default_rules_root

    source = FolderSource(default_rules_root())
    return {area: content_hash(source, area) for area in source.areas()}


def collisions() -> list[str]:
    """What is wrong with the owned import names, in Swedish; empty when all is well.

    - an owned name imported from somewhere else than ``stod`` (another package shadows it);
    - another installed distribution that declares the same top-level name.
    """
    problems = []
    home = Path(__file__).resolve().parent.parent
    for name in OWNED_TOP_LEVEL:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            problems.append(f"{name}: paketet går inte att importera ({error})")
            continue
        # An editable install adds a path hook entry to a namespace package's path: not a folder.
        places = [Path(p).resolve() for p in getattr(module, "__path__", []) if Path(p).is_dir()]
        if not places or any(place.parent != home for place in places):
            where = ", ".join(str(p) for p in places) or "okänd plats"
            problems.append(f"{name}: importeras från {where}, inte från {home}; ett annat paket med samma "
                            "namn skuggar stodbeslut: installera stodbeslut i en egen virtuell miljö")
    for name, owners in sorted(metadata.packages_distributions().items()):
        others = sorted({o for o in owners if o.lower() != DISTRIBUTION})
        if name in OWNED_TOP_LEVEL and others:
            problems.append(f"{name}: även distributionen {', '.join(others)} installerar detta namn; "
                            "installera stodbeslut i en egen virtuell miljö")
    return problems


def version_text() -> str:
    """What ``stod --version`` prints: the package, each ruleset, and any name collision."""
    lines = [f"stodbeslut {version()}"]
    try:
        rulesets = ruleset_versions()
    except OSError as error:
        rulesets = {}
        lines.append(f"regler: kan inte läsas ({os_reason(error)})")
    from engine.yamlsource import default_rules_root

    lines.append(f"regler: {default_rules_root()}")
    lines += [f"  {area}: {ruleset}" for area, ruleset in rulesets.items()]
    if not rulesets:
        lines.append("  inga regelområden hittades (sätt STOD_RULES_DIR till en mapp med regler)")
    lines += [f"namnkrock: {problem}" for problem in collisions()]
    return "\n".join(lines)
