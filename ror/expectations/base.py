"""Building blocks of the quality gate's suites (ror/gate.py).

A suite is a tuple of checks, one module per raw source beside this one. A check is one Great
Expectations expectation, validated on a pandas frame that DuckDB derives from the batch's raw
rows: the frame holds, per check, the column(s) it needs, already trimmed (blank as null) or
parsed the way the staging models parse them (macros/staging/cross_db/parsing.sql and
timestamps.sql), so that a check counts the rows staging would quarantine for that reason.

What a failure does (block or warn), the `mostly` thresholds, allowed values and ranges come
from the policy file (ror/gate_policy.yml), never from here: a check names the policy entry
(`values=`, `range=`, `pattern=`) it reads.

Frame columns: a contract column `c` appears as `c` (trimmed, blank as null); derived columns
are named `c__<what>` (`created_at__unparseable`, `rating__value`, `tweet_id__first_copy`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import great_expectations.expectations as gxe

# -- SQL helpers ---------------------------------------------------------------------------


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def slug(column: str) -> str:
    """`Lifetime Post Total Reach` -> `lifetime_post_total_reach` (expectation names)."""
    return re.sub(r"[^0-9a-z]+", "_", column.lower()).strip("_")


def text(column: str) -> str:
    """A raw column as staging reads it: trimmed, empty as null."""
    return f"nullif(trim({quote_ident(column)}), '')"


# Parsers: SQL turning text (already `text(...)`) into a typed value, or null when it does not
# parse. Same patterns as the staging macros ror_parse_integer, ror_parse_number,
# ror_parse_iso_timestamp_utc, ror_parse_twitter_timestamp_utc and ror_is_id_list.
_INTEGER = r"[+-]?[0-9]+(\.0*)?"
_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_ISO_WITH_OFFSET = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"\s*([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)"
)
_ISO_WITHOUT_OFFSET = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?"
_ID_LIST = r"\s*[0-9]+(\.0*)?\s*(,\s*[0-9]+(\.0*)?\s*)*"
TWITTER_TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"  # contracts/landing.md, twitter created_at

PARSERS: dict[str, str] = {
    # value types -> SQL template over {x}; numbers come out as DOUBLE, timestamps as a UTC
    # TIMESTAMP (the gate makes them tz-aware UTC in pandas), id lists as the text itself.
    "integer": (
        "case when regexp_full_match({x}, '" + _INTEGER + "') "
        "then cast(try_cast(regexp_replace({x}, '\\.0*$', '') as bigint) as double) end"
    ),
    "number": (
        "case when regexp_full_match({x}, '" + _NUMBER + "') then try_cast({x} as double) end"
    ),
    "timestamp": (
        "case when regexp_full_match({x}, '" + _ISO_WITH_OFFSET + "') "
        "then timezone('UTC', try_cast({x} as timestamptz)) "
        "when regexp_full_match({x}, '" + _ISO_WITHOUT_OFFSET + "') "
        "then try_cast({x} as timestamp) end"
    ),
    "twitter_timestamp": "timezone('UTC', try_strptime({x}, '" + TWITTER_TIME_FORMAT + "'))",
    "id_list": "case when regexp_full_match({x}, '" + _ID_LIST + "') then {x} end",
}
TIMESTAMP_TYPES = frozenset({"timestamp", "twitter_timestamp"})

NORMALISERS: dict[str, str] = {"lower": "lower({x})", "upper": "upper({x})"}


def parsed(column: str, as_type: str) -> str:
    return PARSERS[as_type].replace("{x}", text(column))


# -- what a check gets to build its SQL and its expectation ---------------------------------


@dataclass(frozen=True)
class SqlContext:
    """Where the batch lives: `batch_rows` is a CTE of the batch's raw rows."""

    table: str  # raw.<source>, quoted
    file_hashes: tuple[str, ...]  # the batch's new files
    raw_columns: frozenset[str]  # the columns raw.<source> has

    @property
    def hashes_sql(self) -> str:
        return ", ".join(quote_literal(h) for h in self.file_hashes) or "null"


@dataclass(frozen=True)
class BuildContext:
    """Reference values from the policy and the run, for building expectations."""

    value_sets: Mapping[str, Sequence[str]]
    ranges: Mapping[str, tuple[float | None, float | None]]
    patterns: Mapping[str, str]
    earliest_valid_at: dt.datetime  # UTC
    latest_valid_at: dt.datetime  # UTC: the validation time plus the future tolerance
    nonempty_files: tuple[str, ...]  # files of the batch that landed at least one line


