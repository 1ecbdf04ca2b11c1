"""Loading a rule area: its files read, checked against the schema and the area's package.

``Rulebook(name, source)`` reads ``rules/<name>/`` through a RuleSource and stops at the
first error, naming file, line and rule id. The result is immutable: the rules in the
policy's order, the dated parameters, the days on which something changes, and the
parameters each rule uses. Compiling (``engine.compiler``) and evaluating (``engine.area``)
are separate steps on top of it.
"""
from __future__ import annotations

from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Mapping

from pydantic import ValidationError

from . import conditions as C
from .errors import RuleFileError
from .explain import FORMATS, placeholders
from .registry import AreaSpec, UnknownArea, area_spec, load_package
from .rulecheck import check_area
from .schema import AreaIndex, ParameterFile, RuleFile, RuleSpec, problem as schema_problem, where as field_where
from .labels import AreaLabels, parse_labels, register as register_labels
from .yamlsource import FolderSource, RuleSource, content_hash, default_rules_root, line_of, parse_yaml

RECEIPT, DECISION = "receipt", "decision"  # the two dates a case's rules and values depend on


class LoadedRule:
    """One version of a rule: its spec, where it is written, and its parsed conditions."""

    __slots__ = ("spec", "path", "line", "applies_when", "when", "note_when")

    def __init__(self, spec: RuleSpec, path: str, line: int | None, applies_when: C.Condition | None,
                 when: C.Condition, note_when: C.Condition | None):
        self.spec, self.path, self.line = spec, path, line
        self.applies_when, self.when, self.note_when = applies_when, when, note_when

    @property
    def conditions(self) -> tuple:
        return (self.applies_when, self.when, self.note_when)

    def condition(self) -> C.Condition:
        """The rule's own condition as ``rule:`` references see it: applies_when and when."""
        return C.All((self.applies_when, self.when)) if self.applies_when else self.when


def text_params(spec: RuleSpec) -> list[str]:
    """The parameters a rule's texts name (``{param:name}``), in order."""
    return [n[6:] for template in spec.text.model_dump().values()
            for n, _ in placeholders(template or "") if n.startswith("param:")]


def rule_params(rule: LoadedRule, by_id: Mapping[str, LoadedRule]) -> list[str]:
    """The parameters a rule uses: its conditions (through the rules they name) and its texts."""
    def referenced(rule_id: str) -> list:
        found = by_id.get(rule_id)
        return [found.applies_when, found.when] if found is not None else []

    return list(dict.fromkeys(C.params_used(rule.conditions, referenced) + text_params(rule.spec)))


def schema_error(path: str, raw, error: ValidationError, rule_id: str | None = None,
                 model: str = "") -> RuleFileError:
    """The first thing pydantic found wrong in a file, in Swedish, at its line and rule.

    A misspelt field comes first: it shows as one unknown and one missing field.
    """
    errors = error.errors(include_url=False)
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    first = extra[0] if extra else errors[0]
    loc = first["loc"]
    if rule_id is None and len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        try:
            rule_id = raw["rules"][loc[1]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
    if extra:
        # A misspelt field shows as one unknown and one missing field under the same parent.
        missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == loc[:-1]]
        problem = (f"{field_where(loc)}: okänt fält '{loc[-1]}'; ta bort det eller rätta stavningen"
                   f"{C.suggest(str(loc[-1]), missing)}")
    else:
        problem = schema_problem(first, model)
    return RuleFileError(path, problem, line_of(raw, loc[:-1] if extra else loc), rule_id)


def _validated(model, raw, path: str):
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise schema_error(path, raw, error, model=model.__name__) from None


def _declaration(name: str, index: AreaIndex, path: str, raw) -> AreaSpec:
    """The area's declaration (its package), checked against what its index.yaml says."""
    line = getattr(raw, "line", None)
    try:
        spec = load_package(index.package) if index.package else area_spec(name)
    except UnknownArea as error:
        raise RuleFileError(path, _no_package(name, index, error), line) from None
    if spec.facts.name != index.facts:
        raise RuleFileError(path, f"facts: '{index.facts}', men områdespaketet {spec.name} definierar "
                            f"faktauppsättningen '{spec.facts.name}'; ange facts: {spec.facts.name}", line)
    if set(spec.outcomes) != set(index.outcome_titles):
        raise RuleFileError(path, f"outcome_titles: {sorted(index.outcome_titles)} stämmer inte med utfallen som "
                            f"områdespaketet anger: {sorted(spec.outcomes)}; ge varje utfall en rubrik, och "
                            "inga andra", line)
    return spec


def _no_package(name: str, index: AreaIndex, error: UnknownArea) -> str:
    """Why the index names no area package, and what to write instead."""
    known = ", ".join(error.known) or "inga"
    if index.package:
        what = str(error.what)
        why = "deklarerar inget AREA" if what.endswith("(declares no AREA)") else "går inte att importera"
        return (f"package: inget områdespaket: modulen '{index.package}' {why}; ange en modul som deklarerar "
                f"AREA, eller ta bort package: för ett av de inbyggda områdena ({known})")
    return (f"inget områdespaket för området '{name}' (kända områden: {known}); ange områdets modul med "
            "package:, eller lägg paketet under engine/areas/")


