"""The CSI placement round (CSI-R1..R4): ranking, allocation, waitlists and term dates.

Pure and deterministic: the same groups (with places taken) and the same requests give the
same result whatever order the requests come in, because every step works in ranking order
and the ranking key ends in the application id, which is unique in a round. The keys and
the order of allocation are the policy's algorithm; terms, review dates and the catalogue
are parameters handed in by the caller.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping, Sequence

TERM_KINDS = ("HT", "VT")


@dataclass(frozen=True)
class Group:
    """A CSI group as the round sees it: what it takes, and how many of its places are taken."""

    id: str
    focus: str
    school_unit_code: str
    school_name: str
    low: int
    high: int
    capacity: int
    taken: int = 0

    def takes(self, focus: str, grade: int) -> bool:
        return self.focus == focus and self.low <= grade <= self.high

    @property
    def free(self) -> int:
        """Free places: capacity less places taken, never below 0 (CSI-R2)."""
        return max(0, self.capacity - self.taken)

    @property
    def grades(self) -> str:
        return f"{self.low}–{self.high}"

    @classmethod
    def from_dict(cls, data: Mapping) -> "Group":
        """From the catalogue's or a round file's form: ``grades: [low, high]``, optional ``taken``."""
        low, high = data["grades"]
        return cls(data["id"], data["focus"], data["school_unit_code"], data["school_name"],
                   int(low), int(high), int(data["capacity"]), int(data.get("taken", 0)))


@dataclass(frozen=True)
class Candidate:
    """An eligible request, reduced to what the round looks at."""

    application_id: str
    focus: str
    grade: int
    need_level: int
    received: date
    preferred_groups: tuple[str, ...] = ()
    school_unit_code: str = ""

    @property
    def rank_key(self) -> tuple:
        """CSI-R1: higher assessed need first, then earlier receipt, then application id."""
        return (-self.need_level, self.received, self.application_id)


@dataclass(frozen=True)
class Term:
    """One term of placements: its code (HT2026), Swedish name, first and last day, review date."""

    code: str
    name: str
    start: date
    end: date
    review: date


def parse_term(code: str, table: Mapping[str, Mapping[str, str]]) -> Term:
    """The term ``HT2026`` / ``VT2027`` with its dates from the ``terms`` parameter's value."""
    kind, year = code[:2], int(code[2:])
    if kind not in TERM_KINDS or kind not in table:
        raise ValueError(f"okänd termin {code!r}; ange HT eller VT och ett år, t.ex. HT2026")
    row = table[kind]

    def day(month_day: str) -> date:
        month, dom = month_day.split("-")
        return date(year, int(month), int(dom))

    return Term(code, f"{row['name']} {year}", day(row["start"]), day(row["end"]), day(row["review"]))


def next_term(receipt: date, table_for_year) -> Term:
    """The first term that starts on or after the receipt date (for a request checked alone)."""
    terms = []
    for year in (receipt.year, receipt.year + 1):
        table = table_for_year(year)
        terms += [parse_term(f"{kind}{year}", table) for kind in TERM_KINDS if kind in table]
    return min((t for t in terms if t.start >= receipt), key=lambda t: t.start)


@dataclass
class RequestResult:
    """What the round did with one request, and the counts its texts explain it with."""

    application_id: str
    rank: int  # place in the ranking among the round's requests with the same focus (1 = first)
    requests_in_focus: int
    matching: tuple[str, ...]  # ids of the groups that take the request's focus and grade, by id
    free_at_start: int  # free places in those groups when the round began
    ahead: int  # requests ranked ahead that match at least one of the same groups
    ahead_higher_need: int
    ahead_earlier_date: int
    ahead_same_day: int  # same need, same day: the application id decided
    given_higher_need: int = 0  # of the places in matching groups given to requests ranked ahead
    given_earlier_date: int = 0
    given_same_day: int = 0
    group: Group | None = None
    preferred_placed: bool = False
    other_school: bool = False
    positions: dict[str, int] = field(default_factory=dict)

    @property
    def placed(self) -> bool:
        return self.group is not None


@dataclass
class RoundResult:
    term: Term
    groups: tuple[Group, ...]  # as at the start of the round, by id
    results: dict[str, RequestResult]  # by application id, in ranking order
    taken_after: dict[str, int]  # places taken in each group after the round

    def waitlist(self, group_id: str) -> list[str]:
        """The application ids on a group's waitlist, first in line first."""
        queue = [(r.positions[group_id], rid) for rid, r in self.results.items() if group_id in r.positions]
        return [rid for _, rid in sorted(queue)]