# -- checks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One expectation of a suite. `name` is stable: ops.dq_results and the policy use it."""

    name: str
    column: str | None  # the contract column it is about (None: the table)
    kind: ClassVar[str]
    row_level: ClassVar[bool] = True  # failing rows can be named (file:line)
    # GX measures `mostly` against all rows (True: the (not-)null expectations) or against
    # the rows where the validated column has a value (False).
    mostly_counts_missing: ClassVar[bool] = False

    def needs(self) -> tuple[str, ...]:
        """Raw columns that must exist for the check to run (else it is skipped)."""
        return (self.column,) if self.column else ()

    def frame_columns(self, sql: SqlContext) -> dict[str, str]:
        """{frame column: SQL expression over the batch_rows CTE}."""
        raise NotImplementedError

    def prepare(self, table: str, new_files: Sequence[str] | None = None) -> dict[str, str]:
        """{temp table: the query over `table` (raw.<source>, quoted) that fills it}: what the
        frame columns read beside the batch, made once per source before its validations are
        read, and dropped when they are read. `new_files`: every file of the source this run
        validates, given when they are a small part of the table (a nightly's): the query may
        then keep only what concerns their rows."""
        return {}

    @property
    def gx_column(self) -> str | None:
        """The frame column the expectation validates."""
        return self.column

    def expectation(self, ctx: BuildContext, mostly: float | None) -> gxe.Expectation:
        raise NotImplementedError

    @property
    def uses_content_hash(self) -> bool:
        return False


def _mostly(mostly: float | None) -> dict[str, Any]:
    return {} if mostly is None or mostly >= 1 else {"mostly": mostly}


@dataclass(frozen=True)
class ColumnsPresent(Check):
    """The contract's required columns exist in raw.<source>."""

    columns: tuple[str, ...] = ()
    kind: ClassVar[str] = "columns_present"
    row_level: ClassVar[bool] = False

    def needs(self) -> tuple[str, ...]:
        return ()

    def frame_columns(self, sql: SqlContext) -> dict[str, str]:
        return {c: text(c) for c in self.columns if c in sql.raw_columns}

    @property
    def gx_column(self) -> str | None:
        return None

    def expectation(self, ctx: BuildContext, mostly: float | None) -> gxe.Expectation:
        return gxe.ExpectTableColumnsToMatchSet(column_set=list(self.columns), exact_match=False)


@dataclass(frozen=True)
class RowsPerFile(Check):
    """Every file of the batch that landed lines has rows in raw (not all lines rejected)."""

    kind: ClassVar[str] = "rows_per_file"
    row_level: ClassVar[bool] = False

    def frame_columns(self, sql: SqlContext) -> dict[str, str]:
        return {"_file": "_file"}

    @property
    def gx_column(self) -> str | None:
        return "_file"

    def expectation(self, ctx: BuildContext, mostly: float | None) -> gxe.Expectation:
        return gxe.ExpectColumnDistinctValuesToContainSet(
            column="_file", value_set=list(ctx.nonempty_files)
        )


@dataclass(frozen=True)
class NotNull(Check):
    """A required value is present (not null, not blank)."""

    kind: ClassVar[str] = "not_null"
    mostly_counts_missing: ClassVar[bool] = True

    def frame_columns(self, sql: SqlContext) -> dict[str, str]:
        assert self.column
        return {self.column: text(self.column)}

    def expectation(self, ctx: BuildContext, mostly: float | None) -> gxe.Expectation:
        assert self.column
        return gxe.ExpectColumnValuesToNotBeNull(column=self.column, **_mostly(mostly))


@dataclass(frozen=True)
class Parseable(Check):
    """A present value parses as `as_type` (see PARSERS); the frame keeps the text that does not."""

    as_type: str = "number"
    kind: ClassVar[str] = "parseable"
    mostly_counts_missing: ClassVar[bool] = True

    @property
    def gx_column(self) -> str | None:
        return f"{self.column}__unparseable"

    def frame_columns(self, sql: SqlContext) -> dict[str, str]:
        assert self.column
        value = text(self.column)
        return {
            f"{self.column}__unparseable": (
                f"case when {value} is not null and ({parsed(self.column, self.as_type)}) is null"
                f" then {quote_ident(self.column)} end"
            )
        }

    def expectation(self, ctx: BuildContext, mostly: float | None) -> gxe.Expectation:
        return gxe.ExpectColumnValuesToBeNull(column=str(self.gx_column), **_mostly(mostly))


