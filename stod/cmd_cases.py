"""stod submit, queue, show, decide, complete and demo: the case workflow on the command line."""
from __future__ import annotations

import click
from rich.table import Table

from cases.models import STATUS_SV
from cases.store import ROW_ID_MAX, missing_sqlite_file, open_store, resolve_url
from engine.registry import areas
from engine.explain import sek
from engine.swedish import count

from .cmd_check import OUTCOME_STYLE
from .common import (InputProblem, console, err_console, nothing_to_close, parse_date, print_json, read_file, safe,
                     shown, workers_option)
from .options import case_errors, db_option, files_argument, store_command
from .services import casework
from .services.submit import refused_before_storing, submit_files

STATUS_STYLE = {"met": "green", "not_met": "red", "not_applicable": "dim", "info": "cyan"}


def _kr(amount) -> str:
    return "–" if amount is None else sek(amount)


# -- submit -------------------------------------------------------------------------------


@click.command("submit")
@files_argument
@store_command(date_help="Decision date of the proposal (YYYY-MM-DD); today by default.",
               json_help="Print one JSON object per file.")
@workers_option
def submit(files, on, as_json, workers, db):
    """Store applications as cases, each with the engine's proposal.

    Each file is handled on its own: a bad file is reported and not stored, the others
    go on; the exit code is 2 if any file was refused. Sending an identical application
    again does nothing ("redan mottagen"); the same application_id with other content is
    refused (send changes with `stod complete`). Files are decided in worker processes and
    stored in chunks, one transaction each: a run stopped part-way keeps whole chunks.

    Example: stod submit ../shared/contract/verksamhetsstod/VS-EX-01.json --db stod.db
    """
    decision_date = parse_date(on, "--date")  # before the store is opened: a refused command creates none
    print_submitted(submit_into(db, files, decision_date, workers=workers), as_json)


def submit_into(db, files, decision_date, **options):
    """``submit_files`` into the store at ``db``; after it only the store is open, which ``cli.run``
    closes, so the process may then end at once (``nothing_to_close``).

    A SQLite store that does not exist yet is created only if some file gets past intake: a run
    whose every file is refused leaves no empty database behind (``refused_before_storing``).
    """
    new = missing_sqlite_file(resolve_url(db)) is not None
    report = refused_before_storing(files, decision_date, **options) if new else None
    if report is None:
        report = submit_files(open_store(db), files, decision_date, **options)
    nothing_to_close()
    return report



def print_submitted(report, as_json: bool, style_of=OUTCOME_STYLE, show_amount: bool = True) -> None:
    """What ``submit_files`` did, one line per file (or application), and exit 2 if any was refused."""
    results = report.results
    if as_json:
        print_json(results if len(results) > 1 else results[0])
    else:
        # Styled through rich on a terminal; else the same text written as it is (rich's markup
        # cost a tenth of storing 2,000 cases, to add no colour where none is shown).
        styled = console.is_terminal
        text, mark = (safe, lambda style, s: f"[{style}]{s}[/]") if styled else (shown, lambda style, s: s)
        lines = []
        for r in results:
            if not r["ok"]:
                err_console.print(f"[red]✗[/] {safe(r['file'], None)}: {safe(r['error'], None)}", soft_wrap=True)
                continue
            outcome = r["outcome"] or ""
            amount = f" {_kr(r['amount_sek'])}" if show_amount and r["amount_sek"] else ""
            proposal = (f" — förslag: {mark(style_of.get(outcome, 'white'), text(outcome))}{amount}" if r["created"]
                        else "")
            lines.append(f"{mark('green', '✓')} {text(r['file'], None)}: ärende {r['case_id']} "
                         f"({text(r['application_id'])}), {text(r['message'])}{proposal}")
        if lines and styled:  # one call: printing line by line cost a third of storing a case
            console.print("\n".join(lines), soft_wrap=True)
        elif lines:
            click.echo("\n".join(lines))
        if report.summary():
            err_console.print(safe(report.summary(), None), soft_wrap=True)
    if report.failed:
        raise click.exceptions.Exit(2)


# -- queue --------------------------------------------------------------------------------


@click.command("queue")
@store_command(date_help="Count days waited up to this date (YYYY-MM-DD); today by default.",
               json_help="Print the queue as JSON.")
