"""The quality gate: Great Expectations suites validate each new batch before dbt runs.

`ror refresh` calls `run_gate` right after loading new files. For every source it reads
only the rows of the new files of its new batches (raw.<source> where _file_hash is one of
them), in groups of whole batches, as Arrow tables, with DuckDB deriving the columns each
check needs (ror/expectations/); each group becomes a pandas frame validated with the
source's suite in an ephemeral GX context (GX 1.24's SQL datasource returns empty failed
results on DuckDB: GX issues 10738 and 11579). With more rows than one validation holds, the
groups are validated in worker processes (one per thread of the refresh) while this process
reads the next. The cost grows with the new rows; beyond them, only the key columns of
raw.<source> are read, once per source (keys already loaded from another file).

What each expectation does when it fails comes from the policy (ror/gate_policy.yml): a
`block` failure refuses the batch; a `warn` failure, or a `block` one whose failing rows stay
within its `block_above` share (or its `tolerated_rows`), is a warning and the run goes on.

Outputs:
- ops.dq_results (appended): one row per expectation and batch, plus the batch's
  `quarantine_share` (rows failing any expectation staging quarantines for): severity (the
  policy's), success (GX's verdict with `mostly`), outcome (pass / warn / block), counts, a
  few failing values (JSON; "<redacted>" for personal columns) and their rows as file:line.
- GX Data Docs in `docs_dir`: index.html lists this run's validations; each validation page
  stays at validations/<source>/<run_id>/<time>/<source>.<batch>.html.
- GateOutcome: blocked, one line per failure and per warning
  (`refused: landing file <file>: expectation <name> failed for <n> of <rows> rows ...`).
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime as dt
import gc
import json
import logging
import math
import re
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from ror.expectations import SUITES
from ror.expectations.base import (
    QUARANTINE_SHARE,
    BuildContext,
    Check,
    ColumnsPresent,
    RowsPerFile,
    SqlContext,
    Suite,
    quote_ident,
    quote_literal,
)
from ror.sources import SOURCES

log = logging.getLogger(__name__)

DEFAULT_POLICY = Path(__file__).with_name("gate_policy.yml")
DQ_RESULTS = "ops.dq_results"
# settings.max_rows_per_validation when the policy does not say (see _group).
DEFAULT_MAX_ROWS_PER_VALIDATION = 500_000
# Check.prepare reads only the keys of the run's new files when they hold at most this share
# of the source's raw rows: cheaper for a nightly, dearer for a first load (the figures are
# in NotLoadedBefore.prepare, ror/expectations/base.py).
NEW_ROWS_SHARE_FOR_PREPARE = 0.25
DOCS_SITE = "ror_quality_gate"
# A process hands the memory of its validations back (_release_memory) once they have held
# this many rows since it last did: a small validation leaves little, and the full garbage
# collection costs about 0.1 s (the 100,000-event bench's nightly gate spent 0.74 s of its
# 5.5 s in it, over its 6 validations of 1,199 rows in all; cProfile).
RELEASE_MEMORY_ROWS = 10_000
SEVERITIES = ("block", "warn")
KINDS = frozenset(
    {
        "columns_present",
        "rows_per_file",
        "not_null",
        "parseable",
        "in_set",
        "matches",
        "between",
        "unique_in_batch",
        "not_loaded_before",
        QUARANTINE_SHARE,
    }
)
# GX result format: every failing row's index (to name file:line and count per file), but
# not GX's pandas query string (a literal list of every failing index).
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 20,
    "return_unexpected_index_query": False,
    "exclude_unexpected_values": False,
}
# Result keys too big for the Data Docs pages (one entry per failing row).
_BULKY_RESULT_KEYS = ("unexpected_index_list", "unexpected_list", "unexpected_index_query")
# Result keys holding failing values (dropped for redacted columns).
_VALUE_RESULT_KEYS = ("partial_unexpected_list", "partial_unexpected_counts", "unexpected_list")
REDACTED = "<redacted>"

DQ_RESULTS_DDL = f"""create table if not exists {DQ_RESULTS} (
    run_id varchar,
    validated_at timestamp,
    source varchar,
    batch varchar,
    files varchar,
    expectation varchar,
    expectation_type varchar,
    column_name varchar,
    severity varchar,
    block_above double,
    success boolean,
    outcome varchar,
    unexpected_count bigint,
    element_count bigint,
    unexpected_share double,
    sample_values varchar,
    sample_row_ids varchar,
    message varchar
)"""


class PolicyError(ValueError):
    """The policy file is not valid."""


@dataclass
class GateOutcome:
    """What the gate decided. `failures` and `warnings` are one line each."""

    blocked: bool
    failures: list[str]
    warnings: list[str]
    seconds: float
    notes: list[str] = field(default_factory=list)  # e.g. a seed fallback, nothing to validate
    docs_index: Path | None = None  # the Data Docs index.html
    results_written: int = 0  # rows appended to ops.dq_results
    workers: int = 1  # processes that validated (1: this one)


# -- policy -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    severity: str
    block_above: float | None
    quarantines: bool
    tolerated_rows: int = 0

    def mostly(self, rows_considered: int) -> float | None:
        """GX `mostly` for a batch where the expectation considers `rows_considered` rows:
        the share that must pass so that more than `block_above` of them, and more than
        `tolerated_rows` rows, must fail before the expectation fails."""
        if self.severity != "block" or self.block_above is None:
            return None
        allowed = self.block_above
        if rows_considered > 0:
            allowed = max(allowed, self.tolerated_rows / rows_considered)
        return max(0.0, 1.0 - allowed)


@dataclass(frozen=True)
class Policy:
    path: Path
    sample_size: int
    redacted_columns: frozenset[str]  # their failing values are never copied anywhere
    max_rows_per_validation: int  # a source's new batches are validated in groups this big
    earliest_valid_at: dt.datetime
    future_tolerance: dt.timedelta
    seeds_dir: Path
    defaults: dict[str, dict[str, Any]]
    sources: dict[str, dict[str, Any]]
    value_sets: dict[str, dict[str, Any]]
    ranges: dict[str, tuple[float | None, float | None]]
    patterns: dict[str, str]

    def rule(self, source: str, name: str, kind: str) -> Rule:
        entry: dict[str, Any] = dict(self.defaults.get(kind, {}))
        per_source = self.sources.get(source, {})
        entry.update(per_source.get("kinds", {}).get(kind, {}))
        entry.update(per_source.get("expectations", {}).get(name, {}))
        if "severity" not in entry:
            raise PolicyError(f"{self.path}: no severity for {source}.{name} (kind {kind})")
        return Rule(
            severity=entry["severity"],
            block_above=entry.get("block_above"),
            quarantines=bool(entry.get("quarantines", False)),
            tolerated_rows=int(entry.get("tolerated_rows", 0)),
        )

    def resolve_value_sets(self) -> tuple[dict[str, list[str]], list[str]]:
        """{name: allowed values}, and notes on any seed that was absent."""
        values: dict[str, list[str]] = {}
        notes: list[str] = []
        for name, entry in self.value_sets.items():
            if "values" in entry:
                values[name] = [str(v) for v in entry["values"]]
                continue
            seed = self.seeds_dir / entry["seed"]
            if seed.is_file():
                with seed.open(newline="", encoding="utf-8-sig") as handle:
                    reader = csv.DictReader(handle)
                    if entry["column"] not in (reader.fieldnames or []):
                        raise PolicyError(f"{seed} has no column {entry['column']!r}")
                    values[name] = sorted(
                        {row[entry["column"]].strip() for row in reader if row[entry["column"]]}
                    )
            else:
                values[name] = [str(v) for v in entry.get("fallback", [])]
                notes.append(
                    f"seed {seed} not found: value set {name!r} uses the policy's fallback "
                    f"list ({len(values[name])} values)"
                )
        return values, notes


def _as_bound(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"{where}: {value!r} is not a number")
    return float(value)


def load_policy(path: Path | None = None, project_dir: Path | None = None) -> Policy:
    """Read and check the policy file (ror/gate_policy.yml by default)."""
    path = Path(path) if path else DEFAULT_POLICY
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PolicyError(f"cannot read the gate policy {path}: {error}") from None
    if not isinstance(doc, dict) or doc.get("version") != 1:
        raise PolicyError(f"{path}: expected a mapping with `version: 1`")
    unknown = set(doc) - {
        "version", "settings", "defaults", "sources", "value_sets", "ranges", "patterns"
    }  # fmt: skip
    if unknown:
        raise PolicyError(f"{path}: unknown sections {sorted(unknown)}")
    settings = doc.get("settings") or {}
    defaults = doc.get("defaults") or {}
    sources = {k: (v or {}) for k, v in (doc.get("sources") or {}).items()}

    def check_entry(entry: Any, where: str) -> None:
        if not isinstance(entry, dict):
            raise PolicyError(f"{path}: {where} must be a mapping")
        extra = set(entry) - {"severity", "block_above", "quarantines", "tolerated_rows"}
        if extra:
            raise PolicyError(f"{path}: {where}: unknown keys {sorted(extra)}")
        if "severity" in entry and entry["severity"] not in SEVERITIES:
            raise PolicyError(f"{path}: {where}: severity must be one of {SEVERITIES}")
        share = entry.get("block_above")
        if share is not None and not (isinstance(share, int | float) and 0 <= share < 1):
            raise PolicyError(f"{path}: {where}: block_above must be a share in [0, 1)")
        rows = entry.get("tolerated_rows")
        if rows is not None and not (isinstance(rows, int) and rows >= 0):
            raise PolicyError(f"{path}: {where}: tolerated_rows must be a count >= 0")

    for kind, entry in defaults.items():
        if kind not in KINDS:
            raise PolicyError(f"{path}: defaults: unknown kind {kind!r}")
        check_entry(entry, f"defaults.{kind}")
    missing_kinds = KINDS - set(defaults)
    if missing_kinds:
        raise PolicyError(f"{path}: defaults: no entry for {sorted(missing_kinds)}")
    for source, entry in sources.items():
        if source not in SUITES:
            raise PolicyError(f"{path}: sources: unknown source {source!r}")
        extra = set(entry) - {"kinds", "expectations"}
        if extra:
            raise PolicyError(f"{path}: sources.{source}: unknown keys {sorted(extra)}")
        for kind, sub in (entry.get("kinds") or {}).items():
            if kind not in KINDS:
                raise PolicyError(f"{path}: sources.{source}.kinds: unknown kind {kind!r}")
            check_entry(sub, f"sources.{source}.kinds.{kind}")
        names = set(SUITES[source].names) | {QUARANTINE_SHARE}
        for name, sub in (entry.get("expectations") or {}).items():
            if name not in names:
                raise PolicyError(
                    f"{path}: sources.{source}.expectations: no expectation {name!r} in the suite"
                )
            check_entry(sub, f"sources.{source}.expectations.{name}")
    value_sets = doc.get("value_sets") or {}
    for name, entry in value_sets.items():
        if not isinstance(entry, dict) or not ("values" in entry or "seed" in entry):
            raise PolicyError(f"{path}: value_sets.{name}: needs `values:` or `seed:`")
        if "seed" in entry and "column" not in entry:
            raise PolicyError(f"{path}: value_sets.{name}: a seed needs `column:`")
    ranges = {
        name: (
            _as_bound((r or {}).get("min"), f"{path}: ranges.{name}.min"),
            _as_bound((r or {}).get("max"), f"{path}: ranges.{name}.max"),
        )
        for name, r in (doc.get("ranges") or {}).items()
    }
    patterns = {str(k): str(v) for k, v in (doc.get("patterns") or {}).items()}
    for name, pattern in patterns.items():
        try:
            re.compile(pattern)
        except re.error as error:
            raise PolicyError(f"{path}: patterns.{name}: {error}") from None
    # Every policy name a suite refers to must exist.
    for suite in SUITES.values():
        for check in suite.checks:
            for attr, table in (("values", value_sets), ("range", ranges), ("pattern", patterns)):
                ref = getattr(check, attr, "")
                if ref and ref not in table:
                    raise PolicyError(
                        f"{path}: {suite.source}.{check.name} reads {attr} {ref!r}, "
                        f"which the policy does not define"
                    )
    try:
        earliest = dt.datetime.fromisoformat(str(settings["earliest_valid_at"]))
        tolerance = dt.timedelta(hours=float(settings["future_tolerance_hours"]))
        sample_size = int(settings["sample_size"])
        max_rows = int(settings.get("max_rows_per_validation", DEFAULT_MAX_ROWS_PER_VALIDATION))
        if max_rows < 1:
            raise ValueError(f"max_rows_per_validation must be >= 1, got {max_rows}")
    except (KeyError, ValueError, TypeError) as error:
        raise PolicyError(f"{path}: settings: {error}") from None
    if earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=dt.UTC)
    if project_dir is None:
        from ror.settings import PROJECT_DIR

        project_dir = PROJECT_DIR
    return Policy(
        path=path,
        sample_size=sample_size,
        max_rows_per_validation=max_rows,
        redacted_columns=frozenset(str(c) for c in settings.get("redact_values_of") or ()),
        earliest_valid_at=earliest,
        future_tolerance=tolerance,
        seeds_dir=project_dir / str(settings.get("seeds_dir", "seeds")),
        defaults=defaults,
        sources=sources,
        value_sets=value_sets,
        ranges=ranges,
        patterns=patterns,
    )


# -- reading a batch --------------------------------------------------------------------------


def _table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]


@dataclass
class BatchFiles:
    """The files of one (source, batch): names and how many lines each landed."""

    hashes: tuple[str, ...]
    names: dict[str, str]  # file_hash -> landing path (relative to the landing root)
    lines_landed: dict[str, int | None]  # file_hash -> rows + rejected lines (None: unknown)
    rejected: dict[str, int]  # file_hash -> rejected lines

    def name(self, file_hash: str) -> str:
        return self.names.get(file_hash, f"(file {file_hash[:12]})")

    def nonempty(self) -> tuple[str, ...]:
        """The files that landed at least one line (as a row or as a rejected line)."""
        return tuple(
            sorted(
                {
                    self.name(h)
                    for h in self.hashes
                    if (self.lines_landed.get(h) or 0) + self.rejected.get(h, 0) > 0
                }
            )
        )


def _batch_files(
    con: duckdb.DuckDBPyConnection, source: str, hashes: tuple[str, ...]
) -> BatchFiles:
    names: dict[str, str] = {}
    landed: dict[str, int | None] = dict.fromkeys(hashes)
    rejected: dict[str, int] = dict.fromkeys(hashes, 0)
    in_list = ", ".join(quote_literal(h) for h in hashes)
    if _table_columns(con, "ops", "load_manifest"):
        for file_hash, file, rows_landed in con.execute(
            f"select file_hash, file, rows_landed from ops.load_manifest "
            f"where file_hash in ({in_list})"
        ).fetchall():
            names[file_hash] = file
            landed[file_hash] = rows_landed
    if _table_columns(con, "raw", "rejected_lines"):
        for file_hash, file, count in con.execute(
            f"select _file_hash, min(_file), count(*) from raw.rejected_lines "
            f"where _file_hash in ({in_list}) group by _file_hash"
        ).fetchall():
            names.setdefault(file_hash, file)
            rejected[file_hash] = count
    if any(h not in names for h in hashes) and _table_columns(con, "raw", source):
        for file_hash, file in con.execute(
            f"select _file_hash, min(_file) from raw.{quote_ident(source)} "
            f"where _file_hash in ({in_list}) group by _file_hash"
        ).fetchall():
            names.setdefault(file_hash, file)
    return BatchFiles(hashes, names, landed, rejected)


def _rows_per_file(con: duckdb.DuckDBPyConnection, hashes: Sequence[str]) -> dict[str, int]:
    """Rows loaded into raw per file (ops.load_manifest), for sizing the validations."""
    if not hashes or not _table_columns(con, "ops", "load_manifest"):
        return {}
    return dict(
        con.execute(
            "select file_hash, coalesce(rows_raw, 0) from ops.load_manifest "
            "where list_contains(?, file_hash)",
            [list(hashes)],
        ).fetchall()
    )


def _content_columns(source: str, raw_columns: Sequence[str]) -> list[str]:
    """The columns that make two rows exact repeats (staging's contract columns)."""
    return [c for c in SOURCES[source].columns if c in raw_columns and c != "_record"]


def read_rows(
    con: duckdb.DuckDBPyConnection,
    source: str,
    hashes: tuple[str, ...],
    checks: Sequence[Check],
    raw_columns: Sequence[str],
) -> pa.Table:
    """The batch's rows as an Arrow table: _file, _line_number and the checks' columns only,
    in (file, line) order. Through Arrow: DuckDB's .df() builds the string columns value by
    value (2-3x slower), and an Arrow table crosses to a worker process as whole buffers."""
    table = f"raw.{quote_ident(source)}"
    sql_ctx = SqlContext(table=table, file_hashes=hashes, raw_columns=frozenset(raw_columns))
    columns: dict[str, str] = {"_file": "_file", "_line_number": "_line_number"}
    for check in checks:
        columns.update(check.frame_columns(sql_ctx))
    content_hash = ""
    if any(check.uses_content_hash for check in checks):
        content = ", ".join(quote_ident(c) for c in _content_columns(source, raw_columns))
        content_hash = f", hash({content}) as _content_hash"
    select = ",\n    ".join(f"{expr} as {quote_ident(name)}" for name, expr in columns.items())
    sql = (
        f"with batch_rows as (\n    select *{content_hash} from {table}\n"
        f"    where _file_hash in ({sql_ctx.hashes_sql})\n)\n"
        f"select\n    {select}\nfrom batch_rows\norder by _file, _line_number"
    )
    return con.sql(sql).to_arrow_table()


def as_frame(rows: pa.Table) -> pd.DataFrame:
    """The pandas frame GX validates; its index is 0..n-1, row i is
    `_file[i]:_line_number[i]`.

    Strings are categoricals: GX filters the whole frame for each expectation (e.g. to the
    rows where its column is not null), which takes every column; a categorical takes int32
    codes, an Arrow string column its bytes. Same results (tests/test_gate.py); the events'
    validations took half the time (1M events, 250,000-row validations: 2.6 -> 1.3 s each).
    """
    frame = rows.to_pandas(strings_to_categorical=True)
    for name in frame.columns:
        # UTC timestamps as tz-aware: GX compares those vectorised.
        if pd.api.types.is_datetime64_dtype(frame[name]) and frame[name].dt.tz is None:
            frame[name] = frame[name].dt.tz_localize("UTC")
    return frame.reset_index(drop=True)


# -- Great Expectations -----------------------------------------------------------------------


def gx_context(docs_dir: Path | None = None) -> Any:
    """An ephemeral GX context; its Data Docs site is the folder `docs_dir`, if given."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites=None
        if docs_dir is None
        else {
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(Path(docs_dir).resolve()),
                },
                "site_index_builder": {
                    "class_name": "DefaultSiteIndexBuilder",
                    "show_cta_footer": False,
                },
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _asset_name(source: str, batch: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", f"{source}.{batch}")


@dataclass
class _Planned:
    check: Check
    rule: Rule


def _rows_considered(check: Check, frame: pd.DataFrame) -> int:
    """The rows GX measures `mostly` against: all rows for the (not-)null expectations, else
    the rows where the validated column has a value."""
    column = check.gx_column
    if check.mostly_counts_missing or column is None or column not in frame.columns:
        return len(frame)
    return int(frame[column].notna().sum())


def _gx_suite(
    source: str, planned: Sequence[_Planned], ctx: BuildContext, frame: pd.DataFrame
) -> Any:
    import great_expectations as gx

    expectations = []
    for item in planned:
        mostly = item.rule.mostly(_rows_considered(item.check, frame))
        expectation = item.check.expectation(ctx, mostly)
        expectation.meta = {
            "ror_name": item.check.name,
            "ror_severity": item.rule.severity,
            "ror_block_above": item.rule.block_above,
            "ror_tolerated_rows": item.rule.tolerated_rows,
        }
        expectation.notes = _notes(item.check, item.rule)
        expectation.severity = "critical" if item.rule.severity == "block" else "warning"
        expectations.append(expectation)
    # Built in one go: adding expectations one by one to a suite of a name the context
    # already stores writes the whole suite through to the store each time.
    return gx.ExpectationSuite(name=source, expectations=expectations)


def _notes(check: Check, rule: Rule) -> str:
    if rule.severity == "warn":
        return f"`{check.name}`: a failure is a warning."
    if rule.block_above is not None:
        return (
            f"`{check.name}`: blocks the batch when more than {rule.block_above:.1%} of the "
            f"rows it checks, and more than {rule.tolerated_rows} rows, fail; fewer failing "
            f"rows are a warning."
        )
    return f"`{check.name}`: any failure blocks the batch."


# -- results ----------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, int | float | str | bool):
        return value
    return str(value)


@dataclass
class _Evaluated:
    check_name: str
    expectation_type: str
    column: str | None
    rule: Rule
    success: bool  # GX's verdict (with `mostly`)
    outcome: str  # pass / warn / block: what the gate does with it
    unexpected_count: int | None
    element_count: int | None
    unexpected_share: float | None  # the share `block_above` is compared with
    indices: np.ndarray | None  # failing rows' positions in the frame (row-level checks)
    samples: list[Any]
    row_ids: list[str]
    messages: list[str] = field(default_factory=list)
    quarantines: bool = False


def is_redacted(check: Check, redacted_columns: frozenset[str]) -> bool:
    """Whether the check's failing values may hold personal data (policy: redact_values_of)."""
    return any(c in redacted_columns for c in (check.column, *check.needs()) if c)


def _outcome(rule: Rule, success: bool, unexpected: int | None) -> str:
    if not success:
        return rule.severity
    return "warn" if unexpected else "pass"


class _BatchReport:
    """Turns one batch's GX results into ops.dq_results rows and one-line messages."""

    def __init__(
        self,
        frame: pd.DataFrame,
        files: BatchFiles,
        nonempty_files: Sequence[str],
        sample_size: int,
        redacted_columns: frozenset[str] = frozenset(),
    ) -> None:
        self.frame, self.files, self.sample_size = frame, files, sample_size
        self.redacted_columns = redacted_columns
        self.nonempty_files = list(nonempty_files)
        codes, uniques = pd.factorize(frame["_file"], sort=True)
        self.file_codes = np.asarray(codes)
        self.file_names = [str(u) for u in uniques]
        self.rows_per_file = np.bincount(self.file_codes, minlength=len(self.file_names))
        self.all_files = sorted({files.name(h) for h in files.hashes})

    def row_ids(self, indices: np.ndarray) -> list[str]:
        head = indices[: self.sample_size]
        files = self.frame["_file"].iloc[head]
        lines = self.frame["_line_number"].iloc[head]
        return [f"{f}:{int(n)}" for f, n in zip(files, lines, strict=True)]

    def samples(self, check: Check, indices: np.ndarray) -> list[Any]:
        """The failing values as delivered (trimmed) where the frame has them."""
        column = check.column if check.column in self.frame.columns else check.gx_column
        if column is None or column not in self.frame.columns:
            return []
        values = [_jsonable(v) for v in self.frame[column].iloc[indices[: self.sample_size]]]
        if is_redacted(check, self.redacted_columns):
            return [REDACTED if v is not None else None for v in values]
        return values

    def per_file(self, indices: np.ndarray) -> list[tuple[str, int, int]]:
        """(file, failing rows, rows) for each file with failing rows."""
        counts = np.bincount(self.file_codes[indices], minlength=len(self.file_names))
        return [
            (self.file_names[i], int(counts[i]), int(self.rows_per_file[i]))
            for i in np.flatnonzero(counts)
        ]

    def evaluate(self, planned: _Planned, result: Any) -> _Evaluated:
        check, rule = planned.check, planned.rule
        info = result.exception_info if isinstance(result.exception_info, dict) else {}
        if info.get("raised_exception"):
            error = str(info.get("exception_message") or "error").splitlines()[0][:200]
            ev = self._table_level(check, rule, result, False, None, len(self.frame), [])
            ev.messages = self._messages(ev, self.all_files, f"could not be evaluated: {error}")
            return ev
        if isinstance(check, ColumnsPresent):
            missing = sorted(set(check.columns) - set(self.frame.columns))
            ev = self._table_level(
                check, rule, result, bool(result.success), len(missing), len(check.columns), missing
            )
            ev.messages = self._messages(
                ev, self.all_files, "failed: missing column(s) " + ", ".join(missing)
            )
            return ev
        if isinstance(check, RowsPerFile):
            missing = sorted(set(self.nonempty_files) - set(self.file_names))
            ev = self._table_level(
                check, rule, result, bool(result.success), len(missing),
                len(self.nonempty_files), missing,
            )  # fmt: skip
            ev.messages = self._messages(
                ev, missing, "failed: none of its lines landed as a row (all were rejected)"
            )
            return ev
        body = result.result or {}
        unexpected = int(body.get("unexpected_count") or 0)
        element = int(body.get("element_count") or 0)
        percent = body.get("unexpected_percent")
        positions = body.get("unexpected_index_list")
        indices = np.sort(np.asarray(positions, dtype=np.int64)) if positions is not None else None
        success = bool(result.success)
        ev = _Evaluated(
            check_name=check.name,
            expectation_type=result.expectation_config.type,
            column=check.column,
            rule=rule,
            success=success,
            outcome=_outcome(rule, success, unexpected),
            unexpected_count=unexpected,
            element_count=element,
            unexpected_share=float(percent) / 100 if percent is not None else None,
            indices=indices,
            samples=self.samples(check, indices) if indices is not None else [],
            row_ids=self.row_ids(indices) if indices is not None else [],
            quarantines=rule.quarantines,
        )
        if ev.outcome != "pass":
            if indices is None:  # no row positions: name the batch's files
                ev.messages = self._messages(
                    ev, self.all_files, f"failed for {unexpected} of {element} rows"
                )
            else:
                ev.messages = self._row_messages(ev, indices)
        return ev

    def _table_level(
        self,
        check: Check,
        rule: Rule,
        result: Any,
        success: bool,
        unexpected: int | None,
        element: int,
        samples: list[Any],
    ) -> _Evaluated:
        return _Evaluated(
            check_name=check.name,
            expectation_type=result.expectation_config.type,
            column=check.column,
            rule=rule,
            success=success,
            outcome=_outcome(rule, success, unexpected),
            unexpected_count=unexpected,
            element_count=element,
            unexpected_share=unexpected / element if unexpected is not None and element else None,
            indices=None,
            samples=samples,
            row_ids=[],
        )

    @staticmethod
    def _messages(ev: _Evaluated, files: Sequence[str], what: str) -> list[str]:
        if ev.outcome == "pass":
            return []
        verb = "refused" if ev.outcome == "block" else "warning"
        return [f"{verb}: landing file {f}: expectation {ev.check_name} {what}" for f in files]

    def _row_messages(self, ev: _Evaluated, indices: np.ndarray) -> list[str]:
        verb = "refused" if ev.outcome == "block" else "warning"
        note = ""
        if ev.outcome == "block" and ev.rule.block_above is not None and ev.unexpected_share:
            note = (
                f" ({ev.unexpected_share:.1%} of the values, more than the "
                f"{ev.rule.block_above:.1%} allowed)"
            )
        return [
            f"{verb}: landing file {file}: expectation {ev.check_name} failed for {failing} "
            f"of {rows} rows{note}"
            for file, failing, rows in self.per_file(indices)
        ]

    def quarantine_share(self, evaluated: Sequence[_Evaluated], rule: Rule) -> _Evaluated:
        """The rows failing at least one `quarantines` expectation, against `block_above`."""
        n = len(self.frame)
        mask = np.zeros(n, dtype=bool)
        first_reason = np.full(n, -1, dtype=np.int64)
        contributing = [
            ev for ev in evaluated if ev.quarantines and ev.indices is not None and len(ev.indices)
        ]
        for k, ev in enumerate(contributing):
            assert ev.indices is not None
            new = ev.indices[~mask[ev.indices]]
            first_reason[new] = k
            mask[ev.indices] = True
        indices = np.flatnonzero(mask)
        failing = int(len(indices))
        share = failing / n if n else 0.0
        mostly = rule.mostly(n)
        success = failing == 0 if mostly is None else (n == 0 or (n - failing) / n >= mostly)
        ev = _Evaluated(
            check_name=QUARANTINE_SHARE,
            expectation_type="ror_quarantine_share",
            column=None,
            rule=rule,
            success=success,
            outcome=_outcome(rule, success, failing),
            unexpected_count=failing,
            element_count=n,
            unexpected_share=share if n else None,
            indices=indices,
            # for each sampled row, the first expectation it fails
            samples=[contributing[k].check_name for k in first_reason[indices[: self.sample_size]]],
            row_ids=self.row_ids(indices),
        )
        if ev.outcome != "pass":
            ev.messages = self._row_messages(ev, indices)
        return ev


# -- the gate ---------------------------------------------------------------------------------


def _group(
    new_files: Iterable[tuple[str, str, str]],
    rows_of: Mapping[str, int] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS_PER_VALIDATION,
) -> dict[tuple[str, str], tuple[str, ...]]:
    """Validations to run: a source's new batches together, whole batches, at most
    `max_rows` rows each (a single bigger batch is validated alone).

    Together, because GX's cost is per expectation and validation (~20 ms each): a first load
    of many daily batches would otherwise pay it per batch. In groups, because the batch is
    a pandas frame: memory grows with its rows (~1.4 KB per event row), so a first load of
    10M events in one frame would not fit in the 4 GiB the refresh may use. The label is the
    batch, or `first..last`; every failure still names its file. `rows_of`: rows per
    file_hash (unknown = 0).
    """
    by_source: dict[str, dict[str, list[str]]] = {}
    for source, batch, file_hash in new_files:
        if source not in SUITES:
            raise ValueError(f"the gate has no suite for source {source!r}")
        hashes = by_source.setdefault(source, {}).setdefault(batch, [])
        if file_hash not in hashes:
            hashes.append(file_hash)
    rows_of = rows_of or {}
    groups: dict[tuple[str, str], tuple[str, ...]] = {}
    for source, batches in by_source.items():
        chunks: list[list[str]] = []
        rows_in_chunk = 0
        for name in sorted(batches):
            rows = sum(rows_of.get(h, 0) for h in batches[name])
            if not chunks or rows_in_chunk + rows > max_rows:
                chunks.append([])
                rows_in_chunk = 0
            chunks[-1].append(name)
            rows_in_chunk += rows
        for names in chunks:
            label = names[0] if len(names) == 1 else f"{names[0]}..{names[-1]}"
            groups[(source, label)] = tuple(h for name in names for h in batches[name])
    return groups


def _applicable(suite: Suite, raw_columns: Sequence[str]) -> list[Check]:
    """Checks whose columns exist in raw.<source>. A missing required column is reported by
    the suite's ColumnsPresent check; a missing optional column simply has nothing to check."""
    present = set(raw_columns)
    return [c for c in suite.checks if all(col in present for col in c.needs())]


def run_gate(
    con: duckdb.DuckDBPyConnection,
    new_files: list[tuple[str, str, str]],
    run_id: str,
    docs_dir: Path,
    policy_path: Path | None = None,
    workers: int = 1,
) -> GateOutcome:
    """Validate the new files' rows, one GX validation per group of a source's new batches.

    `new_files` holds (source, batch, file_hash) of the files just loaded into raw.<source>.
    This process reads each group's rows from `con`; with `workers` > 1 and more rows than one
    validation holds, spawned worker processes validate the groups (GX on pandas is mostly
    single-threaded Python) while this one reads the next group. Appends the results to
    ops.dq_results in group order, writes GX Data Docs into `docs_dir`, and returns whether a
    blocking expectation failed, with one line per failure and per warning.
    """
    started = time.perf_counter()
    policy = load_policy(policy_path)
    value_sets, notes = policy.resolve_value_sets()
    rows_of = _rows_per_file(con, [h for _s, _b, h in new_files])
    groups = _group(new_files, rows_of, policy.max_rows_per_validation)
    for note in notes:
        log.warning("gate: %s", note)
    if not groups:
        return GateOutcome(False, [], [], time.perf_counter() - started, ["no new files"])
    workers = min(workers, len(groups))
    if sum(rows_of.values()) <= policy.max_rows_per_validation:
        workers = 1  # one validation's worth: starting workers (and GX in each) costs more

    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    validated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    gx_run = RunIdentifier(run_name=run_id, run_time=validated_at)
    docs_dir = Path(docs_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    context = gx_context(docs_dir)
    validations = _validations(
        con, groups, rows_of, run_id, validated_at, policy, value_sets, notes
    )
    failures: list[str] = []
    warnings: list[str] = []
    rows: list[dict[str, Any]] = []
    stored: list[Any] = []  # the validation results to render as Data Docs
    suites_stored: set[str] = set()
    blocked = False
    docs_index: Path | None = None
    for done in _validate_all(validations, workers):
        log.info("%s", done.summary)
        blocked = blocked or done.blocked
        failures.extend(done.failures)
        warnings.extend(done.warnings)
        rows.extend(done.rows)
        if done.source not in suites_stored:  # the suite's Data Docs page: once per source
            context.suites.add_or_update(_suite_from_json(done.suite))
            suites_stored.add(done.source)
        stored.append(_store_for_docs(context, done.results, done.source, done.asset_name, gx_run))

    written = _write_results(con, rows)
    if stored:
        suites = [ExpectationSuiteIdentifier(name=s) for s in sorted(suites_stored)]
        try:
            context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=[*stored, *suites])
            docs_index = docs_dir / "index.html"
        except Exception as error:  # the docs are a report: failing to render them decides nothing
            notes.append(f"Data Docs not written to {docs_dir}: {error}")
            log.warning("gate: Data Docs not written to %s: %s", docs_dir, error)
    return GateOutcome(
        blocked=blocked,
        failures=failures,
        warnings=warnings,
        seconds=time.perf_counter() - started,
        notes=notes,
        docs_index=docs_index,
        results_written=written,
        workers=workers,
    )


@dataclass
class _Validation:
    """One validation's input, in plain picklable types: it may run in a worker process."""

    source: str
    batch: str
    files: BatchFiles
    raw_columns: list[str]
    rows: pa.Table | None  # read_rows; _validate lets go of it once it has its frame
    run_id: str
    validated_at: dt.datetime
    policy: Policy
    value_sets: dict[str, list[str]]


@dataclass
class _Validated:
    """One validation's outcome, in picklable types, for run_gate to gather in group order."""

    source: str
    asset_name: str
    blocked: bool
    failures: list[str]
    warnings: list[str]
    rows: list[dict[str, Any]]  # ops.dq_results rows
    suite: dict[str, Any]  # the GX suite as JSON, for its Data Docs page
    results: Any  # GX's validation result, as kept for Data Docs (_strip_for_docs)
    summary: str  # the log line


def _validations(
    con: duckdb.DuckDBPyConnection,
    groups: Mapping[tuple[str, str], tuple[str, ...]],
    rows_of: Mapping[str, int],
    run_id: str,
    validated_at: dt.datetime,
    policy: Policy,
    value_sets: dict[str, list[str]],
    notes: list[str],
) -> Iterator[_Validation]:
    """Each group's rows, read when the validation is about to be handed out."""
    temp_tables: set[str] = set()
    prepared: set[str] = set()
    try:
        for (source, batch), hashes in groups.items():
            raw_columns = _table_columns(con, "raw", source)
            if not raw_columns:
                notes.append(f"raw.{source} does not exist: batch {source}/{batch} not validated")
                continue
            checks = _applicable(SUITES[source], raw_columns)
            if source not in prepared:  # groups come source by source
                prepared.add(source)
                table = f"raw.{quote_ident(source)}"
                new_files = _few_new_files(con, table, source, groups, rows_of)
                for check in checks:
                    for name, query in check.prepare(table, new_files).items():
                        con.execute(f"create or replace temp table {name} as {query}")
                        temp_tables.add(name)
            yield _Validation(
                source=source,
                batch=batch,
                files=_batch_files(con, source, hashes),
                raw_columns=raw_columns,
                rows=read_rows(con, source, hashes, checks, raw_columns),
                run_id=run_id,
                validated_at=validated_at,
                policy=policy,
                value_sets=value_sets,
            )
    finally:
        for name in temp_tables:
            con.execute(f"drop table if exists {name}")


def _few_new_files(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: str,
    groups: Mapping[tuple[str, str], tuple[str, ...]],
    rows_of: Mapping[str, int],
) -> list[str] | None:
    """The source's files this run validates, when their rows are at most
    NEW_ROWS_SHARE_FOR_PREPARE of `table` (a nightly); None otherwise (a first load), when
    Check.prepare reads the whole table."""
    hashes = [h for (s, _batch), group in groups.items() if s == source for h in group]
    new_rows = sum(rows_of.get(h, 0) for h in hashes)
    (table_rows,) = con.execute(f"select count(*) from {table}").fetchone()
    return hashes if new_rows <= NEW_ROWS_SHARE_FOR_PREPARE * table_rows else None


def _validate_all(validations: Iterator[_Validation], workers: int) -> Iterator[_Validated]:
    """`_validate` of each validation, yielded in their order: here, or in `workers` spawned
    processes with at most one validation waiting beyond those being validated (each waiting
    one holds its rows in this process)."""
    if workers <= 1:
        for validation in validations:
            yield _validate(validation)
        return
    from ror.child import child_pool

    with child_pool(workers) as pool:
        running: deque[Future[_Validated]] = deque()
        for validation in validations:
            running.append(pool.submit(_validate, validation))
            del validation
            if len(running) > workers:
                yield running.popleft().result()
        while running:
            yield running.popleft().result()


def _validate(validation: _Validation) -> _Validated:
    """Validate one group's rows with its source's suite: what each expectation found, as
    ops.dq_results rows and one-line messages."""
    started = time.perf_counter()
    v, policy = validation, validation.policy
    source, batch = v.source, v.batch
    checks = _applicable(SUITES[source], v.raw_columns)
    planned = [_Planned(c, policy.rule(source, c.name, c.kind)) for c in checks]
    assert v.rows is not None, f"{source}/{batch} validated twice"
    frame, v.rows = as_frame(v.rows), None
    ctx = BuildContext(
        value_sets=v.value_sets,
        ranges=policy.ranges,
        patterns=policy.patterns,
        earliest_valid_at=policy.earliest_valid_at,
        latest_valid_at=v.validated_at + policy.future_tolerance,
        nonempty_files=v.files.nonempty(),
    )
    report = _BatchReport(
        frame, v.files, ctx.nonempty_files, policy.sample_size, policy.redacted_columns
    )
    gx_suite = _gx_suite(source, planned, ctx, frame)
    asset_name = _asset_name(source, batch)
    context = _validation_context()
    # A datasource per validation: its execution engine caches every batch it loaded
    # (GX's BatchManager), so one shared datasource would keep every frame to the end.
    datasource = context.data_sources.add_pandas(asset_name)
    asset = datasource.add_dataframe_asset(asset_name)
    gx_batch = asset.add_batch_definition_whole_dataframe("new_rows").get_batch(
        batch_parameters={"dataframe": frame}
    )
    results = gx_batch.validate(gx_suite, result_format=RESULT_FORMAT)
    by_name = {r.expectation_config.meta["ror_name"]: r for r in results.results}
    evaluated = [report.evaluate(p, by_name[p.check.name]) for p in planned]
    evaluated.append(
        report.quarantine_share(evaluated, policy.rule(source, QUARANTINE_SHARE, QUARANTINE_SHARE))
    )
    done = _Validated(
        source=source,
        asset_name=asset_name,
        blocked=False,
        failures=[],
        warnings=[],
        rows=[],
        suite=gx_suite.to_json_dict(),
        results=None,
        summary="",
    )
    for ev in evaluated:
        if ev.outcome == "block" and not ev.messages:  # never block without a reason
            ev.messages = [
                f"refused: landing file {f}: expectation {ev.check_name} failed"
                for f in report.all_files
            ]
        done.blocked = done.blocked or ev.outcome == "block"
        (done.failures if ev.outcome == "block" else done.warnings).extend(ev.messages)
        done.rows.append(_result_row(v.run_id, v.validated_at, source, batch, report.all_files, ev))
    redacted = {p.check.name for p in planned if is_redacted(p.check, policy.redacted_columns)}
    done.results = _strip_for_docs(results, redacted)
    done.summary = (
        f"gate {source}/{batch}: {len(frame)} rows, {len(evaluated)} expectations, "
        f"{sum(ev.outcome == 'block' for ev in evaluated)} blocking failures, "
        f"{sum(ev.outcome == 'warn' for ev in evaluated)} warnings "
        f"({time.perf_counter() - started:.1f}s)"
    )
    context.data_sources.delete(asset_name)
    _ROWS_SINCE_RELEASE[0] += len(frame)
    del datasource, asset, frame, report, gx_batch, results, by_name
    if _ROWS_SINCE_RELEASE[0] >= RELEASE_MEMORY_ROWS:
        _release_memory()
        _ROWS_SINCE_RELEASE[0] = 0
    return done


_CONTEXT: list[Any] = []  # this process's GX context for validating (_validation_context)
_ROWS_SINCE_RELEASE = [0]  # rows this process validated since its last _release_memory


def _validation_context() -> Any:
    """The process's ephemeral GX context that validations run in (no Data Docs site)."""
    if not _CONTEXT:
        _CONTEXT.append(gx_context())
    return _CONTEXT[0]


def _suite_from_json(suite: dict[str, Any]) -> Any:
    import great_expectations as gx

    return gx.ExpectationSuite(**suite)


def _release_memory() -> None:
    """Hand a validated frame's memory back to the system (GX's objects hold it in reference
    cycles, then Arrow's pool and glibc's heap keep it), so the gate holds about one large
    validation's frame at a time (or RELEASE_MEMORY_ROWS rows of small ones): at 1M events
    in 100,000-row validations its RSS stayed near 550 MB over 9 validations; without
    gc.collect it climbed from 565 to 875 MB."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _strip_for_docs(results: Any, redacted: set[str]) -> Any:
    """The validation result as kept for Data Docs: without the per-row lists (the pages show
    GX's partial lists; the full ones hold an entry per failing row), and without any failing
    value of a redacted column."""
    for result in results.results:
        body = result.result or {}
        for key in _BULKY_RESULT_KEYS:
            body.pop(key, None)
        if (result.expectation_config.meta or {}).get("ror_name") in redacted:
            for key in _VALUE_RESULT_KEYS:
                body.pop(key, None)
    return results


def _store_for_docs(context: Any, results: Any, source: str, asset_name: str, gx_run: Any) -> Any:
    """Store a validation result (_strip_for_docs) for this run's Data Docs; its key."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    results.meta["run_id"] = gx_run
    results.meta["validation_time"] = gx_run.run_time
    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=source),
        run_id=gx_run,
        batch_identifier=asset_name,
    )
    context.validation_results_store.set(key, results)
    return key