@dataclass(frozen=True)
class InSet(Check):
    """A present value is one of the policy's value set `values` (after `normalise`)."""

    values: str = ""
    normalise: str | None = None  # "lower" / "upper", as staging compares it
    kind: ClassVar[str] = "in_set"

    @property
    def gx_column(self) -> str | None:
        return f"{self.column}__{self.normalise}" if self.normalise else self.column

    def frame_columns(self, sql: SqlContext) -> dict[str, str]:
        assert self.column
        value = text(self.column)
        if self.normalise:
            value = NORMALISERS[self.normalise].replace("{x}", value)
        return {str(self.gx_column): value}

    def expectation(self, ctx: BuildContext, mostly: float | None) -> gxe.Expectation:
        return gxe.ExpectColumnValuesToBeInSet(
            column=str(self.gx_column),
            value_set=list(ctx.value_sets[self.values]),
            **_mostly(mostly),
        )


@dataclass(frozen=True)
class Matches(Check):
    """A present value matches the policy's regular expression `pattern`."""

    pattern: str = ""
    kind: ClassVar[str] = "matches"

    def frame_columns(self, sql: SqlContext) -> dict[str, str]:
        assert self.column
        return {self.column: text(self.column)}

    def expectation(self, ctx: BuildContext, mostly: float | None) -> gxe.Expectation:
        assert self.column
        return gxe.ExpectColumnValuesToMatchRegex(
            column=self.column, regex=ctx.patterns[self.pattern], **_mostly(mostly)
        )


@dataclass(frozen=True)
class Between(Check):
    """A parsed value lies in the policy's range `range` (timestamps: earliest valid .. now +
    tolerance, from the policy's settings). Values that do not parse are left to Parseable."""

    as_type: str = "number"
    range: str = ""  # a key of the policy's ranges; unused for timestamps
    kind: ClassVar[str] = "between"

    @property
    def gx_column(self) -> str | None:
        return f"{self.column}__value"

    def frame_columns(self, sql: SqlContext) -> dict[str, str]:
        assert self.column
        return {str(self.gx_column): parsed(self.column, self.as_type)}

    def expectation(self, ctx: BuildContext, mostly: float | None) -> gxe.Expectation:
        if self.as_type in TIMESTAMP_TYPES:
            low, high = ctx.earliest_valid_at, ctx.latest_valid_at
            return gxe.ExpectColumnValuesToBeBetween(
                column=str(self.gx_column), min_value=low, max_value=high, **_mostly(mostly)
            )
        low_n, high_n = ctx.ranges[self.range]
        return gxe.ExpectColumnValuesToBeBetween(
            column=str(self.gx_column), min_value=low_n, max_value=high_n, **_mostly(mostly)
        )


def _key_sql(columns: Sequence[str]) -> str:
    """One text key of the columns (trimmed); null when any part is missing."""
    if len(columns) == 1:
        return text(columns[0])
    parts = ", ".join(text(c) for c in columns)
    present = " and ".join(f"{text(c)} is not null" for c in columns)
    return f"case when {present} then concat_ws(' | ', {parts}) end"


@dataclass(frozen=True)
class UniqueInBatch(Check):
    """No two rows of the batch share the key (`columns`) with different content. A row that
    repeats an earlier one exactly (a re-sent event) is collapsed first, as staging does, so
    it does not count; every row whose key is shared by a different row does. The gate
    validates a source's new batches together, so the key is taken within each batch."""

    columns: tuple[str, ...] = ()
    kind: ClassVar[str] = "unique_in_batch"

    def needs(self) -> tuple[str, ...]:
        return self.columns

    @property
    def gx_column(self) -> str | None:
        return f"{'__'.join(self.columns)}__first_copy"

    @property
    def uses_content_hash(self) -> bool:
        return True

    def frame_columns(self, sql: SqlContext) -> dict[str, str]:
        return {
            str(self.gx_column): (
                "case when row_number() over (partition by _batch, _content_hash "
                "order by _file, _line_number) = 1 "
                f"then _batch || ' | ' || ({_key_sql(self.columns)}) end"
            )
        }

    def expectation(self, ctx: BuildContext, mostly: float | None) -> gxe.Expectation:
        return gxe.ExpectColumnValuesToBeUnique(column=str(self.gx_column), **_mostly(mostly))