def _overlaps(a: RuleSpec, b: RuleSpec) -> bool:
    a_end, b_end = a.valid_to or date.max, b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def rule_sort_key(rule_id: str):
    prefix, rest = rule_id.split("-", 1)
    order = "ASPNKLGIR"
    return (prefix, order.index(rest[0]) if rest[0] in order else 99, int(rest[1:]))


class Rulebook:
    """An area's rules and parameters, loaded and validated; not changed after loading."""

    def __init__(self, name: str, source: RuleSource | None = None):
        self.name = name
        self.source = source or FolderSource(default_rules_root())
        paths = self.source.paths(name)
        if not paths:
            root = getattr(self.source, "root", None)
            where = f"i {root}" if root is not None else "bland filerna"
            raise RuleFileError(f"{name}/", f"inga regelfiler för området '{name}' {where}; lägg områdets "
                                f"index.yaml och regelfiler i mappen {name}/")
        self.version = content_hash(self.source, name)
        index_path = f"{name}/index.yaml"
        if index_path not in paths:
            raise RuleFileError(index_path, "filen saknas: varje område behöver en index.yaml; lägg till den")
        raw_index = parse_yaml(self.source.read(index_path), index_path)
        self.index: AreaIndex = _validated(AreaIndex, raw_index, index_path)
        self.spec: AreaSpec = _declaration(name, self.index, index_path, raw_index)
        self.facts = self.spec.facts
        labels_path = f"{name}/labels.yaml"
        self.labels = AreaLabels()  # the Swedish labels of codes, and the letter's words
        if labels_path in paths:
            self.labels = parse_labels(parse_yaml(self.source.read(labels_path), labels_path), labels_path)
            register_labels(self.labels)
        params, param_paths, raw_rules = self._read_files([p for p in paths if p not in (index_path, labels_path)])
        self.params: Mapping[str, ParameterFile] = MappingProxyType(params)
        self.param_paths: Mapping[str, str] = MappingProxyType(param_paths)
        ids = {spec.id for _, _, spec in raw_rules}
        order = {g.id: i for i, g in enumerate(self.index.groups)}
        loaded = self._load_rules(raw_rules, ids)
        # Findings read in the policy's order: by group precedence, then as written.
        self.rules: tuple[LoadedRule, ...] = tuple(sorted(loaded, key=lambda r: order.get(r.spec.group, len(order))))
        self._load_index_conditions(ids)
        self.first_day: date = min(r.spec.valid_from for r in self.rules)
        by_id = {r.spec.id: r for r in self.rules}
        self.params_by_rule: Mapping[LoadedRule, tuple[str, ...]] = MappingProxyType(
            {r: tuple(rule_params(r, by_id)) for r in self.rules})
        self.change_days: Mapping[str, tuple[date, ...]] = MappingProxyType(self._change_days())
        check_area(self)  # what would break deciding: rule: cycles, depth, list lengths, placeholders

    # -- reading ---------------------------------------------------------------------------

    def _read_files(self, paths: list[str]):
        params: dict[str, ParameterFile] = {}
        param_paths: dict[str, str] = {}
        raw_rules: list[tuple[str, Any, RuleSpec]] = []
        for path in paths:
            raw = parse_yaml(self.source.read(path), path)
            if "/parameters/" in path:
                pname = path.rsplit("/", 1)[1].removesuffix(".yaml")
                if pname == "index":
                    continue
                params[pname] = _validated(ParameterFile, raw, path)
                param_paths[pname] = path
            else:
                rule_file = _validated(RuleFile, raw, path)
                raw_rules += [(path, raw["rules"][i], spec) for i, spec in enumerate(rule_file.rules)]
        return params, param_paths, raw_rules

    def _load_rule(self, path: str, raw, spec: RuleSpec, ids: set[str]) -> LoadedRule:
        line = getattr(raw, "line", None)
        if not spec.id.startswith(self.spec.id_prefix + "-"):
            raise RuleFileError(path, f"id: regel-id {spec.id} börjar inte med områdets prefix "
                                f"'{self.spec.id_prefix}-'; ge regeln ett id som börjar med "
                                f"'{self.spec.id_prefix}-'", line, spec.id)
        types = self.facts.types
        for name in spec.shows:
            if name not in types:
                raise RuleFileError(path, f"shows: okänt faktum '{name}'; {C.FACT_FIX}{C.suggest(name, types)}",
                                    line, spec.id)
        self._check_texts(path, line, spec, types)
        parsed = {}
        for key in ("applies_when", "when", "note_when"):
            value = raw.get(key)
            try:
                parsed[key] = None if value is None else C.parse(value, types, self.params, ids,
                                                                  getattr(value, "line", line))
            except C.ConditionError as error:
                raise RuleFileError(path, f"{key}: {error.problem}", error.line or line, spec.id) from None
        return LoadedRule(spec, path, line, parsed["applies_when"], parsed["when"], parsed["note_when"])

    def _load_rules(self, raw_rules, ids: set[str]) -> list[LoadedRule]:
        seen: dict[str, list[RuleSpec]] = {}
        loaded = []
        for path, raw, spec in raw_rules:
            for earlier in seen.get(spec.id, []):
                if _overlaps(earlier, spec):
                    raise RuleFileError(path, f"två versioner av {spec.id} gäller samma dag; avsluta den äldre "
                                        "(valid_to) innan den nyare börjar gälla (valid_from)",
                                        getattr(raw, "line", None), spec.id)
            seen.setdefault(spec.id, []).append(spec)
            loaded.append(self._load_rule(path, raw, spec, ids))
        return loaded

    def _index_condition(self, raw, ids: set[str], where: str) -> C.Condition:
        try:
            return C.parse(raw, self.facts.types, self.params, ids)
        except C.ConditionError as error:
            raise RuleFileError(f"{self.name}/index.yaml", f"{where}: {error.problem}", error.line) from None

    def _load_index_conditions(self, ids: set[str]) -> None:
        index_path = f"{self.name}/index.yaml"
        grant = self.index.grant
        self.full_when = self._index_condition(grant.full_when, ids, "grant.full_when") if grant else None
        if grant is not None and grant.netting_rule and grant.netting_rule not in ids:
            raise RuleFileError(index_path, f"grant.netting_rule: okänd regel '{grant.netting_rule}'; {C.RULE_FIX}"
                                f"{C.suggest(grant.netting_rule, ids)}")
        for role, rule_id in self.spec.rules.items():
            if rule_id not in ids:
                raise RuleFileError(index_path, f"områdespaketet anger regeln {rule_id} ({role}), men ingen regelfil "
                                    f"definierar den; lägg till regeln eller rätta dess id{C.suggest(rule_id, ids)}")
        self.outcome_conditions: tuple[tuple[str, C.Condition], ...] = tuple(
            (item.outcome, self._index_condition(item.when, ids, f"eligible_outcomes[{i}].when"))
            for i, item in enumerate(self.index.eligible_outcomes))

    def _check_texts(self, path, line, spec: RuleSpec, types) -> None:
        for key, template in spec.text.model_dump().items():
            for name, fmt in placeholders(template or ""):
                if name.startswith("param:"):
                    if name[6:] not in self.params:
                        raise RuleFileError(path, f"text.{key}: okänd parameter '{name[6:]}'; {C.PARAM_FIX}"
                                            f"{C.suggest(name[6:], self.params)}", line, spec.id)
                elif name not in types:
                    raise RuleFileError(path, f"text.{key}: okänt faktum '{name}'; {C.FACT_FIX}{C.suggest(name, types)}",
                                        line, spec.id)
                if fmt is not None and fmt not in FORMATS:
                    raise RuleFileError(path, f"text.{key}: okänt format '|{fmt}'; använd ett av {', '.join(FORMATS)}"
                                        f"{C.suggest(fmt, FORMATS)}", line, spec.id)

    # -- what is in force when -------------------------------------------------------------

    def _change_days(self) -> dict[str, tuple[date, ...]]:
        """The days a rule or a parameter value changes, by the date they are looked up at.

        A parameter looked up at the decision date changes the rules of cases decided from
        that day; every other change applies to cases received from that day.
        """
        days: dict[str, set[date]] = {RECEIPT: set(), DECISION: set()}
        for rule in self.rules:
            days[RECEIPT].add(rule.spec.valid_from)
            if rule.spec.valid_to:
                days[RECEIPT].add(rule.spec.valid_to + timedelta(days=1))
        for spec in self.params.values():
            target = days[DECISION if spec.applies_at == DECISION else RECEIPT]
            target.update(spec.values)
            if spec.valid_to:
                target.add(spec.valid_to + timedelta(days=1))
        return {key: tuple(sorted(value)) for key, value in days.items()}

    def param_value(self, name: str, day: date):
        """The value of a parameter in force on a day (a RuleFileError when it has none)."""
        if name not in self.params:
            raise KeyError(f"okänd parameter '{name}'; {C.PARAM_FIX}{C.suggest(name, self.params)}")
        value = self.params[name].at(day)
        if value is None:
            raise RuleFileError(self.param_paths[name], f"parametern '{name}' har inget värde den {day}; ge den ett "
                                "värde under values som gäller den dagen, eller flytta valid_to")
        return value

    def param_day(self, name: str, receipt: date, decision: date) -> date:
        return decision if self.params[name].applies_at == DECISION else receipt

    def rules_on(self, day: date) -> list[LoadedRule]:
        return [r for r in self.rules if r.spec.valid_on(day)]

    def rule_ids(self) -> list[str]:
        return sorted({r.spec.id for r in self.rules}, key=rule_sort_key)

    def span(self) -> tuple[date, date | None]:
        """The first day any rule is in force, and the last (None: open-ended)."""
        ends = [r.spec.valid_to for r in self.rules]
        return self.first_day, (None if any(e is None for e in ends) else max(ends))

