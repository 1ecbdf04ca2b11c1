"""The decision letter: one builder for every area, as a principal reads it.

A letter is made from a Decision, its area and the application, and reads top down: the
decision (outcome, amount, level and months in words), the reasons (each decisive rule as a
sentence built from this application's facts, with its basis), what to send or what would
change the outcome, what was fine, how to ask for reconsideration, and an appendix with the
ruleset and the parameter values by their labels (förvaltningslagen 32 §).

An area adds nothing here but data: its rule texts, its outcome titles and its labels file
(``rules/<area>/labels.yaml``: codes, the letter's title and the reconsideration paragraph).
``Letter.text()`` is the plain text (the decision text of ``stod check`` and ``stod show``);
``engine.letter_html`` renders the same letter as HTML and PDF.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import date

import orjson

from .explain import number, sek
from .labels import relabel
from .swedish import count, date_words, join, month_range, month_words

AUTHORITY = "Stockholms stad, Utbildningsförvaltningen"
PROPOSAL_NOTE = "Beslutet är ett förslag tills en handläggare med delegation har fastställt det."
# For an area whose labels file does not give its own (förvaltningslagen applies to every decision).
DEFAULT_RECONSIDERATION = ("Ni kan begära att beslutet omprövas om ni anser att det är fel eller om nya "
                           "omständigheter har kommit fram (förvaltningslagen 37–39 §§). Ni kan också göra en ny "
                           "ansökan när som helst.")
GRANT_GROUP = "amount"  # rules that shape a grant; not met there means nothing was cut
# The one set of Swedish words for a finding's status (reports use it too).
STATUS_SV = {"met": "uppfylld", "not_met": "inte uppfylld", "not_applicable": "inte prövad", "info": "upplysning"}


@dataclass
class Section:
    """A headed part of the letter: paragraphs, then a list (numbered or not), then paragraphs."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    numbered: bool = False
    after: list[str] = field(default_factory=list)
    # Reasons carry a label and a basis per item: (label, sentence, basis) triples.
    reasons: list[tuple[str, str, str]] = field(default_factory=list)
    preformatted: str = ""  # a stored text that is not a letter (an override's own words)

    def lines(self) -> list[str]:
        out = [self.heading]
        out += self.paragraphs
        for label, sentence, basis in self.reasons:
            out.append(f"- {label}: {sentence}")
            if basis:
                out.append(f"  Grund: {basis}")
        out += [f"{i}. {item}" if self.numbered else f"- {item}" for i, item in enumerate(self.items, 1)]
        out += self.after
        if self.preformatted:
            out.append(self.preformatted)
        return out


@dataclass
class Letter:
    title: str
    header: list[tuple[str, str]]
    decision: list[str]  # the outcome line and, for a grant, the amount line
    sections: list[Section]
    appendix: Section
    footer: list[str]

    def text(self) -> str:
        lines = [AUTHORITY, self.title, ""]
        lines += [f"{name}: {value}" for name, value in self.header] + [""]
        lines += self.decision + [""]
        for section in self.sections:
            lines += section.lines() + [""]
        lines += ["Bilaga: " + self.appendix.heading] + self.appendix.paragraphs + [f"- {i}" for i in self.appendix.items]
        if self.footer:
            lines += [""] + self.footer
        return "\n".join(lines)

    @classmethod
    def from_text(cls, text: str, title: str) -> "Letter":
        """A letter read back from its plain text (a stored decision); other text is kept as it is.

        A confirmed decision's text is the letter after one line saying who confirmed it; an
        overridden one is the caseworker's decision, then the engine's proposal as a letter.
        """
        start = text.find(AUTHORITY + "\n")
        if start < 0:
            return cls(title, [], [], [Section("Beslut", preformatted=text.strip())], Section("Tillämpat regelverk"), [])
        start = text.rfind("\n", 0, start) + 1  # the proposal may be quoted indented under the decision
        before, body = text[:start].strip(), textwrap.dedent(text[start:])
        blocks = [b.splitlines() for b in body.split("\n\n")]
        head = blocks[0]
        letter = cls(head[1] if len(head) > 1 else title, [], [], [], Section("Tillämpat regelverk"), [])
        rest = blocks[1:]
        if rest:
            letter.header = [tuple(line.split(": ", 1)) for line in rest.pop(0) if ": " in line]
        if rest:
            letter.decision = rest.pop(0)
        for block in rest:
            if not block:
                continue
            if block[0].startswith("Bilaga: "):
                letter.appendix = Section(block[0][8:], paragraphs=[l for l in block[1:] if not l.startswith("- ")],
                                          items=[l[2:] for l in block[1:] if l.startswith("- ")])
                continue
            if block == [PROPOSAL_NOTE]:
                letter.footer = block
                continue
            section = Section(block[0])
            for line in block[1:]:
                numbered = line.split(". ", 1)
                if line.startswith("  Grund: ") and section.reasons:
                    label, sentence, _ = section.reasons[-1]
                    section.reasons[-1] = (label, sentence, line[9:])
                elif line.startswith("- ") and ": " in line and block[0] == "Skäl för beslutet":
                    label, sentence = line[2:].split(": ", 1)
                    section.reasons.append((label, sentence, ""))
                elif line.startswith("- "):
                    section.items.append(line[2:])
                elif numbered[0].isdigit() and len(numbered) == 2:
                    section.items.append(numbered[1])
                    section.numbered = True
                elif section.items or section.reasons:
                    section.after.append(line)
                else:
                    section.paragraphs.append(line)
            letter.sections.append(section)
        if "Motorns förslag" in before:  # an override: the caseworker's decision comes first
            own = [line for line in before.splitlines() if line and not line.startswith("Motorns förslag")]
            letter.decision = own + ["Motorns förslag, som inte följdes: " + " ".join(letter.decision)]
            letter.footer = []
        return letter

    def to_dict(self) -> dict:
        return {"title": self.title, "header": [list(h) for h in self.header], "decision": list(self.decision),
                "sections": [s.__dict__ for s in self.sections], "appendix": self.appendix.__dict__,
                "footer": list(self.footer)}