@dataclass(frozen=True)
class NotLoadedBefore(Check):
    """The key (`columns`) is not in raw.<source> already, from a file other than the batch's
    (a re-sent row, or an update: staging collapses or quarantines it). Reads only the key
    columns of the raw table."""

    columns: tuple[str, ...] = ()
    kind: ClassVar[str] = "not_loaded_before"
    mostly_counts_missing: ClassVar[bool] = True

    def needs(self) -> tuple[str, ...]:
        return self.columns

    @property
    def gx_column(self) -> str | None:
        return f"{'__'.join(self.columns)}__loaded_before"

    @property
    def key_files_table(self) -> str:
        """The temp table of the keys raw.<source> holds in two or more files, with those
        files (prepare)."""
        return quote_ident(f"ror_gate_{self.gx_column}")

    def prepare(self, table: str, new_files: Sequence[str] | None = None) -> dict[str, str]:
        # Once per source, not per validation: at 10M events, a scan of raw's keys for each
        # 250,000-row validation took about 6 s.
        key = _key_sql(self.columns)
        if new_files:
            # A nightly's few new files: only their keys can be "loaded before", so the keys
            # of every other file are matched against theirs and never grouped. At 10M
            # events with one new day (97,000 events) this took 1.2 to 1.4 s, against 3.3
            # to 3.9 s for the query below (3 runs each); with every file new, 8.4 to 8.9 s
            # against 3.7 to 4.0 s (2 runs each).
            hashes = ", ".join(quote_literal(h) for h in new_files)
            return {
                self.key_files_table: (
                    f"with new_keys as (\n"
                    f"    select distinct {key} as key from {table}\n"
                    f"    where _file_hash in ({hashes}) and {key} is not null\n"
                    f")\n"
                    f"select {key} as key, list(distinct _file_hash) as file_hashes\n"
                    f"from {table}\n"
                    f"where {key} in (select key from new_keys)\n"
                    f"group by all\nhaving count(distinct _file_hash) > 1"
                )
            }
        # Keys are grouped by their 64-bit hash first (grouping 10M strings costs more); the
        # strings are compared only for the few keys whose hash is in two files, so a
        # collision cannot make a key look loaded before.
        return {
            self.key_files_table: (
                f"with keys_in_two_files as (\n"
                f"    select hash({key}) as key_hash from {table}\n"
                f"    where {key} is not null\n"
                f"    group by key_hash\n"
                f"    having min(hash(_file_hash)) <> max(hash(_file_hash))\n"
                f")\n"
                f"select {key} as key, list(distinct _file_hash) as file_hashes\n"
                f"from {table}\n"
                f"where hash({key}) in (select key_hash from keys_in_two_files)"
                f" and {key} is not null\n"
                f"group by all\nhaving count(distinct _file_hash) > 1"
            )
        }

    def frame_columns(self, sql: SqlContext) -> dict[str, str]:
        key = _key_sql(self.columns)
        batch_hashes = f"[{sql.hashes_sql}]" if sql.file_hashes else "[]"
        return {
            str(self.gx_column): (
                f"case when {key} in (select key from {self.key_files_table} "
                f"where not list_has_all({batch_hashes}, file_hashes)) then {key} end"
            )
        }

    def expectation(self, ctx: BuildContext, mostly: float | None) -> gxe.Expectation:
        return gxe.ExpectColumnValuesToBeNull(column=str(self.gx_column), **_mostly(mostly))


# -- suites --------------------------------------------------------------------------------

# The aggregate the gate computes from the row-level results (not a GX expectation): the
# share of the batch's rows that fail at least one expectation marked `quarantines`.
QUARANTINE_SHARE = "quarantine_share"


@dataclass(frozen=True)
class Suite:
    source: str
    checks: tuple[Check, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [c.name for c in self.checks]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes or QUARANTINE_SHARE in names:
            raise ValueError(f"suite {self.source}: expectation names not unique: {dupes}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.checks)
