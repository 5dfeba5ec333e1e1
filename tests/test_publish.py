"""Publishing (ror.publish) between two real DuckDB files, without dbt: a table the warehouse
builds incrementally is brought up to date in a copy of the last published file, and a copy
that differs from the warehouse in any way is replaced by a whole copy of the table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from ror.publish import publish

KEYS = {"marts.fct_events": ("event_id", "event_day")}
FIRST_BUILD = dt.datetime(2026, 1, 1, 3)
NEXT_BUILD = dt.datetime(2026, 1, 2, 3)


@pytest.fixture
def site(tmp_path: Path) -> dict[str, Path]:
    """A warehouse with an incremental fact (key event_id + event_day, `_changed_at`), a
    mart rebuilt whole, an ops table and a staging table that is never published."""
    warehouse = tmp_path / "ror.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts; create schema ops; create schema staging")
    con.execute(
        """create table marts.fct_events as
        select
            'e' || i as event_id,
            date '2026-01-01' + cast(i % 7 as integer) as event_day,
            i * 1.5 as amount,
            case when i % 3 = 0 then null else 'brand ' || (i % 3) end as brand,
            ? as _changed_at
        from range(5000) as t(i)""",
        [FIRST_BUILD],
    )
    con.execute(
        "create table marts.ror_totals as select brand, sum(amount) as amount "
        "from marts.fct_events group by brand"
    )
    con.execute("create table ops.reconciliation as select 'events' as source, 5000 as rows")
    con.execute("create table staging.secrets as select 'alice@example.com' as email")
    con.close()
    return {"warehouse": warehouse, "bi": tmp_path / "ror_bi.duckdb", "runs": tmp_path / "r.jsonl"}


def run_publish(site: dict[str, Path], keys=KEYS, run_id: str = "r1"):
    run = {"run_id": run_id, "started_at": dt.datetime(2026, 1, 2), "status": "published"}
    return publish(site["warehouse"], site["bi"], site["runs"], run, keys)


def warehouse_sql(site: dict[str, Path], *statements: str) -> None:
    con = duckdb.connect(str(site["warehouse"]))
    for statement in statements:
        con.execute(statement, [NEXT_BUILD] if "?" in statement else [])
    con.close()


def rows(database: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return sorted(con.execute(f"select * from {table}").fetchall(), key=repr)
    finally:
        con.close()


def assert_published_as_in_warehouse(site: dict[str, Path]) -> None:
    for table in ("marts.fct_events", "marts.ror_totals", "ops.reconciliation"):
        assert rows(site["bi"], table) == rows(site["warehouse"], table), table
    con = duckdb.connect(str(site["bi"]), read_only=True)
    schemas = {
        s for (s,) in con.execute("select distinct schema_name from duckdb_tables()").fetchall()
    }
    con.close()
    assert schemas == {"marts", "ops"}


def assert_copied_whole_after_one_rebuilt_row(site: dict[str, Path]) -> None:
    """One row rebuilt in the warehouse, published: every table copied whole (no note), and
    the BI file the same as the warehouse."""
    warehouse_sql(
        site, "update marts.fct_events set amount = 0, _changed_at = ? where event_id = 'e1'"
    )
    published = run_publish(site, run_id="r2")
    assert published.notes == []
    assert_published_as_in_warehouse(site)


def bi_value(site: dict[str, Path], sql: str):
    con = duckdb.connect(str(site["bi"]), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_a_first_publish_copies_every_table(site):
    published = run_publish(site)
    assert published.notes == []
    assert published.counts["marts.fct_events"] == 5000
    assert_published_as_in_warehouse(site)


def test_the_rows_rebuilt_since_are_written_into_the_last_published_copy(site):
    run_publish(site)
    warehouse_sql(
        site,
        # rebuilt: 50 rows with new values, 20 new rows, 30 rows gone (as delete+insert and a
        # post-hook that deletes leave them)
        "update marts.fct_events set amount = amount + 1, _changed_at = ? "
        "where event_id in (select 'e' || i from range(100, 150) as t(i))",
        "insert into marts.fct_events select 'new' || i, date '2026-01-08', i, 'brand 1', ? "
        "from range(20) as t(i)",
        "delete from marts.fct_events "
        "where event_id in (select 'e' || i from range(4000, 4030) as t(i))",
        "create or replace table marts.ror_totals as select brand, sum(amount) as amount "
        "from marts.fct_events group by brand",
    )
    published = run_publish(site, run_id="r2")
    assert published.notes == [
        "marts.fct_events: 70 rows rebuilt and 30 gone, written into the last copy"
    ]
    assert published.counts["marts.fct_events"] == 5000 + 20 - 30
    assert_published_as_in_warehouse(site)


def test_a_last_copy_that_differs_from_the_warehouse_is_replaced_by_a_whole_copy(site):
    """A planted difference in a row no later build touched (someone wrote into the BI file,
    or it was published from another warehouse) is found by the check, not published."""
    run_publish(site)
    con = duckdb.connect(str(site["bi"]))
    con.execute("update marts.fct_events set amount = -1 where event_id = 'e7'")
    con.close()
    warehouse_sql(
        site, "update marts.fct_events set amount = 0, _changed_at = ? where event_id = 'e1'"
    )
    published = run_publish(site, run_id="r2")
    assert published.notes == [
        "marts.fct_events: copied whole (the last copy, brought up to date, differed from "
        "the warehouse)"
    ]
    assert_published_as_in_warehouse(site)


def test_a_row_rebuilt_without_a_later_change_stamp_is_not_missed(site):
    """A rebuild that keeps a row's old `_changed_at` (a seed or code change rebuilding rows
    whose inputs did not change) still publishes the new values."""
    run_publish(site)
    warehouse_sql(site, "update marts.fct_events set brand = 'renamed' where event_id = 'e2'")
    published = run_publish(site, run_id="r2")
    assert "copied whole" in published.notes[0]
    assert_published_as_in_warehouse(site)


def test_rows_rebuilt_with_their_old_change_stamp_are_found_by_the_build_stamp(site):
    """A build under the lookback (var ror_incremental_lookback_days) rewrites rows whose
    `_changed_at` is not newer than the copy's; their `_built_at` is. They are written into
    the last copy, not missed (which the check would turn into a whole copy)."""
    warehouse_sql(site, "alter table marts.fct_events add column _built_at timestamp")
    warehouse_sql(site, "update marts.fct_events set _built_at = _changed_at")
    run_publish(site)
    warehouse_sql(
        site,
        "update marts.fct_events set amount = amount + 1, _built_at = ? "
        "where event_id in (select 'e' || i from range(100, 140) as t(i))",
    )
    published = run_publish(site, run_id="r2")
    assert published.notes == [
        "marts.fct_events: 40 rows rebuilt and 0 gone, written into the last copy"
    ]
    assert_published_as_in_warehouse(site)


def test_a_table_mostly_rebuilt_or_with_other_columns_is_copied_whole(site):
    run_publish(site)
    warehouse_sql(site, "update marts.fct_events set _changed_at = ?")  # a full refresh
    published = run_publish(site, run_id="r2")
    assert published.notes == ["marts.fct_events: copied whole (5,000 of 5,000 rows rebuilt)"]
    assert_published_as_in_warehouse(site)

    warehouse_sql(site, "alter table marts.fct_events add column channel varchar")
    published = run_publish(site, run_id="r3")
    assert published.notes == []  # not brought up to date: copied as a new table
    assert_published_as_in_warehouse(site)


def test_without_keys_every_table_is_copied_whole(site):
    run_publish(site)
    warehouse_sql(
        site, "update marts.fct_events set amount = 0, _changed_at = ? where event_id = 'e1'"
    )
    published = run_publish(site, keys={}, run_id="r2")
    assert published.notes == []
    assert_published_as_in_warehouse(site)


def test_a_last_published_file_that_is_no_database_is_not_reused(site):
    site["bi"].write_bytes(b"not a duckdb file")
    published = run_publish(site)
    assert published.notes == []
    assert_published_as_in_warehouse(site)


def test_a_last_published_file_mostly_free_blocks_is_not_reused(site):
    """Rows deleted and tables dropped leave free blocks in the copy; a file with more free
    blocks than used ones is not copied again: the next file starts afresh."""
    run_publish(site)
    con = duckdb.connect(str(site["bi"]))
    con.execute("create table marts.scratch as select i, 'x' || i as s from range(3000000) t(i)")
    con.execute("checkpoint")
    # written after it, so the file cannot just be cut shorter when scratch is dropped
    con.execute("create table marts.after_scratch as select i from range(300000) t(i)")
    con.execute("checkpoint")
    con.execute("drop table marts.scratch")
    con.execute("checkpoint")
    used, free = con.execute(
        "select used_blocks, free_blocks from pragma_database_size()"
    ).fetchone()
    con.close()
    assert free > used
    assert_copied_whole_after_one_rebuilt_row(site)
    assert bi_value(site, "select free_blocks from pragma_database_size()") == 0


def test_a_last_published_file_with_views_or_other_schemas_is_not_reused(site):
    """The BI file holds the marts and ops tables only: anything else written into it is
    not carried into the next one."""
    run_publish(site)
    con = duckdb.connect(str(site["bi"]))
    con.execute("create schema scratch")
    con.execute("create view marts.emails as select 'alice@example.com' as email")
    con.close()
    published = run_publish(site, run_id="r2")
    assert published.notes == []
    assert_published_as_in_warehouse(site)
    con = duckdb.connect(str(site["bi"]), read_only=True)
    leftovers = con.execute(
        "select (select count(*) from duckdb_views() where not internal), "
        "(select count(*) from duckdb_schemas() where schema_name = 'scratch')"
    ).fetchone()
    con.close()
    assert leftovers == (0, 0)


def test_a_last_published_file_with_a_macro_is_not_reused(site):
    """A macro written into the BI file could shadow a built-in (here `hash`, which the
    check sums): such a file is not carried into the next one."""
    run_publish(site)
    con = duckdb.connect(str(site["bi"]))
    con.execute("create macro main.hash(a, b, c, d, e) as 0")
    con.execute("update marts.fct_events set amount = 999 where event_id = 'e7'")
    con.close()
    assert_copied_whole_after_one_rebuilt_row(site)
    assert bi_value(site, "select count(*) from duckdb_functions() where not internal") == 0


def test_a_seed_or_salt_change_copies_the_table_whole(site):
    """Every row rebuilt with its old `_changed_at` and a new `_build_hash`."""
    warehouse_sql(site, "alter table marts.fct_events add column _build_hash varchar default 'a'")
    run_publish(site)
    warehouse_sql(site, "update marts.fct_events set _build_hash = 'b', brand = 'x'")
    published = run_publish(site, run_id="r2")
    assert published.notes == [
        "marts.fct_events: copied whole (built with other seeds, vars or salt: _build_hash)"
    ]
    assert_published_as_in_warehouse(site)


def test_a_wal_left_beside_the_last_published_file_does_not_break_the_next(site, tmp_path):
    """A writer of the old BI file that died leaves its WAL; renamed beside a new file,
    DuckDB would replay it into that file and refuse to open it."""
    run_publish(site)
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("pragma disable_checkpoint_on_shutdown")
    con.execute("set wal_autocheckpoint = '1GB'")
    con.execute("create table t as select 1 as i")
    con.close()
    wal = other.with_name(other.name + ".wal")
    assert wal.exists()
    wal.rename(site["bi"].with_name(site["bi"].name + ".wal"))
    run_publish(site, run_id="r2")
    assert not site["bi"].with_name(site["bi"].name + ".wal").exists()
    assert_published_as_in_warehouse(site)