def _matching(groups: tuple[Group, ...], ranked: list[Candidate]):
    """Per (focus, grade): the groups that take it, and the keys whose groups overlap with them.

    Requests of the same focus and grade match the same groups: the round works per such key.
    """
    matching_of: dict[tuple[str, int], tuple[str, ...]] = {}
    for c in ranked:
        key = (c.focus, c.grade)
        if key not in matching_of:
            matching_of[key] = tuple(g.id for g in groups if g.takes(*key))
    overlapping = {k: [k2 for k2, m2 in matching_of.items() if set(m) & set(m2)] for k, m in matching_of.items()}
    return matching_of, overlapping


def _choose(c: Candidate, matching: tuple[str, ...], free: dict[str, int]):
    """CSI-R2: the first group with a free place among the preferred ones that match, in the
    order given, then the rest by id; and the preferred ones."""
    matching_set = set(matching)
    preferred = [g for g in dict.fromkeys(c.preferred_groups) if g in matching_set]
    order = preferred + [g for g in matching if g not in preferred]
    return next((g for g in order if free[g] > 0), None), preferred


def _number_waitlists(ranked: list[Candidate], results: dict[str, "RequestResult"]) -> None:
    """CSI-R3: each group's waitlist, numbered in ranking order among the unplaced that match it."""
    queue_length: Counter = Counter()
    for c in ranked:
        result = results[c.application_id]
        if result.placed:
            continue
        for g in result.matching:
            queue_length[g] += 1
            result.positions[g] = queue_length[g]


def run_round(groups: Iterable[Group], candidates: Iterable[Candidate], term: Term) -> RoundResult:
    """Place the candidates in the groups for one term (CSI-R1..R3); pure, order-independent."""
    groups = tuple(sorted(groups, key=lambda g: g.id))
    ids = [g.id for g in groups]
    if len(set(ids)) != len(ids):
        raise ValueError("ett grupp-id står två gånger i katalogen; ge varje grupp ett eget id")
    ranked = sorted(candidates, key=lambda c: c.rank_key)
    seen_ids = [c.application_id for c in ranked]
    if len(set(seen_ids)) != len(seen_ids):
        raise ValueError("ett ansöknings-id står två gånger i omgången; ta bort dubbletten")
    by_id = {g.id: g for g in groups}
    free = {g.id: g.free for g in groups}
    matching_of, overlapping = _matching(groups, ranked)
    per_focus = Counter(c.focus for c in ranked)
    focus_seen: Counter = Counter()
    seen_total: Counter = Counter()  # key -> requests ranked so far
    seen_need: Counter = Counter()  # (key, need) -> …
    seen_day: Counter = Counter()  # (key, need, received) -> …
    given_total: Counter = Counter()  # group -> places given in this round so far
    given_need: Counter = Counter()  # (group, need) -> …
    given_day: Counter = Counter()  # (group, need, received) -> …

    results: dict[str, RequestResult] = {}
    for c in ranked:
        key = (c.focus, c.grade)
        matching = matching_of[key]
        focus_seen[c.focus] += 1
        ahead = sum(seen_total[k] for k in overlapping[key])
        same_need = sum(seen_need[(k, c.need_level)] for k in overlapping[key])
        same_day = sum(seen_day[(k, c.need_level, c.received)] for k in overlapping[key])
        given = sum(given_total[g] for g in matching)
        given_same_need = sum(given_need[(g, c.need_level)] for g in matching)
        given_same_day = sum(given_day[(g, c.need_level, c.received)] for g in matching)
        result = RequestResult(
            c.application_id, focus_seen[c.focus], per_focus[c.focus], matching,
            sum(by_id[g].free for g in matching), ahead, ahead - same_need, same_need - same_day, same_day,
            given - given_same_need, given_same_need - given_same_day, given_same_day)

        chosen, preferred = _choose(c, matching, free)
        if chosen is not None:
            free[chosen] -= 1
            group = by_id[chosen]
            result.group = group
            result.preferred_placed = chosen in preferred
            result.other_school = group.school_unit_code != c.school_unit_code
            given_total[chosen] += 1
            given_need[(chosen, c.need_level)] += 1
            given_day[(chosen, c.need_level, c.received)] += 1
        seen_total[key] += 1
        seen_need[(key, c.need_level)] += 1
        seen_day[(key, c.need_level, c.received)] += 1
        results[c.application_id] = result

    _number_waitlists(ranked, results)
    taken_after = {g.id: g.taken + given_total[g.id] for g in groups}
    return RoundResult(term, groups, results, taken_after)


def catalogue_groups(value: Sequence[Mapping], taken: Mapping[str, int] | None = None) -> tuple[Group, ...]:
    """The catalogue parameter's groups, with places taken from ``taken`` (0 when not given)."""
    taken = taken or {}
    return tuple(Group.from_dict({**g, "taken": taken.get(g["id"], 0)}) for g in value)
