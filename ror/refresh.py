"""`ror refresh`: load new batches -> quality gate -> dbt build -> publish, one at a time.

Exit codes (contracts/operations.md): 0 published; 2 a batch was refused (loader or gate);
3 dbt build or its tests failed; 4 another refresh holds the lock; 1 anything else. Every
outcome is appended to the run log, which `ror status` reads and publishing copies into
ops.refresh_runs.

The load, the gate and dbt each run in a child process (ror/child.py, ror/dbt_child.py),
each with the warehouse to itself, one after the other: their memory ends with their step,
and the kernel ends them if the refresh dies. The gate's child starts with the load and
dbt's with the gate, to import GX and dbt meanwhile; neither opens the warehouse before
its step. A step's CPU time counts its child's whole life (getrusage counts a child once it
has exited), so the gate's and dbt's include those imports.
"""

from __future__ import annotations

import fcntl
import os
import resource
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import duckdb

from ror.child import run_in_child, warm_child
from ror.dbt import PreparedDbt, incremental_keys, project_hash
from ror.loader import (
    LoadReport,
    load_landing,
    mark_gated,
    ungated_files,
    withdraw_files,
)
from ror.publish import publish
from ror.runs import append_run, read_runs
from ror.settings import GATE_MEMORY_LIMIT, Paths

EXIT_PUBLISHED, EXIT_ERROR, EXIT_REFUSED, EXIT_DBT_FAILED, EXIT_LOCKED = 0, 1, 2, 3, 4


class RefreshLocked(Exception):
    pass


class Refused(Exception):
    """A batch refused by the loader or the gate: nothing is published."""


class DbtFailed(Exception):
    pass


