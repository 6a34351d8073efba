"""Where the long commands run their tasks: this process, local worker processes, or a Dask cluster.

Every task of ``bench``, ``sweep`` and ``verify`` is a module-level function of frozen inputs (a job tuple of
numbers, strings, frozen dataclasses, Stim circuits), so its result does not depend on where it ran; the
helpers here hand results back in submission order (:func:`map_ordered`) or tagged with their index
(:func:`imap_unordered`), so the files a command writes are the same on one core and on a cluster.

* ``local`` (the default): ``workers`` processes (``concurrent.futures``), or this process when
  ``workers <= 1``.
* ``dask``: the ``dask.distributed`` scheduler at ``ADDRESS`` (``--dask tcp://host:8786``), imported only
  then (the optional extra ``magicpipe[dask]``). Connecting waits at most ``timeout`` seconds, for the
  scheduler and then for a first worker, and every worker must run this magicpipe version (the tasks are
  this version's functions: another version would give other numbers under the same file names).

Examples:
    >>> with open_executor(workers=1) as ex:
    ...     map_ordered(ex, abs, [-3, 1, -2])
    [3, 1, 2]
"""

from __future__ import annotations

import concurrent.futures
from typing import Any
from collections.abc import Callable, Iterable, Iterator

from magicpipe.errors import SpecError
from magicpipe.provenance import installed_version

__all__ = [
    "Executor", "LocalExecutor", "DaskExecutor", "open_executor", "map_ordered", "imap_unordered",
    "installed_version", "add_executor_args", "DEFAULT_TIMEOUT",
]

# Seconds to wait for a Dask scheduler to answer, and again for it to have a worker.
DEFAULT_TIMEOUT = 10.0


class Executor:
    """Run ``func(job)`` somewhere; subclasses say where. Use as a context manager (closing frees workers).

    Attributes:
        name: ``"local"`` or ``"dask"``.
        slots: tasks that can run at once (worker processes or Dask threads).
    """

    name = "executor"
    slots = 1

    def submit(self, func: Callable[[Any], Any], job: Any) -> Any:
        """Start ``func(job)``; returns a future (``.result()`` gives the value or raises the task's error)."""
        raise NotImplementedError

    def wait_any(self, futures: list[Any]) -> set[Any]:
        """Block until at least one of ``futures`` is done; return the done ones."""
        raise NotImplementedError

    def cancel(self, futures: Iterable[Any]) -> None:
        """Give up on ``futures`` that have not finished."""
        for f in futures:
            f.cancel()

    def close(self) -> None:
        """Release the workers (nothing for this process)."""

    def describe(self) -> str:
        """One line for summaries: where the tasks ran."""
        return f"{self.name}, {self.slots} slot(s)"

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Done:
    """A finished 'future' of a task run in this process."""

    def __init__(self, func: Callable[[Any], Any], job: Any) -> None:
        self._value, self._error = None, None
        try:
            self._value = func(job)
        except Exception as e:  # handed back by result(), like a real future
            self._error = e

    def result(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self) -> bool:
        return False


