"""The use cases every front door shares: the CLI now, the web app and HTTP API later.

Each function takes plain values (paths or file contents, dates, names), opens nothing but the
store it is given, calls the engine for what must be decided and ``cases`` for what is stored,
and returns a result object that a front door only formats. No function here prints, exits
or knows about click; errors are the library's own (``engine.errors``, ``cases.errors``).

- ``areas``: the little a use case needs to know about a rule area (which outcomes a
  caseworker may choose, which are grants, the processing-time target), in one place.
- ``submit``: receive application files of any kind (``stod submit``, ``stod csi submit``).
- ``casework``: complete, confirm, override, the queue and one case's view.
- ``csi``: run a stored CSI round, release a place, load pupils already placed, group figures.
- ``demo`` and ``demo_data``: the demo's generated applications and its run through the workflow
  (``demo_data`` is also what the benchmarks and load tests generate from).
"""
