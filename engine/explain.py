"""Swedish texts: rule templates filled with the facts and parameters that decided them."""
from __future__ import annotations

import re
from datetime import date

from .dates import EARLIEST, LATEST, minus_months, plus_days
from .errors import RuleFileError
from .labels import label_in, labels_version, relabel
from .swedish import count, date_range, date_words, join, month_range, month_words

PLACEHOLDER = re.compile(r"\{([a-z0-9_.:]+)(?:\|([a-z_]+(?::[^{}|]+)?))?\}")
# datum: a date in words; manad: a month in words; antal:en skolmånad/skolmånader: a count in
# words with its noun in the right number; months_before_receipt: that date in words.
# tal:en timme/timmar: the same with the number in digits (a measure); koder:GROUP: a list of codes
# ("a, b") by their labels in that group of labels.yaml, joined with "och".
FORMATS = ("sek", "pct", "yesno", "or_none", "months_before_receipt", "datum", "manad", "antal", "tal", "koder")


def number(value) -> str:
    """Swedish number: decimal comma, space between thousands, no trailing ,0."""
    if type(value) is int and -1000 < value < 1000:
        return str(value)
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",")
    return str(value)


def sek(value) -> str:
    return f"{number(int(value))} kr"


def plain(value) -> str:
    """A value in running text: text with its codes as Swedish labels, numbers the Swedish way."""
    return relabel(value) if type(value) is str else number(value)


def fmt(value, spec: str | None, receipt: date) -> str:
    if spec is None:
        return plain(value)
    if spec == "sek":
        return sek(value)
    if spec == "pct":
        return f"{number(round(float(value) * 100, 1))} %"
    if spec == "yesno":
        return "ja" if value else "nej"
    if spec == "or_none":
        return plain(date_words(value) if _looks_like_date(value) else value) if value not in ("", None) else "ingen"
    if spec == "months_before_receipt":
        return date_words(minus_months(receipt, int(value)))
    if spec == "datum":
        return date_words(value)
    if spec == "manad":
        return month_words(value)
    if spec.startswith("antal:"):
        return count(value, spec[6:])
    if spec.startswith("tal:"):
        return count(value, spec[4:], words=False)
    if spec.startswith("koder:"):
        return join([label_in(spec[6:], code) for code in str(value).split(", ") if code])
    raise KeyError(f"unknown format '{spec}'")


# Two months or two dates joined by a dash are one range: "mars–juni 2026", not "mars 2026–juni 2026".
_RANGE_PAIR = re.compile(r"\{([a-z0-9_.]+)\|(manad|datum)\}–\{([a-z0-9_.]+)\|\2\}")
_RANGES = {"manad": month_range, "datum": date_range}


KEPT_TEXTS = 256  # texts one template keeps (about 50 templates: a few MB at most)


class Template:
    """A text template split once into literal parts and placeholders."""

    def __init__(self, text: str):
        text = _RANGE_PAIR.sub(r"{\1|\2_till:\3}", " ".join(text.split()))
        self.parts: list[tuple[str, str | None, bool, str | None]] = []
        last = 0
        for match in PLACEHOLDER.finditer(text):
            self.parts.append((text[last:match.start()], None, False, None))
            name = match.group(1)
            is_param = name.startswith("param:")
            self.parts.append(("", name[6:] if is_param else name, is_param, match.group(2)))
            last = match.end()
        self.parts.append((text[last:], None, False, None))

        # Generated once: one expression that joins the literals and the formatted values, and
        # one that gives the values it reads (the key its texts are kept under).
        pieces, namespace = [], {"fmt": fmt, "plain": plain, **{f"{k}_range": f for k, f in _RANGES.items()}}
        keys = []
        for i, (literal, name, is_param, spec) in enumerate(self.parts):
            if name is None:
                if literal:
                    namespace[f"l{i}"] = literal
                    pieces.append(f"l{i}")
                continue
            namespace[f"n{i}"], namespace[f"s{i}"] = name, spec
            source = f"{'params' if is_param else 'facts'}[n{i}]"
            keys.append(source)
            if spec is not None and "_till:" in spec:  # a range: this value to another fact's
                kind, other = spec.split("_till:")
                namespace[f"o{i}"] = other
                pieces.append(f"{kind}_range({source}, facts[o{i}])")
                keys.append(f"facts[o{i}]")
                continue
            if spec is not None and spec.startswith("months_before_receipt"):
                keys.append("receipt")
            pieces.append(f"plain({source})" if spec is None else f"fmt({source}, s{i}, receipt)")
        code = ("def render(facts, params, receipt):\n    return " + (" + ".join(pieces) or "''") + "\n"
                "def key(facts, params, receipt):\n    return (" + "".join(k + ", " for k in keys) + ")\n")
        exec(compile(code, "<template>", "exec"), namespace)  # noqa: S102 - built from the parsed template
        self.render, self.key = namespace["render"], namespace["key"]
        self.texts: dict[tuple, str] = {}  # key -> text, for the values seen most (see ``text``)
        self.labels = labels_version()

    def text(self, facts: dict, params: dict, receipt: date) -> str:
        """``render``, kept by the values it reads: most decisions repeat most sentences.

        A value that cannot be a key (a list parameter) is rendered every time; the kept texts
        are dropped when the labels change (another area loaded) and when there are too many.
        """
        if self.labels != labels_version():
            self.texts.clear()
            self.labels = labels_version()
        try:
            key = self.key(facts, params, receipt)
            found = self.texts.get(key)
        except TypeError:  # unhashable
            return self.render(facts, params, receipt)
        if found is None:
            if len(self.texts) >= KEPT_TEXTS:
                self.texts.clear()
            found = self.texts[key] = self.render(facts, params, receipt)
        return found


_TEMPLATES: dict[str, Template] = {}


def render(template: str, facts: dict, params: dict, receipt: date) -> str:
    """Fill ``{fact.name}``, ``{param:name}`` and ``{...|sek}`` style placeholders."""
    compiled = _TEMPLATES.get(template)
    if compiled is None:
        compiled = _TEMPLATES[template] = Template(template)
    return compiled.text(facts, params, receipt)


def placeholders(template: str) -> list[tuple[str, str | None]]:
    """Each placeholder's name and format (without the format's argument)."""
    return [(m.group(1), m.group(2).split(":", 1)[0] if m.group(2) else None) for m in PLACEHOLDER.finditer(template)]


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _looks_like_date(value) -> bool:
    return isinstance(value, date) or (isinstance(value, str) and bool(_DATE.match(value)))


def deadline(decision_date: date, days: int) -> date:
    """The completion deadline; a parameter that puts it out of every calendar is a rule-file error."""
    day = plus_days(decision_date, days)
    if day is None:
        raise RuleFileError("completion_deadline_days", f"{days} dagar efter {decision_date} ligger utanför "
                            f"{EARLIEST}–{LATEST}; rätta parameterns värde")
    return day
