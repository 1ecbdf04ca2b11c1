"""stod csi: CSI placement rounds.

``stod csi check`` is a dry run of a round file, nothing stored. ``submit``, ``round``,
``release`` and ``groups`` work on the case store: each parses its arguments, calls one use
case of ``stod.services`` (``submit``, ``csi``) and formats its result.
"""
from __future__ import annotations

from datetime import date

import click
from rich.table import Table

from engine.areas.csi import api as csi_api
from engine.swedish import count

from .common import console, err_console, handle_errors, parse_date, print_json, read_file, safe
from .options import files_argument, store_command

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

    Without --date the round is judged today, or on the latest receipt date when a request
    was received after today; a --date before a request's receipt is refused.

    Example: stod csi check ../shared/contract/csi/round-example.json --json
    """
    from .services.dates import check_round_date

    data = csi_api.read_round(read_file(round_file), source=round_file)
    decision_date = check_round_date(data.requests, parse_date(on, "--date"))
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
        table.add_row(safe(rid), f"[{style}]{safe(r['outcome'])}[/]", safe(", ".join(r["decisive_rules"]), None),
                      safe(where, None), str(r["rank"] or ""))
    console.print(table)
    for rid, r in decided.results.items():
        console.rule(f"[bold]{safe(rid)}[/] [{OUTCOME_STYLE.get(r['outcome'], 'white')}]{safe(r['outcome'])}[/]")
        console.print(safe(r["text"], None))


# -- the stored rounds ------------------------------------------------------------------------


@csi.command("submit")
@files_argument
@store_command(date_help="Decision date of the proposals (YYYY-MM-DD); today by default.",
               json_help="Print one JSON object per request.")
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
    from .cmd_cases import print_submitted, submit_into

    decision_date = parse_date(on, "--date")  # before the store is opened: a refused command creates none
    report = submit_into(db, files, decision_date, accept={"csi": "en ansökan", "csi_round": "en omgångsfil"},
                         wrong_kind_hint="; verksamhetsstöd lämnas in med stod submit")
    print_submitted(report, as_json, OUTCOME_STYLE, show_amount=False)


@csi.command("round")
@click.option("--term", "term_code", required=True, help="The term placed: HT2026, VT2027, …")
@store_command(date_help="Decision date (YYYY-MM-DD); today by default.",
               json_help="Print {term, round, created, counts, results} as JSON.")
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

    from .services.csi import CREATED, round_message, run_stored_round, term as term_of

    term = term_of(term_code)
    decision_date = parse_date(on, "--date") or date.today()
    status, stored_round = run_stored_round(open_store(db, must_exist=True), term, decision_date)
    if status != CREATED:
        message = round_message(status, term, stored_round)
        if as_json:
            print_json({"term": term.code, "status": status, "created": False, "message": message,
                        "round": stored_round.seq if stored_round else None})
        else:
            console.print(safe(message, None), soft_wrap=True)
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
        table.add_row(safe(rid), str(r.case_id), f"[{style}]{safe(r.outcome)}[/]", safe(where, None), str(r.rank or ""),
                      str(r.placement_id or ""))
    console.print(table)
    others = counts["requests"] - counts.get("placering", 0) - counts.get("ko", 0)
    judged = counts["requests"]
    console.print(f"{count(judged, 'en ansökan/ansökningar', False)} {'prövad' if judged == 1 else 'prövade'}: "
                  f"{counts.get('placering', 0)} placering, "
                  f"{counts.get('ko', 0)} ko, {others} med annat utfall. Besluten och texterna: stod show ÄRENDE.",
                  highlight=False, soft_wrap=True)


@csi.command("release")
@click.argument("placement")
@click.option("--date", "on", help="The day the placement ends (YYYY-MM-DD); today by default.")
@click.option("--by", required=True, help="The caseworker who ends the placement (full name).")
@store_command(json_help="Print {placement, offered, moved, skipped} as JSON.")
def release(placement, on, by, as_json, db):
    """End a placement early (the pupil returns home) and offer the place to the first in line.

    PLACEMENT is the placement's number (see stod csi round) or the application id of the
    placed request; a pupil loaded as already placed (stod csi load-placements) is named by
    L and its number or by the pupil reference. The freed place goes to the first request on that group's waitlist for
    the term that has not got a place since; it gets a placering proposal whose text says
    that the place was freed, with the group, school, term and review date. The others on
    that waitlist (and on the other waitlists the offered request stood on) move up by one.

    Example: stod csi release 3 --date 2026-10-15 --by "Anna Lindqvist"
    """
    from cases.store import open_store

    from .services.csi import release as release_place

    day = parse_date(on, "--date")  # before the store is opened: a refused command creates none
    released = release_place(open_store(db, must_exist=True), placement, by=by, on=day)
    if as_json:
        print_json(released.to_dict())
        return
    done, p = released.done, released.done.placement
    console.print(f"Placering {safe(p.label)} ({safe(p.application_id)}, {safe(p.group_id)}, {safe(p.term)}) avslutad "
                  f"{released.day} av {safe(released.by)}.", soft_wrap=True)
    for application_id, outcome in released.skipped:
        console.print(f"{safe(application_id)} stod före i kön men uppfyller inte längre villkoren ({safe(outcome)}); "
                      "hoppades över.", soft_wrap=True)
    if done.offered is None:
        console.print(f"Ingen står i kö till {safe(p.group_id)} för {safe(p.term)}: platsen är ledig.")
        return
    o = done.offered
    console.print(f"Platsen erbjuds {safe(o.application_id)} (ärende {o.case_id}): placering {o.placement_id} i "
                  f"{safe(o.group)} — förslag: [green]{safe(o.outcome)}[/]. Texten: stod show {o.case_id}.",
                  soft_wrap=True)
    if done.moved:
        moves = "; ".join(f"{rid} till plats " + ", ".join(f"{p} i {g}" for g, p in sorted(groups.items()))
                          for rid, groups in sorted(done.moved.items()))
        console.print(f"Kön flyttas fram: {safe(moves, None)}.", soft_wrap=True)


@csi.command("groups")
@click.option("--term", "term_code", help="The term (HT2026, VT2027, …); by default the term of --date.")
@store_command(date_help="A day whose term is shown (YYYY-MM-DD); today by default.",
               json_help="Print {term, rounds, groups: [...]} as JSON.")
def groups(term_code, on, as_json, db):
    """Each group's places, places taken, free places and waitlist for a term.

    The groups are the catalogue in rules/ in force at the term's start; places taken are the
    stored placements running in the term (not ended early), the waitlist those still waiting
    after the term's latest round and releases.

    Example: stod csi groups --term HT2026
    """
    from cases.store import open_store

    from .services.csi import group_figures

    figures = group_figures(open_store(db, must_exist=True), term_code, parse_date(on, "--date"))
    term, rows = figures.term, figures.groups
    if as_json:
        print_json({"term": term.code, "rounds": figures.rounds, "groups": rows})
        return
    table = Table(title=f"CSI-grupper {term.code} ({term.name}); omgångar: {figures.rounds}")
    for col, just in (("grupp", "left"), ("inriktning", "left"), ("skola", "left"), ("åk", "left"),
                      ("platser", "right"), ("tagna", "right"), ("lediga", "right"), ("i kö", "right")):
        table.add_column(col, justify=just, no_wrap=True, overflow="ellipsis")
    for r in rows:
        free = f"[green]{r['free']}[/]" if r["free"] else "0"
        table.add_row(safe(r["id"]), safe(r["focus"]), safe(r["school_name"]), f"{r['grades'][0]}–{r['grades'][1]}",
                      str(r["capacity"]), str(r["taken"]), free, str(r["waitlist"]))
    total = {k: sum(r[k] for r in rows) for k in ("capacity", "taken", "free", "waitlist")}
    table.add_row("[bold]totalt[/]", "", "", "", *(f"[bold]{total[k]}[/]" for k in ("capacity", "taken", "free",
                                                                                      "waitlist")))
    console.print(table)


@csi.command("load-placements")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--by", required=True, help="The caseworker who loads the placements (full name).")
@store_command(json_help="Print {loaded, already, by_group} as JSON.")
def load_placements(file, by, as_json, db):
    """Load pupils already placed before the first stored round, so rounds count their places as taken.

    FILE has kind "csi_placements" and a list of placements, each {pupil_ref, group, term,
    placed_on} (see docs/csi-placements.md). The whole file is checked first (group in the
    term's catalogue, date in the term, no personnummer, no group over its capacity) and is
    stored whole or not at all; loading the same file again adds nothing.

    Example: stod csi load-placements placerade-ht2026.json --by "Anna Lindqvist"
    """
    from cases.store import open_store

    from .services.csi import load_placements as load

    body = read_file(file)  # before the store is opened: a refused command creates none
    done = load(open_store(db), body, by=by, source=file)
    if as_json:
        print_json(done.__dict__)
        return
    groups = ", ".join(f"{g}: {n}" for g, n in done.by_group.items())
    loaded = f"{count(done.loaded, 'en placering/placeringar', False)} {'inläst' if done.loaded == 1 else 'inlästa'}"
    console.print(f"{loaded}, {done.already} fanns redan ({groups}). "
                  "Platserna räknas som tagna i placeringsomgångarna.", highlight=False, soft_wrap=True)


def register(main: click.Group) -> None:
    main.add_command(csi)