def queue(on, as_json, db):
    """Open cases, oldest first, with processing days against the processing-time target.

    Days waiting for the school's completion do not count (the clock stops during the
    applicant's turn). A case whose completion deadline has passed with nothing sent is
    marked: close it with --override avvisning --reason-code KOMPLETTERING_UTEBLEV.

    Example: stod queue --date 2028-01-10
    """
    q = casework.queue(open_store(db, must_exist=True), parse_date(on, "--date"))
    rows = q.rows
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    table = Table(title=f"Öppna ärenden per {q.day} (mål: {q.target_days} dagar)")
    for col, just in (("ärende", "right"), ("ansökan", "left"), ("status", "left"), ("förslag", "left"),
                      ("skola", "left"), ("stadsdel", "left"), ("mottagen", "left"), ("dagar", "right")):
        table.add_column(col, justify=just)
    for r in rows:
        days = f"[red]{r.days_waited}[/]" if r.over_target else str(r.days_waited)
        status = STATUS_SV.get(r.status, r.status)
        if r.completion_overdue:
            status = f"[red]{status}: fristen gick ut {r.completion_deadline}, avvisas[/]"
        elif r.completion_deadline:
            status = f"{status} (frist {r.completion_deadline})"
        table.add_row(str(r.case_id), safe(r.application_id), status, safe(r.proposal or "–"),
                      safe(r.school_name), safe(r.district), r.received.isoformat(), days)
    console.print(table)
    overdue = sum(r.completion_overdue for r in rows)
    console.print(f"{count(len(rows), 'ett öppet ärende/öppna ärenden', False)}, {q.over_target} över målet."
                  + (f" {overdue} med utgången kompletteringsfrist: avvisa med --override avvisning "
                     "--reason-code KOMPLETTERING_UTEBLEV." if overdue else ""), highlight=False)


# -- show ---------------------------------------------------------------------------------


@click.command("show")
@click.argument("case")
@click.option("--role", type=click.Choice(["handlaggare", "rektor", "revisor"]), default=None,
              help="Who is reading: diagnoses are shown only to handlaggare.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole case as JSON.")
@db_option
@case_errors
def show(case, role, as_json, db):
    """A case's decision text and findings (CASE is the case number or the application id).

    Example: stod show VS-EX-08 --role handlaggare
    """
    view = casework.show(open_store(db, must_exist=True), case, role)
    if as_json:
        print_json(view)
        return
    c, current = view["case"], view["current"]
    console.rule(f"[bold]Ärende {c['id']}[/] {safe(c['application_id'])} — {safe(STATUS_SV.get(c['status'], c['status']))} "
                 f"(version {c['version']})")
    app = view["applications"][-1]["raw"]
    console.print(f"{safe(c['school_name'])} ({safe(c['school_unit_code'])}), {safe(c['district'])}; mottagen "
                  f"{c['received']}; ansökan version {len(view['applications'])}")
    diagnoses = (app.get("need") or {}).get("diagnoses")
    if diagnoses is not None:
        shown = ", ".join(diagnoses) if isinstance(diagnoses, list) else diagnoses
        console.print(f"Diagnoser: {safe(shown or '–', 2000)}")
    if current:
        from .services.letters import record_text

        console.print()
        console.print(safe(record_text(view), None))
    table = Table(title="Regler (senaste förslaget)")
    for col in ("regel", "status", "avgörande", "motivering"):
        table.add_column(col, overflow="fold")
    for f in view["findings"]:
        style = STATUS_STYLE.get(f["status"], "white")
        table.add_row(safe(f["rule_id"]), f"[{style}]{safe(f['status'])}[/]", "ja" if f["decisive"] else "",
                      safe(f["text"], None))
    console.print(table)
    events = Table(title="Händelser")
    for col in ("#", "typ", "av", "tid"):
        events.add_column(col)
    for e in view["events"]:
        events.add_row(str(e["seq"]), safe(e["type"]), safe(e["actor"]), str(e["at"])[:16])
    console.print(events)


# -- decide -------------------------------------------------------------------------------


@click.command("decide")
@click.argument("case")
@click.option("--confirm", "do_confirm", is_flag=True, help="Confirm the engine's proposal.")
@click.option("--override", "override_outcome", metavar="OUTCOME",
              help="Decide otherwise, with an outcome of the case's own area: "
                   + "; ".join(f"{s.name}: {', '.join(s.override_outcomes)}" for s in areas()) + ".")
