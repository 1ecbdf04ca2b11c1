"""Rule coverage from the test run: which scenarios showed each rule met and not met.

How an area's steps use it (CSI steps do the same as the verksamhetsstöd ones)::

    from steps.coverage import record

    @then(parsers.parse('är regel "{rule_id}" uppfylld'))
    def _(prövning, rule_id, bdd_scenario):
        assert prövning.decision.finding(rule_id).status == "met"
        record(rule_id, "met", bdd_scenario)

``record(rule_id, status, scenario)``
    ``status`` is the engine's finding status: ``met``, ``not_met``, ``not_applicable`` or
    ``info`` (info counts as met). ``scenario`` is the pytest-bdd Scenario the step runs in;
    ask for the ``bdd_scenario`` fixture to get it. A plain string works too, then pass the
    feature file as ``feature=``. Records are kept only when the scenario passes, so a
    failing or ``@wip`` scenario never counts as coverage. The shared Then-steps in
    ``steps/common_steps.py`` already record; an area only needs this for steps of its own.

At the end of a run in which every scenario of ``features/<area>/`` was collected, the
registry is written to ``.pytest_cache/stod-rule-coverage.json`` as
``{rule_id: {"met": [...], "not_met": [...], "not_applicable": [...], "tagged": [...]}}``
(scenarios named ``"<feature file>: <scenario name>"``), and the run fails, naming the rule,
when a rule of such an area lacks a scenario tagged with it that shows it met and one that
shows it not met. Areas without feature files are not enforced, so rules can be written
before their features. Tags become pytest markers (``pytest -m VS-K1``); ``@wip`` marks a
scenario as a known failure (strict xfail) until the engine is fixed.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

MET, NOT_MET, NOT_APPLICABLE, INFO = "met", "not_met", "not_applicable", "info"
STATUSES = (MET, NOT_MET, NOT_APPLICABLE, INFO)
LISTS = ("met", "not_met", "not_applicable", "tagged")
RULE_TAG = re.compile(r"^[A-Z]+-[A-Z]+\d+$")
WIP = "wip"
REPORT_NAME = "stod-rule-coverage.json"
SCENARIO_KEY = pytest.StashKey[object]()
# Feature folders that document reports over the store (no rules/<folder>/, no rule ids to cover).
REPORT_FOLDERS = ("equity",)


@dataclass
class Registry:
    """Coverage of one test session: rule id -> list name -> scenario names."""

    rules: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    pending: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, rule_id: str, kind: str, scenario_name: str) -> None:
        self.rules.setdefault(rule_id, {k: set() for k in LISTS})[kind].add(scenario_name)

    def commit(self) -> None:
        for rule_id, kind, name in self.pending:
            self.add(rule_id, kind, name)
        self.pending.clear()

    def as_json(self, rule_ids: Iterable[str] = ()) -> dict:
        ids = list(dict.fromkeys([*rule_ids, *sorted(self.rules)]))
        return {rid: {k: sorted(self.rules.get(rid, {}).get(k, ())) for k in LISTS} for rid in ids}


REGISTRY = Registry()


def scenario_label(scenario, feature: str | None = None) -> str:
    """``"<feature file relative to features/>: <scenario name>"``: unique across areas."""
    if isinstance(scenario, str):
        return f"{feature}: {scenario}" if feature else scenario
    path = Path(scenario.feature.filename)
    parts = path.parts
    rel = "/".join(parts[parts.index("features") + 1:]) if "features" in parts else path.name
    return f"{rel}: {scenario.name}"


def record(rule_id: str, status: str, scenario, feature: str | None = None) -> None:
    """Note that ``scenario`` showed ``rule_id`` with ``status`` (kept if the scenario passes)."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    kind = MET if status == INFO else status
    REGISTRY.pending.append((rule_id, kind, scenario_label(scenario, feature)))


