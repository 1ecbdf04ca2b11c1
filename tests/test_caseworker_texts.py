"""What a caseworker or an administrator types is checked before it is stored (``cases.texts``):
no personnummer in any form (never echoed), no control characters, no lone surrogates, a
length limit, and nothing stored when refused. A reason or a name goes into the decision, its
events and the letter the principal reads."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from cases import accounts
from cases.errors import InputRefused
from cases.models import Case, DecisionRecord
from cases.texts import NAME_MAX, REASON_MAX, checked_text
from test_hostile import _store_case, run  # noqa: F401  (the CLI runner fixture)

OVERRIDE = ["decide", "1", "--override", "avslag", "--reason-code", "FELAKTIGA_UPPGIFTER", "--date", "2026-12-21"]


@pytest.mark.parametrize("value,lines,words", [
    ("Anna 19121212-1212", False, "personnummer"),
    ("elev １２１２１２－１２１２ flyttade", True, "personnummer"),  # fullwidth digits and dash
    ("Anna\x1b[31m Röd", False, "styrtecken (U+001B)"),
    ("rad ett\nrad två", False, "styrtecken (U+000A)"),  # a name is one line
    ("Anna \ud800", False, "surrogattecken"),
    ("beviljas \u202eej\u202c enligt bilaga", True, "skrivriktningen (U+202E)"),  # shows as "je" reversed
    ("Anna \u2067Röd\u2069", False, "skrivriktningen (U+2067)"),
    ("x" * (NAME_MAX + 1), False, f"är {NAME_MAX + 1} tecken lång; högst {NAME_MAX}"),
    ("   ", False, "tomt"),
])
def test_refused_texts_name_the_field_and_never_repeat_the_value(value, lines, words):
    with pytest.raises(InputRefused) as refused:
        checked_text("--by", value, NAME_MAX, empty="tomt", lines=lines)
    assert refused.value.field == "--by" and words in refused.value.problem
    assert not value.strip() or value.strip() not in str(refused.value)


def test_a_reason_may_hold_line_breaks_and_is_kept_as_written():
    text = "Rad ett.\n\tRad två, 2026-03-12 kl. 10.30, tel. 070-123 45 67."
    assert checked_text("--reason", f"  {text}\n", REASON_MAX, empty="tomt", lines=True) == text


def _decisions(db: str) -> list:
    from cases.store import open_store

    store = open_store(db)
    with store.read() as session:
        found = session.execute(select(DecisionRecord.kind, DecisionRecord.override_reason)).all(), \
            session.get(Case, 1).version
    store.dispose()
    return found


@pytest.mark.parametrize("extra,field", [
    (["--reason", "Eleven 121212-1212 har flyttat.", "--by", "Anna Lindqvist"], "--reason"),
    (["--reason", "x" * (REASON_MAX + 1), "--by", "Anna Lindqvist"], "--reason"),
    (["--reason", "Uppgifterna stämmer inte.", "--by", "Anna\x07 Lindqvist"], "--by"),
    (["--reason", "Uppgifterna stämmer inte.", "--by", "Anna 19121212-1212"], "--by"),
], ids=["reason-pnr", "reason-long", "by-bell", "by-pnr"])
def test_an_override_with_a_refused_text_stores_nothing(run, extra, field):
    db = _store_case(run)
    before = _decisions(db)
    result = run(*OVERRIDE, *extra, "--db", db)
    assert result.exit_code == 2 and f"fel: {field}: " in result.output, result.output
    assert "121212" not in result.output and "Traceback" not in result.output
    assert _decisions(db) == before  # the proposal only, version 1


@pytest.mark.parametrize("args,field", [
    (["decide", "1", "--override", "121212-1212"], "--override"),
    (["decide", "1", "--override", "delvis_bifall", "--level", "2", "--amount", "1000", "--period", "121212-1212"],
     "--period"),
], ids=["outcome", "period"])
def test_a_personnummer_typed_as_an_option_value_is_never_repeated(run, args, field):
    db = _store_case(run)
    result = run(*args, "--reason-code", "FELAKTIGA_UPPGIFTER", "--reason", "Uppgifterna stämmer inte.",
                 "--by", "Anna Lindqvist", "--date", "2026-12-21", "--db", db)
    assert result.exit_code == 2 and f"{field}" in result.output, result.output
    assert "1212" not in result.output and "Traceback" not in result.output


@pytest.mark.usefixtures("decided_late")
def test_a_decision_cannot_be_dated_before_the_proposal_it_decides_on(run):
    db = _store_case(run)  # its proposal is dated 2026-12-20
    result = run("decide", "1", "--confirm", "--by", "Anna Lindqvist", "--date", "2026-12-19", "--db", db)
    assert result.exit_code == 2 and "--date: beslutsdatum 2026-12-19 är före förslaget" in result.output, \
        result.output
    before = _decisions(db)
    assert len(before[0]) == 1  # the proposal only
    assert run("decide", "1", "--confirm", "--by", "Anna Lindqvist", "--date", "2026-12-20",
               "--db", db).exit_code == 0


def test_a_completion_asked_for_with_a_personnummer_in_an_item_stores_nothing(run):
    db = _store_case(run)
    before = _decisions(db)
    result = run("decide", "1", "--override", "komplettering", "--reason-code", "FELAKTIGA_UPPGIFTER",
                 "--reason", "Underlag saknas.", "--item", "Utredning för 121212-1212", "--by", "Anna Lindqvist",
                 "--date", "2026-12-21", "--db", db)
    assert result.exit_code == 2 and "fel: --item: " in result.output and "121212" not in result.output, result.output
    assert _decisions(db) == before


@pytest.mark.usefixtures("decided_late")
def test_an_accepted_override_keeps_the_reason_and_name_as_written(run):
    db = _store_case(run)
    result = run(*OVERRIDE, "--reason", " Timantalet stämmer inte.\nSe bilaga. ", "--by", " Anna Lindqvist ",
                 "--db", db)
    assert result.exit_code == 0, result.output
    rows, version = _decisions(db)
    assert ("decision", "Timantalet stämmer inte.\nSe bilaga.") in rows and version == 2


def test_an_account_name_with_a_personnummer_is_refused(tmp_path):
    from cases.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    for username, full_name, field in (("anna.l", "Anna 19121212-1212", "--full-name"),
                                       ("anna191212121212", None, "NAME"), ("anna\x1b", "Anna", "NAME")):
        with pytest.raises(InputRefused) as refused:
            accounts.add_user(store, username, "handlaggare", "ett-langt-losenord", full_name=full_name)
        assert refused.value.field == field and "121212" not in str(refused.value)
    assert accounts.list_users(store) == []
    store.dispose()


def test_csi_release_and_load_by_a_name_with_a_personnummer_are_refused_before_the_store_is_read(tmp_path):
    from cases import csi as stored
    from cases.store import open_store
    from stod.services import csi

    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    for call in (lambda: csi.release(store, 1, by="Anna 19121212-1212"),
                 lambda: stored.load_placements(store, [], {}, by="Anna\x1b 19121212-1212")):
        with pytest.raises(InputRefused) as refused:
            call()
        assert refused.value.field == "--by" and "121212" not in str(refused.value)
    store.dispose()


def test_a_token_name_or_school_with_a_personnummer_or_control_characters_is_refused(tmp_path):
    from cases.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 't.db'}")
    for name, schools, field in (("e-tjänst 19121212-1212", [], "NAME"), ("e\x1b[2Jtj", [], "NAME"),
                                 ("e-tjansten", ["191212121212"], "--school")):
        with pytest.raises(InputRefused) as refused:
            accounts.add_token(store, name, schools)
        assert refused.value.field == field and "121212" not in str(refused.value)
    assert accounts.list_tokens(store) == []
    store.dispose()


def test_a_dry_run_letter_names_no_caseworker_with_control_characters_or_a_personnummer(run):
    import json

    from stod.services.demo_data import generate_applications

    app = run.tmp / "a.json"
    app.write_text(json.dumps(generate_applications(1, seed=3)[0], ensure_ascii=False), encoding="utf-8")
    for name in ("Anna\x1b[2J Lind", "Anna 19121212-1212"):
        result = run("letter", "--file", str(app), "--by", name, "--date", "2027-12-31")
        assert result.exit_code == 2 and result.output.startswith("fel: --by: "), result.output
        assert "\x1b" not in result.output and "121212" not in result.output
    shown = run("letter", "--file", str(app), "--by", " Anna Lind ", "--date", "2027-12-31")
    assert shown.exit_code == 0 and "Handläggare: Anna Lind\n" in shown.output


@pytest.mark.usefixtures("decided_late")
def test_a_confirmed_case_shows_the_decisions_caseworker_and_reference_not_the_proposals(run):
    db = _store_case(run)
    assert run("decide", "1", "--confirm", "--by", "Anna Lindqvist", "--date", "2026-12-21", "--db", db).exit_code == 0
    shown = run("show", "1", "--db", db).output
    letter = run("letter", "1", "--db", db).output
    assert "Handläggare: Anna Lindqvist" in shown and "ännu inte fastställt" not in shown
    reference = next(line for line in letter.splitlines() if line.startswith("Diarienummer:"))
    assert reference in shown


def test_a_decision_cannot_be_dated_after_the_day_it_is_made(run):
    """`stod decide --date 2099-01-01` was stored: a decision dated 73 years ahead, in the letter,
    the statistics and the processing times. Now a decision is dated at the latest on the day it
    is made (or on its proposal's day, for a case proposed ahead), whatever the machine's day is."""
    from datetime import date, timedelta

    db = _store_case(run)  # received 2026-12-09, its proposal dated 2026-12-20
    latest = max(date.today(), date(2026, 12, 20))
    before = _decisions(db)
    ahead = run("decide", "1", "--confirm", "--by", "Anna Lindqvist", "--date", str(latest + timedelta(days=1)),
                "--db", db)
    assert ahead.exit_code == 2 and f"--date: beslutsdatum {latest + timedelta(days=1)} ligger efter" in ahead.output, \
        ahead.output
    assert "Traceback" not in ahead.output and _decisions(db) == before  # nothing stored
    far = run("decide", "1", "--override", "avslag", "--reason-code", "FELAKTIGA_UPPGIFTER", "--reason",
              "Uppgifterna stämmer inte.", "--by", "Anna Lindqvist", "--date", "2099-01-01", "--db", db)
    assert far.exit_code == 2 and "--date: beslutsdatum 2099-01-01 ligger efter" in far.output, far.output
    assert _decisions(db) == before
    done = run("decide", "1", "--confirm", "--by", "Anna Lindqvist", "--date", str(latest), "--db", db)
    assert done.exit_code == 0, done.output
