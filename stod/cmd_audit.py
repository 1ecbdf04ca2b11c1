"""Commands for auditors: rules check, rulebook, coverage, replay, what-if, audit verify, stats.

Each command parses its arguments, calls one function in engine/checks.py, reports/ or
cases/audit.py, and formats the result.
"""
from __future__ import annotations

import json

import click
from rich.table import Table

from engine.sensitive import shown_path
from engine.swedish import count

from .cmd_check import AREAS, load_areas
from .common import InputProblem, console, handle_errors, new_file, output_path, print_json, safe, workers_option
from .services.files import file_bytes, os_reason


@click.command("check")
@click.option("--area", type=click.Choice(AREAS), help="Only this area.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, exists=True),
              help="A rules folder to check instead of rules/ (e.g. a proposed change).")
@click.option("--json", "as_json", is_flag=True, help="Print the defects as JSON.")
@handle_errors
def rules_check(area, rules_dir, as_json):
    """Static checks: level tables, parameter dates, constant rules, contradictions.

    Exits 1 when a defect is found, 2 when the folder holds no rule area.

    Example: stod rules check --area verksamhetsstod
    """
    from engine.checks import check_areas

    areas = load_areas(area, rules_dir)
    defects = check_areas(areas)
    if as_json:
        print_json({"areas": {a.name: a.version for a in areas}, "defects": [d.to_dict() for d in defects]})
    elif not defects:
        for a in areas:
            console.print(f"{a.name} (version {a.version}): {len(a.rules)} regler, {len(a.params)} parametrar — "
                          "inga fel hittades")
    else:
        table = Table(title=f"Fel i reglerna ({len(defects)})")
        for col in ("slag", "gäller", "var", "fel"):
            table.add_column(col, overflow="fold")
        for d in defects:
            table.add_row(safe(d.kind), safe(d.subject), safe(d.where(), None), safe(d.problem, None))
        console.print(table)
    if defects:
        raise SystemExit(1)


# --- the case store ----------------------------------------------------------------------

DB_HELP = "The case store: a SQLite path or a database URL (default STOD_DATABASE_URL, else ./stod.db)."


def _store_if_any(db: str | None):
    """The store when one is named or the default one exists; None otherwise. Nothing is created."""
    import os

    from cases.store import DEFAULT_DB, ENV_URL

    if db or os.environ.get(ENV_URL) or os.path.exists(DEFAULT_DB):
        return _store(db)
    return None


def _store(db: str | None):
    """The existing store (these commands only read): a missing one is exit 2, "ingen databas på …"."""
    from cases.errors import InputRefused, StoreUnavailable
    from cases.store import open_store

    from .common import InputProblem

    try:
        return open_store(db, must_exist=True)
    except (StoreUnavailable, InputRefused) as error:
        raise InputProblem(str(error)) from None


def _period(date_from, date_to):
    from .common import parse_period

    return parse_period(date_from, date_to)


def _sek(value) -> str:
    from engine.explain import sek

    return sek(value or 0)


# --- rulebook -----------------------------------------------------------------------------

@click.command("rulebook")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write the site to.")
@click.option("--db", help=DB_HELP + " Adds production figures.")
@click.option("--from", "date_from", help="Production figures from this decision date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Production figures up to this decision date (YYYY-MM-DD).")
@handle_errors
def rulebook(out_dir, db, date_from, date_to):
    """Write the rulebook: a static HTML site of every rule, for principals and auditors.

    Example: stod rulebook --out regelbok --db stod.db
    """
    from reports.rulebook import build_rulebook, production_from

    output_path(out_dir, "--out", "regelbok-ÅÅÅÅ-MM-DD")
    start, end = _period(date_from, date_to)
    store = _store_if_any(db)
    production = None
    if store is not None:
        with store.read() as session:
            production = production_from(session, start, end)
        store.dispose()
    files = build_rulebook(out_dir, production=production)
    extra = f", produktionssiffror från {production.proposals} beslutsförslag" if production else ""
    shown_dir = safe(shown_path(out_dir), None)
    console.print(f"Regelboken är skriven: {len(files)} sidor i {shown_dir}{extra} (öppna {shown_dir}/index.html).")


