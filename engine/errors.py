"""The engine's errors: one base class, small subclasses that say the fix."""
from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""

    def __reduce__(self):
        # Pickled whole (its message and attributes), so a worker process can hand it back as raised.
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls, args, state):
    error = Exception.__new__(cls, *args)
    error.__dict__.update(state)
    return error


class IntakeError(EngineError):
    """An application or round file that cannot be examined as sent.

    Attributes: ``field`` (dotted path of the offending field, '' for the whole file),
    ``problem`` (what is wrong and what is expected), ``source`` (file name or id).
    """

    def __init__(self, field: str, problem: str, source: str = ""):
        self.field, self.problem, self.source = field, problem, source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{field or '(fil)'}: {problem}")


class RuleFileError(EngineError):
    """A rule or parameter file that does not follow the schema.

    Attributes: ``path``, ``line`` (1-based, or None), ``rule_id`` (or None), ``problem``
    (Swedish, shown to the rule author: what is wrong and what to do, naming the field).
    The message reads ``<path>:<line> i regel <id>: <problem>``.
    """

    def __init__(self, path: str, problem: str, line: int | None = None, rule_id: str | None = None):
        self.path, self.line, self.rule_id, self.problem = path, line, rule_id, problem
        where = f"{path}:{line}" if line else path
        rule = f" i regel {rule_id}" if rule_id else ""
        super().__init__(f"{where}{rule}: {problem}")


class EngineFault(EngineError):
    """durable-rules and the trace evaluator disagreed: the case needs manual review.

    Attributes: ``application_id`` and ``disagreements`` (rule id -> (durable, trace)).
    """

    def __init__(self, application_id: str, disagreements: dict[str, tuple[bool, bool]]):
        self.application_id, self.disagreements = application_id, disagreements
        detail = ", ".join(f"{rid}: durable-rules={d}, trace={t}" for rid, (d, t) in sorted(disagreements.items()))
        super().__init__(f"engine fault on {application_id}: the evaluators disagree ({detail}); "
                         "the case goes to manual review")


class AreaFault(EngineError):
    """An area's code and its rules disagree (never bad input): the case needs manual review.

    Attributes: ``area`` (its name), ``subject`` (an application id, or the fact set) and
    ``problem``.
    """

    def __init__(self, area: str, subject: str, problem: str):
        self.area, self.subject, self.problem = area, subject, problem
        super().__init__(f"fault in area {area} ({subject}): {problem}; the case goes to manual review")