@contextmanager
def refresh_lock(lock_file: Path) -> Iterator[None]:
    """An exclusive flock: released by the kernel when the holder exits, even on kill -9,
    so a stale lock file never blocks the next refresh."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_file.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise RefreshLocked(
            f"another refresh holds the lock {lock_file} ({holder}); try again when it ends"
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n")
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


class Log:
    """Plain, timestamped log lines on stderr (what cron mails and orchestrators keep)."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream

    def __call__(self, message: str) -> None:
        self.stream.write(f"{datetime.now(UTC):%H:%M:%S} {message}\n")
        self.stream.flush()


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the dbt child once it exits)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Refresh:
    def __init__(
        self, paths: Paths, full_refresh: bool = False, log: Callable[[str], None] | None = None
    ):
        self.paths = paths
        self.full_refresh = full_refresh
        self.log = log or Log()
        self.began = time.perf_counter()
        self.run: dict[str, Any] = {
            "run_id": new_run_id(),
            "started_at": _now(),
            "full_refresh": full_refresh,
        }

    def step(self, name: str, function: Callable[[], Any]) -> Any:
        self.log(f"[{name}] start")
        began, cpu_began = time.perf_counter(), _cpu_seconds()
        try:
            return function()
        finally:
            seconds = time.perf_counter() - began
            cpu = _cpu_seconds() - cpu_began
            self.run[f"{name}_seconds"] = round(seconds, 3)
            self.run[f"{name}_cpu_seconds"] = round(cpu, 3)
            self.log(f"[{name}] {seconds:.1f}s (cpu {cpu:.1f}s)")

    def execute(self) -> int:
        try:
            with refresh_lock(self.paths.lock_file):
                code = self._steps()
        except RefreshLocked as locked:
            print(f"ror refresh: {locked}", file=sys.stderr)
            return EXIT_LOCKED
        except Refused as refused:
            code = self._finish(EXIT_REFUSED, "refused", str(refused))
        except DbtFailed as failed:
            code = self._finish(EXIT_DBT_FAILED, "dbt_failed", str(failed))
        except Exception as error:  # noqa: BLE001 - one line for the scheduler, detail in the log
            self.log(f"unexpected error: {type(error).__name__}: {error}")
            code = self._finish(EXIT_ERROR, "failed", f"{type(error).__name__}: {error}")
        return code

    def _stamp(self, status: str, code: int, message: str) -> None:
        self.run.update(status=status, exit_code=code, message=message, finished_at=_now())
        self.run["total_seconds"] = round(time.perf_counter() - self.began, 3)

    def _finish(self, code: int, status: str, message: str) -> int:
        self._stamp(status, code, message)
        append_run(self.paths.runs_log, self.run)
        print(f"ror refresh: {message}", file=sys.stderr)
        return code

    def _steps(self) -> int:
        paths = self.paths
        paths.home.mkdir(parents=True, exist_ok=True)
        self.log(
            f"refresh {self.run['run_id']}: landing {paths.landing} -> warehouse {paths.warehouse}"
        )
        with ExitStack() as children:
            # Started ahead, each imports what it needs while the step before runs: the
            # gate's child GX (2.3 s) during the load, dbt's child dbt (1.6 s) during the gate.
            gate_child = children.enter_context(warm_child(warm_up_gate))
            report: LoadReport = self.step("load", self._load)
            for note in report.notes:
                self.log(f"note: {note}")
            if report.refused:
                raise Refused("; ".join(report.refusals))
            dbt = children.enter_context(PreparedDbt(paths))
            self.step("gate", lambda: self._gate(gate_child))
            # The data tests guard every refresh; the unit tests check the code, which a
            # refresh does not change (dbt's advice: run them in development and CI, here
            # `make test`).
            args = ["build", "--exclude-resource-type", "unit_test"]
            args += ["--full-refresh"] if self.full_refresh else []
            self.run["project_hash"] = project_hash()
            tests_rows, why = self._tests_rows(self.run["project_hash"])
            self.run["tests_rows"] = tests_rows
            self.log(f"tests: {why}")
            if tests_rows == "latest_build":
                # The same proof serves the seeds: the warehouse's are this project's (its
                # hash covers the seed folder), loaded and tested by a refresh in an
                # unbroken line of published ones, nothing built since. Not loaded again,
                # the staging models that read them start at once, not after every seed
                # and seed test (4.2 s into the bench's 10M nightly). Cautious: the tests
                # of the seeds alone go with them, a test of a model against a seed stays.
                args += ["--exclude", "resource_type:seed", "--indirect-selection", "cautious"]
                self.log("seeds: kept (this project's, loaded by an earlier refresh)")
            env = {"ROR_TEST_ROWS": tests_rows}
            result = self.step(
                "dbt", lambda: dbt.run(args, lambda line: self.log(f"dbt | {line}"), env)
            )
        if project_hash() != self.run["project_hash"]:
            # changed while dbt ran: which tests read every row is not known
            self.run["project_hash"] = None
            self.log("tests: the project changed during the build; the next refresh reads all")
        if result.returncode != 0:
            detail = "; ".join(result.failures[:3]) or f"dbt exited with {result.returncode}"
            more = f" (+{len(result.failures) - 3} more)" if len(result.failures) > 3 else ""
            raise DbtFailed(f"dbt build failed: {detail}{more}; log: {result.log_file}")
        self.run["latest_build_at"] = self._latest_build_stamp()
        self._count_rows(report)
        self._stamp("published", EXIT_PUBLISHED, "published")
        # A full refresh rebuilds every row: its tables are copied whole.
        keys = {} if self.full_refresh else incremental_keys(paths)
        published = self.step(
            "publish", lambda: publish(paths.warehouse, paths.bi, paths.runs_log, self.run, keys)
        )
        append_run(paths.runs_log, self.run)
        self._report()
        for note in published.notes:
            self.log(f"publish: {note}")
        self.log(
            f"published {paths.bi}: "
            + ", ".join(f"{k} {v}" for k, v in sorted(published.counts.items()))
        )
        return EXIT_PUBLISHED

    def _report(self) -> None:
        """One HTML report per published refresh; a report that fails does not undo a publish."""
        from ror.report import build_report, default_report_path

        try:
            path = build_report(self.paths.bi, default_report_path(self.paths.bi))
            self.log(f"report {path}")
        except Exception as error:  # noqa: BLE001 - the marts are published; say and go on
            self.log(f"report not written: {type(error).__name__}: {error}")

    def _config(self, memory_limit: str | None = None) -> dict[str, Any]:
        """DuckDB's settings for a step: the memory limit dbt's profile sets (DuckDB spills
        past it) unless the step has its own, and the threads."""
        return {
            "memory_limit": memory_limit or self.paths.memory_limit,
            "threads": self.paths.threads,
        }

    def _connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.paths.warehouse), read_only=read_only, config=self._config())

    def _load(self) -> LoadReport:
        if not self.paths.landing.is_dir():  # a missing mount, a typo: never publish "nothing"
            raise FileNotFoundError(f"landing folder {self.paths.landing} does not exist")
        report = run_in_child(
            load_warehouse,
            self.paths.warehouse,
            self._config(),
            self.paths.landing,
            self.run["run_id"],
        )
        self.run.update(
            files_loaded=len(report.loaded),
            files_skipped=len(report.skipped),
            rows_raw=sum(f.rows_raw for f in report.loaded),
            rows_rejected=sum(f.rows_rejected for f in report.loaded),
        )
        self.log(
            f"loaded {len(report.loaded)} new files ({self.run['rows_raw']} rows, "
            f"{self.run['rows_rejected']} rejected lines); {len(report.skipped)} already loaded"
        )
        return report

    def _gate(self, child: ProcessPoolExecutor) -> None:
        """Validate every loaded file the gate has not passed yet (this run's, and those a
        killed run left); a refusal withdraws them from raw, so nothing unvalidated is built.
        All of it runs in `child`, a child process (warm_child): GX, pandas and their frames
        end with it."""
        verdict = child.submit(
            gate_warehouse,
            self.paths.warehouse,
            self._config(GATE_MEMORY_LIMIT),
            self.run["run_id"],
            self.paths.data_docs,
        ).result()
        # Ended here, so that the step's CPU time counts the child's (getrusage counts a
        # child's only once it has exited and been waited for).
        child.shutdown(wait=True)
        if not verdict.files:
            self.log("gate: no new files")
        for line in verdict.lines:
            self.log(f"gate {line}")
        if verdict.failures:
            raise Refused(
                "; ".join(verdict.failures)
                + f" ({verdict.files} new files withdrawn, nothing published)"
            )

    def _tests_rows(self, project: str) -> tuple[str, str]:
        """Which rows the data tests read (ROR_TEST_ROWS, macro ror_latest_build), and why:
        of each incremental model, only the rows its latest build writes ('latest_build')
        when every other row was there when the previous refresh's tests passed: that
        refresh was published, with this project (its tests, models and seeds), and the
        warehouse's latest build is still its own (no `dbt build` by hand since). Otherwise
        every row ('all'), and always when ROR_TEST_ROWS=all is set for the refresh.
        `project`: this run's ror.dbt.project_hash."""
        if self.full_refresh:
            return "all", "every row (a full refresh)"
        if os.environ.get("ROR_TEST_ROWS") == "all":
            return "all", "every row (ROR_TEST_ROWS=all)"
        runs = read_runs(self.paths.runs_log)
        last = runs[-1] if runs else {}
        if last.get("status") != "published":
            return "all", "every row (the last refresh was not published)"
        if last.get("project_hash") != project:
            return "all", "every row (the project changed since the last refresh)"
        if not last.get("latest_build_at"):
            return "all", "every row (the last refresh recorded no build stamp)"
        recorded = datetime.fromisoformat(str(last["latest_build_at"]))
        built = self._latest_build_stamp()
        if built != recorded:
            return "all", f"every row (dbt ran since the last refresh: build stamp {built})"
        return "latest_build", "the rows of each incremental model's latest build"

    def _latest_build_stamp(self) -> datetime | None:
        """The build stamp of the latest dbt invocation (ops.dbt_invocations, written by the
        on-run-start hook ror_record_invocation); None before the first."""
        con = self._connect(read_only=True)
        try:
            logged = con.execute(
                "select count(*) from duckdb_tables() "
                "where schema_name = 'ops' and table_name = 'dbt_invocations'"
            ).fetchone()[0]
            if not logged:
                return None
            return con.execute("select max(built_at) from ops.dbt_invocations").fetchone()[0]
        finally:
            con.close()

    def _count_rows(self, report: LoadReport) -> None:
        """This run's batches as ops.reconciliation counts them."""
        batches = sorted({(f.source, f.batch) for f in report.loaded})
        con = self._connect(read_only=True)
        try:
            staged, quarantined, duplicate = con.execute(
                """select coalesce(sum(rows_staged), 0), coalesce(sum(rows_quarantined), 0),
                          coalesce(sum(rows_duplicate), 0)
                from ops.reconciliation
                where list_contains(?::varchar[], source || '/' || batch)""",
                [[f"{s}/{b}" for s, b in batches]],
            ).fetchone()
        finally:
            con.close()
        self.run.update(rows_staged=staged, rows_quarantined=quarantined, rows_duplicate=duplicate)