# --- coverage -----------------------------------------------------------------------------

@click.command("coverage")
@click.option("--from", "date_from", help="Production: decisions from this date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Production: decisions up to this date (YYYY-MM-DD).")
@click.option("--db", help=DB_HELP)
@click.option("--html", "html_file", type=click.Path(dir_okay=False), help="Also write the report as one HTML page.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--coverage-file", type=click.Path(dir_okay=False),
              help="The test run's coverage file (default .pytest_cache/stod-rule-coverage.json).")
@handle_errors
def coverage(date_from, date_to, db, html_file, as_json, coverage_file):
    """Rule coverage: documented met and not met by the features; met, not met, decisive in production.

    Exits 1 when a rule lacks a scenario showing it met or not met, or when there is no test
    run to read (run pytest first).

    Example: stod coverage --from 2026-01-01 --to 2026-12-31 --html tackning.html
    """
    from reports.coverage import build_coverage, coverage_html

    output_path(html_file, "--html")
    start, end = _period(date_from, date_to)
    store = _store_if_any(db)
    if store is not None:
        with store.read() as session:
            report = build_coverage(coverage_file=coverage_file, session=session, date_from=start, date_to=end)
        store.dispose()
    else:
        report = build_coverage(coverage_file=coverage_file)
    if not report.test_run_file:
        raise click.ClickException("ingen testkörning hittades (kör pytest först, eller ange --coverage-file); "
                                   "täckningen kunde inte prövas")
    if html_file:
        try:
            with open(html_file, "w", encoding="utf-8") as handle:
                handle.write(coverage_html(report))
        except OSError as error:
            raise InputProblem(f"--html: {shown_path(html_file)} går inte att skriva "
                               f"({os_reason(error, writing=True)}); ange en annan sökväg") from None
    if as_json:
        print_json(report.to_dict())
    else:
        _print_coverage(report)
    if report.missing():
        raise SystemExit(1)


def _print_coverage(report) -> None:
    prod = report.period is not None
    table = Table(title="Regeltäckning: scenarier (visad uppfylld / inte uppfylld)"
                  + (" och utfall i produktion" if prod else ""))
    table.add_column("regel", no_wrap=True, min_width=6)
    if not prod:
        table.add_column("titel", max_width=40, no_wrap=True, overflow="ellipsis")
    for col in ("scen", "uppf", "ej"):
        table.add_column(col, justify="right", no_wrap=True)
    if prod:
        for col in ("uppf", "ej", "e.p.", "avg", "ändr"):
            table.add_column(col, justify="right", no_wrap=True)
    for r in report.rules:
        shown_not_met = len(r.not_met) + (len(r.not_applicable) if r.lenient else 0)
        row = [r.rule_id] + ([] if prod else [r.title]) + [str(len(r.tagged)),
               str(len(r.met)) if r.documented_met else "[red]saknas[/]",
               str(shown_not_met) if r.documented_not_met else "[red]saknas[/]"]
        if prod:
            p = r.production
            row += [str(p["met"] + p["info"]), str(p["not_met"]), str(p["not_applicable"]), str(p["decisive"]),
                    str(p["overrides"])]
        table.add_row(*row)
    console.print(table)
    if prod:
        console.print("Produktion: uppf = uppfylld, ej = inte uppfylld, e.p. = inte prövad, "
                      "avg = avgörande, ändr = ändrade beslut där regeln var avgörande.")
    console.print(f"Testkörning: {report.test_run_file or 'ingen hittades – kör pytest först'}")
    if prod:
        console.print(f"Beslutsförslag i perioden: {report.period['proposals']}. Aldrig avgörande: "
                      f"{', '.join(report.never_decisive()) or 'inga'}. Ändrade beslut: {len(report.overrides)}"
                      + _above_computed(report.overrides) + ".")
    missing = report.missing()
    if missing:
        console.print("[red]Saknar scenario:[/] " + ", ".join(
            f"{rid} ({'uppfylld' if m == 'met' else 'inte uppfylld'})" for rid, m in missing))