def missing_coverage(rule_ids: Iterable[str], coverage: Mapping[str, Mapping[str, Iterable[str]]],
                     absence_counts_as_not_met: Iterable[str] = ()) -> list[str]:
    """What each rule lacks, one Swedish-free line per problem; empty when fully covered.

    A rule is covered when a scenario tagged with it shows it met, another tagged one shows
    it not met, and so at least one scenario is tagged with it. For rules listed in
    ``absence_counts_as_not_met`` (rules whose failing decides nothing, such as the amount
    rules, which cannot be "not met" in a grant) a tagged scenario where the rule was not
    applied counts as the not-met side. Tags of unknown rule ids are reported too.
    """
    lenient = set(absence_counts_as_not_met)
    problems = []
    known = list(rule_ids)
    for rid in known:
        entry = coverage.get(rid, {})
        tagged = set(entry.get("tagged", ()))
        met = set(entry.get("met", ())) & tagged
        not_met = set(entry.get("not_met", ())) & tagged
        if rid in lenient:
            not_met |= set(entry.get("not_applicable", ())) & tagged
        if not tagged:
            problems.append(f"{rid}: no scenario is tagged @{rid}")
        if not met:
            problems.append(f"{rid}: no scenario tagged @{rid} shows it met")
        if not not_met:
            side = "not met (or not applied)" if rid in lenient else "not met"
            problems.append(f"{rid}: no scenario tagged @{rid} shows it {side}")
    for rid in sorted(set(coverage) - set(known)):
        if coverage[rid].get("tagged"):
            problems.append(f"{rid}: scenarios are tagged @{rid} but no rule has that id "
                            f"({', '.join(sorted(coverage[rid]['tagged']))})")
    return problems


# -- the pytest plugin ---------------------------------------------------------------------

def _features_root(config) -> Path:
    base = config.getini("bdd_features_base_dir") or "features"
    return (config.rootpath / base).resolve()


def _rule_areas() -> dict[str, tuple[list[str], set[str], str | None]]:
    """Area -> (rule ids, ids whose absence counts as not met, load error or None)."""
    import engine.api  # noqa: F401  (registers every kind's facts, as the product does)
    from engine.area import load_area
    from engine.errors import EngineError
    from engine.yamlsource import default_rules_root

    out = {}
    root = Path(default_rules_root())
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        if not (folder / "index.yaml").is_file():
            continue  # not a rule area (e.g. shared lists of codes)
        try:
            area = load_area(folder.name)
        except Exception as error:  # noqa: BLE001 - an area being written must not stop other tests
            kind = "" if isinstance(error, EngineError) else f"{type(error).__name__}: "
            out[folder.name] = ([], set(), f"{kind}{error}")
            continue
        silent_groups = {g.id for g in area.index.groups if g.outcome is None and g.id != "info"}
        lenient = {r.spec.id for r in area.rules if r.spec.group in silent_groups}
        out[folder.name] = (area.rule_ids(), lenient, None)
    return out


def _expected_instances(feature_files: list[Path]) -> dict[tuple[str, int], int]:
    """(feature file, scenario line) -> how many tests the scenario gives (1 or its examples)."""
    from pytest_bdd.feature import get_features

    out = {}
    for feature in get_features([str(p) for p in feature_files]):
        for template in feature.scenarios.values():
            rows = sum(len(list(ex.as_contexts())) for ex in template.examples)
            out[(str(Path(feature.filename).resolve()), template.line_number)] = rows or 1
    return out


def _scenario_key(item) -> tuple[str, int] | None:
    """(feature file, scenario line) of a pytest-bdd test item, None for other tests."""
    # pytest-bdd's own `--generate-missing` finds an item's scenario the same way.
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    try:
        template = scenario_wrapper_template_registry.get(getattr(item, "obj", None))
    except TypeError:  # an object that cannot be weakly referenced is no scenario
        return None
    if template is None:
        return None
    return str(Path(template.feature.filename).resolve()), template.line_number


def pytest_configure(config):
    for area, (ids, _, _) in _rule_areas().items():
        for rid in ids:
            config.addinivalue_line("markers", f"{rid}: scenarios that document rule {rid} ({area})")
    config.addinivalue_line("markers", f"{WIP}: a scenario written as the policy says that the engine "
                            "does not meet yet (strict xfail)")
    config.stash[_STATE] = _State()


