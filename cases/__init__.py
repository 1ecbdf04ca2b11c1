"""The case store and the workflow: applications kept verbatim, proposals, decisions, history.

The interface other parts use:
- ``open_store(db)`` → ``Store`` (``store.write()`` / ``store.read()`` sessions);
- ``workflow.submit``, ``workflow.add_documents``, ``workflow.confirm``, ``workflow.override``,
  ``workflow.queue``, ``workflow.case_view``;
- ``store.find_case``, ``store.decisions_of``, ``store.findings_of``, ``store.ruleset_files``;
- ``events.append_event``, ``events.verify_events``;
- ``reports.overview``.
"""
from .errors import CaseError, ConflictError, DuplicateApplication, InputRefused, NotFound, StateError
from .store import Store, open_store, resolve_url
from . import csi  # noqa: E402,F401  (registers the CSI tables' named migration before any store opens)
from . import accounts  # noqa: E402,F401  (the web's accounts, sessions, tokens and access log tables)
from . import schools  # noqa: E402,F401  (the school register's table, for the equity follow-up)

__all__ = ["CaseError", "ConflictError", "DuplicateApplication", "InputRefused", "NotFound", "StateError",
           "Store", "open_store", "resolve_url"]