@click.option("--reason-code", help="Why the proposal is overridden (a code from rules/overrides/reason_codes.yaml).")
@click.option("--reason", help="The reason in your own words (required with --override).")
@click.option("--level", type=click.IntRange(0, 99), help="A grant's level (1–4); required with --override bifall|delvis_bifall.")
@click.option("--period", metavar="YYYY-MM..YYYY-MM",
              help="A grant's period, inside the requested one and not before the month of receipt.")
@click.option("--amount", type=click.IntRange(0, ROW_ID_MAX), help="A grant's amount in kronor, at most the requested amount.")
@click.option("--item", "items", multiple=True, metavar="TEXT",
              help="With --override komplettering: one thing to send (repeat for each).")
@click.option("--group", help="With --override placering (CSI): a group of the request's focus and grade with a "
                              "free place.")
@click.option("--term", "term_code", help="With --override placering (CSI): the term, e.g. HT2026.")
@click.option("--by", required=True, help="The caseworker with delegation who decides (full name).")
@click.option("--date", "on", help="Decision date (YYYY-MM-DD): not before the receipt date nor the proposal, "
              "not after today; today by default.")
@click.option("--expect-version", type=click.IntRange(1, ROW_ID_MAX), help="Fail with a conflict unless the case is still at this version.")
@db_option
@case_errors
def decide(case, do_confirm, override_outcome, reason_code, reason, level, period, amount, items, group, term_code,
           by, on, expect_version, db):
    """Confirm the proposal, or override it with a reason code and a reason.

    A grant (bifall, delvis_bifall) needs --level, --period and --amount: the period inside the
    requested one and not before the month of receipt, the amount at most the requested amount;
    it is bifall only when amount and period are those requested. --override komplettering
    lists what to send with --item (repeatable); the deadline is counted from the decision date.
    A CSI placering names --group (of the request's focus and grade, with a free place) and
    --term. Anything else is refused (exit 2) and nothing is stored. The decision text starts with
    the caseworker's decision and reason; the engine's proposal follows, marked as not followed.

    Two caseworkers deciding one case: one wins, the other gets a conflict (exit 1) and
    nothing is overwritten.

    Example: stod decide 12 --confirm --by "Anna Lindqvist"

    Example: stod decide 12 --override delvis_bifall --level 2 --period 2026-09..2027-06 --amount 120000
    --reason-code SARSKILDA_SKAL --reason "Behovet gäller bara höstterminen" --by "Anna Lindqvist"

    Example: stod decide 12 --override komplettering --item "Utredning (skollagen 3 kap. 7 §)"
    --reason-code UNDERLAG_KOMPLETTERAT --reason "Utredningen saknas" --by "Anna Lindqvist"
    """
    if do_confirm == bool(override_outcome):
        raise click.UsageError("ange precis ett av --confirm (fastställ förslaget) och --override UTFALL (ändra det)")
    day = parse_date(on, "--date")
    store = open_store(db, must_exist=True)  # a case to decide is in a store that exists
    if do_confirm:
        stray = [name for name, value in (("--level", level), ("--period", period), ("--amount", amount),
                                          ("--item", items), ("--group", group), ("--term", term_code)) if value]
        if stray:
            raise InputProblem(f"{stray[0]}: hör till --override, inte till --confirm")
        result = casework.confirm(store, case, by=by, on=day, expected_version=expect_version)
    else:
        result = casework.override(store, case, outcome=override_outcome, reason_code=reason_code, reason=reason,
                                   by=by, level=level, period=period, amount_sek=amount, items=list(items),
                                   group=group, term_code=term_code, on=day, expected_version=expect_version)
    console.print(f"Ärende {result.case_id} ({safe(result.application_id)}): {safe(result.message)}"
                  f"{', ' + _kr(result.amount_sek) if result.amount_sek else ''}.", soft_wrap=True)


# -- complete -----------------------------------------------------------------------------


@click.command("complete")
@click.argument("case")
@click.argument("file", type=click.Path(dir_okay=False))
@store_command(date_help="The day the documents arrived, also the new proposal's date; today by default.",
               json_help="Print the result as JSON.")
def complete(case, file, on, as_json, db):
    """Add documents to an open case: a new version of the application, re-evaluated.

    FILE is the whole application again (same application_id), or only what was added:
    {"documents": {...}, "received": "YYYY-MM-DD"}; the new version's receipt date is the
    day the documents arrived (--date, or "received" in the file).

    Example: stod complete 12 komplettering.json --date 2026-03-20
    """
    body, day = read_file(file), parse_date(on, "--date")  # before the store is opened: a refused command creates none
    result = casework.complete(open_store(db, must_exist=True), case, body, file, day)
    if as_json:
        print_json(result.to_dict())
        return
    style = OUTCOME_STYLE.get(result.outcome or "", "white")
    console.print(f"Ärende {result.case_id} ({safe(result.application_id)}): {safe(result.message)}"
                  + (f" — förslag: [{style}]{safe(result.outcome)}[/]" if result.outcome else ""), soft_wrap=True)


