"""A hand-written explained verksamhetsstöd decision in plain Python: the benchmark's yardstick.

Not part of the product, and not a second implementation of the policy to rely on: it does
the same kind of work as ``stod check --json`` for one application, written as directly as
Python allows, so that ``bench/run.py`` can say how close the product comes. Bytes in; the
facts; all 21 rules with their status, comparisons and a Swedish sentence; the outcome by
the groups' precedence; level, amount and period month by month; JSON bytes out (orjson,
indented, as the product writes). Parameter values are read from the rules once, at setup.
"""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import orjson

GROUP_OUTCOME = (("admissibility", "avvisning"), ("substantive", "avslag"), ("completeness", "komplettering"))


def _months(start: str, end: str) -> list[str]:
    y, m = int(start[:4]), int(start[5:7])
    ey, em = int(end[:4]), int(end[5:7])
    out = []
    while (y, m) <= (ey, em):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _age_months(doc_day: str, received: date) -> int:
    d = date.fromisoformat(doc_day)
    months = (received.year - d.year) * 12 + received.month - d.month
    return months - 1 if received.day < d.day else months


class Reference:
    """The decision for applications received on the days whose parameters were given."""

    def __init__(self, params: dict, monthly: dict, extra: dict):
        self.p = params  # name -> value (one date stretch: what the benchmark's applications use)
        self.monthly, self.extra = monthly, extra  # "YYYY-MM" -> {level: kr}, "YYYY-MM" -> kr

    def decide(self, data: bytes, decision_date: date) -> bytes:
        a = orjson.loads(data)
        c = self._facts(a, decision_date)
        findings: list[dict] = []
        self._admissibility_and_substance(c, findings)
        self._completeness(c, findings)
        outcome = _outcome(findings)
        grant = outcome is None
        self._amount_and_info(c, findings, grant)
        if grant:
            outcome = "bifall" if c.granted_sek == c.requested_sek and c.granted == c.requested else "delvis_bifall"
        decisive = sorted(f["rule_id"] for f in findings if f["decisive"])
        text = "\n".join([f"Beslut: {outcome}"] + [f"{f['rule_id']} {f['title']}: {f['text']}" for f in findings])
        out = {"application_id": a.get("application_id"), "kind": a["kind"], "outcome": outcome,
               "decisive_rules": decisive, "amount_sek": c.granted_sek if grant else None,
               "level": c.level if grant else None,
               "granted_period": ({"start_month": c.granted[0], "end_month": c.granted[-1]} if grant and c.granted
                                  else None),
               "findings": findings, "parameters": {"monthly_amount_by_level": {m: self.monthly[m] for m in c.granted}},
               "text": text}
        return orjson.dumps(out, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE)

    def _facts(self, a: dict, decision_date: date) -> SimpleNamespace:
        p = self.p
        c = SimpleNamespace(p=p)
        c.received = received = date.fromisoformat(a["received"])
        c.school, c.pupil, c.need, c.docs = a["school"], a["pupil"], a["need"], a["documents"]
        c.role, c.grade, c.hours = a["applicant"]["role"], c.pupil["grade"], float(c.need["extraordinary_hours_per_week"])
        c.share = float(c.need["share_in_special_group"])
        c.extraordinary = sum(1 for m in c.need["measures"] if m in p["extraordinary_measures"])
        c.receipt_month = received.isoformat()[:7]
        c.requested = [m for m in _months(a["period"]["start_month"], a["period"]["end_month"])
                       if int(m[5:]) not in p["non_school_months"]]
        c.from_receipt = [m for m in c.requested if m >= c.receipt_month]
        c.granted = c.from_receipt[:p["longest_period_school_months"]]
        level = 0
        for row in sorted(p["level_hours"], key=lambda r: r["from_hours"]):
            if c.hours >= row["from_hours"]:
                level = row["level"]
        c.level = level
        netting = c.share >= p["special_group_share"]
        c.computed = (sum(max(0, self.monthly[m][level] - (self.extra[m] if netting else 0)) for m in c.granted)
                      if level else 0)
        c.requested_sek = a["requested_amount_sek"]
        c.granted_sek = min(c.computed, c.requested_sek)
        c.ap, c.ut = c.docs.get("atgardsprogram"), c.docs.get("utredning")
        c.ap_age = _age_months(c.ap["date"], received) if c.ap else None
        c.ut_age = _age_months(c.ut["date"], received) if c.ut else None
        c.waited = (decision_date - received).days
        c.renewal = bool(a.get("renewal"))
        return c

    @staticmethod
    def _admissibility_and_substance(c: SimpleNamespace, findings: list) -> None:
        p, school, grade, hours = c.p, c.school, c.grade, c.hours
        _rule(findings, "VS-A1", "Ansökan är gjord av rektor", "admissibility", [_cmp("applicant.role", "eq", "rektor", c.role)],
              "Ansökan är gjord av rektor.", f'Ansökan är gjord av en person med rollen "{c.role}". Verksamhetsstöd '
              "kan bara sökas av rektor; ansökan prövas om rektor skickar in den.")
        _rule(findings, "VS-A2", "Skolan är en kommunal grundskola i Stockholms stad", "admissibility",
              [_cmp("school.municipality", "eq", "Stockholm", school["municipality"]),
               _cmp("school.organizer", "eq", "kommunal", school["organizer"])],
              "Skolan är en kommunal skola i Stockholms stad.",
              f'Skolan har kommunen "{school["municipality"]}" och huvudmannen "{school["organizer"]}".')
        _rule(findings, "VS-A3", "Eleven går i förskoleklass eller årskurs 1–9", "admissibility",
              [_cmp("pupil.grade", "ge", p["lowest_grade"], grade), _cmp("pupil.grade", "le", p["highest_grade"], grade)],
              f"Eleven går i årskurs {grade}, som omfattas.",
              f"Ansökan anger årskurs {grade}. Verksamhetsstöd gäller elever i förskoleklass ({p['lowest_grade']}) "
              f"till och med årskurs {p['highest_grade']}.")
        s1 = _rule(findings, "VS-S1", "Extraordinära åtgärder", "substantive",
                   [_cmp("need.extraordinary_measures", "ge", 1, c.extraordinary)],
                   f"Ansökan avser {c.extraordinary} extraordinära åtgärder.", "Ansökan avser inga extraordinära åtgärder.")
        s2 = _rule(findings, "VS-S2", "Minsta omfattning", "substantive",
                   [_cmp("need.extraordinary_hours_per_week", "ge", p["least_extensive_hours"], hours)],
                   f"Ansökan avser {hours:g} timmar extraordinärt stöd per vecka; gränsen är {p['least_extensive_hours']} timmar.",
                   f"Ansökan avser {hours:g} timmar extraordinärt stöd per vecka; gränsen är {p['least_extensive_hours']} timmar.")
        p2 = _rule(findings, "VS-P2", "Perioden har skolmånader efter mottagandet", "substantive",
                   [_cmp("period.school_months_from_receipt", "ge", 1, len(c.from_receipt))],
                   f"Perioden har {len(c.from_receipt)} skolmånader från mottagningsmånaden {c.receipt_month}.",
                   f"Ingen sökt skolmånad ligger efter mottagningsmånaden {c.receipt_month}.")
        _rule(findings, "VS-N2", "Något återstår efter avräkning", "substantive",
              [_cmp("amount.computed_sek", "gt", 0, c.computed)],
              f"Efter avräkning återstår {c.computed} kr.", "Efter avräkning återstår inget belopp.",
              applies=s1 == s2 == p2 == "met")

    @staticmethod
    def _completeness(c: SimpleNamespace, findings: list) -> None:
        p, ap, docs = c.p, c.ap, c.docs
        k1 = _rule(findings, "VS-K1", "Åtgärdsprogram bifogat", "completeness",
                   [_cmp("docs.atgardsprogram.attached", "eq", True, ap is not None)],
                   "Åtgärdsprogram är bifogat.", "Åtgärdsprogram saknas; skicka elevens åtgärdsprogram.")
        _rule(findings, "VS-K2", "Åtgärdsprogrammet är undertecknat och aktuellt", "completeness",
              [_cmp("docs.atgardsprogram.signed_by_rektor", "eq", True, ap and ap["signed_by_rektor"]),
               _cmp("docs.atgardsprogram.age_months", "le", p["atgardsprogram_max_age_months"], c.ap_age)],
              f"Åtgärdsprogrammet är undertecknat av rektor och {c.ap_age} månader gammalt.",
              "Åtgärdsprogrammet är inte undertecknat av rektor eller är för gammalt.", applies=k1 == "met")
        _rule(findings, "VS-K3", "Utredning bifogad och aktuell", "completeness",
              [_cmp("docs.utredning.attached", "eq", True, c.ut is not None),
               _cmp("docs.utredning.age_months", "le", p["utredning_max_age_months"], c.ut_age)],
              f"Utredningen är {c.ut_age} månader gammal.", "Utredning saknas eller är för gammal.")
        _rule(findings, "VS-K4", "Utvärdering av extra anpassningar", "completeness",
              [_cmp("docs.extra_anpassningar_utvardering.attached", "eq", True,
                    docs.get("extra_anpassningar_utvardering") is not None)],
              "Utvärdering av extra anpassningar är bifogad.", "Utvärdering av extra anpassningar saknas.")
        _rule(findings, "VS-K5", "Behovet är beskrivet", "completeness",
              [_cmp("need.description_given", "eq", True, bool(c.need["description"].strip()))],
              "Behovet är beskrivet.", "Behovet är inte beskrivet.")
        _rule(findings, "VS-K6", "Utvärdering av föregående period", "completeness",
              [_cmp("docs.foregaende_period_utvardering.attached", "eq", True,
                    docs.get("foregaende_period_utvardering") is not None)],
              "Utvärdering av föregående period är bifogad.", "Utvärdering av föregående period saknas.",
              applies=c.renewal)
        _rule(findings, "VS-K7", "Vårdnadshavare informerade", "completeness",
              [_cmp("docs.vardnadshavare_informerade", "eq", True, docs.get("vardnadshavare_informerade"))],
              "Vårdnadshavarna är informerade.", "Vårdnadshavarna är inte informerade om ansökan.")

    @staticmethod
    def _amount_and_info(c: SimpleNamespace, findings: list, grant: bool) -> None:
        p, hours, share, receipt_month = c.p, c.hours, c.share, c.receipt_month
        cut1, cut3 = len(c.requested) - len(c.from_receipt), len(c.from_receipt) - len(c.granted)
        amount_rules = [
            ("VS-P1", "Inget stöd retroaktivt", [_cmp("period.months_cut_by_p1", "gt", 0, cut1)],
             f"{cut1} skolmånad(er) före mottagningsmånaden {receipt_month} beviljas inte.",
             f"Den sökta perioden börjar inte före mottagningsmånaden {receipt_month}."),
            ("VS-P3", "Längsta beslutsperiod", [_cmp("period.months_cut_by_p3", "gt", 0, cut3)],
             f"{cut3} skolmånad(er) i slutet beviljas inte.", "Perioden ryms inom längsta beslutsperiod."),
            ("VS-L1", "Nivå efter antal timmar", [_cmp("amount.level", "ge", 1, c.level)],
             f"{hours:g} timmar extraordinärt stöd per vecka ger nivå {c.level}.", f"{hours:g} timmar når ingen nivå."),
            ("VS-N1", "Avräkning av extra grundbelopp",
             [_cmp("need.share_in_special_group", "ge", p["special_group_share"], share)],
             f"Eleven är {share * 100:g} % av skoltiden i särskild undervisningsgrupp; avräkning görs.",
             f"Eleven är {share * 100:g} % av skoltiden i särskild undervisningsgrupp; ingen avräkning görs."),
            ("VS-G1", "Beviljat belopp", [_cmp("amount.granted_sek", "gt", 0, c.granted_sek)],
             f"Beviljat belopp är {c.granted_sek} kr för {len(c.granted)} skolmånader.", "Inget belopp beviljas."),
        ]
        for rid, title, comparisons, met_text, not_met_text in amount_rules:
            status = _rule(findings, rid, title, "amount", comparisons, met_text, not_met_text, applies=grant)
            if grant and status == "met":
                findings[-1]["decisive"] = True
        _rule(findings, "VS-I1", "Socioekonomiskt index", "info",
              [_cmp("school.socioeconomic_index_known", "eq", True, c.school.get("socioeconomic_index") is not None)],
              "Skolans socioekonomiska index är angivet.", "Skolans socioekonomiska index är inte angivet.")
        _rule(findings, "VS-I2", "Handläggningstid", "info",
              [_cmp("case.days_waited", "gt", p["processing_target_days"], c.waited)],
              f"Ärendet har väntat {c.waited} dagar, mer än målet.", f"Ärendet har väntat {c.waited} dagar.")


