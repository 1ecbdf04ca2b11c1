"""The decision letter of a stored case, as ``stod letter CASE`` and the web app give it.

The stored decision text is read back into a ``Letter`` (``engine.letter``) and given the
case's header fields (reference, date, the caseworker who decided); an override's letter
states the caseworker's decision first and the engine's proposal after it. The HTML and PDF
renderings are ``engine.letter_html``'s.
"""
from __future__ import annotations

from datetime import date

from cases.errors import InputRefused
from engine.area import load_area
from engine.letter import Letter, reference_of
from engine.registry import spec_for_kind


class NoLetter(InputRefused):
    """The case has no proposal or decision yet, so no letter."""


def stored_letter(view: dict) -> Letter:
    """A stored case's current decision as its letter (``view`` is ``workflow.case_view``'s)."""
    current, record = view["current"], view["case"]
    if current is None:
        raise NoLetter("CASE", f"ärende {record['id']} har ännu inget beslut eller förslag")
    area = load_area(spec_for_kind(record["kind"]).name)
    out = Letter.from_text(current["text"], area.labels.letter.get("title", area.index.title))
    decided = current["kind"] == "decision"
    fields = dict(out.header)
    fields["Diarienummer"] = reference_of(record["id"], record["received"])
    fields["Datum"] = _words(current["decision_date"])
    fields["Handläggare"] = current.get("decided_by") or fields.get("Handläggare", "")
    out.header = list(fields.items()) or [("Diarienummer", fields["Diarienummer"])]
    if decided:
        out.footer = []
    if current.get("override_reason_code"):
        out.decision = _override_lines(current, area, out)
        for section in out.sections:
            if section.heading == "Skäl för beslutet":
                section.heading = "Skäl i motorns förslag, som inte följdes"
    return out


def current_letter_text(view: dict) -> str | None:
    """The text of the current decision's letter, as ``stod letter`` writes it (None before any
    proposal): the diarienummer, date and caseworker of the decision, not of the proposal."""
    return stored_letter(view).text() if view["current"] is not None else None


def record_text(view: dict) -> str | None:
    """The current decision as the case page and ``stod show`` show it: its stored text, except
    for a confirmation, whose stored text is one line before the proposal's letter as the engine
    wrote it ("Handläggare: ännu inte fastställt"): there the letter the school gets."""
    current = view["current"]
    if current is None:
        return None
    if current["kind"] == "decision" and not current.get("override_reason_code"):
        return current["text"].split("\n", 1)[0] + "\n\n" + current_letter_text(view)
    return current["text"]


def letter_html(letter: Letter) -> str:
    from engine.letter_html import letter_html as render

    return render(letter)


def letter_pdf(letter: Letter) -> bytes:
    from engine.letter_html import letter_pdf as render

    return render(letter)


def file_name(view: dict, suffix: str) -> str:
    return f"beslut-{view['case']['id']}.{suffix}"


def _override_lines(current: dict, area, out) -> list[str]:
    """An override's decision as the caseworker made it; the engine's proposal follows as the letter's body."""
    from cases.reasons import reason_code
    from engine.explain import sek
    from engine.swedish import month_range

    day = current["decision_date"]
    code = reason_code(current["override_reason_code"], day if isinstance(day, date) else date.fromisoformat(str(day)))
    titles = area.index.outcome_titles
    lines = [f"Beslut: {titles.get(current['outcome'], current['outcome'])}."]
    if current.get("amount_sek"):
        span = month_range(current.get("granted_start"), current.get("granted_end"))
        lines.append(f"Beviljat belopp: {sek(current['amount_sek'])}, nivå {current.get('level')}, för {span}.")
    lines.append(f"Skäl: {code.title_sv}. {(current.get('override_reason') or '').strip()}")
    proposal = next((line for line in out.decision if line.startswith("Motorns förslag")), "")
    engine_outcome = proposal.split("Beslut: ", 1)[1].split(".", 1)[0] if "Beslut: " in proposal else ""
    lines.append(f"Handläggaren har inte följt motorns förslag ({engine_outcome.lower()}); förslaget och dess "
                 "skäl står nedan." if engine_outcome else "Handläggaren har inte följt motorns förslag, som står nedan.")
    return lines


def _words(day) -> str:
    from engine.swedish import date_words

    return date_words(day if isinstance(day, date) else date.fromisoformat(str(day)))
