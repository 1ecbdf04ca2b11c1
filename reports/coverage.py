"""Rule coverage: which rules the features document met and not met, and how rules fare in production.

From the features: the scenarios tagged with each rule id (parsed from ``features/``) and,
from the last test run (``.pytest_cache/stod-rule-coverage.json``), the scenarios that passed
showing the rule met and not met. From production (the case store, optional): over the
proposals decided in a period, how often each rule was met, not met and decisive, the rules
never decisive, and the overrides of proposals each rule decided.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from html import escape
from pathlib import Path

from .common import GROUP_SV, load_areas
from .features import default_features_root, load_features, scenarios_by_rule

DEFAULT_COVERAGE_FILE = Path(__file__).resolve().parent.parent / ".pytest_cache" / "stod-rule-coverage.json"


@dataclass
class RuleCoverage:
    area: str
    rule_id: str
    title: str
    group: str
    tagged: list[str] = field(default_factory=list)  # scenarios tagged with the rule in features/
    met: list[str] = field(default_factory=list)  # passing scenarios that showed it met (test run)
    not_met: list[str] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)
    production: dict | None = None  # cases.audit.RuleFigures as a dict
    # An amount rule cannot be "not met" in a grant: for rules of a group without an outcome
    # (other than info) a scenario where the rule was not applied shows the other side. The
    # same reading as the test run's check (tests/steps/coverage.py), so both agree.
    lenient: bool = False

    run_tagged: list[str] | None = None  # the scenario instances the test run saw tagged, if it says

    def _counts(self, shown: set) -> bool:
        return bool(shown & set(self.run_tagged)) if self.run_tagged is not None else bool(shown)

    @property
    def documented_met(self) -> bool:
        return self._counts(set(self.met))

    @property
    def documented_not_met(self) -> bool:
        return self._counts(set(self.not_met) | (set(self.not_applicable) if self.lenient else set()))

    def to_dict(self) -> dict:
        out = asdict(self)
        out["documented_met"], out["documented_not_met"] = self.documented_met, self.documented_not_met
        return out


@dataclass
class CoverageReport:
    rules: list[RuleCoverage]
    test_run_file: str | None  # the coverage file used, None when there was none
    period: dict | None = None  # {"from", "to", "proposals"} when production figures were read
    overrides: list[dict] = field(default_factory=list)

    def missing(self) -> list[tuple[str, str]]:
        """(rule id, what is missing) for every rule not documented both met and not met."""
        out = []
        for r in self.rules:
            if not r.documented_met:
                out.append((r.rule_id, "met"))
            if not r.documented_not_met:
                out.append((r.rule_id, "not_met"))
        return out

    def never_decisive(self) -> list[str]:
        """Rules never decisive in the period, among the areas that had proposals in it."""
        if self.period is None:
            return []
        active = {a for a, n in self.period.get("proposals_by_area", {}).items() if n}
        return [r.rule_id for r in self.rules if r.area in active and not (r.production or {}).get("decisive")]

    def to_dict(self) -> dict:
        return {"rules": [r.to_dict() for r in self.rules], "test_run_file": self.test_run_file,
                "period": self.period, "missing": [{"rule_id": r, "missing": m} for r, m in self.missing()],
                "never_decisive": self.never_decisive() if self.period else None,
                "overrides": self.overrides}


def read_test_run(path: Path | str | None = None) -> tuple[dict, str | None]:
    """The coverage file the test run wrote, or ({}, None) when there is none."""
    path = Path(path) if path else DEFAULT_COVERAGE_FILE
    if not path.is_file():
        return {}, None
    return json.loads(path.read_text(encoding="utf-8")), str(path)


def build_coverage(areas=None, features_root=None, coverage_file=None, session=None,
                   date_from: date | None = None, date_to: date | None = None) -> CoverageReport:
    """Coverage of every rule id in rules/, with production figures when a store session is given."""
    areas = areas if areas is not None else load_areas()
    features = load_features(features_root or default_features_root())
    tagged = scenarios_by_rule(features)
    run, run_path = read_test_run(coverage_file)
    figures, period, overrides = {}, None, []
    if session is not None:
        from cases.audit import count_proposals, overrides as list_overrides, rule_figures

        figures = {rid: f.to_dict() for rid, f in rule_figures(session, date_from, date_to).items()}
        period = {"from": date_from.isoformat() if date_from else None,
                  "to": date_to.isoformat() if date_to else None,
                  "proposals": count_proposals(session, date_from, date_to),
                  "proposals_by_area": {a.name: count_proposals(session, date_from, date_to, a.name) for a in areas}}
        overrides = [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in o.items()}
                     for o in list_overrides(session, date_from, date_to)]
    rules = []
    for area in areas:
        silent = {g.id for g in area.index.groups if g.outcome is None and g.id != "info"}
        seen = set()
        for rule in area.rules:
            rid = rule.spec.id
            if rid in seen:
                continue
            seen.add(rid)
            recorded = run.get(rid, {})
            met = list(recorded.get("met", []))
            if rule.spec.group == "info":
                met += [s for s in recorded.get("info", []) if s not in met]
            rules.append(RuleCoverage(
                area=area.name, rule_id=rid, title=rule.spec.title, group=rule.spec.group,
                tagged=sorted(f.label(s) for f, s in tagged.get(rid, [])),
                met=sorted(met), not_met=sorted(recorded.get("not_met", [])),
                not_applicable=sorted(recorded.get("not_applicable", [])), lenient=rule.spec.group in silent,
                run_tagged=sorted(recorded["tagged"]) if "tagged" in recorded else None,
                production=figures.get(rid, {"met": 0, "not_met": 0, "not_applicable": 0, "info": 0,
                                             "decisive": 0, "overrides": 0, "override_codes": {}})
                if session is not None else None))
    return CoverageReport(rules, run_path, period, overrides)


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1b1b1b;max-width:80rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f0f3f7}.ok{color:#0a6b2d;font-weight:600}
.missing{color:#b00020;font-weight:600}.num{text-align:right}small{color:#555}
"""


