"""stod csi: CSI placement rounds.

``stod csi check`` is a dry run of a round file, nothing stored. ``submit``, ``round``,
``release`` and ``groups`` work on the case store: each parses its arguments, calls the engine
(``engine.areas.csi.api``) for what must be decided and ``cases.csi`` for what is stored, and formats.
"""
from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import click
from rich.markup import escape
from rich.table import Table

from engine.areas.csi import api as csi_api

from .common import InputProblem, console, refusal, err_console, handle_errors, parse_date, print_json, read_file

OUTCOME_STYLE = {"placering": "green", "ko": "yellow", "komplettering": "cyan",
                 "avslag": "red", "avvisning": "magenta"}


@click.group("csi")
def csi():
    """CSI placements: rounds that place eligible requests in the central groups.

    Example: stod csi check ../shared/contract/csi/round-example.json
    """


@csi.command("check")
@click.argument("round_file", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print {term, results: {application_id: {...}}} as JSON.")
@click.option("--date", "on", help="Decision date (YYYY-MM-DD); today by default.")
@handle_errors
def check(round_file, as_json, on):
    """Decide a round file without storing anything (a dry run).

    The round file has kind "csi_round", a term (HT2026, VT2027, …), optional groups with the
    places already taken, and its requests. Without groups the catalogue in rules/ at the
    term's start is used with no places taken.

    Example: stod csi check ../shared/contract/csi/round-example.json --json
    """
    decision_date = parse_date(on, "--date")
    data = csi_api.read_round(read_file(round_file), source=round_file)
    if data.groups is None:
        err_console.print("obs: omgångsfilen har ingen egen katalog; katalogen i rules/ används och "
                          "inga platser räknas som tagna (torrkörning utan lagrade placeringar).",
                          markup=False, highlight=False)
    decided = csi_api.check_round(data, decision_date)
    if as_json:
        print_json(decided.to_dict())
        return
    table = Table(title=f"Placeringsomgång {decided.term.code} ({decided.term.name})")
    for col in ("ansökan", "utfall", "avgörande regler", "grupp / köplatser", "turordning"):
        table.add_column(col, overflow="fold")
    for rid, r in decided.results.items():
        where = r["group"] or ", ".join(f"{g}: {p}" for g, p in r["positions"].items())
        style = OUTCOME_STYLE.get(r["outcome"], "white")
        table.add_row(rid, f"[{style}]{r['outcome']}[/]", ", ".join(r["decisive_rules"]), where,
                      str(r["rank"] or ""))
    console.print(table)
    for rid, r in decided.results.items():
        console.rule(f"[bold]{rid}[/] [{OUTCOME_STYLE.get(r['outcome'], 'white')}]{r['outcome']}[/]")
        console.print(r["text"], markup=False, highlight=False)


# -- the stored rounds ------------------------------------------------------------------------

TERM_CODE = re.compile(r"^(HT|VT)[0-9]{4}$")
ROUND_ACTOR = "stod csi round"


def _db_option(func):
    # The same --db option as the verksamhetsstöd commands.
    from .cmd_cases import db_option

    return db_option(func)


def _case_errors(func):
    # The same mapping as the verksamhetsstöd commands: bad input exit 2, conflicts and states exit 1.
    from .cmd_cases import case_errors

    return case_errors(func)


def _term(code: str, option: str = "--term"):
    """The term of a code like HT2026, with its dates from rules/; a clear error otherwise."""
    from engine.errors import EngineError

    code = (code or "").strip().upper()
    if not TERM_CODE.match(code):
        raise InputProblem(f"{option}: expected HT or VT and a year, like HT2026, got {code!r}")
    try:
        return csi_api.term_of(code)
    except (ValueError, EngineError) as error:
        raise InputProblem(f"{option}: {code} has no CSI term dates in rules/ ({error})") from None


def term_on(day: date):
    """The term a day falls in, or the next one to start (1–31 July falls in none: HT)."""
    from engine.area import load_area
    from engine.areas.csi.facts import terms_table
    from engine.areas.csi.round import next_term

    area = load_area(csi_api.AREA)
    for kind in ("VT", "HT"):
        term = csi_api.term_of(f"{kind}{day.year}", area)
        if term.start <= day <= term.end:
            return term
    return next_term(day, lambda year: terms_table(area.param, year))


def _fingerprint(term_code: str, requests, taken, groups) -> str:
    """The state a round is run on: requests waiting (id and content), places taken, catalogue."""
    from cases.store import sha256_of

    return sha256_of({"term": term_code, "requests": sorted([rid, sha] for rid, sha in requests),
                      "groups": [{**dataclasses.asdict(g), "taken": int(taken.get(g.id, 0))} for g in groups]})


NONE_WAITING, UNCHANGED, CREATED = "none_waiting", "unchanged", "created"


def run_stored_round(store, term, decision_date: date, actor: str = ROUND_ACTOR):
    """Run the round of ``term`` over the stored requests and store it.

    Returns ``(status, round)``: ``created`` and the stored round; ``unchanged`` and the last
    round of the term when the state is what that round left (the same requests waiting, the
    same places taken, the same catalogue), so nothing is ranked, placed or queued twice;
    ``none_waiting`` (and the last round, or None) when no stored request awaits a place.
    """
    from cases import csi as stored
    from engine import api
    from engine.area import load_area

    area = load_area(csi_api.AREA)
    inputs = stored.round_inputs(store, term.code, term.start, term.end,
                                 (area.index.eligible_outcome, csi_api.WAITING))
    if not inputs.requests:
        return NONE_WAITING, stored.last_round(store, term.code)
    groups = csi_api.catalogue_for(term, inputs.taken, area)
    now = _fingerprint(term.code, [(r.application_id, r.sha256) for r in inputs.requests], inputs.taken, groups)
    if now == inputs.last_state_sha:
        return UNCHANGED, stored.last_round(store, term.code)
    requests = [api.read_application(r.raw, source=f"ärende {r.case_id}")[0] for r in inputs.requests]
    decided = csi_api.decide_round(term, groups, requests, decision_date)
    sha = {r.application_id: r.sha256 for r in inputs.requests}
    still_waiting = [(rid, sha[rid]) for rid, r in decided.results.items() if r["outcome"] == csi_api.WAITING]
    after = _fingerprint(term.code, still_waiting, decided.round.taken_after, groups)
    return CREATED, stored.store_round(store, inputs, after, decided.decisions, decided.results,
                                       decision_date=decision_date, actor=actor)


FREED_PLACE_TEXT = (
    "Erbjudande om ledig plats: platsen i gruppen {group} vid {school} (skolenhet {unit}) blev ledig när "
    "en placering i gruppen avslutades i förtid den {released} (eleven återgick till sin hemskola). "
    "Eleven stod först i kön till gruppen för {term_name} ({term}) och erbjuds platsen "
    "{start}–{end}; placeringen följs upp senast {review}. Turordningen nedan gäller erbjudandet av "
    "den lediga platsen; i placeringsomgången hade ansökan plats {rank} i turordningen.")


def offer_freed_place(plan, day: date):
    """The engine's decision for the first in line of the group that ``plan``'s release frees.

    The place is judged as a round of its own: the waiting request against the one group with
    one free place, for the rest of the term (from the day after the release, not before the
    placement would have begun), so eligibility, the place, the dates and the other-school
    notice come from the rules like any placement. Returns (Offer or None, skipped ids).
    """
    from cases.csi import Offer
    from engine import api

    placement = plan.placement
    term = csi_api.term_of(placement.term)
    group = next((g for g in csi_api.catalogue_for(term) if g.id == placement.group_id), None)
    if group is None:
        return None, []
    start = max(day + timedelta(days=1), placement.start)
    rest_of_term = dataclasses.replace(term, start=start)
    one_free = dataclasses.replace(group, taken=max(0, group.capacity - 1))
    skipped = []
    for waiting in plan.waitlist:
        app, _ = api.read_application(waiting.raw, source=f"ärende {waiting.case_id}")
        decided = csi_api.decide_round(rest_of_term, [one_free], [app], day)
        result = decided.results[waiting.application_id]
        if result["outcome"] != csi_api.PLACED:
            skipped.append((waiting.application_id, result["outcome"]))
            continue
        decision = decided.decisions[waiting.application_id]
        intro = FREED_PLACE_TEXT.format(
            group=group.id, school=group.school_name, unit=group.school_unit_code, released=day,
            term_name=term.name, term=term.code, start=start, end=term.end, review=term.review,
            rank=waiting.rank if waiting.rank is not None else "–")
        decision.text = result["text"] = f"{intro}\n\n{decision.text}"
        return Offer(waiting.case_id, decision, result), skipped
    return None, skipped


@csi.command("submit")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--date", "on", help="Decision date of the proposals (YYYY-MM-DD); today by default.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per request.")
@_db_option
@_case_errors
def submit(files, on, as_json, db):
    """Store CSI requests as cases, each with the engine's eligibility proposal.

    FILE is one request (kind "csi") or a round file (kind "csi_round"), whose requests are
    stored (its groups are not: the stored round uses the catalogue in rules/ and the stored
    placements). Each file is handled on its own: a bad file is reported and nothing of it is
    stored, the others go on; the exit code is 2 if any file was refused. Sending an identical
    request again does nothing ("redan mottagen"); the same application_id with other content
    is refused. The proposal is avvisning, avslag, komplettering, or that the request goes to
    the next placement round.

    Example: stod csi submit ../shared/contract/csi/round-example.json --date 2026-06-01
    """
    from cases import csi as stored
    from cases import workflow
    from cases.errors import InputRefused
    from cases.store import open_store
    from engine import api
    from engine.errors import EngineError, IntakeError
    from engine.intake import parse_json

    decision_date = parse_date(on, "--date") or date.today()
    store = open_store(db)
    results, failed = [], 0
    for path in files:
        try:
            data = parse_json(read_file(path), path)
            if data.get("kind") == "csi_round":
                csi_api.read_round(data, source=path)  # the whole file is valid, or nothing is stored
                items = [api.read_application(raw, source=f"{path}: requests[{i}]")
                         for i, raw in enumerate(data["requests"])]
                stored.refuse_conflicts(store, [raw for _, raw in items])
            elif data.get("kind") == csi_api.SPEC.kind:
                items = [api.read_application(data, source=path)]
            else:
                hint = "; verksamhetsstöd lämnas in med stod submit" if data.get("kind") == "verksamhetsstod" else ""
                raise IntakeError("kind", f"{data.get('kind')!r} är ingen CSI-fil; ange \"csi\" (en ansökan) eller "
                                  f"\"csi_round\" (en omgångsfil){hint}", path)
        except (IntakeError, InputRefused, InputProblem) as error:
            failed += 1
            results.append(refusal(path, error))
            continue
        for app, raw in items:
            try:
                result = workflow.submit(store, app, raw, lambda a: api.decide(a, decision_date), source=path)
                results.append({"file": path, "ok": True, **result.to_dict()})
            except (InputRefused, EngineError) as error:  # a race or an engine fault stops this request only
                failed += 1
                results.append({"file": path, "application_id": raw.get("application_id"), "ok": False,
                                "error": str(error)})
    if as_json:
        print_json(results if len(results) > 1 else results[0])
    else:
        for r in results:
            if not r["ok"]:
                err_console.print(f"[red]✗[/] {escape(r['file'])}: {escape(r['error'])}", highlight=False,
                                  soft_wrap=True)
                continue
            style = OUTCOME_STYLE.get(r["outcome"] or "", "white")
            shown = f" — förslag: [{style}]{r['outcome']}[/]" if r["created"] else ""
            console.print(f"[green]✓[/] {escape(r['file'])}: ärende {r['case_id']} ({r['application_id']}), "
                          f"{r['message']}{shown}", highlight=False, soft_wrap=True)
    if failed:
        raise click.exceptions.Exit(2)


@csi.command("round")
@click.option("--term", "term_code", required=True, help="The term placed: HT2026, VT2027, …")
@click.option("--date", "on", help="Decision date (YYYY-MM-DD); today by default.")
@click.option("--json", "as_json", is_flag=True, help="Print {term, round, created, counts, results} as JSON.")
@_db_option
@_case_errors
def round_(term_code, on, as_json, db):
    """Run and store the placement round of a term over the stored requests.

    The round ranks every stored request that the rules found eligible and that has no place
    yet (new ones, and those still waiting after an earlier round), against the catalogue in
    rules/ in force at the term's start, with the places taken by stored placements running in
    the term. Each request gets a proposal (placering with group, dates and rank, or ko with
    a position in each matching group) with its Swedish text, and the case history records it.
    All of the round is stored, or nothing.

    Running the round again when nothing has changed (the same requests waiting, the same
    places taken) stores nothing and says so; after new requests or freed places it is
    round 2 of the term, which ranks those still waiting together with the new ones.

    Example: stod csi round --term HT2026 --date 2026-06-01
    """
    from cases.store import open_store

    term = _term(term_code)
    decision_date = parse_date(on, "--date") or date.today()
    status, stored_round = run_stored_round(open_store(db), term, decision_date)
    if status != CREATED:
        last = (f" Senaste omgång: {stored_round.seq}, prövad {stored_round.decision_date} "
                f"({stored_round.counts().get('placering', 0)} placerade, {stored_round.counts().get('ko', 0)} i kö)."
                if stored_round else "")
        if status == UNCHANGED:
            message = (f"Omgången för {term.code} är redan körd och inget har ändrats sedan dess: samma väntande "
                       f"ansökningar och samma tagna platser. Inget nytt sparat.{last}")
        else:
            message = (f"Inga ansökningar väntar på en placeringsomgång för {term.code}: ingen lagrad ansökan som "
                       f"uppfyller villkoren är utan plats. Inget nytt sparat.{last}")
        if as_json:
            print_json({"term": term.code, "status": status, "created": False, "message": message,
                        "round": stored_round.seq if stored_round else None})
        else:
            console.print(message, highlight=False, soft_wrap=True)
        return
    if as_json:
        print_json({**stored_round.to_dict(), "status": status})
        return
    counts = stored_round.counts()
    table = Table(title=f"Placeringsomgång {stored_round.seq} för {term.code} ({term.name}), prövad {decision_date}")
    for col in ("ansökan", "ärende", "utfall", "grupp / köplatser", "turordning", "placering"):
        table.add_column(col, overflow="fold", no_wrap=col in ("ansökan", "utfall"))
    for rid, r in stored_round.results.items():
        where = r.group or ", ".join(f"{g}: {p}" for g, p in r.positions.items())
        style = OUTCOME_STYLE.get(r.outcome, "white")
        table.add_row(rid, str(r.case_id), f"[{style}]{r.outcome}[/]", where, str(r.rank or ""),
                      str(r.placement_id or ""))
    console.print(table)
    others = counts["requests"] - counts.get("placering", 0) - counts.get("ko", 0)
    console.print(f"{counts['requests']} ansökningar prövade: {counts.get('placering', 0)} placering, "
                  f"{counts.get('ko', 0)} ko, {others} med annat utfall. Besluten och texterna: stod show ÄRENDE.",
                  highlight=False, soft_wrap=True)


@csi.command("release")
@click.argument("placement")
@click.option("--date", "on", help="The day the placement ends (YYYY-MM-DD); today by default.")
@click.option("--by", required=True, help="The caseworker who ends the placement (full name).")
@click.option("--json", "as_json", is_flag=True, help="Print {placement, offered, moved, skipped} as JSON.")
@_db_option
@_case_errors
def release(placement, on, by, as_json, db):
    """End a placement early (the pupil returns home) and offer the place to the first in line.

    PLACEMENT is the placement's number (see stod csi round) or the application id of the
    placed request. The freed place goes to the first request on that group's waitlist for
    the term that has not got a place since; it gets a placering proposal whose text says
    that the place was freed, with the group, school, term and review date. The others on
    that waitlist (and on the other waitlists the offered request stood on) move up by one.

    Example: stod csi release 3 --date 2026-10-15 --by "Anna Lindqvist"
    """
    from cases import csi as stored
    from cases.errors import InputRefused
    from cases.store import open_store

    if not by.strip():
        raise InputRefused("--by", "ett avslut av en placering kräver en namngiven handläggare")
    day = parse_date(on, "--date") or date.today()
    store = open_store(db)
    plan = stored.plan_release(store, placement, day)
    offer, skipped = offer_freed_place(plan, day)
    done = stored.store_release(store, plan, day, by, offer)
    if as_json:
        print_json({**done.to_dict(), "skipped": [{"application_id": a, "outcome": o} for a, o in skipped]})
        return
    p = done.placement
    console.print(f"Placering {p.id} ({p.application_id}, {p.group_id}, {p.term}) avslutad {day} av {by.strip()}.",
                  highlight=False, soft_wrap=True)
    for application_id, outcome in skipped:
        console.print(f"{application_id} stod före i kön men uppfyller inte längre villkoren ({outcome}); "
                      "hoppades över.", highlight=False, soft_wrap=True)
    if done.offered is None:
        console.print(f"Ingen står i kö till {p.group_id} för {p.term}: platsen är ledig.", highlight=False)
        return
    o = done.offered
    console.print(f"Platsen erbjuds {o.application_id} (ärende {o.case_id}): placering {o.placement_id} i "
                  f"{o.group} — förslag: [green]{o.outcome}[/]. Texten: stod show {o.case_id}.",
                  highlight=False, soft_wrap=True)
    if done.moved:
        moves = "; ".join(f"{rid} till plats " + ", ".join(f"{p} i {g}" for g, p in sorted(groups.items()))
                          for rid, groups in sorted(done.moved.items()))
        console.print(f"Kön flyttas fram: {moves}.", highlight=False, soft_wrap=True)


@csi.command("groups")
@click.option("--term", "term_code", help="The term (HT2026, VT2027, …); by default the term of --date.")
@click.option("--date", "on", help="A day whose term is shown (YYYY-MM-DD); today by default.")
@click.option("--json", "as_json", is_flag=True, help="Print {term, rounds, groups: [...]} as JSON.")
@_db_option
@_case_errors
def groups(term_code, on, as_json, db):
    """Each group's places, places taken, free places and waitlist for a term.

    The groups are the catalogue in rules/ in force at the term's start; places taken are the
    stored placements running in the term (not ended early), the waitlist those still waiting
    after the term's latest round and releases.

    Example: stod csi groups --term HT2026
    """
    from cases import csi as stored
    from cases.store import open_store

    term = _term(term_code) if term_code else term_on(parse_date(on, "--date") or date.today())
    figures = stored.term_figures(open_store(db), term.code, term.start, term.end)
    catalogue = csi_api.catalogue_for(term, figures.taken)
    rows = [{"id": g.id, "focus": g.focus, "school_unit_code": g.school_unit_code, "school_name": g.school_name,
             "grades": [g.low, g.high], "capacity": g.capacity, "taken": g.taken, "free": g.free,
             "waitlist": figures.waiting.get(g.id, 0)} for g in sorted(catalogue, key=lambda g: g.id)]
    if as_json:
        print_json({"term": term.code, "rounds": figures.rounds, "groups": rows})
        return
    table = Table(title=f"CSI-grupper {term.code} ({term.name}); omgångar: {figures.rounds}")
    for col, just in (("grupp", "left"), ("inriktning", "left"), ("skola", "left"), ("åk", "left"),
                      ("platser", "right"), ("tagna", "right"), ("lediga", "right"), ("i kö", "right")):
        table.add_column(col, justify=just, no_wrap=True, overflow="ellipsis")
    for r in rows:
        free = f"[green]{r['free']}[/]" if r["free"] else "0"
        table.add_row(r["id"], r["focus"], r["school_name"], f"{r['grades'][0]}–{r['grades'][1]}",
                      str(r["capacity"]), str(r["taken"]), free, str(r["waitlist"]))
    total = {k: sum(r[k] for r in rows) for k in ("capacity", "taken", "free", "waitlist")}
    table.add_row("[bold]totalt[/]", "", "", "", *(f"[bold]{total[k]}[/]" for k in ("capacity", "taken", "free",
                                                                                      "waitlist")))
    console.print(table)


def register(main: click.Group) -> None:
    main.add_command(csi)