@dataclass(frozen=True)
class LetterHeader:
    """The city's header fields: a diarienummer-style reference, the date, the caseworker."""

    reference: str
    letter_date: date | None = None
    caseworker: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    proposal: bool = True


def build_letter(decision, area, app, header: LetterHeader | None = None, context=None) -> Letter:
    """The letter for one decision of any area; the area's hooks (``text_sections``) may add
    header fields (``header``), give the reasons when no rule was decisive (``reasons``) and
    keep groups out of the other lists (``own_groups``). ``context`` is what the area decided
    with (a CSI placement round)."""
    header = header or LetterHeader(decision.application_id)
    hooks = area.spec.text_sections
    words = area.labels.letter
    findings = decision.findings
    grant = decision.amount_sek is not None
    own = tuple(hooks["own_groups"]()) if "own_groups" in hooks else ()

    fields = [("Diarienummer", header.reference),
              ("Datum", date_words(header.letter_date or decision.decision_date)),
              ("Handläggare", header.caseworker or "ännu inte fastställt (förslag)"),
              ("Skola", f"{app.school.name}, skolenhet {app.school.unit_code}"),
              ("Elev", f"{app.pupil.ref}, {_grade(app.pupil.grade)}"),
              ("Ansökan mottagen", date_words(decision.received))]
    fields += list(header.extra)
    if "header" in hooks:
        fields += list(hooks["header"](decision, app, context))

    lines = [f"Beslut: {decision.outcome_title}."]
    if grant:
        lines.append(_grant_line(decision))

    sections = [_reasons(decision, area, hooks)]
    sections += _next_steps(decision, area, app)
    own = ("info", *own)  # groups kept out of the lists below
    fine = [f.text for f in findings if f.status == "met" and not f.decisive and f.group not in own]
    if fine:
        sections.append(Section("Det här uppfyller ansökan", items=_unique(fine)))
    other = [f for f in findings if f.status == "not_met" and not f.decisive and f.group not in own
             and not (grant and f.group == GRANT_GROUP) and not _listed_as_also_missing(decision, f)]
    if other:
        sections.append(Section("Andra krav som inte är uppfyllda", items=_unique(f.text for f in other)))
    notes = [f.note for f in findings if f.note]
    notes += [f.text for f in findings if f.group == "info" and _worth_telling(f)]
    if notes:
        sections.append(Section("Upplysningar", items=_unique(notes)))
    sections.append(Section("Omprövning och ny ansökan",
                            paragraphs=[words.get("reconsideration", DEFAULT_RECONSIDERATION)]))

    return Letter(words.get("title", f"Beslut: {area.index.title}"), fields, lines, _drop_repeats(sections), _appendix(decision, area),
                  [PROPOSAL_NOTE] if header.proposal else [])


