"""The rulebook: a static, self-contained HTML site of every rule, for principals and auditors.

``build_rulebook(out_dir)`` writes ``index.html``, one page per rule (``VS-K1.html``) and one
page of parameters per area. Each rule page gives the Swedish title, the condition in plain
Swedish, the basis with links, the effective dates, the history of every parameter it uses,
the scenarios that document it (rendered from ``features/``) and, when a case store is given,
its production figures. No external assets: CSS is inline, there is no script and no image;
the only links out are the basis references. Every text from files is escaped.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

from .common import GROUP_SV, STATUS_SV, condition_html, load_areas, rule_params, value_sv
from .features import Feature, Scenario, default_features_root, load_features, scenarios_by_rule

CSS = """
:root{--ink:#1b1b1b;--muted:#555;--line:#d5d9e0;--accent:#00609c;--bg:#f6f8fa}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--ink);margin:0;line-height:1.45}
header{background:var(--accent);color:#fff;padding:1rem 2rem}header a{color:#fff}
main{padding:1rem 2rem;max-width:70rem}h1,h2,h3{line-height:1.2}a{color:var(--accent)}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.92rem}th,td{border:1px solid var(--line);
padding:.3rem .55rem;text-align:left;vertical-align:top}th{background:var(--bg)}
code{background:var(--bg);padding:0 .25rem;border-radius:3px;font-size:.85em}code.fact{color:var(--muted)}
.cond{background:var(--bg);border-left:4px solid var(--accent);padding:.5rem 1rem;margin:.5rem 0}
.cond ul{margin:.2rem 0 .2rem 1.2rem;padding:0}.scenario{border:1px solid var(--line);border-radius:6px;
padding:.5rem 1rem;margin:.7rem 0}.kw{font-weight:700;color:var(--accent)}.tag{font-size:.8rem;
background:#e7eef6;border-radius:3px;padding:0 .3rem;margin-right:.3rem}.muted{color:var(--muted)}
.ok{color:#0a6b2d;font-weight:600}.missing{color:#b00020;font-weight:600}.num{text-align:right}
"""


@dataclass
class Production:
    """Figures from the case store: per rule id (``cases.audit.RuleFigures`` dicts) and overrides."""

    figures: dict[str, dict]
    overrides: list[dict]
    proposals: int


def production_from(session, date_from=None, date_to=None) -> Production:
    from cases.audit import count_proposals, overrides, rule_figures

    figures = {rid: f.to_dict() for rid, f in rule_figures(session, date_from, date_to).items()}
    return Production(figures, overrides(session, date_from, date_to), count_proposals(session, date_from, date_to))


def _page(title: str, body: str, home: bool = False) -> str:
    nav = "" if home else '<a href="index.html">← Regelboken</a> · '
    return ("<!doctype html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
            f"<header>{nav}<strong>Stödbeslut – regelbok</strong></header><main>{body}</main></body></html>\n")


def _rule_link(rule_id: str) -> str:
    return f'<a href="{escape(rule_id)}.html">{escape(rule_id)}</a>'


def _basis_html(basis) -> str:
    items = []
    for b in basis:
        kind = {"S": "Källa", "A": "Stadens val", "S+A": "Källa och stadens val"}.get(b.kind, b.kind)
        link = ""
        if b.url and b.url.startswith(("https://", "http://")):
            link = f' – <a href="{escape(b.url)}" rel="noopener">{escape(b.url)}</a>'
        items.append(f"<li><b>{escape(kind)}:</b> {escape(b.text)}{link}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _param_history(area, name: str) -> str:
    spec = area.params[name]
    rows = "".join(
        f"<tr><td>{escape(d.isoformat())}</td><td>{escape(value_sv(v.value))}</td>"
        f"<td>{escape(v.note or '')}</td></tr>" for d, v in sorted(spec.values.items()))
    end = f"<p>Gäller till och med {escape(spec.valid_to.isoformat())}.</p>" if spec.valid_to else ""
    when = {"receipt": "mottagningsdagen", "month": "varje månad för sig", "decision": "beslutsdagen",
            "term": "terminen"}.get(spec.applies_at, spec.applies_at)
    return (f'<section id="param-{escape(name)}"><h3>{escape(name)}</h3><p>{escape(spec.description)} '
            f'<span class="muted">(enhet {escape(spec.unit)}; värdet tas vid {escape(when)})</span></p>'
            f"<table><tr><th>Från</th><th>Värde</th><th>Not</th></tr>{rows}</table>{end}"
            f"{_basis_html(spec.basis)}</section>")


def _table_html(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
    return f"<table><tr>{head}</tr>{body}</table>"


def _steps_html(steps) -> str:
    out = []
    for step in steps:
        extra = _table_html(step.table)
        if step.docstring is not None:
            extra += f"<pre>{escape(step.docstring)}</pre>"
        out.append(f'<li><span class="kw">{escape(step.keyword)}</span> {escape(step.text)}{extra}</li>')
    return f"<ul>{''.join(out)}</ul>"


def _scenario_html(feature: Feature, scenario: Scenario, coverage: dict) -> str:
    labels = {f"{feature.path}: {name}" for name in scenario.instance_names()}
    shown = [STATUS_SV[k] for k in ("met", "not_met", "not_applicable") if labels & set(coverage.get(k, []))]
    result = f' <span class="ok">visar regeln {escape(" och ".join(shown))}</span>' if shown else ""
    tags = "".join(f'<span class="tag">@{escape(t)}</span>' for t in sorted(scenario.all_tags()))
    kind = "Scenariomall" if scenario.outline else "Scenario"
    background = ""
    if feature.background:
        background = f'<details><summary>Bakgrund</summary>{_steps_html(feature.background)}</details>'
    examples = "".join(f"<p><b>Exempel{': ' + escape(ex.name) if ex.name else ''}</b></p>{_table_html(ex.table)}"
                       for ex in scenario.examples)
    return (f'<div class="scenario"><p><b>{kind}:</b> {escape(scenario.name)}{result}<br>'
            f'<span class="muted">{escape(feature.path)}:{scenario.line}</span> {tags}</p>{background}'
            f"{_steps_html(scenario.steps)}{examples}</div>")


def _production_html(rule_id: str, production: Production | None) -> str:
    if production is None:
        return "<p class='muted'>Ingen ärendedatabas angavs (stod rulebook --db …).</p>"
    f = production.figures.get(rule_id, {})
    rows = [("Uppfylld", f.get("met", 0) + f.get("info", 0)), ("Inte uppfylld", f.get("not_met", 0)),
            ("Inte tillämplig", f.get("not_applicable", 0)), ("Avgörande", f.get("decisive", 0)),
            ("Ändrade beslut där regeln var avgörande", f.get("overrides", 0))]
    table = "".join(f"<tr><td>{escape(k)}</td><td class='num'>{v}</td></tr>" for k, v in rows)
    listed = [o for o in production.overrides if rule_id in (o.get("proposal_decisive_rules") or [])]
    overrides = ""
    if listed:
        lines = "".join(
            f"<tr><td>{escape(str(o['case_id']))}</td><td>{escape(str(o['decision_date']))}</td>"
            f"<td>{escape(str(o['proposal_outcome']))} → {escape(str(o['decision_outcome']))}</td>"
            f"<td>{escape(str(o['reason_code']))}</td><td>{escape(str(o.get('decided_by') or ''))}</td></tr>"
            for o in listed)
        overrides = ("<h3>Ändrade beslut</h3><table><tr><th>Ärende</th><th>Beslutsdag</th><th>Förslag → beslut</th>"
                     f"<th>Skälkod</th><th>Handläggare</th></tr>{lines}</table>")
    return (f"<p>Av {production.proposals} lagrade beslutsförslag:</p><table>{table}</table>{overrides}")


def _rule_page(area, versions, scenarios, coverage: dict, production: Production | None) -> str:
    latest = versions[-1]
    spec = latest.spec
    parts = [f"<h1>{escape(spec.id)} {escape(spec.title)}</h1>",
             f"<p class='muted'>{escape(area.index.title)} · {escape(GROUP_SV.get(spec.group, spec.group))}</p>"]
    group = next((g for g in area.index.groups if g.id == spec.group), None)
    if group and group.outcome:
        parts.append(f"<p>Är regeln inte uppfylld blir utfallet <b>{escape(area.index.outcome_titles.get(group.outcome, group.outcome))}</b>"
                     " (om ingen regel i en tidigare grupp redan avgör).</p>")
    for rule in reversed(versions):
        s = rule.spec
        day = max(s.valid_from, min(date.today(), s.valid_to or date.max))
        dates = f"Gäller från {s.valid_from.isoformat()}" + (f" till och med {s.valid_to.isoformat()}" if s.valid_to else "")
        block = [f"<h2>{escape(dates)}</h2>", f"<p>{escape(s.description)}</p>"]
        if rule.applies_when is not None:
            block.append("<p><b>Prövas när</b></p><div class='cond'>"
                         f"{condition_html(rule.applies_when, area, day, _rule_link)}</div>")
        block.append("<p><b>Uppfylld när</b></p><div class='cond'>"
                     f"{condition_html(rule.when, area, day, _rule_link)}</div>")
        block.append(f"<p class='muted'>Parametervärden som gäller {escape(day.isoformat())}. "
                     f"Regelfil: <code>{escape(rule.path)}:{rule.line}</code></p>")
        block.append("<p><b>Text när regeln är uppfylld:</b> " + escape(s.text.met) + "</p>")
        block.append("<p><b>Text när regeln inte är uppfylld:</b> " + escape(s.text.not_met) + "</p>")
        block.append("<h3>Grund</h3>" + _basis_html(s.basis))
        parts += block
    names = []
    for rule in versions:
        names += rule_params(area, rule)
    names = list(dict.fromkeys(names))
    parts.append("<h2>Parametrar och deras historik</h2>")
    parts.append("".join(_param_history(area, n) for n in names) or "<p class='muted'>Regeln använder inga parametrar.</p>")
    parts.append(f"<h2>Scenarier som dokumenterar regeln ({len(scenarios)})</h2>")
    met, not_met = bool(coverage.get("met") or coverage.get("info")), bool(coverage.get("not_met"))
    if coverage:
        parts.append(f"<p>Senaste testkörning: visad uppfylld <span class='{'ok' if met else 'missing'}'>"
                     f"{'ja' if met else 'nej'}</span>, visad inte uppfylld <span class='{'ok' if not_met else 'missing'}'>"
                     f"{'ja' if not_met else 'nej'}</span>.</p>")
    parts.append("".join(_scenario_html(f, s, coverage) for f, s in scenarios)
                 or "<p class='missing'>Inga scenarier är taggade med regeln.</p>")
    parts.append("<h2>Utfall i produktion</h2>" + _production_html(spec.id, production))
    return _page(f"{spec.id} {spec.title}", "".join(parts))


def _params_page(area) -> str:
    body = [f"<h1>Parametrar – {escape(area.index.title)}</h1>",
            "<p>Varje värde gäller från sitt datum till nästa.</p>"]
    body += [_param_history(area, name) for name in sorted(area.params)]
    return _page(f"Parametrar – {area.index.title}", "".join(body))


def _index_page(areas, by_rule, coverage, production) -> str:
    body = ["<h1>Regelbok</h1><p>Alla regler som stödbesluten fattas efter, med villkor, grund, giltighet, "
            "parametrar, de scenarier som visar dem och hur de utfaller i ärendena.</p>"]
    if production is not None:
        body.append(f"<p>Produktionssiffror från {production.proposals} lagrade beslutsförslag.</p>")
    for area in areas:
        body.append(f"<h2>{escape(area.index.title)}</h2><p>{escape(area.index.description)}</p>"
                    f"<p>Regelversion <code>{escape(area.version)}</code> · "
                    f'<a href="params-{escape(area.name)}.html">Parametrar</a></p>')
        for group in area.index.groups:
            ids = [rid for rid in area.rule_ids() if any(r.spec.id == rid and r.spec.group == group.id for r in area.rules)]
            if not ids:
                continue
            outcome = (f" – inte uppfylld ger {escape(area.index.outcome_titles.get(group.outcome, group.outcome))}"
                       if group.outcome else "")
            rows = []
            for rid in ids:
                spec = [r for r in area.rules if r.spec.id == rid][-1].spec
                cov = coverage.get(rid, {})
                doc = (("✓" if cov.get("met") or cov.get("info") else "–") + " / " + ("✓" if cov.get("not_met") else "–")) if coverage else ""
                rows.append(f"<tr><td>{_rule_link(rid)}</td><td>{escape(spec.title)}</td>"
                            f"<td>{escape(spec.valid_from.isoformat())}{' – ' + escape(spec.valid_to.isoformat()) if spec.valid_to else ''}</td>"
                            f"<td class='num'>{len(by_rule.get(rid, []))}</td><td>{doc}</td></tr>")
            body.append(f"<h3>{escape(group.title)}{outcome}</h3><table><tr><th>Regel</th><th>Titel</th><th>Gäller</th>"
                        f"<th>Scenarier</th><th>Visad uppfylld / inte</th></tr>{''.join(rows)}</table>")
    return _page("Regelbok", "".join(body), home=True)


def build_rulebook(out_dir: Path | str, areas=None, features_root=None, coverage_file=None,
                   production: Production | None = None) -> list[Path]:
    """Write the site; returns the files written."""
    from .coverage import read_test_run

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    areas = areas if areas is not None else load_areas()
    by_rule = scenarios_by_rule(load_features(features_root or default_features_root()))
    coverage, _ = read_test_run(coverage_file)
    written = []

    def write(name: str, html: str) -> None:
        path = out / name
        path.write_text(html, encoding="utf-8")
        written.append(path)

    write("index.html", _index_page(areas, by_rule, coverage, production))
    for area in areas:
        write(f"params-{area.name}.html", _params_page(area))
        for rid in area.rule_ids():
            versions = sorted((r for r in area.rules if r.spec.id == rid), key=lambda r: r.spec.valid_from)
            write(f"{rid}.html", _rule_page(area, versions, by_rule.get(rid, []), coverage.get(rid, {}), production))
    return written