def _above_computed(overrides: list[dict]) -> str:
    above = [str(o["case_id"]) for o in overrides if o.get("above_computed")]
    return f", varav {len(above)} med belopp över motorns beräkning (ärende {', '.join(above)})" if above else ""


# --- replay -------------------------------------------------------------------------------

@click.command("replay")
@click.argument("case", required=False)
@click.option("--all", "replay_every", is_flag=True, help="Replay every stored proposal.")
@click.option("--db", help=DB_HELP)
@workers_option
@click.option("--strict", is_flag=True, help="Also fail (exit 1) when only the wording of a decision text differs.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@handle_errors
def replay(case, replay_every, db, workers, strict, as_json):
    """Decide stored proposals again with the rules of their version and date; report any difference.

    Exits 1 when a proposal differs or cannot be replayed.

    Example: stod replay --all    |    stod replay 12
    """
    from cases.errors import NotFound
    from cases.store import find_case
    from reports.replay import replay_all


    if bool(case) == bool(replay_every):
        raise InputProblem("CASE eller --all: ange ett ärende (nummer eller ansöknings-id) eller --all för alla, "
                           + ("inte båda" if case else "t.ex. stod replay 12 eller stod replay --all"))
    store = _store(db)
    try:
        case_ids = None
        if case:
            with store.read() as session:
                try:
                    case_ids = [find_case(session, case).id]
                except NotFound as error:
                    raise InputProblem(str(error)) from None
        report = replay_all(store.url, workers=workers, case_ids=case_ids)
    finally:
        store.dispose()
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(f"Omprövade {report.replayed} av {report.proposals} beslutsförslag på {report.seconds:.2f} s "
                      f"({report.workers} process(er)): {report.identical} identiska "
                      f"({report.identical_share:.1%}), {report.differing} avviker, "
                      f"{report.not_replayable} kunde inte omprövas.", highlight=False)
        if report.round_proposals:
            console.print(f"{report.round_proposals} förslag från CSI-placeringsomgångar omprövades inte: ett sådant "
                          "förslag beror på omgångens alla ansökningar och lediga platser, och omprövning av hela "
                          "omgångar är inte byggd än.", highlight=False)
        if report.text_only:
            console.print(f"{report.text_only} skiljer bara i beslutstextens formulering (motorns textkod har "
                          "ändrats sedan beslutet; utfall, belopp och regler är desamma).", highlight=False)
        for key, n in sorted(report.versions.items()):
            console.print(f"  regelversion {key}: {n}")
        if report.differences:
            table = Table(title="Skillnader (lagrat mot omprövat)")
            for col in ("ärende", "förslag", "fält", "lagrat", "omprövat"):
                table.add_column(col, overflow="fold")
            for d in report.differences[:50]:
                table.add_row(f"{d.case_id} {safe(d.application_id)}", str(d.decision_id), safe(d.field),
                              safe(_short(d.stored)), safe(_short(d.replayed)))
            console.print(table)
        for p in report.problems[:20]:
            console.print(f"[red]ärende {p['case_id']} ({safe(p['application_id'])}), förslag {p['decision_id']}:[/] "
                          f"{safe(p['problem'], None)}")
    if not report.ok or (strict and report.text_only):
        raise SystemExit(1)
    if not report.proposals:
        raise click.ClickException("inga beslutsförslag att ompröva: ingenting jämfördes")


def _short(value, limit: int = 120) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


# --- what-if ------------------------------------------------------------------------------

@click.command("whatif")
@click.option("--rules", "rules_dir", required=True, type=click.Path(file_okay=False, exists=True),
              help="A proposed rules folder, laid out like rules/.")
@click.option("--from", "date_from", help="Cases with a proposal from this date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Cases with a proposal up to this date (YYYY-MM-DD).")
@click.option("--db", help=DB_HELP)
@click.option("--sample", default=5, show_default=True, type=click.IntRange(0, 1000), help="Changed cases to show in full.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@workers_option
@handle_errors
def whatif_cmd(rules_dir, date_from, date_to, db, sample, as_json, workers):
    """What a proposed rule change would do to the stored cases; nothing is stored.

    --rules is a whole rules tree laid out like rules/ (the folder that holds verksamhetsstod/
    and csi/); check it first with stod rules validate --rules. Exits 2 when the folder holds
    no rule area, 1 when there was no case to compare.

    Example: stod whatif --rules forslag --from 2026-01-01
    """
    from reports.whatif import whatif

    load_areas(None, rules_dir)  # a folder with no rule area is refused before anything is read
    start, end = _period(date_from, date_to)
    store = _store(db)
    try:
        with store.read() as session:
            report = whatif(session, rules_dir, start, end, sample, workers)
    finally:
        store.dispose()
    if as_json:
        print_json(report.to_dict())
    else:
        _print_whatif(report, rules_dir)
    if report.cases == 0:
        raise click.ClickException(f"inga ärenden att pröva med {rules_dir}"
                                   + (f" ({report.round_cases} CSI-ärenden från placeringsomgångar prövas inte)"
                                      if report.round_cases else "")
                                   + (f"; {count(len(report.errors), 'ett ärende/ärenden', False)} kunde inte "
                                      "prövas (se ovan)" if report.errors else "") + "; ingenting jämfördes")


def _print_whatif(report, rules_dir) -> None:
    console.print(f"Föreslagna regler {safe(rules_dir, None)} ({', '.join(f'{a}@{v}' for a, v in report.versions.items())}): "
                  f"{count(report.cases, 'ett ärende/ärenden', False)} har prövats, {report.changed} får annat "
                  "utfall eller belopp.")
    table = Table(title="Förändrade utfall")
    table.add_column("före → efter")
    table.add_column("ärenden", justify="right")
    for key, n in report.transitions.items():
        table.add_row(safe(key), str(n))
    console.print(table)
    console.print(f"Beviljat belopp före: {_sek(report.money_before)}, efter: {_sek(report.money_after)} "
                  f"(skillnad {_sek(report.money_after - report.money_before)}).")
    for c in report.sample:
        console.rule(f"Ärende {c.case_id} {safe(c.application_id)}: {safe(c.before_outcome)} → {safe(c.after_outcome)}")
        console.print(f"Belopp före {_sek(c.before_amount)}, efter {_sek(c.after_amount)}")
        console.print("Före: " + safe(" | ".join(c.before_reasons) or "–", None))
        console.print("Efter: " + safe(" | ".join(c.after_reasons) or "–", None))
    if report.round_cases:
        console.print(f"{report.round_cases} CSI-ärenden med förslag från en placeringsomgång prövades inte "
                      "(en omgång avgör alla ansökningar tillsammans).", highlight=False)
    for e in report.errors[:10]:
        console.print(f"[red]ärende {e['case_id']}:[/] {safe(e['problem'], None)}")
    if len(report.errors) > 10:
        console.print(f"… och {count(len(report.errors) - 10, 'ett ärende/ärenden', False)} till som inte kunde "
                      "prövas (alla står i --json)", highlight=False)


# --- audit verify -------------------------------------------------------------------------

@click.group("audit")
def audit():
    """The tamper-evident case history.

    Example: stod audit verify
    """


# The shortest key an anchor is signed with: an HMAC-SHA256 key of fewer random bytes could be
# guessed, and whoever guesses it can sign a rewritten history (as MIN_SECRET_LENGTH for sessions).
MIN_ANCHOR_KEY_BYTES = 32
KEY_FIX = "t.ex. de 64 tecknen från `openssl rand -hex 32`"


def _anchor_key(signing: bool) -> bytes:
    """The anchor key (``cases.ledger.anchor_key``), or an InputProblem in Swedish naming the variable:
    a key file that cannot be read says why; a key that signs a new anchor (``signing``) must hold at
    least ``MIN_ANCHOR_KEY_BYTES`` bytes. Verifying takes any key: an anchor signed before this limit
    still verifies, and a wrong key only fails the signature."""
    import os

    from cases.errors import InputRefused
    from cases.ledger import KEY_ENV, KEY_FILE_ENV, anchor_key

    path = os.environ.get(KEY_FILE_ENV)
    from_file = not os.environ.get(KEY_ENV) and bool(path)
    if from_file:
        try:
            file_bytes(path)
        except OSError as error:
            raise InputProblem(f"{KEY_FILE_ENV}: nyckelfilen {shown_path(path)} går inte att läsa "
                               f"({os_reason(error)}); ange sökvägen till en befintlig nyckelfil med minst "
                               f"{MIN_ANCHOR_KEY_BYTES} slumpmässiga byte ({KEY_FIX}) eller sätt {KEY_ENV}") from None
    try:
        key = anchor_key()
    except InputRefused as error:
        raise InputProblem(str(error)) from None
    if signing and len(key) < MIN_ANCHOR_KEY_BYTES:
        where = f"{KEY_FILE_ENV}: nyckelfilens nyckel" if from_file else f"{KEY_ENV}: nyckeln"
        raise InputProblem(f"{where} är för kort ({len(key)} byte); en ankarnyckel ska ha minst "
                           f"{MIN_ANCHOR_KEY_BYTES} slumpmässiga byte ({KEY_FIX})")
    return key


def _read_anchor(path: str) -> dict:
    """The anchor file ``stod audit anchor`` wrote, or an InputProblem naming --anchor and why."""
    try:
        data = file_bytes(path)
    except OSError as error:
        raise InputProblem(f"--anchor: ankarfilen {shown_path(path)} går inte att läsa ({os_reason(error)}); "
                           "ange sökvägen till en ankarfil som stod audit anchor har skrivit") from None
    try:
        anchor = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        anchor = None
    if not isinstance(anchor, dict):
        raise InputProblem(f"--anchor: {shown_path(path)} är ingen ankarfil (inte ett JSON-objekt); ange filen som "
                           "stod audit anchor skrev")
    return anchor


@audit.command("anchor")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.option("--db", help=DB_HELP)
@handle_errors
def audit_anchor(file, force, db):
    """Write the head of the city-wide chain to FILE, signed with the key in STOD_ANCHOR_KEY.

    The key (STOD_ANCHOR_KEY, or a file named by STOD_ANCHOR_KEY_FILE) must hold at least 32
    random bytes and must not live in the database; keep FILE outside it too. An existing FILE
    is replaced only with --force. Later, `stod audit verify --anchor FILE` proves that
    nothing written before the anchor has been rewritten, even with every hash recomputed.

    Example: STOD_ANCHOR_KEY_FILE=/etc/stod/ankare.key stod audit anchor ankare-2026-03-31.json
    """
    from cases.ledger import make_anchor
    from cases.store import utcnow

    new_file(file, "FILE", force)
    key = _anchor_key(signing=True)
    store = _store(db)
    try:
        with store.read() as session:
            anchor = make_anchor(session, key, utcnow())
    finally:
        store.dispose()
    try:
        with open(file, "w" if force else "x", encoding="utf-8") as handle:
            handle.write(json.dumps(anchor, indent=2) + "\n")
    except OSError as error:
        raise InputProblem(f"FILE: ankarfilen {shown_path(file)} går inte att skriva "
                           f"({os_reason(error, writing=True)}); ange en annan sökväg"
                           + (" eller skriv över med --force" if isinstance(error, FileExistsError) else "")) from None
    console.print(f"Ankare skrivet: {anchor['entries']} poster i huvudkedjan, huvud {anchor['head'][:16]}…, "
                  f"{anchor['at']} → {safe(shown_path(file), None)}")


@audit.command("verify")
@click.option("--db", help=DB_HELP)
@click.option("--anchor", "anchor_file", type=click.Path(dir_okay=False),
              help="Also prove nothing was rewritten since this anchor (needs STOD_ANCHOR_KEY).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@handle_errors
def audit_verify(db, anchor_file, as_json):
    """Walk every case's event chain; name each changed, inserted or deleted event. Exits 1 on a break.

    Also checks the city-wide chain (a deleted case), each case's identity and status
    against its application and events, letters, override reasons and findings against
    the events that recorded them, and stored ruleset copies against their version hash.

    Example: stod audit verify --db stod.db --anchor ankare-2026-03-31.json
    """
    from cases.audit import verify
    from cases.ledger import check_anchor

    anchor = key = None
    if anchor_file:
        anchor, key = _read_anchor(anchor_file), _anchor_key(signing=False)
    store = _store(db)
    try:
        with store.read() as session:
            report = verify(session)
            if anchor is not None:
                report.problems.extend(check_anchor(session, anchor, key))
    finally:
        store.dispose()
    if as_json:
        print_json(report.to_dict())
    elif report.ok and report.cases:
        console.print(f"Händelsekedjorna är hela: {count(report.cases, 'ett ärende/ärenden', False)}, "
                      f"{count(report.events, 'en händelse/händelser', False)} kontrollerade.")
        if anchor is not None:
            console.print(f"Ankaret stämmer: de {anchor['entries']} första posterna i huvudkedjan är oförändrade "
                          f"sedan {safe(anchor.get('at'))}.")
    else:
        console.print(f"[red]{len(report.problems)} fel i händelsekedjorna[/] "
                      f"({count(report.cases, 'ett ärende/ärenden', False)}, "
                      f"{count(report.events, 'en händelse/händelser', False)}):")
        for p in report.problems:
            console.print(f"  {safe(p, None)}")
    if not report.ok:
        raise SystemExit(1)
    if not report.cases:
        raise click.ClickException("databasen har inga ärenden: ingen händelsekedja att kontrollera")


# --- stats --------------------------------------------------------------------------------

@click.command("stats")
@click.option("--by", type=click.Choice(("district", "school", "month")), help="Group the figures.")
@click.option("--from", "date_from", help="Cases received from this date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Cases received up to this date (YYYY-MM-DD).")
@click.option("--date", "on", help="The day open cases are measured on (YYYY-MM-DD); today by default.")
@click.option("--db", help=DB_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@handle_errors
def stats_cmd(by, date_from, date_to, on, db, as_json):
    """Processing times: median and 90th percentile days to decision, completion rounds, past target, money.

    Example: stod stats --by district
    """
    from reports.stats import stats

    from .common import parse_date

    start, end = _period(date_from, date_to)
    store = _store(db)
    try:
        with store.read() as session:
            report = stats(session, by, start, end, today=parse_date(on, "--date"))
    finally:
        store.dispose()
    if as_json:
        print_json(report.to_dict())
        return
    title = {"district": "stadsdel", "school": "skola", "month": "månad", None: ""}[by]
    table = Table(title="Handläggningstider" + (f" per {title}" if title else "") + f" (öppna ärenden per {report.today})")
    table.add_column("grupp", overflow="fold", min_width=10)
    for col, just in ( ("ärenden", "right"), ("beslutade", "right"), ("median d", "right"),
                      ("p90 d", "right"), ("kompl./ärende", "right"), ("över mål", "right"),
                      ("öppna över mål", "right"), ("beviljat", "right")):
        table.add_column(col, justify=just)
    for g in (report.groups + [report.total]) if by else [report.total]:
        table.add_row(safe(g.key), str(g.cases), str(g.decided), "–" if g.median_days is None else str(g.median_days),
                      "–" if g.p90_days is None else str(g.p90_days), f"{g.completion_rounds_mean:.2f}",
                      str(g.past_target), str(g.open_past_target), _sek(g.granted_sek))
    console.print(table)
    if report.total.granted_above_computed:
        console.print(f"[yellow]Flaggat:[/] {report.total.granted_above_computed} ändrade beslut beviljar mer än "
                      "motorn beräknar för samma nivå och period (se stod coverage).", highlight=False)


def register(main: click.Group) -> None:
    rules_group = main.commands.get("rules")
    if isinstance(rules_group, click.Group):
        rules_group.add_command(rules_check)
    for command in (rulebook, coverage, replay, whatif_cmd, audit, stats_cmd):
        main.add_command(command)