class LocalExecutor(Executor):
    """Tasks in ``workers`` local processes; in this process when ``workers <= 1``.

    Examples:
        >>> LocalExecutor(1).describe()
        'local, 1 slot(s)'
    """

    name = "local"

    def __init__(self, workers: int = 1) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise SpecError(f"workers must be a positive integer, got {workers!r}")
        self.slots = workers
        self._pool = concurrent.futures.ProcessPoolExecutor(workers) if workers > 1 else None

    def submit(self, func: Callable[[Any], Any], job: Any) -> Any:
        if self._pool is None:
            return _Done(func, job)
        return self._pool.submit(func, job)

    def wait_any(self, futures: list[Any]) -> set[Any]:
        if self._pool is None:
            return set(futures)
        done, _ = concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED)
        return done

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(Executor):
    """Tasks on the Dask cluster whose scheduler listens at ``address``.

    Args:
        address: the scheduler, e.g. ``tcp://10.0.0.5:8786``.
        timeout: seconds to wait for the scheduler to answer, and again for a first worker.
        version: the function each worker runs to report its magicpipe version and source digest
            (:func:`magicpipe.provenance.installed_version`, sent by value; tests replace it).

    Raises:
        SpecError: ``dask.distributed`` is not installed; no scheduler answers at ``address`` within
            ``timeout``; it has no worker within ``timeout``; a worker cannot import magicpipe or runs
            another version (both versions named).
    """

    name = "dask"

    def __init__(self, address: str, timeout: float = DEFAULT_TIMEOUT,
                 version: Callable[[], str] = installed_version) -> None:
        try:
            import distributed
        except ImportError:
            raise SpecError("--dask needs dask.distributed: pip install 'magicpipe[dask]'") from None
        self._distributed = distributed
        self.address = address
        try:
            self._client = distributed.Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise SpecError(f"no Dask scheduler answered at {address!r} within {timeout:g} s ({e}); "
                            f"start one (`dask scheduler`) or fix the address") from None
        try:
            self._check_workers(timeout, version)
        except BaseException:
            self._client.close()
            raise
        self.slots = max(1, sum(self._client.nthreads().values()))

    def _check_workers(self, timeout: float, version: Callable[[], str]) -> None:
        try:
            self._client.wait_for_workers(1, timeout=timeout)
        except (TimeoutError, OSError):
            raise SpecError(f"the Dask scheduler at {self.address!r} has no worker after {timeout:g} s; "
                            f"start workers with `dask worker {self.address}`") from None
        ours = installed_version()
        try:
            theirs = self._client.run(_by_value(version))
        except Exception as e:
            raise SpecError(f"Dask workers at {self.address!r} cannot run magicpipe ({type(e).__name__}: {e}); "
                            f"install magicpipe {ours} on every worker") from None
        for worker, v in sorted(theirs.items()):
            if v != ours:
                raise SpecError(f"Dask worker {worker} runs magicpipe {v}, this process runs magicpipe {ours}; "
                                f"install this magicpipe on every worker (the same release and source)")

    def submit(self, func: Callable[[Any], Any], job: Any) -> Any:
        return self._client.submit(func, job, pure=False)

    def wait_any(self, futures: list[Any]) -> set[Any]:
        with self._client.as_current():
            done, _ = self._distributed.wait(futures, return_when="FIRST_COMPLETED")
        return set(done)

    def close(self) -> None:
        self._client.close()

    def describe(self) -> str:
        return f"dask at {self.address}, {self.slots} slot(s)"


def _by_value(func: Callable[[], str]) -> Callable[[], str]:
    """``func`` such that a worker can run it without this version's modules: the provenance module's
    functions are pickled with their code (cloudpickle), not as a reference to the module."""
    import cloudpickle

    import magicpipe.provenance

    if getattr(func, "__module__", None) == magicpipe.provenance.__name__:
        cloudpickle.register_pickle_by_value(magicpipe.provenance)
    return func


def open_executor(workers: int = 1, dask: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> Executor:
    """The executor the options ask for: Dask when ``dask`` is an address, local processes otherwise."""
    if dask:
        return DaskExecutor(dask, timeout)
    return LocalExecutor(workers)


def imap_unordered(
    executor: Executor, func: Callable[[Any], Any], jobs: Iterable[Any], *, window: int | None = None,
    progress: Any = None,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, func(job))`` as tasks finish, keeping at most ``window`` tasks in flight.

    The default window is twice the executor's slots. ``progress`` (a :class:`magicpipe.progress.Progress`)
    is advanced once per finished task. A task's error is raised here and the tasks still in flight are
    cancelled.
    """
    window = window or (1 if executor.slots == 1 else 2 * executor.slots)
    todo = iter(enumerate(jobs))
    flying: dict[Any, int] = {}
    try:
        while True:
            for index, job in todo:
                flying[executor.submit(func, job)] = index
                if len(flying) >= window:
                    break
            if not flying:
                return
            for f in executor.wait_any(list(flying)):
                index = flying.pop(f)
                result = f.result()
                if progress is not None:
                    progress.update()
                yield index, result
    finally:
        executor.cancel(list(flying))


def map_ordered(executor: Executor, func: Callable[[Any], Any], jobs: Iterable[Any], *, progress: Any = None) -> list:
    """``[func(job) for job in jobs]``, run on ``executor``, in the order of ``jobs``."""
    results: dict[int, Any] = dict(imap_unordered(executor, func, jobs, progress=progress))
    return [results[i] for i in range(len(results))]


def add_executor_args(parser: Any, *, workers: int, workers_help: str = "local worker processes") -> None:
    """The ``--workers`` and ``--dask`` options of a command that runs many tasks."""
    from magicpipe.cli._args import bounded_int, finite_float

    parser.add_argument("--workers", type=bounded_int(1), default=workers, help=f"{workers_help} (default: {workers})")
    parser.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="run the tasks on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786) "
                             "instead of local processes; its workers need this magicpipe version (docs/cluster.md)")
    parser.add_argument(
        "--dask-timeout",
        type=finite_float(0, lo_open=True),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"seconds to wait for the Dask scheduler, and then for a worker (default {DEFAULT_TIMEOUT:g})",
    )
