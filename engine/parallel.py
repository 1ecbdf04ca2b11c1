"""Using every core: a function over many items in worker processes, results in input order.

``ordered_map(fn, items, workers)`` is ``map`` when one worker is asked for (or the items are
few) and otherwise a pool of forked processes, each of which dies with its parent (a batch
killed part-way leaves no worker behind). ``split_map`` is for results this process only
collects: it does a share itself, and each forked worker sends its whole share back at once.
``split_write`` is ``split_map`` for work that makes output: each process writes its share's
output as it goes, and the output stands only if the caller keeps it.
``available_cores()`` is the default for ``--workers``: the cores this process may run on.
``in_stages`` takes many entries through a few stages a group at a time, one stage over the
group before the next (in one process: what the CPU's caches keep is the point).
``InTurn`` lets whichever worker holds an item do a part of its work (storing it) in input
order: item k's part waits until the parts of the items before it are done.
"""
from __future__ import annotations

import errno
import os
import signal
from contextlib import contextmanager, nullcontext
from types import SimpleNamespace
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


def _die_with_parent() -> None:
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: workers end when their task pipe closes
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # Ended by the pool (Pool.terminate sends SIGTERM): at once, whatever handler the parent had
    # (``stod serve``'s raises SystemExit, which left a worker waiting on the task queue's lock).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


STAGED = 8  # entries taken through ``in_stages`` together


def in_stages(entries: list, stages: list[tuple[tuple, Callable]], size: int = STAGED) -> dict[int, tuple]:
    """Each stage ``(errors, fn)`` over the entries, ``size`` entries at a time: ``fn(entry)`` for
    every entry of the group before the next stage begins. An error of ``errors`` ends that
    entry's stages (the others go on): {entry's index: (error, index of its stage)}.

    The answer is what each entry taken through every stage in turn gives; it is faster,
    because one stage's code and data stay in the CPU's caches from one entry to the next.
    Entry by entry the stages alternate and keep evicting each other: ``bench/run.py --only
    explained`` gained 20 % with groups of 8 on an Intel Xeon (2026-11-28), 4 % on an AMD EPYC.
    A group much larger keeps more data live, which costs more than it gains.
    """
    failed: dict[int, tuple] = {}
    for first in range(0, len(entries), size):
        indexes = range(first, min(first + size, len(entries)))
        for number, (errors, fn) in enumerate(stages):
            for i in indexes:
                if i not in failed:
                    try:
                        fn(entries[i])
                    except errors as error:
                        failed[i] = (error, number)
    return failed


def ordered_map(fn: Callable[[T], R], items: Sequence[T] | Iterable[T], workers: int,
                min_items: int = 2, chunksize: int = 1) -> Iterator[R]:
    """``fn`` over the items, in ``workers`` processes when that is worth it; results in input order.

    ``fn`` and its results must pickle (a module-level function; plain data back). With one
    worker or fewer than ``min_items`` items it runs here, in this process. ``chunksize``
    items go to a worker at a time (fewer round trips for small items).
    """
    import multiprocessing  # here: a one-file command does not pay for importing it

    items = list(items)
    with _gc_frozen():
        if workers <= 1 or len(items) < max(2, min_items):
            yield from map(fn, items)
            return
        with multiprocessing.get_context("fork").Pool(min(workers, len(items)), initializer=_die_with_parent) as pool:
            yield from pool.imap(_Rebuilt(fn), items, chunksize)


class _Rebuilt:
    """``fn`` in a pool's worker: an error it raises reaches the parent as it is when it can be
    rebuilt there, else as a RuntimeError with its kind and text. (An exception whose class cannot
    be rebuilt from its ``args`` stops the pool's result thread in the parent, which then waits
    for ever.)"""

    def __init__(self, fn: Callable):
        self.fn = fn

    def __call__(self, item):
        try:
            return self.fn(item)
        except Exception as error:
            sendable = _sendable(error)
            if sendable is error:
                raise
            raise sendable from None


