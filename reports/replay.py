"""Replay: decide every stored proposal again, with its own ruleset version and as-of date.

Each proposal in the store records the application revision it evaluated, the ruleset
(area and version, a content hash of the rule files) and the decision date. Replay reads
that application, loads that version of the rules — the current files when their hash is
the same, otherwise the files the store kept for the version, through ``DictSource`` — and
decides again on the same date. Any difference in outcome, decisive rules, amount, level,
period, completion deadline, parameters or findings is reported as a difference. The decision
text is compared too, but apart: it is rendered by the engine's code (engine/letter.py), which
the ruleset version does not cover, so a proposal whose only change is its wording is counted
as ``text_only`` and its first differing line is shown. A correct store replays 100 %
identical.

``replay_all(session_or_url, workers=1)`` is the library entry point (the lead's benchmark
calls it); ``stod replay`` formats its ``ReplayReport``.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from sqlalchemy import func
from sqlmodel import Session, select

from engine.errors import EngineError
from engine.intake import parse_application
from engine.yamlsource import DictSource, FolderSource, content_hash, default_rules_root

COMPARED = ("outcome", "decisive_rules", "amount_sek", "level", "granted_period", "completion_deadline",
            "parameters", "findings", "text")
BATCH = 500


@dataclass
class Difference:
    case_id: int
    application_id: str
    decision_id: int
    field: str
    stored: Any
    replayed: Any

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ReplayReport:
    proposals: int = 0
    identical: int = 0
    differing: int = 0  # a substantive field differs (anything but the text)
    text_only: int = 0  # only the decision text's wording differs
    not_replayable: int = 0  # kinds or versions that cannot be decided again (each with a reason)
    # CSI proposals made by a placement round or a release offer: they depend on every request
    # of the round and the places taken, so deciding one request alone cannot reproduce them.
    # Not replayed (yet); counted so the report says what it did not check.
    round_proposals: int = 0
    differences: list[Difference] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)  # {decision_id, case_id, problem}
    versions: dict[str, int] = field(default_factory=dict)  # "area@version" -> proposals replayed
    seconds: float = 0.0
    workers: int = 1

    @property
    def ok(self) -> bool:
        """Every proposal decided the same (its wording may differ: see ``text_only``)."""
        return self.differing == 0 and self.not_replayable == 0

    @property
    def replayed(self) -> int:
        return self.proposals - self.round_proposals

    @property
    def identical_share(self) -> float:
        return self.identical / self.replayed if self.replayed else 1.0

    def merge(self, other: "ReplayReport") -> None:
        self.proposals += other.proposals
        self.identical += other.identical
        self.differing += other.differing
        self.text_only += other.text_only
        self.not_replayable += other.not_replayable
        self.round_proposals += other.round_proposals
        self.differences += other.differences
        self.problems += other.problems
        for key, n in other.versions.items():
            self.versions[key] = self.versions.get(key, 0) + n

    def to_dict(self) -> dict:
        out = asdict(self)
        out["ok"], out["identical_share"], out["replayed"] = self.ok, self.identical_share, self.replayed
        return out


# --- loading the rules of a version -------------------------------------------------------

class RulesetCache:
    """Areas by (area, version): the current files when the hash matches, else the stored ones."""

    def __init__(self, session: Session):
        self.session = session
        self.areas: dict[tuple[str, str], Any] = {}
        self.current = FolderSource(default_rules_root())

    def area(self, name: str, version: str):
        key = (name, version)
        if key not in self.areas:
            from engine.area import Area, load_area

            if self.current.paths(name) and content_hash(self.current, name) == version:
                self.areas[key] = load_area(name)
            else:
                from cases.store import ruleset_files

                files = ruleset_files(self.session, name, version)
                if files is None:
                    self.areas[key] = None
                else:
                    source = DictSource(files)
                    if content_hash(source, name) != version:
                        raise ValueError(f"de lagrade regelfilerna för {name}@{version} ger inte versionen {version}: "
                                         "de har ändrats sedan de sparades; kör stod audit verify")
                    self.areas[key] = Area(name, source)
        return self.areas[key]


# --- comparing ----------------------------------------------------------------------------

def _jsonable(value):
    from cases.store import jsonable

    return jsonable(value)


def stored_view(record, findings: dict) -> dict:
    """What a stored proposal says, in the shape a fresh Decision is compared in."""
    return {
        "outcome": record.outcome,
        "decisive_rules": list(record.decisive_rules or []),
        "amount_sek": record.amount_sek,
        "level": record.level,
        "granted_period": record.granted_period,
        "completion_deadline": record.completion_deadline.isoformat() if record.completion_deadline else None,
        "parameters": _jsonable(record.parameters or {}),
        "findings": findings,
        "text": record.text,
    }


def fresh_view(decision) -> dict:
    period = decision.granted_period
    if period is not None and not period.get("start_month"):
        period = None
    return {
        "outcome": decision.outcome,
        "decisive_rules": list(decision.decisive_rules),
        "amount_sek": decision.amount_sek,
        "level": decision.level,
        "granted_period": period,
        "completion_deadline": decision.completion_deadline,
        "parameters": _jsonable(decision.parameters),
        "findings": {f.rule_id: [f.status, bool(f.decisive)] for f in decision.findings},
        "text": decision.text,
    }


def compare(stored: dict, fresh: dict) -> list[tuple[str, Any, Any]]:
    """(field, stored, replayed) for every compared field that differs; findings per rule."""
    out = []
    for name in COMPARED:
        a, b = stored.get(name), fresh.get(name)
        if name == "findings":
            for rid in sorted(set(a) | set(b)):
                if a.get(rid) != b.get(rid):
                    out.append((f"findings.{rid}", a.get(rid), b.get(rid)))
        elif name == "parameters":
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    out.append((f"parameters.{key}", a.get(key), b.get(key)))
        elif name == "text" and a != b:
            out.append((name, *_first_differing_line(a or "", b or "")))
        elif a != b:
            out.append((name, a, b))
    return out


def _first_differing_line(a: str, b: str) -> tuple[str, str]:
    """The first line where two texts part, numbered, instead of both texts in full."""
    left, right = a.splitlines(), b.splitlines()
    for number in range(max(len(left), len(right))):
        x = left[number] if number < len(left) else ""
        y = right[number] if number < len(right) else ""
        if x != y:
            return f"rad {number + 1}: {x}", f"rad {number + 1}: {y}"
    return a, b


# --- replaying ----------------------------------------------------------------------------

def _proposal_batches(session: Session, case_ids: list[int] | None, id_range: tuple[int, int] | None):
    from cases.models import ApplicationRecord, Case, DecisionRecord

    last = id_range[0] - 1 if id_range else 0
    while True:
        query = (select(DecisionRecord, ApplicationRecord.raw, Case.application_id)
                 .join(ApplicationRecord, DecisionRecord.application_row_id == ApplicationRecord.id)
                 .join(Case, DecisionRecord.case_id == Case.id)
                 .where(DecisionRecord.kind == "proposal", DecisionRecord.id > last)
                 .order_by(DecisionRecord.id).limit(BATCH))
        if case_ids is not None:
            query = query.where(DecisionRecord.case_id.in_(case_ids))
        if id_range:
            query = query.where(DecisionRecord.id <= id_range[1])
        rows = session.exec(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0].id


def _findings_for(session: Session, ids: list[int]) -> dict[int, dict]:
    """Per proposal: rule id -> [status, decisive] (plain rows: ORM objects cost more than the rule evaluation)."""
    from cases.models import FindingRecord

    out: dict[int, dict] = {i: {} for i in ids}
    query = select(FindingRecord.decision_id, FindingRecord.rule_id, FindingRecord.status, FindingRecord.decisive) \
        .where(FindingRecord.decision_id.in_(ids))
    for decision_id, rule_id, status, decisive in session.exec(query):
        out[decision_id][rule_id] = [status, bool(decisive)]
    return out


def not_decided_again(error: Exception) -> str:
    """What a report says of a stored case that could not be decided again (replay, what-if): the
    engine's own Swedish reason (a stored application it no longer reads names each field); any
    other error is a fault in the program, named as such (its kind, for whoever mends it)."""
    if isinstance(error, _NotReplayable):
        return str(error)
    if isinstance(error, EngineError):
        return f"kunde inte prövas igen: {error}"
    return (f"kunde inte prövas igen: ett fel i programmet ({type(error).__name__}: {error}); "
            "anmäl det till systemförvaltningen")


def replay_session(session: Session, case_ids: list[int] | None = None,
                   id_range: tuple[int, int] | None = None, max_differences: int = 1000) -> ReplayReport:
    """Replay the proposals of the given cases (all by default) in one session."""
    from cases.audit import round_proposal_ids
    from engine.parallel import in_stages

    report = ReplayReport()
    cache = RulesetCache(session)
    rounds = round_proposal_ids(session)
    for rows in _proposal_batches(session, case_ids, id_range):
        findings = _findings_for(session, [r[0].id for r in rows])
        report.proposals += len(rows)
        # each entry: [record, raw, application id], then one more item that each stage turns into the
        # next: (area, application) after reading, the decision, then its view for ``compare``
        entries = [[record, raw, application_id] for record, raw, application_id in rows if record.id not in rounds]
        report.round_proposals += len(rows) - len(entries)

        def read(entry):
            record, raw = entry[0], entry[1]
            area = cache.area(record.ruleset_area, record.ruleset_version)
            if area is None:
                raise _NotReplayable(f"reglerna i version {record.ruleset_area}@{record.ruleset_version} finns varken "
                                     "i regelmappen eller i databasens ruleset_versions; lägg tillbaka regelfilerna "
                                     "i den versionen (STOD_RULES_DIR) och pröva igen")
            entry.append((area, parse_application(raw, source=f"ärende {record.case_id}")))

        def decide(entry):
            area, app = entry.pop()
            entry.append(area.decide(app, entry[0].decision_date))

        # stage by stage, a few proposals at a time (engine.parallel.in_stages); one bad proposal must not
        # stop the audit of the rest
        failed = in_stages(entries, [((Exception,), read), ((Exception,), decide),
                                     ((Exception,), lambda entry: entry.append(fresh_view(entry.pop())))])
        for i, (record, _, application_id, *fresh) in enumerate(entries):
            if i in failed:
                error = failed[i][0]
                problem = not_decided_again(error)
                report.not_replayable += 1
                report.problems.append({"decision_id": record.id, "case_id": record.case_id,
                                        "application_id": application_id, "problem": problem})
                continue
            key = f"{record.ruleset_area}@{record.ruleset_version}"
            report.versions[key] = report.versions.get(key, 0) + 1
            diffs = compare(stored_view(record, findings[record.id]), fresh[0])
            if any(name != "text" for name, _, _ in diffs):
                report.differing += 1
            elif diffs:
                report.text_only += 1
            if diffs:
                for name, a, b in diffs:
                    if len(report.differences) < max_differences:
                        report.differences.append(Difference(record.case_id, application_id, record.id, name, a, b))
            else:
                report.identical += 1
    return report


class _NotReplayable(Exception):
    """A proposal whose rules cannot be found: the message says what to do."""


def _worker(args) -> ReplayReport:
    url, id_range = args
    from cases.store import open_store

    store = open_store(url)
    try:
        with store.read() as session:
            return replay_session(session, id_range=id_range)
    finally:
        store.dispose()


def replay_all(session_or_url: Session | str | None = None, workers: int = 1,
               case_ids: Iterable[int] | None = None) -> ReplayReport:
    """Replay every stored proposal (or those of ``case_ids``); ``workers`` processes share the id range.

    ``session_or_url`` is an open session, a database URL or path, or None for the default
    store. Several workers need a database they can each open (a file or a server).
    """
    from cases.audit import session_scope

    started = time.perf_counter()
    case_list = list(case_ids) if case_ids is not None else None
    with session_scope(session_or_url) as session:
        url = session_or_url if isinstance(session_or_url, str) else str(session.get_bind().url)
        shareable = workers > 1 and case_list is None and ":memory:" not in url and url not in ("sqlite://",)
        if not shareable:
            report = replay_session(session, case_ids=case_list)
            workers = 1
        else:
            from cases.models import DecisionRecord

            low, high = session.exec(select(func.min(DecisionRecord.id), func.max(DecisionRecord.id))
                                     .where(DecisionRecord.kind == "proposal")).one()
            report = ReplayReport()
            if low is not None:
                from engine.parallel import ordered_map

                bind_url = session.get_bind().url.render_as_string(hide_password=False) \
                    if not isinstance(session_or_url, str) else session_or_url
                step = (high - low) // workers + 1
                ranges = [(low + i * step, min(high, low + (i + 1) * step - 1)) for i in range(workers)]
                for part in ordered_map(_worker, [(bind_url, r) for r in ranges], workers):
                    report.merge(part)
    report.workers = workers
    report.seconds = time.perf_counter() - started
    return report
