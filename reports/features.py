"""The Swedish feature files, read as documentation: which scenarios document which rule.

A small reader for the Gherkin the project writes (``# language: sv``: Egenskap, Bakgrund,
Scenario, Scenariomall, Exempel, Givet/När/Så/Och/Men, tags, tables and doc strings). It
needs no test dependency, so the rulebook and coverage commands run in production.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FEATURE = ("Egenskap", "Feature", "Funktionalitet")
BACKGROUND = ("Bakgrund", "Background")
SCENARIO = ("Scenario", "Example", "Exempel på")
OUTLINE = ("Scenariomall", "Abstrakt Scenario", "Scenarioöversikt", "Scenario Outline", "Scenario Template")
EXAMPLES = ("Exempel", "Examples", "Scenarios")
STEP_WORDS = ("Givet", "När", "Så", "Och", "Men", "Given", "When", "Then", "And", "But", "*")
RULE_TAG = re.compile(r"^[A-Z]+-[A-Z]+\d+$")


@dataclass
class Step:
    keyword: str
    text: str
    table: list[list[str]] = field(default_factory=list)
    docstring: str | None = None


@dataclass
class Examples:
    name: str
    tags: list[str]
    table: list[list[str]] = field(default_factory=list)


@dataclass
class Scenario:
    name: str
    line: int
    outline: bool
    tags: list[str]  # the scenario's own tags plus the feature's
    steps: list[Step] = field(default_factory=list)
    examples: list[Examples] = field(default_factory=list)

    def all_tags(self) -> set[str]:
        return set(self.tags) | {t for ex in self.examples for t in ex.tags}

    def instance_names(self) -> list[str]:
        """The names the test run gives: an outline's name with each Exempel row filled in."""
        if not self.outline:
            return [self.name]
        names = []
        for ex in self.examples:
            if not ex.table:
                continue
            head = ex.table[0]
            for row in ex.table[1:]:
                name = self.name
                for col, value in zip(head, row):
                    name = name.replace(f"<{col}>", value)
                names.append(name)
        return list(dict.fromkeys(names)) or [self.name]

    def rule_ids(self) -> list[str]:
        return sorted(t for t in self.all_tags() if RULE_TAG.match(t))


@dataclass
class Feature:
    path: str  # relative to the features folder
    name: str
    description: str
    tags: list[str]
    background: list[Step] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)

    def label(self, scenario: Scenario) -> str:
        """``"<feature file>: <scenario name>"``, as the test run's coverage file names it."""
        return f"{self.path}: {scenario.name}"


def _keyword(line: str, words) -> str | None:
    for word in sorted(words, key=len, reverse=True):
        if line.startswith(word + ":"):
            return line[len(word) + 1:].strip()
    return None


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1] if line.strip().endswith("|") else line.strip()[1:]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def parse_feature(text: str, path: str) -> Feature:
    feature = Feature(path, "", "", [])
    pending_tags: list[str] = []
    target_steps: list[Step] | None = None
    scenario: Scenario | None = None
    examples: Examples | None = None
    in_doc: str | None = None
    doc_lines: list[str] = []
    description: list[str] = []
    where = "top"
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if in_doc is not None:
            if line.startswith(in_doc):
                target_steps[-1].docstring = "\n".join(doc_lines)
                in_doc, doc_lines = None, []
            else:
                doc_lines.append(raw.strip())
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            pending_tags += [t[1:] for t in line.split() if t.startswith("@")]
            continue
        if (name := _keyword(line, FEATURE)) is not None:
            feature.name, feature.tags, pending_tags, where = name, pending_tags, [], "feature"
            continue
        if (name := _keyword(line, BACKGROUND)) is not None:
            target_steps, where, pending_tags = feature.background, "background", []
            continue
        if (name := _keyword(line, OUTLINE)) is not None or (name := _keyword(line, SCENARIO)) is not None:
            outline = _keyword(line, OUTLINE) is not None
            scenario = Scenario(name, number, outline, feature.tags + pending_tags)
            feature.scenarios.append(scenario)
            target_steps, examples, pending_tags, where = scenario.steps, None, [], "scenario"
            continue
        if (name := _keyword(line, EXAMPLES)) is not None and scenario is not None:
            examples = Examples(name, pending_tags)
            scenario.examples.append(examples)
            pending_tags, where = [], "examples"
            continue
        if line.startswith("|"):
            if where == "examples" and examples is not None:
                examples.table.append(_cells(line))
            elif target_steps:
                target_steps[-1].table.append(_cells(line))
            continue
        if line.startswith('"""') or line.startswith("```"):
            in_doc = line[:3]
            continue
        word = next((w for w in sorted(STEP_WORDS, key=len, reverse=True)
                     if line.startswith(w + " ") or line == w), None)
        if word and target_steps is not None and where in ("background", "scenario"):
            target_steps.append(Step(word, line[len(word):].strip()))
            continue
        if where == "feature":
            description.append(line)
    feature.description = "\n".join(description)
    return feature


def load_features(root: Path | str) -> list[Feature]:
    """Every ``*.feature`` under the folder, parsed; paths relative to it."""
    root = Path(root)
    if not root.is_dir():
        return []
    return [parse_feature(p.read_text(encoding="utf-8"), str(p.relative_to(root)).replace("\\", "/"))
            for p in sorted(root.rglob("*.feature"))]


def scenarios_by_rule(features: list[Feature]) -> dict[str, list[tuple[Feature, Scenario]]]:
    """Rule id -> the scenarios tagged with it (a feature's tags count for its scenarios)."""
    out: dict[str, list[tuple[Feature, Scenario]]] = {}
    for feature in features:
        for scenario in feature.scenarios:
            for rid in scenario.rule_ids():
                out.setdefault(rid, []).append((feature, scenario))
    return out


def default_features_root() -> Path:
    import os

    override = os.environ.get("STOD_FEATURES_DIR")
    return Path(override) if override else Path(__file__).resolve().parent.parent / "features"