# -- demo ---------------------------------------------------------------------------------


@click.command("demo")
@click.option("--count", default=300, show_default=True, type=click.IntRange(1, 100_000), help="How many applications to generate.")
@click.option("--seed", default=1, show_default=True, type=click.IntRange(0, ROW_ID_MAX), help="Seed of the generator (same seed, same applications).")
@click.option("--fresh", is_flag=True, help="Delete the SQLite database file first and start over.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@db_option
@case_errors
def demo(count, seed, fresh, as_json, db):
    """Generate, submit and decide a realistic set of applications, then summarise.

    About twenty schools across Stockholm's districts, receipts over 2026 and 2027 (both
    rate years), every outcome; most completion requests are answered, proposals are
    confirmed by named caseworkers on realistic dates (receipt + days) and a few are
    overridden with reason codes. Cases received in the last weeks of 2027 stay open.

    Re-running is idempotent: the same seed gives the same applications, which are
    already stored ("redan mottagen") and left as they are, so a second run adds nothing
    and prints the same summary. Use another --seed to add more, or --fresh to delete the
    SQLite file and start over.

    Example: stod demo --count 300 --seed 1 --db demo.db
    """
    from .services.demo import demo as run

    summary = run(db, count, seed, fresh)
    if as_json:
        print_json(summary)
        return
    _print_summary(summary)


def _print_summary(s: dict) -> None:
    run = s["run"]
    console.rule("[bold]stod demo[/]")
    # Label and figure, so that one case reads as well as many ("1 ansökningar mottagna" did not).
    console.print(f"Mottagna ansökningar: {run['submitted']} ({run['already']} fanns redan); kompletterade: "
                  f"{run['completed']}; fastställda förslag: {run['confirmed']}; ändrade: {run['overridden']}; "
                  f"öppna: {run['left_open']}; {run['seconds']} s. Databas: {run['database']}", highlight=False)
    outcomes = Table(title="Beslut per utfall")
    outcomes.add_column("utfall")
    outcomes.add_column("antal", justify="right")
    for outcome, n in s["decisions_by_outcome"].items():
        outcomes.add_row(f"[{OUTCOME_STYLE.get(outcome, 'white')}]{outcome}[/]", str(n))
    for status, n in s["by_status"].items():
        if status != "beslutad":
            outcomes.add_row(f"[dim]öppna: {STATUS_SV.get(status, status)}[/]", str(n))
    console.print(outcomes)
    money = Table(title="Beviljat belopp per beslutsår")
    money.add_column("år")
    money.add_column("belopp", justify="right")
    for year, amount in s["granted_sek_by_decision_year"].items():
        money.add_row(str(year), _kr(amount))
    money.add_row("[bold]totalt[/]", f"[bold]{_kr(s['granted_sek_total'])}[/]")
    console.print(money)
    times = Table(title=f"Handläggningstid (mål {s['target_days']} dagar)")
    times.add_column("mått")
    times.add_column("värde", justify="right")
    times.add_row("median dagar till beslut", str(s["days_to_decision_median"]))
    times.add_row("90:e percentilen", str(s["days_to_decision_p90"]))
    times.add_row("beslutade över målet", str(s["past_target_decided"]))
    times.add_row(f"öppna över målet per {s['as_of']}", str(s["past_target_open"]))
    times.add_row("ärenden med begärd komplettering", str(s["cases_with_completion"]))
    times.add_row("ändrade förslag", ", ".join(f"{k}: {v}" for k, v in s["overrides_by_reason_code"].items()) or "0")
    console.print(times)
    register = s.get("school_register")
    if register:
        console.print(f"Skolregister (DEMODATA): {count(register['rows'], 'en rad/rader', False)}, "
                      f"{count(run['register_rows_added'], 'en ny/nya', False)}; "
                      f"se stod equity --by band --date {s['as_of']}", highlight=False)
    console.print(f"Nästa steg: stod queue --date {s['as_of']}  ·  stod show 1", highlight=False)


def register(main: click.Group) -> None:
    for command in (submit, queue, show, decide, complete, demo):
        main.add_command(command)
