"""Using every core: a function over many items in worker processes, results in input order.

``ordered_map(fn, items, workers)`` is ``map`` when one worker is asked for (or the items are
few) and otherwise a pool of forked processes, each of which dies with its parent (a batch
killed part-way leaves no worker behind). ``split_map`` is for results this process only
collects: it does a share itself, and each forked worker sends its whole share back at once.
``available_cores()`` is the default for ``--workers``: the cores this process may run on.
"""
from __future__ import annotations

import os
import signal
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1


def available_cores() -> int:
    """The cores this process may use (its CPU affinity), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _die_with_parent(nice: int = 0) -> None:
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers end when their task pipe closes
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if nice:
        try:
            os.nice(nice)
        except (OSError, AttributeError):
            pass


WRITER_FIRST = 10  # how much lower the workers' priority is when the parent writes what they make


def ordered_map(fn: Callable[[T], R], items: Sequence[T] | Iterable[T], workers: int,
                min_items: int = 2, chunksize: int = 1, writer_first: bool = False) -> Iterator[R]:
    """``fn`` over the items, in ``workers`` processes when that is worth it; results in input order.

    ``fn`` and its results must pickle (a module-level function; plain data back). With one
    worker or fewer than ``min_items`` items it runs here, in this process. ``chunksize``
    items go to a worker at a time (fewer round trips for small items).

    ``writer_first``: this process writes each result (to the store) while the workers make
    the next, so it is the one that sets the pace; the workers run at a lower priority
    (``WRITER_FIRST``) and take the cores when it has nothing to write.
    """
    import multiprocessing  # here: a one-file command does not pay for importing it

    items = list(items)
    with _gc_frozen():
        if workers <= 1 or len(items) < max(2, min_items):
            yield from map(fn, items)
            return
        with multiprocessing.get_context("fork").Pool(min(workers, len(items)), initializer=_die_with_parent,
                                                      initargs=(WRITER_FIRST if writer_first else 0,)) as pool:
            yield from pool.imap(fn, items, chunksize)


def split_map(fn: Callable[[T], R], items: Sequence[T] | Iterable[T], workers: int, min_items: int = 2) -> list[R]:
    """``fn`` over the items, cut in ``workers`` shares in order: this process does the first, a
    forked worker each of the others; the results in input order.

    For work whose results this process only collects (``stod check`` of many files). There a
    pool of two used 1.4-1.6 s of CPU on 2,000 files that one process decides in 1.0 s: its
    parent waited beside the two workers, and each chunk of results crossed a pipe through
    the pool's threads. Here each worker writes its share's results (which must pickle) to a
    file once, at its end. The first error in input order is raised here, as ``map`` would
    raise it; a worker that ends without its results is an error too. The workers die with
    this process.
    """
    import pickle
    import tempfile

    items = list(items)
    shares = min(workers, len(items))
    if shares <= 1 or len(items) < max(2, min_items):
        return list(map(fn, items))
    bounds = [len(items) * k // shares for k in range(shares + 1)]
    workers_ = []
    with _gc_frozen():
        try:
            for k in range(1, shares):
                out = tempfile.TemporaryFile()
                pid = os.fork()
                if pid == 0:  # the worker: its share, its results to the file, and out without cleaning up the parent's
                    status = 1
                    try:
                        _die_with_parent()
                        try:
                            share = (True, [fn(item) for item in items[bounds[k]:bounds[k + 1]]])
                        except Exception as error:  # noqa: BLE001 - raised in the parent, in its place
                            share = (False, error)
                        pickle.dump(share, out, protocol=pickle.HIGHEST_PROTOCOL)
                        out.flush()
                        status = 0
                    finally:
                        os._exit(status)
                workers_.append((pid, out))
            results = [fn(item) for item in items[:bounds[1]]]
            for index, (pid, out) in enumerate(workers_):
                _, status = os.waitpid(pid, 0)
                workers_[index] = (None, out)  # ended and reaped: its pid may belong to another process now
                if status != 0:
                    raise RuntimeError(f"a worker process ended without its results (wait status {status})")
                out.seek(0)
                ok, value = pickle.load(out)
                if not ok:
                    raise value
                results += value
            return results
        finally:  # after an error (or Ctrl-C) here: no worker goes on
            for pid, out in workers_:
                out.close()
                if pid is not None:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)


@contextmanager
def _gc_frozen():
    """The objects that exist now (modules, loaded rules) left out of garbage collection meanwhile,
    and the youngest generation collected every 10,000 allocations instead of every 700.

    A full collection walks every object the process holds; in a forked worker it also
    writes to each of them, so the pages it shares with its parent are copied. Deciding and
    unpickling results allocate many small objects, each of which counted towards the next
    collection: unpickling a chunk's results cost three times as much. Both are undone after
    (the freeze only if no one froze before us, who then unfreezes).
    """
    import gc

    ours = gc.get_freeze_count() == 0
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 10_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if ours:
            gc.unfreeze()