def _sendable(error: Exception) -> Exception:
    """``error`` if a worker can send it to its parent and the parent rebuild it, else a
    RuntimeError with its kind and text."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any failure to rebuild it
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


class InTurn:
    """A part of each item's work done in input order, by whichever process holds the item:
    ``with turns.turn(k) as going:`` waits until the turns of items 0 … k-1 are over. ``going``
    is False once an earlier turn stopped the run (``stop``, or an error raised in its turn):
    then no later item does its part. Made before the workers fork, in the process that
    forks them (it holds shared memory and a lock); for one process alone, ``workers`` 1.
    """

    def __init__(self, workers: int):
        self._shared = workers > 1
        if self._shared:
            import multiprocessing

            context = multiprocessing.get_context("fork")
            self._next, self._stopped = context.RawValue("q", 0), context.RawValue("b", 0)
            self._turned = context.Condition()
        else:
            self._next, self._stopped = SimpleNamespace(value=0), SimpleNamespace(value=0)

    @contextmanager
    def turn(self, k: int) -> Iterator[bool]:
        with self._turned if self._shared else nullcontext():
            if self._shared:
                self._turned.wait_for(lambda: self._next.value == k)
            try:
                yield not self._stopped.value
            except BaseException:
                self._stopped.value = 1
                raise
            finally:
                self._next.value = k + 1
                if self._shared:
                    self._turned.notify_all()

    def stop(self) -> None:
        """No item after this one does its part (called in a turn)."""
        self._stopped.value = 1


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
    items = list(items)
    shares = min(workers, len(items))
    if shares <= 1 or len(items) < max(2, min_items):
        return list(map(fn, items))
    with _gc_frozen(), _forked(items, shares, lambda share, _k: [fn(item) for item in share]) as (first, results_of):
        results = [fn(item) for item in first]
        for value in results_of():
            results += value
        return results


class Written:
    """What ``split_write`` wrote: ``results`` in input order, and the output, which stands only
    once ``keep`` has been called (else it is taken back when the ``with`` block ends)."""

    def __init__(self, out, opening: bytes, between: bytes, closing: bytes):
        self.out, self.between, self.closing = out, between, closing
        self.results: list = []
        self.kept = False
        self._files: list = []  # each worker's output, in order
        self._fd = _appendable_fd(out)
        if self._fd is None:  # a pipe, a terminal, a stream without a file: this process's share waits in a file
            import tempfile

            self._start, self._sink = None, tempfile.TemporaryFile()
        else:  # a file at its end (flushed by _appendable_fd): written straight into, cut back to here if not kept
            self._start, self._sink = os.fstat(self._fd).st_size, out
        self._sink.write(opening)
        self._wrote = False

    def write(self, data: bytes | None) -> None:
        if data is None:
            return
        if self._wrote:
            self._sink.write(self.between)
        self._sink.write(data)
        self._wrote = True

    def keep(self) -> None:
        """Let the output stand: what waits in files is copied to ``out``, then the closing."""
        out = self.out
        if self._sink is not out:
            self._copy(self._sink, 0)
        for part in self._files:
            skip = 0 if self._wrote else len(self.between)  # the first data of all: no separator before it
            size = part.seek(0, os.SEEK_END)
            if size > skip:
                self._copy(part, skip)
                self._wrote = True
        out.write(self.closing)
        out.flush()
        self.kept = True

    def _copy(self, part, offset: int) -> None:
        """The rest of ``part`` (a file) from ``offset`` onto ``out``: by the kernel when ``out`` has a file."""
        part.flush()
        self.out.flush()
        size = os.fstat(part.fileno()).st_size
        try:
            fd = self.out.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        if fd is not None and hasattr(os, "sendfile"):
            try:
                while offset < size:
                    offset += os.sendfile(fd, part.fileno(), offset, size - offset)
                return
            except OSError as error:  # a file opened to append (``>>``) takes no sendfile: written below
                if error.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                    raise
        part.seek(offset)
        while chunk := part.read(1 << 20):
            self.out.write(chunk)

    def _end(self) -> None:
        """Take the output back unless it was kept; close the files it waited in."""
        try:
            if not self.kept:
                self._drop()
        finally:
            for part in self._files:
                part.close()
            if self._sink is not self.out:
                self._sink.close()

    def _drop(self) -> None:
        if self._sink is self.out:  # take back what was written: the file ends where it ended before
            try:
                self.out.flush()
            except OSError:
                pass
            os.ftruncate(self._fd, self._start)
            self.out.seek(self._start)


def _appendable_fd(out) -> int | None:
    """The file descriptor of ``out`` when it is a regular file whose next write goes at its end
    (``> file``, ``>> file``), so what is written can be cut back; else None."""
    import fcntl
    import stat

    try:
        out.flush()
        fd = out.fileno()
        info = os.fstat(fd)
    except (AttributeError, OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND or os.lseek(fd, 0, os.SEEK_CUR) == info.st_size:
        return fd
    return None


@contextmanager
def split_write(fn: Callable[[T], tuple[R, bytes | None]], items: Sequence[T] | Iterable[T], workers: int, out,
                *, opening: bytes = b"", between: bytes = b"", closing: bytes = b"", min_items: int = 2
                ) -> Iterator[Written]:
    """``split_map`` for work that makes output: ``fn(item)`` gives (result, data or None), and the
    data of every item, in input order, is written to ``out`` (a binary stream) as
    ``opening + between.join(data) + closing`` while the items are worked on; the results are
    kept (``Written.results``). The output stands only if the block calls ``Written.keep``;
    else (an error, a result the caller refuses) it is taken back: ``out`` is as it was.

    This process writes its share straight into ``out`` when that is a file being written at
    its end (else into a temporary file), each worker its share into a temporary file of its
    own, which the kernel then copies onto ``out`` (``os.sendfile``). So the output is never
    held in memory, and what is left to do when the last item is done is a copy, not a write
    of everything (``stod check --json`` of 10,000 files writes 260 MB).
    """
    import tempfile

    items = list(items)
    written = Written(out, opening, between, closing)
    shares = min(workers, len(items))
    try:
        if shares <= 1 or len(items) < max(2, min_items):
            for item in items:
                result, data = fn(item)
                written.results.append(result)
                written.write(data)
        else:
            parts = [tempfile.TemporaryFile() for _ in range(1, shares)]
            written._files = parts

            def share_of(share, k):
                part, results = parts[k - 1], []
                for item in share:
                    result, data = fn(item)
                    results.append(result)
                    if data is not None:
                        part.write(between)
                        part.write(data)
                part.flush()
                return results

            with _gc_frozen(), _forked(items, shares, share_of) as (first, results_of):
                for item in first:
                    result, data = fn(item)
                    written.results.append(result)
                    written.write(data)
                for value in results_of():
                    written.results += value
        yield written
    finally:
        written._end()


@contextmanager
def _forked(items: list, shares: int, run_share: Callable[[list, int], object]):
    """Cut ``items`` in ``shares`` shares in order and fork a worker for each share but the first:
    worker k runs ``run_share(its share, k)`` and sends back what it returns (pickled, through a
    file, once). Yields (the first share, for this process to do; ``results_of()``, which waits
    for each worker in turn and yields what it sent back, or raises what it raised). The
    workers die with this process, and none is left when the block ends, however it ends.
    """
    import pickle
    import tempfile

    bounds = [len(items) * k // shares for k in range(shares + 1)]
    workers_ = []

    def results_of():
        for index, (pid, out) in enumerate(workers_):
            _, status = os.waitpid(pid, 0)
            workers_[index] = (None, out)  # ended and reaped: its pid may belong to another process now
            if status != 0:
                raise RuntimeError(f"a worker process ended without its results (wait status {status})")
            out.seek(0)
            ok, value = pickle.load(out)
            if not ok:
                raise value
            yield value

    try:
        for k in range(1, shares):
            out = tempfile.TemporaryFile()
            pid = os.fork()
            if pid == 0:  # the worker: its share, its results to the file, and out without cleaning up the parent's
                status = 1
                try:
                    _die_with_parent()
                    try:
                        share = (True, run_share(items[bounds[k]:bounds[k + 1]], k))
                    except Exception as error:  # noqa: BLE001 - raised in the parent, in its place
                        share = (False, _sendable(error))
                    pickle.dump(share, out, protocol=pickle.HIGHEST_PROTOCOL)
                    out.flush()
                    status = 0
                finally:
                    os._exit(status)
            workers_.append((pid, out))
        yield items[:bounds[1]], results_of
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
