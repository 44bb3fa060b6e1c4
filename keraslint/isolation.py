"""Run jobs in worker processes that may crash, overrun or exhaust memory without taking the
caller down: each job's outcome is its result or a ``Failure`` saying what happened to it.

The CLI checks files through this (``keraslint.run``); it is written to be reused by any caller
that must survive the file it analyses (the language server): ``run_isolated(jobs, work,
workers=2, limits=Limits(seconds=20))``. ``work`` must be a module-level function when the
``spawn`` start method is used; with ``fork`` (the default on POSIX) the workers inherit the
caller's imports, so starting one costs a few milliseconds.

Bounds, per job: a wall-clock watchdog in the parent (``seconds`` plus a grace period, for
native code that a SIGALRM inside the worker cannot interrupt, such as libcst's parser), a CPU
limit (RLIMIT_CPU, reset before each job) and an address-space limit per worker (RLIMIT_AS).
A worker that dies or is killed is replaced; the job it held is the one that gets the Failure.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

try:
    import resource
except ImportError:  # Windows: no rlimits, the watchdog still holds
    resource = None  # type: ignore[assignment]

J = TypeVar("J")
R = TypeVar("R")

#: after the job's own budget the watchdog waits this long before it kills the worker, so that
#: the worker's in-process budget (a clean message) normally comes first
GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class Limits:
    """``seconds``: wall clock per job (0: none); ``memory_bytes``: address space per worker
    (None: none)."""

    seconds: float
    memory_bytes: int | None = None


@dataclass(frozen=True)
class Failure:
    """What happened to a job that gave no result, in words for a message."""

    reason: str


@dataclass
class _Worker(Generic[J]):
    process: Any
    conn: Connection
    job: tuple[int, J] | None = None
    deadline: float = 0.0


def run_isolated(jobs: Sequence[J], work: Callable[[J], R], *, workers: int, limits: Limits,
                 start_method: str | None = None, on_done: Callable[[], None] | None = None) -> list[R | Failure]:
    """``work(job)`` for every job, in at most ``workers`` processes; results in job order.
    ``on_done()`` is called as each job ends (a progress bar)."""
    context = multiprocessing.get_context(start_method or default_start_method())
    results: list[Any] = [None] * len(jobs)
    done = [False] * len(jobs)
    queue = list(enumerate(jobs))
    queue.reverse()  # popped from the end: jobs start in order
    pool: list[_Worker[J]] = []
    try:
        while queue or any(w.job is not None for w in pool):
            idle = sum(w.job is None for w in pool)
            while len(pool) < max(workers, 1) and idle < len(queue):
                pool.append(_start(context, work, limits))
                idle += 1
            for worker in pool:
                if worker.job is None and queue:
                    worker.job = queue.pop()
                    worker.deadline = time.monotonic() + limits.seconds + GRACE_SECONDS if limits.seconds > 0 \
                        else float("inf")
                    try:
                        worker.conn.send(worker.job)
                    except OSError:
                        pass  # the worker is gone: its sentinel reports it below
            busy = [w for w in pool if w.job is not None]
            timeout = max(min(w.deadline for w in busy) - time.monotonic(), 0.0)
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                         None if timeout == float("inf") else timeout)
            for worker in busy:
                index = worker.job[0] if worker.job else -1
                outcome: Any = None
                if worker.conn in ready or worker.process.sentinel in ready:
                    try:
                        got_index, outcome = worker.conn.recv()
                        assert got_index == index
                    except (EOFError, OSError):
                        worker.process.join(1)
                        outcome = Failure(_death(worker.process.exitcode, limits))
                elif time.monotonic() >= worker.deadline:
                    outcome = Failure(f"it was still running {GRACE_SECONDS:g} s after its {limits.seconds:g} s "
                                      f"per-file budget ran out, in code that cannot be interrupted; its process "
                                      f"was stopped")
                    worker.process.kill()
                    worker.process.join()
                else:
                    continue
                results[index], done[index] = outcome, True
                if on_done is not None:
                    on_done()
                worker.job = None
                if not worker.process.is_alive():
                    worker.conn.close()
                    pool.remove(worker)
    finally:
        for worker in pool:
            if worker.job is not None:  # interrupted (Ctrl-C): its job's result is not wanted
                worker.process.kill()
                continue
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in pool:
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
    return results


#: libraries that run native thread pools: a process forked after loading one may crash in
#: the child (a lock held by a thread that does not exist there). keraslint never loads them on
#: its own; a test runner or a host program that embeds keraslint may have.
_THREADED_RUNTIMES = ("tensorflow", "torch", "jax")


def default_start_method() -> str:
    """``fork`` where it is safe and cheap (Linux, a process with no other threads and no
    threaded native runtime loaded); elsewhere ``spawn``, whose workers import keraslint afresh
    (about half a second each)."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1 \
            or any(name in sys.modules for name in _THREADED_RUNTIMES):
        return "spawn"
    return "fork"


