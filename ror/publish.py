"""Publishing: the marts and ops tables, nothing else, into a new BI file swapped in by rename.

A reader that opened the old BI file keeps reading it (the rename does not touch its inode);
a reader that opens the path after the rename sees the new file whole. A failure or a kill
before the rename leaves the last good BI file in place; the half-written temporary file is
removed by the next publish.

The new file starts as a copy of the last published one when the caller names the unique
keys of the tables built incrementally (`keys`, from dbt's manifest: fct_interactions,
fct_relationship_daily). Such a table is brought up to date in the copy: the rows whose key
the warehouse rebuilt since (`_built_at`, the build stamp, after the newest the copy holds;
`_changed_at` in a table without it) are deleted and written again, and rows whose key is
gone are deleted. The result is then compared with the
warehouse's table, every column of every row (a count and a sum of row hashes); a table
that differs in any way is copied whole instead, so what BI tools read is always what the
warehouse holds. Every other table is copied whole, as is every table of a first publish.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ror.loader import quote_ident, quote_literal
from ror.runs import RUN_COLUMNS, read_runs

# What BI tools may read. Everything in schema marts, and these ops tables; never raw,
# staging, intermediate or the quarantine (which holds raw values).
PUBLISHED_OPS_TABLES = (
    "refresh_runs",
    "reconciliation",
    "load_manifest",
    "load_refusals",
    "dq_results",
)

# Past this share of a table's rows rebuilt, deleting and writing them costs about as much as
# copying the table whole (a full refresh rebuilds every row).
MAX_CHANGED_SHARE = 0.25


@dataclass
class Published:
    """Rows per published table, and how each table incrementally published got there."""

    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def publish(
    warehouse: Path,
    bi: Path,
    runs_log: Path,
    run: dict[str, Any],
    keys: Mapping[str, Sequence[str]] | None = None,
) -> Published:
    """Write the marts and ops tables into a fresh file and rename it over `bi`.

    `run` is this refresh's own row of ops.refresh_runs, published with it. `keys` maps
    "schema.table" to the unique key of a table the warehouse builds incrementally; with it,
    the last published file is reused as described above."""
    run_id = run["run_id"]
    bi.parent.mkdir(parents=True, exist_ok=True)
    for stale in bi.parent.glob(f".{bi.name}.*.tmp*"):
        stale.unlink(missing_ok=True)
    temporary = bi.with_name(f".{bi.name}.{run_id}.tmp")
    published = Published()
    reuse = bool(keys) and _copy_last_published(bi, temporary)
    con = duckdb.connect(str(temporary))
    try:
        con.execute(f"attach {quote_literal(str(warehouse))} as wh (read_only)")
        tables = _published_tables(con, "wh")
        kept = _keep_incremental_tables(con, tables, keys or {}) if reuse else {}
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists ops")
        for schema, table in tables:
            if (schema, table) == ("ops", "refresh_runs"):
                continue
            name = f"{quote_ident(schema)}.{quote_ident(table)}"
            if f"{schema}.{table}" in kept:
                key = (keys or {})[f"{schema}.{table}"]
                note = _bring_up_to_date(con, name, key, kept[f"{schema}.{table}"])
                published.notes.append(f"{schema}.{table}: {note}")
            else:
                con.execute(f"create table {name} as select * from wh.{name}")
            published.counts[f"{schema}.{table}"] = con.execute(
                f"select count(*) from {name}"
            ).fetchone()[0]
        con.execute("detach wh")
        _publish_runs(con, runs_log, run)
        published.counts["ops.refresh_runs"] = con.execute(
            "select count(*) from ops.refresh_runs"
        ).fetchone()[0]
        con.execute("checkpoint")
    finally:
        con.close()
    _fsync(temporary)
    # A WAL left by a writer of the old file would be replayed into the new one, which
    # DuckDB then refuses to open ("WAL does not match database file").
    bi.with_name(bi.name + ".wal").unlink(missing_ok=True)
    os.replace(temporary, bi)
    _fsync(bi.parent)
    return published


def _copy_last_published(bi: Path, temporary: Path) -> bool:
    """Copy the last published file to start from. False (nothing copied) if there is none,
    it cannot be opened (a file from elsewhere, or damaged), it holds anything publish does
    not write (views, other schemas, macros, types, sequences, indexes), or more of its
    blocks are free than used. Tables dropped and rewritten leave free blocks that the
    next publish reuses: over 10 nightlies at 1M events the file stayed about a third
    larger than a whole copy; should that ever not hold, a whole copy starts it afresh."""
    if not bi.is_file() or bi.with_name(bi.name + ".wal").exists():
        return False
    shutil.copyfile(bi, temporary)
    try:
        con = duckdb.connect(str(temporary))
        try:
            used, free = con.execute(
                "select used_blocks, free_blocks from pragma_database_size()"
            ).fetchone()
            # Only tables in marts and ops, as publish writes them (it drops the tables).
            foreign = con.execute(
                """select
                    (select count(*) from duckdb_views() where not internal)
                    + (select count(*) from duckdb_schemas()
                       where not internal and schema_name not in ('main', 'marts', 'ops'))
                    + (select count(*) from duckdb_functions() where not internal)
                    + (select count(*) from duckdb_types() where not internal)
                    + (select count(*) from duckdb_sequences())
                    + (select count(*) from duckdb_indexes())"""
            ).fetchone()[0]
        finally:
            con.close()
    except duckdb.Error:
        used, free, foreign = 0, 0, 1
    if free > used or foreign:
        temporary.unlink(missing_ok=True)
        return False
    return True


def _published_tables(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    return con.execute(
        """select schema_name, table_name from duckdb_tables()
        where database_name = ?
          and (schema_name = 'marts' or (schema_name = 'ops' and list_contains(?, table_name)))
        order by 1, 2""",
        [database, list(PUBLISHED_OPS_TABLES)],
    ).fetchall()


def _columns(
    con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str
) -> list[tuple[str, str]]:
    return con.execute(
        """select column_name, data_type from duckdb_columns()
        where database_name = ? and schema_name = ? and table_name = ?
        order by column_index""",
        [database, schema, table],
    ).fetchall()


def _keep_incremental_tables(
    con: duckdb.DuckDBPyConnection,
    tables: list[tuple[str, str]],
    keys: Mapping[str, Sequence[str]],
) -> dict[str, str]:
    """Drop every table of the copied file but those to bring up to date: a table built
    incrementally, with a `_built_at` or a `_changed_at`, whose columns are the warehouse's,
    name for name and type for type. Returns each kept table's stamp column (_stamp)."""
    copy = con.execute("select current_database()").fetchone()[0]
    kept = {}
    for schema, table in con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ?", [copy]
    ).fetchall():
        columns = _columns(con, copy, schema, table)
        stamp = _stamp(columns)
        if (
            f"{schema}.{table}" in keys
            and (schema, table) in tables
            and columns == _columns(con, "wh", schema, table)
            and stamp is not None
        ):
            kept[f"{schema}.{table}"] = stamp
        else:
            con.execute(f"drop table {quote_ident(schema)}.{quote_ident(table)}")
    return kept