def _result_row(
    run_id: str,
    validated_at: dt.datetime,
    source: str,
    batch: str,
    files: Sequence[str],
    ev: _Evaluated,
) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "validated_at": validated_at.replace(tzinfo=None),
        "source": source,
        "batch": batch,
        "files": json.dumps(list(files), ensure_ascii=False),
        "expectation": ev.check_name,
        "expectation_type": ev.expectation_type,
        "column_name": ev.column,
        "severity": ev.rule.severity,
        "block_above": ev.rule.block_above,
        "success": ev.success,
        "outcome": ev.outcome,
        "unexpected_count": ev.unexpected_count,
        "element_count": ev.element_count,
        "unexpected_share": ev.unexpected_share,
        "sample_values": json.dumps(ev.samples, ensure_ascii=False) if ev.samples else None,
        "sample_row_ids": json.dumps(ev.row_ids, ensure_ascii=False) if ev.row_ids else None,
        "message": " | ".join(ev.messages) or None,
    }


def _write_results(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> int:
    con.execute("create schema if not exists ops")
    con.execute(DQ_RESULTS_DDL)
    if not rows:
        return 0
    frame = pd.DataFrame(rows)
    con.register("ror_gate_results", frame)
    try:
        con.execute(f"insert into {DQ_RESULTS} by name select * from ror_gate_results")
    finally:
        con.unregister("ror_gate_results")
    return len(rows)
