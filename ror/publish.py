"""Publishing: the marts and ops tables, nothing else, into a new BI file swapped in by rename.

A reader that opened the old BI file keeps reading it (the rename does not touch its inode);
a reader that opens the path after the rename sees the new file whole. A failure or a kill
before the rename leaves the last good BI file in place; the half-written temporary file is
removed by the next publish.
"""

from __future__ import annotations

import os
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


def publish(warehouse: Path, bi: Path, runs_log: Path, run: dict[str, Any]) -> dict[str, int]:
    """Copy the marts and ops tables into a fresh file and rename it over `bi`.

    `run` is this refresh's own row of ops.refresh_runs, published with it."""
    run_id = run["run_id"]
    bi.parent.mkdir(parents=True, exist_ok=True)
    for stale in bi.parent.glob(f".{bi.name}.*.tmp*"):
        stale.unlink(missing_ok=True)
    temporary = bi.with_name(f".{bi.name}.{run_id}.tmp")
    counts: dict[str, int] = {}
    con = duckdb.connect(str(temporary))
    try:
        con.execute(f"attach {quote_literal(str(warehouse))} as wh (read_only)")
        con.execute("create schema marts")
        con.execute("create schema ops")
        tables = con.execute(
            """select schema_name, table_name from duckdb_tables()
            where database_name = 'wh'
              and (schema_name = 'marts' or (schema_name = 'ops' and list_contains(?, table_name)))
            order by 1, 2""",
            [list(PUBLISHED_OPS_TABLES)],
        ).fetchall()
        for schema, table in tables:
            if (schema, table) == ("ops", "refresh_runs"):
                continue
            name = f"{quote_ident(schema)}.{quote_ident(table)}"
            con.execute(f"create table {name} as select * from wh.{name}")
            counts[f"{schema}.{table}"] = con.execute(f"select count(*) from {name}").fetchone()[0]
        con.execute("detach wh")
        _publish_runs(con, runs_log, run)
        counts["ops.refresh_runs"] = con.execute(
            "select count(*) from ops.refresh_runs"
        ).fetchone()[0]
        con.execute("checkpoint")
    finally:
        con.close()
    _fsync(temporary)
    os.replace(temporary, bi)
    _fsync(bi.parent)
    return counts


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
