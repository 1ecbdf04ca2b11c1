"""The rulebook (`stod rulebook`): every rule rendered, self-contained, escaped."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.area import Area
from engine.yamlsource import DictSource, default_rules_root
from reports.common import load_areas
from reports.rulebook import build_rulebook, production_from
from test_audit import build_store

FEATURE = """# language: sv
@VS-S2
Egenskap: Omfattande behov
  Beskrivning av <grunden>.

  Bakgrund:
    Givet en ansökan om verksamhetsstöd mottagen "2026-03-02"

  Scenariomall: Timmar kring gränsen
    Givet att ansökan avser <timmar> timmar extraordinärt stöd per vecka
    När ansökan prövas
    Så är regel "VS-S2" <utfall>

    Exempel:
      | timmar | utfall          |
      | 4,5    | inte uppfylld   |
      | 5      | uppfylld & <ok> |
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("rulebook")
    features = out / "features" / "verksamhetsstod"
    features.mkdir(parents=True)
    (features / "behov.feature").write_text(FEATURE, encoding="utf-8")
    files = build_rulebook(out / "site", features_root=out / "features", coverage_file=out / "none.json")
    return out / "site", files


def all_rule_ids():
    return [rid for area in load_areas() for rid in area.rule_ids()]


def test_every_rule_has_a_page_linked_from_the_index(site):
    root, files = site
    index = (root / "index.html").read_text(encoding="utf-8")
    for rid in all_rule_ids():
        assert (root / f"{rid}.html").is_file(), rid
        assert f'href="{rid}.html"' in index, rid
        page = (root / f"{rid}.html").read_text(encoding="utf-8")
        assert f"<h1>{rid} " in page


def test_no_external_assets(site):
    root, files = site
    for path in files:
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"\ssrc\s*=", html, re.I), path
        assert not re.search(r"<(link|script|img|iframe|object|embed)\b", html, re.I), path
        assert "url(" not in html and "@import" not in html, path
        for match in re.finditer(r'<(\w+)[^>]*\shref="([^"]+)"', html):
            tag, href = match.groups()
            if href.startswith(("http:", "https:", "//")):
                assert tag == "a", (path, match.group(0))  # only links to the basis, never an asset
            else:
                target = href.split("#")[0]
                assert not target or (root / target).is_file(), (path, href)


def test_condition_in_plain_swedish_with_parameter(site):
    page = (site[0] / "VS-S2.html").read_text(encoding="utf-8")
    assert "Antal timmar extraordinärt stöd per vecka" in page and "≥ 5" in page and "(least_extensive_hours)" in page
    assert 'id="param-least_extensive_hours"' in page and "2027-01-01" in page  # the dated history


def test_scenarios_rendered_and_escaped(site):
    page = (site[0] / "VS-S2.html").read_text(encoding="utf-8")
    assert "Timmar kring gränsen" in page and "Scenariomall" in page
    assert "<td>4,5</td>" in page and "uppfylld &amp; &lt;ok&gt;" in page
    assert "&lt;timmar&gt; timmar extraordinärt stöd" in page
    assert "mottagen &quot;2026-03-02&quot;" in page  # the Bakgrund
    other = (site[0] / "VS-K1.html").read_text(encoding="utf-8")
    assert "Inga scenarier är taggade med regeln" in other


def test_texts_from_rule_files_are_escaped(tmp_path):
    root = default_rules_root()
    files = {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in (root / "verksamhetsstod").rglob("*.yaml")}
    files["verksamhetsstod/admissibility.yaml"] = files["verksamhetsstod/admissibility.yaml"].replace(
        "title: Ansökan från rektor", 'title: "Rektor <script>alert(1)</script>"')
    area = Area("verksamhetsstod", DictSource(files))
    build_rulebook(tmp_path, areas=[area], features_root=tmp_path / "none")
    for page in ("index.html", "VS-A1.html"):
        html = (tmp_path / page).read_text(encoding="utf-8")
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_production_figures_and_overrides(tmp_path):
    store = build_store(tmp_path / "stod.db")
    with store.read() as session:
        production = production_from(session)
    store.dispose()
    build_rulebook(tmp_path / "site", production=production, features_root=tmp_path / "none")
    page = (tmp_path / "site" / "VS-G1.html").read_text(encoding="utf-8")
    assert f"Av {production.proposals} lagrade beslutsförslag" in page
    assert "SARSKILDA_SKAL" in page and "bifall → delvis_bifall" in page
    figures = production.figures["VS-A1"]
    assert figures["met"] + figures["not_met"] == production.proposals


def test_cli_rulebook(tmp_path, monkeypatch):
    from stod.cli import main

    monkeypatch.chdir(tmp_path)  # no ./stod.db here: the site is written without production figures
    result = CliRunner().invoke(main, ["rulebook", "--out", "site"])
    assert result.exit_code == 0, result.output
    assert "Regelboken är skriven" in result.output and (tmp_path / "site" / "index.html").is_file()
    assert not (tmp_path / "stod.db").exists()


def test_every_fact_in_a_condition_has_a_swedish_label():
    from engine import conditions as C
    from reports.common import swedish_labels

    used = set()

    def walk(cond):
        if isinstance(cond, C.Compare):
            used.add(cond.fact)
        elif isinstance(cond, (C.All, C.AnyOf)):
            for item in cond.items:
                walk(item)
        elif isinstance(cond, C.Not):
            walk(cond.item)

    for area in load_areas():
        for rule in area.rules:
            for cond in (rule.applies_when, rule.when, rule.note_when):
                if cond is not None:
                    walk(cond)
    labels = swedish_labels()
    assert sorted(f for f in used if f not in labels) == []