@dataclass
class _State:
    expected: dict[str, dict[tuple[str, int], int]] = field(default_factory=dict)  # area -> instances
    ran: Counter = field(default_factory=Counter)  # scenario key -> tests that ran
    complete_areas: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    written: str | None = None


_STATE = pytest.StashKey[_State]()


def pytest_sessionstart(session):
    REGISTRY.rules.clear()
    REGISTRY.pending.clear()


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag, function):
    if tag == WIP:
        pytest.mark.xfail(reason="@wip: written as the policy says; the engine does not give it yet",
                          strict=True)(function)
        return True
    return None


def pytest_bdd_before_scenario(request, feature, scenario):
    request.node.stash[SCENARIO_KEY] = scenario
    label = scenario_label(scenario)
    for tag in scenario.tags | feature.tags:
        if RULE_TAG.match(tag):
            REGISTRY.pending.append((tag, "tagged", label))


@pytest.fixture
def bdd_scenario(request):
    """The pytest-bdd Scenario the current step runs in (for ``record``)."""
    return request.node.stash[SCENARIO_KEY]


def pytest_runtest_setup(item):
    REGISTRY.pending.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        if report.passed and not hasattr(report, "wasxfail"):
            REGISTRY.commit()
        REGISTRY.pending.clear()
        key = _scenario_key(item)
        if key is not None:
            item.config.stash[_STATE].ran[key] += 1


def pytest_collection_finish(session):
    state = session.config.stash[_STATE]
    root = _features_root(session.config)
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        files = sorted(folder.rglob("*.feature"))
        if files:
            state.expected[folder.name] = _expected_instances(files)


def pytest_sessionfinish(session, exitstatus):
    """Judge coverage only for areas whose every scenario ran (not for -k, -x, --lf, ...)."""
    state = session.config.stash.get(_STATE, None)
    if state is None:
        return
    state.complete_areas = [area for area, expected in state.expected.items()
                            if expected and all(state.ran[key] >= n for key, n in expected.items())]
    if not state.complete_areas:
        return
    areas = _rule_areas()
    try:
        cache_dir = session.config.getini("cache_dir")
    except ValueError:  # -p no:cacheprovider: the option is unknown, the usual place still works
        cache_dir = ".pytest_cache"
    path = Path(session.config.rootpath, cache_dir, REPORT_NAME)
    previous = {}
    if path.exists():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = {}
    report: dict = {}
    for area in state.complete_areas:
        if area not in areas and area not in REPORT_FOLDERS:
            state.problems.append(f"{area}: features/{area}/ has scenarios but rules/{area}/ has no index.yaml")
    for area, (ids, lenient, error) in areas.items():
        if area in state.complete_areas:
            if error:
                state.problems.append(f"{area}: rules cannot be loaded: {error}")
            coverage = {rid: entry for rid, entry in REGISTRY.as_json(ids).items() if rid in ids}
            report.update(coverage)
            state.problems += missing_coverage(ids, coverage, lenient)
        else:  # keep what an earlier complete run of that area found
            report.update({rid: previous[rid] for rid in ids if rid in previous})
    # Tags naming no rule of any area (a typo like @VS-K9) are problems too.
    every_id = {rid for ids, _, _ in areas.values() for rid in ids}
    stray = {rid: v for rid, v in REGISTRY.as_json().items() if rid not in every_id}
    if not any(error for _, _, error in areas.values()):  # else the unloaded area's ids look stray
        state.problems += missing_coverage([], stray)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    state.written = str(path)
    if state.problems and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    state = config.stash.get(_STATE, None)
    if state is None or not state.complete_areas:
        return
    if state.problems:
        terminalreporter.write_sep("=", "rule coverage FAILED", red=True, bold=True)
        for problem in state.problems:
            terminalreporter.write_line(f"  {problem}")
        terminalreporter.write_line("Every rule needs a scenario tagged with its id that shows it met and "
                                    "one that shows it not met (see tests/steps/coverage.py).")
    else:
        terminalreporter.write_line(f"rule coverage: complete for {', '.join(state.complete_areas)} "
                                    f"({state.written})")