def _bring_up_to_date(
    con: duckdb.DuckDBPyConnection, name: str, key: Sequence[str], stamp: str
) -> str:
    """Delete and write again the rows of `name` whose key the warehouse rebuilt (`stamp`
    later than the newest in the copy), delete those whose key it no longer holds, and check
    the result against the warehouse; copy the table whole when the check fails or most
    rows changed. Says which it did."""
    on = " and ".join(f"target.{quote_ident(k)} = changed.{quote_ident(k)}" for k in key)
    key_list = ", ".join(quote_ident(k) for k in key)
    total = con.execute(f"select count(*) from wh.{name}").fetchone()[0]
    # A constant, not a subquery: DuckDB then skips the row groups written before it.
    newest = con.execute(f"select max({stamp}) from {name}").fetchone()[0]
    con.execute(
        f"create or replace temp table changed as select * from wh.{name}"
        + ("" if newest is None else f" where {stamp} > ?"),
        [] if newest is None else [newest],
    )
    rebuilt = con.execute("select count(*) from changed").fetchone()[0]
    if _build_hashes(con, name) != _build_hashes(con, f"wh.{name}"):
        reason = "copied whole (built with other seeds, vars or salt: _build_hash)"
    elif rebuilt > MAX_CHANGED_SHARE * total:
        reason = f"copied whole ({rebuilt:,} of {total:,} rows rebuilt)"
    else:
        con.execute(
            f"delete from {name} as target using (select distinct {key_list} from changed)"
            f" as changed where {on}"
        )
        con.execute(f"insert into {name} by name select * from changed")
        gone = 0
        if con.execute(f"select count(*) from {name}").fetchone()[0] != total:
            gone = con.execute(
                f"delete from {name} as target using (select {key_list} from {name}"
                f" except select {key_list} from wh.{name}) as changed where {on}"
            ).fetchone()[0]
        if _fingerprint(con, name) == _fingerprint(con, f"wh.{name}"):
            con.execute("drop table changed")
            return f"{rebuilt:,} rows rebuilt and {gone:,} gone, written into the last copy"
        reason = "copied whole (the last copy, brought up to date, differed from the warehouse)"
    con.execute("drop table changed")
    con.execute(f"drop table {name}")
    con.execute(f"create table {name} as select * from wh.{name}")
    return reason


def _stamp(columns: Sequence[tuple[str, str]]) -> str | None:
    """The column that tells the rows a later build wrote: `_built_at`, the build stamp of
    every row a build wrote (rows rebuilt under the lookback keep their `_changed_at`), else
    `_changed_at`; None for a table with neither."""
    for stamp in ("_built_at", "_changed_at"):
        if (stamp, "TIMESTAMP") in columns:
            return stamp
    return None


def _build_hashes(con: duckdb.DuckDBPyConnection, name: str) -> set[str]:
    """The `_build_hash` values of a table (a changed seed, var or salt rebuilds every row
    with its old `_changed_at`); empty for a table without the column."""
    columns = [c[0] for c in con.execute(f"select * from {name} limit 0").description]
    if "_build_hash" not in columns:
        return set()
    return {h for (h,) in con.execute(f"select distinct _build_hash from {name}").fetchall()}


def _fingerprint(con: duckdb.DuckDBPyConnection, name: str) -> tuple[int, int]:
    """The rows and the sum of their hashes over every column: the same for two tables that
    hold the same rows, in whatever order."""
    columns = con.execute(f"select * from {name} limit 0").description
    row = ", ".join(quote_ident(column[0]) for column in columns)
    return con.execute(
        f"select count(*), coalesce(sum(system.main.hash({row})), 0) from {name}"
    ).fetchone()


def _publish_runs(con: duckdb.DuckDBPyConnection, runs_log: Path, run: dict[str, Any]) -> None:
    """ops.refresh_runs from the append-only run log (which also records unpublished runs)."""
    columns = ", ".join(f"{quote_ident(name)} {kind}" for name, kind in RUN_COLUMNS.items())
    con.execute(f"create table ops.refresh_runs ({columns})")
    rows = [[r.get(name) for name in RUN_COLUMNS] for r in [*read_runs(runs_log), run]]
    if rows:
        placeholders = ", ".join("?" for _ in RUN_COLUMNS)
        con.executemany(f"insert into ops.refresh_runs values ({placeholders})", rows)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