def coverage_html(report: CoverageReport) -> str:
    """One self-contained HTML page (inline CSS, no external assets)."""
    def mark(ok: bool, n: int) -> str:
        return f'<span class="ok">ja ({n})</span>' if ok else '<span class="missing">saknas</span>'

    prod = report.period is not None
    head = ("<tr><th>Regel</th><th>Grupp</th><th>Scenarier (taggade)</th><th>Visad uppfylld</th>"
            "<th>Visad inte uppfylld</th>")
    if prod:
        head += "<th>Uppfylld</th><th>Inte uppfylld</th><th>Inte tillämplig</th><th>Avgörande</th><th>Ändrade beslut</th>"
    rows = []
    for r in report.rules:
        row = (f"<tr><td><b>{escape(r.rule_id)}</b> {escape(r.title)}</td><td>{escape(GROUP_SV.get(r.group, r.group))}</td>"
               f"<td class='num'>{len(r.tagged)}</td><td>{mark(r.documented_met, len(r.met))}</td>"
               f"<td>{mark(r.documented_not_met, len(r.not_met) + (len(r.not_applicable) if r.lenient else 0))}</td>")
        if prod:
            p = r.production or {}
            codes = ", ".join(f"{escape(c)} {n}" for c, n in sorted(p.get("override_codes", {}).items()))
            row += "".join(f"<td class='num'>{p.get(k, 0) + (p.get('info', 0) if k == 'met' else 0)}</td>"
                           for k in ("met", "not_met", "not_applicable", "decisive"))
            row += f"<td class='num'>{p.get('overrides', 0)}{' <small>(' + codes + ')</small>' if codes else ''}</td>"
        rows.append(row + "</tr>")
    period = ""
    if prod:
        p = report.period
        period = (f"<p>Produktion: {p['proposals']} beslutsförslag, period {escape(str(p['from'] or 'början'))} – "
                  f"{escape(str(p['to'] or 'idag'))}. Aldrig avgörande: "
                  f"{escape(', '.join(report.never_decisive()) or 'inga')}.</p>")
    source = escape(report.test_run_file or "ingen testkörning hittades (kör pytest först)")
    missing = ", ".join(f"{r} ({'uppfylld' if m == 'met' else 'inte uppfylld'})" for r, m in report.missing())
    return ("<!doctype html><html lang='sv'><head><meta charset='utf-8'><title>Regeltäckning</title>"
            f"<style>{CSS}</style></head><body><h1>Regeltäckning</h1>"
            f"<p><small>Testkörning: {source}</small></p>"
            f"<p>Regler som saknar dokumenterande scenario: {escape(missing) or 'inga'}.</p>{period}"
            f"<table>{head}</tr>{''.join(rows)}</table></body></html>\n")
