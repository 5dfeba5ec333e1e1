"""Child processes of `ror refresh`: each heavy step whose memory should end with it.

The refresh runs the load, the quality gate and dbt in child processes. Their memory
(DuckDB's buffers, GX's pandas frames, dbt's manifest) is handed back to the system when the
step ends, so the refresh process itself stays small, and the kernel kills a child when its
refresh dies (even by kill -9), so an orphan never keeps the warehouse locked.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a child process: ask the kernel to SIGKILL it when its parent dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return


# The variable that tells a child started by subprocess its parent's pid (ror.dbt.PreparedDbt
# starts ror.dbt_child so), for orphan_check.
PARENT_PID = "ROR_PARENT_PID"


def orphan_check(parent_pid: int) -> None:
    """In a child process (the initializer of child_pool's, the first step of ror.dbt_child):
    die with the parent, and at once if it already died while this child was starting."""
    die_with_parent()
    if os.getppid() != parent_pid:
        os._exit(1)


def child_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` spawned Python processes that die with this one. Functions run in
    it must be importable (module level), their arguments and results picklable."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=orphan_check,
        initargs=(os.getpid(),),
    )


def run_in_child(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`function(*args, **kwargs)` in a fresh (spawned) Python process; its return value, or
    its exception re-raised here."""
    with child_pool(1) as pool:
        return pool.submit(function, *args, **kwargs).result()


@contextmanager
def warm_child(warm_up: Callable[[], object]) -> Iterator[ProcessPoolExecutor]:
    """A spawned child process (child_pool(1)) that starts `warm_up` at once (imports, say),
    for a step to be submitted to later, warm, while this process does something else.
    Shut down when the block ends, waiting for what the child is running: a step it runs
    may hold the warehouse, and the caller's lock must outlive it. Steps not started yet
    are cancelled."""
    with child_pool(1) as pool:
        pool.submit(warm_up)
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