# -- the parts -------------------------------------------------------------------------------

def _grade(grade: int) -> str:
    return "förskoleklass" if grade == 0 else f"årskurs {grade}"


def _grant_line(decision) -> str:
    months = next((f.facts.get("period.granted_school_months") for f in decision.findings
                   if "period.granted_school_months" in f.facts), None)
    period = decision.granted_period or {}
    span = month_range(period.get("start_month"), period.get("end_month"))
    tail = f" ({count(months, 'en skolmånad/skolmånader')})" if months else ""
    return f"Beviljat belopp: {sek(decision.amount_sek)}, nivå {decision.level}, för {span}{tail}."


def _basis(finding) -> str:
    return "; ".join(b["text"] + (f" ({b['url']})" if b.get("url") else "") for b in finding.basis) + "."


def _reasons(decision, area, hooks) -> Section:
    """Each decisive rule as a sentence with its basis; the area's own reasons when none decided."""
    decisive = [f for f in decision.findings if f.decisive]
    if not decisive and "reasons" in hooks:  # decided by a placement round, or waiting for one
        decisive = hooks["reasons"](decision, area)
    section = Section("Skäl för beslutet")
    if not decisive:
        section.paragraphs.append("Ansökan uppfyller alla villkor som prövas före placeringsomgången. "
                                  "Platserna fördelas i nästa placeringsomgång, efter bedömt behov.")
    section.reasons = [(f"{f.title} ({f.rule_id})", f.text, _basis(f)) for f in decisive]
    return section


def _next_steps(decision, area, app) -> list[Section]:
    """What to send and by when (komplettering), or what would change the outcome."""
    if decision.requests:
        specs = area.memo("rule_specs_on", app.received,
                          lambda: {r.spec.id: r.spec for r in area.rules_on(app.received)})
        decisive = [f for f in decision.findings if f.decisive]
        school: list[str] = []
        others: dict[str, list[str]] = {}
        for finding, item in zip(decisive, decision.requests):
            addressee = specs[finding.rule_id].text.addressee
            (others.setdefault(addressee, []) if addressee else school).append(item)
        out = []
        if school:
            out.append(Section("Det här behöver vi från skolan",
                               paragraphs=[f"Skicka in följande senast {date_words(decision.completion_deadline)}:"],
                               items=school, numbered=True,
                               after=["När underlagen har kommit in prövas ansökan i sak."]))
        for addressee, items in others.items():
            out.append(Section(f"Att göra för {addressee} (inte för skolan):", items=items, numbered=True))
        return out
    if decision.outcome in ("avslag", "avvisning"):
        section = Section("Vad som kan ändra utfallet", paragraphs=[
            "Skälen ovan säger vad som skulle behöva vara annorlunda. En ny ansökan som uppfyller kraven kan prövas."])
        also = [f.text for f in decision.findings if _listed_as_also_missing(decision, f)]
        if also:
            section.after = ["Observera att även detta underlag saknas och behövs i en ny ansökan:"] + \
                [f"- {text}" for text in _unique(also)]
        return [section]
    return []


def _listed_as_also_missing(decision, finding) -> bool:
    return decision.outcome == "avslag" and finding.group == "completeness" and finding.status == "not_met" \
        and not finding.decisive


def _worth_telling(finding) -> bool:
    """An info finding a principal can use: never a negative waiting time."""
    days = finding.facts.get("case.days_waited")
    return days is None or days >= 0


def _appendix(decision, area) -> Section:
    """The ruleset version and every parameter value applied, by label."""
    section = Section("Tillämpat regelverk")
    section.paragraphs.append(f"Regelverk: {area.index.title}, version {decision.ruleset['version']} "
                              f"(regler i kraft {date_words(decision.received)}).")
    section.paragraphs.append("Värden som har använts:")
    # Many decisions apply the same values: the lines are made once per set of values.
    key = _values_key(decision.parameters)
    section.items = list(area.memo("letter_parameters", key, lambda: _parameter_lines(decision.parameters, area)))
    return section