def _rule(findings, rid, title, group, comparisons, met_text, not_met_text, applies=True) -> str:
    ok = all(c[4] for c in comparisons)
    status = "not_applicable" if not applies else ("info" if group == "info" and ok else "met" if ok else "not_met")
    text = "Prövas inte i detta ärende." if not applies else (met_text if ok else not_met_text)
    findings.append({"rule_id": rid, "title": title, "group": group, "status": status, "decisive": False,
                     "text": text, "facts": {c[0]: c[3] for c in comparisons},
                     "comparisons": [{"fact": f, "op": o, "expected": e, "actual": v, "result": r}
                                     for f, o, e, v, r in comparisons]})
    return status


def _cmp(fact, op, expected, actual):
    result = {"eq": actual == expected, "ge": actual >= expected, "le": actual <= expected,
              "gt": actual > expected}[op] if actual is not None else False
    return (fact, op, expected, actual, result)


def _outcome(findings: list) -> str | None:
    """The first group with a rule not met decides (its rules marked decisive); None: a grant."""
    for group, group_outcome in GROUP_OUTCOME:
        failed = [f for f in findings if f["group"] == group and f["status"] == "not_met"]
        if failed:
            for f in failed:
                f["decisive"] = True
            return group_outcome
    return None


def reference_for(area, day: date) -> Reference:
    """The yardstick with the parameter values of an area in force on a day (read once)."""
    names = ("extraordinary_measures", "non_school_months", "longest_period_school_months", "level_hours",
             "special_group_share", "lowest_grade", "highest_grade", "least_extensive_hours",
             "atgardsprogram_max_age_months", "utredning_max_age_months", "processing_target_days")
    params = {name: area.param(name, day) for name in names}
    params["extraordinary_measures"] = set(params["extraordinary_measures"])
    monthly, extra = {}, {}
    for year in range(day.year - 1, day.year + 6):
        for month in range(1, 13):
            first = date(year, month, 1)
            if first >= area.first_day:
                monthly[f"{year:04d}-{month:02d}"] = area.param("monthly_amount_by_level", first)
                extra[f"{year:04d}-{month:02d}"] = area.param("extra_grundbelopp_monthly", first)
    return Reference(params, monthly, extra)