#: how often an idle worker checks that the process that started it is still alive
IDLE_CHECK_SECONDS = 1.0


def _start(context: Any, work: Callable[[Any], Any], limits: Limits) -> _Worker[Any]:
    parent, child = context.Pipe()
    process = context.Process(target=_serve, args=(child, work, limits), daemon=True)
    process.start()
    child.close()
    return _Worker(process, parent)


def _serve(conn: Connection, work: Callable[[Any], Any], limits: Limits) -> None:
    """The worker's loop: one job at a time until the parent sends None or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if resource is not None and limits.memory_bytes:
        _lower(resource.RLIMIT_AS, limits.memory_bytes)
    # A native crash prints its own noise ("memory allocation of 72 bytes failed"); the parent
    # reports the death as the job's Failure, so the worker's stderr is not the user's.
    faulthandler.disable()  # inherited from a test runner, it would print the dump anyway
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    parent = os.getppid()
    while True:
        try:
            # A parent killed outright (SIGKILL, an OOM kill) never sends None, and a forked worker
            # holds copies of the pool's own pipe ends, so EOF may never come either: while idle,
            # look once a second whether the parent is still ours (an orphan is re-parented).
            if not conn.poll(IDLE_CHECK_SECONDS):
                if os.getppid() != parent:
                    return
                continue
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, job = message
        if resource is not None and limits.seconds > 0:
            used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
            _lower(resource.RLIMIT_CPU, int(used + limits.seconds + GRACE_SECONDS) + 1, replace=True)
        try:
            outcome: Any = work(job)
        except MemoryError:
            outcome = Failure(_memory_words(limits))
        except Exception as exc:  # noqa: BLE001 - the job's own error travels back as its outcome
            outcome = Failure(f"{type(exc).__name__}: {exc}".splitlines()[0])
        try:
            conn.send((index, outcome))
        except Exception as exc:  # noqa: BLE001 - e.g. a result that does not pickle
            conn.send((index, Failure(f"its result could not be sent back ({type(exc).__name__})")))


def _lower(which: int, soft: int, *, replace: bool = False) -> None:
    """Set a soft limit no higher than the hard one (an unprivileged process cannot raise that)."""
    current_soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    if not replace and current_soft != resource.RLIM_INFINITY:
        soft = min(soft, current_soft)
    try:
        resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError):
        pass


def _memory_words(limits: Limits) -> str:
    size = f" {limits.memory_bytes / 2 ** 30:g} GB" if limits.memory_bytes else ""
    return f"it ran out of its{size} memory limit"


def _death(exitcode: int | None, limits: Limits) -> str:
    """Why a worker ended without answering, from its exit code."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if name == "SIGXCPU":
            return f"it used more than its {limits.seconds + GRACE_SECONDS:g} s of CPU time"
        if name == "SIGABRT" and limits.memory_bytes:
            return f"the process checking it crashed ({name}; possibly out of its memory limit)"
        return f"the process checking it crashed ({name})"
    return f"the process checking it exited unexpectedly (exit code {exitcode})"


def cpu_count() -> int:
    """CPUs this process may use (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