def _values_key(parameters: dict):
    """The parameter values as one hashable key (the same values, the same key), cheaply."""
    try:
        return orjson.dumps(parameters, default=repr, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits
        return repr(sorted(parameters.items()))


def _parameter_lines(parameters: dict, area) -> tuple[str, ...]:
    lines = []
    for name, value in sorted(parameters.items(), key=lambda kv: _param_label(area, kv[0])):
        spec = area.params.get(name)
        if spec is not None and spec.applies_at == "month" and isinstance(value, dict):
            runs: list[list] = []
            for month, v in value.items():
                if runs and runs[-1][2] == v:
                    runs[-1][1] = month
                else:
                    runs.append([month, month, v])
            shown = "; ".join(f"{month_range(a, b)}: {_value(area, name, v)}" for a, b, v in runs)
        else:
            shown = _value(area, name, value)
        lines.append(f"{_param_label(area, name)}: {shown}")
    return tuple(lines)


def _param_label(area, name: str) -> str:
    spec = area.params.get(name)
    return spec.label if spec is not None and spec.label else name


_UNITS = {
    "currency:SEK": lambda v: sek(v),
    "share": lambda v: f"{number(round(float(v) * 100, 1))} %",
    "hours/week": lambda v: f"{number(v)} timmar per vecka",
    "days": lambda v: count(v, "en dag/dagar", words=False),
    "months": lambda v: count(v, "en månad/månader", words=False),
    "school_months": lambda v: count(v, "en skolmånad/skolmånader", words=False),
}


def _value(area, name: str, value) -> str:
    """A parameter value in words: units, month names, codes by label, tables as sentences."""
    spec = area.params.get(name)
    unit = spec.unit if spec is not None else ""
    if isinstance(value, list):
        if unit == "months" and all(isinstance(v, int) for v in value):
            return join([month_words(f"2000-{v:02d}").split(" ")[0] for v in value])
        if value and all(isinstance(v, dict) and {"level", "from_hours"} <= set(v) for v in value):
            return "; ".join(f"nivå {v['level']} från {number(v['from_hours'])} timmar" for v in value)
        if value and all(isinstance(v, dict) and "id" in v for v in value):
            return "; ".join(_group(v) for v in value)
        return join([relabel(area.labels.of_parameter(name, v)) if isinstance(v, str) else number(v) for v in value])
    if isinstance(value, dict):
        if unit == "currency:SEK":
            return ", ".join(f"nivå {k}: {sek(v)}" for k, v in value.items())
        if unit == "term_dates":
            return "; ".join(f"{k}: {v.get('name', k)} {_day(v.get('start'))}–{_day(v.get('end'))}, "
                             f"uppföljning senast {_day(v.get('review'))}" for k, v in value.items())
        parts = []
        for k, v in value.items():
            inner = [relabel(area.labels.of_parameter(name, x)) for x in v] if isinstance(v, list) else [str(v)]
            parts.append(f"{k}: {join(inner, 'eller')}")
        return "; ".join(parts)
    if unit in _UNITS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _UNITS[unit](value)
    return relabel(value) if isinstance(value, str) else number(value)


def _day(month_day) -> str:
    """'08-01' → '1 augusti'."""
    if not month_day:
        return ""
    return date_words(f"2000-{month_day}").rsplit(" ", 1)[0]


def _group(group: dict) -> str:
    grades = group.get("grades") or []
    span = f"årskurs {grades[0]}–{grades[1]}" if len(grades) == 2 else ""
    return (f"{group['id']} ({group.get('focus', '')}, {span}, {group.get('school_name', '')}, "
            f"{count(group.get('capacity', 0), 'en plats/platser')})")


# -- no sentence twice ------------------------------------------------------------------------

def _unique(texts) -> list[str]:
    seen, out = set(), []
    for text in texts:
        if text and text not in seen:
            seen.add(text)
            out.append(text)
    return out


def _drop_repeats(sections: list[Section]) -> list[Section]:
    """A sentence said once: a later section leaves out what an earlier one said."""
    said: set[str] = set()
    kept = []
    for section in sections:
        section.reasons = [r for r in section.reasons if r[1] not in said]
        said |= {r[1] for r in section.reasons}
        section.items = [i for i in section.items if i not in said]
        said |= set(section.items)
        if section.reasons or section.items or section.paragraphs or section.after:
            kept.append(section)
    return kept


def reference_of(case_id: int, received) -> str:
    """A case's diarienummer-style reference: the förvaltning, the year of receipt, the case number."""
    year = received.year if hasattr(received, "year") else str(received)[:4]
    return f"UBF {year}/{int(case_id):05d}"


def letter_text(decision, area, app, context=None) -> str:
    """The decision text: the letter as plain text (the renderer a Decision is made with)."""
    return build_letter(decision, area, app, context=context).text()