@dataclass(frozen=True)
class GateVerdict:
    """What the gate step decided, in plain types (the refresh process never imports GX)."""

    files: int  # files validated
    failures: list[str]  # one line each; any failure refused (and withdrew) every file
    lines: list[str]  # the gate's notes and warnings, one line each


def warm_up_gate() -> None:
    """What the gate's child process runs first, while the load runs: the imports."""
    import great_expectations  # noqa: F401

    import ror.gate  # noqa: F401


def gate_warehouse(
    warehouse: Path, config: dict[str, Any], run_id: str, docs_dir: Path
) -> GateVerdict:
    """The gate step on its own connection (DuckDB `config`): what the refresh runs in a
    child process. Validates the files not gated yet, then withdraws them all if a blocking
    expectation failed, or marks them gated."""
    from ror.gate import run_gate  # GX and pandas: imported in the child only

    con = duckdb.connect(str(warehouse), config=config)
    try:
        pending = ungated_files(con)
        if not pending:
            return GateVerdict(0, [], [])
        new_files = [(source, batch, file_hash) for source, batch, file_hash, _ in pending]
        # The refresh's threads as worker processes: GX validates pandas frames in Python.
        outcome = run_gate(con, new_files, run_id, docs_dir, workers=int(config.get("threads", 1)))
        if outcome.blocked:
            withdraw_files(con, pending, run_id, "quality gate", outcome.failures[0])
        else:
            mark_gated(con, [file_hash for _, _, file_hash, _ in pending])
        return GateVerdict(
            len(pending),
            outcome.failures if outcome.blocked else [],
            [*outcome.notes, *outcome.warnings],
        )
    finally:
        con.close()


def load_warehouse(
    warehouse: Path, config: dict[str, Any], landing: Path, load_id: str
) -> LoadReport:
    """The load step on its own connection (DuckDB `config`), logging to stderr: what the
    refresh runs in a child process, so DuckDB's memory of the load ends with the step."""
    con = duckdb.connect(str(warehouse), config=config)
    try:
        return load_landing(con, landing, load_id, Log())
    finally:
        con.close()


def refresh(paths: Paths, full_refresh: bool = False) -> int:
    return Refresh(paths, full_refresh).execute()
