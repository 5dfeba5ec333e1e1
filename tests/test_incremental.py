"""Incremental = full: ten daily batches built one by one (then a late batch for days
already built) give the same marts as a `--full-refresh` build of the same raw data.

Each day is loaded by the loader and built by `dbt build` of seeds and models (as `ror refresh`
builds them; the gate, dbt's tests and publishing are covered by test_refresh*.py and cost time
here without changing what is built). The refreshes follow each other within seconds: the
incremental models build exactly what was loaded since their last build (the loader stamps
every load later than the one before; the lookback var is 0), not everything recent."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ror import dbt as ror_dbt
from ror.dbt import run_dbt
from ror.loader import load_landing
from ror.settings import Paths

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("incremental")]

DAYS = 10
START = dt.date(2026, 11, 1)


def ror(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ror.cli", *args], capture_output=True, text=True)


def refresh(landing: Path, warehouse: Path, *extra: str) -> None:
    """Load what is new, then build the models (incrementally unless --full-refresh)."""
    paths = Paths(landing, warehouse, warehouse.with_name("ror_bi.duckdb"))
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    try:
        report = load_landing(con, landing, f"test-{len(list(landing.glob('*/*')))}")
    finally:
        con.close()
    assert not report.refused, report.refusals
    lines: list[str] = []
    models = ["build", "--resource-type", "seed", "--resource-type", "model"]
    result = run_dbt(paths, [*models, *extra], lines.append)
    assert result.returncode == 0, "\n".join(lines[-60:])


def comparable(
    con: duckdb.DuckDBPyConnection, catalog: str, table: str, schema: str = "marts"
) -> list[tuple]:
    """A table's rows, sorted, without the bookkeeping columns (`_changed_at`,
    `_build_hash`: when and with what a row was built, which a full refresh sets afresh).
    Doubles are compared to the last bit: the sums behind them are exact (ror_exact_sum),
    so the order a build adds rows in does not show."""
    columns = con.execute(
        "select column_name from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? "
        "order by column_index",
        [catalog, schema, table],
    ).fetchall()
    select = ", ".join(
        name
        for (name,) in columns
        if name not in ("ror_score_parameters", "_changed_at", "_build_hash", "_built_at")
    )
    rows = con.execute(f"select {select} from {catalog}.{schema}.{table}").fetchall()
    return sorted(rows, key=repr)


def test_ten_daily_refreshes_and_a_late_batch_equal_a_full_refresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both warehouses must hash persons with the same salt to be comparable.
    monkeypatch.setenv("ROR_PSEUDONYM_SALT", "incremental-equals-full")
    generated = tmp_path / "generated"
    made = ror(
        "generate", "--out", str(generated), "--persons", "250", "--brands", "3",
        "--days", str(DAYS), "--start", START.isoformat(), "--seed", "5",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    # Late data: a batch delivered after day 10 that holds day 3's rows.
    late = tmp_path / "late"
    made = ror(
        "generate", "--out", str(late), "--persons", "250", "--brands", "3", "--days", "1",
        "--start", (START + dt.timedelta(days=2)).isoformat(), "--seed", "6",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr

    landing, warehouse = tmp_path / "landing", tmp_path / "incremental" / "ror.duckdb"
    stamped: list[tuple[str, str]] = []  # the tables with _built_at
    set_back = dt.datetime.min  # the latest stamp before the clock was set back
    for day in range(DAYS):
        batch = (START + dt.timedelta(days=day)).isoformat()
        for folder in generated.glob(f"*/{batch}"):
            (landing / folder.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copytree(folder, landing / folder.parent.name / batch)
        refresh(landing, warehouse)
        if day == DAYS // 2 + 1:
            # The build after the clock was set back stamps its rows later than every row
            # before (or the nightly's tests, reading each model's latest stamp, would test
            # an earlier build's rows, and int_texts_scored would not read the new texts).
            con = duckdb.connect(str(warehouse), read_only=True)
            (latest,) = con.execute("select max(built_at) from ops.dbt_invocations").fetchone()
            assert latest > set_back, (latest, set_back)
            for schema, table in stamped:
                (written, at_latest) = con.execute(
                    f"""select count(*), count(*) filter (where _built_at = $latest)
                    from {schema}.{table} where _built_at > $set_back""",
                    {"latest": latest, "set_back": set_back},
                ).fetchone()
                assert written == at_latest, (table, written, at_latest)
            (new_events,) = con.execute(
                "select count(*) from staging.stg_events__engagement_events "
                "where _built_at = $latest and _batch = $batch",
                {"latest": latest, "batch": batch},
            ).fetchone()
            con.close()
            assert new_events > 0
        if day == DAYS // 2:
            # The clock set back a day: every row and build so far carries a stamp a day
            # later than the next runs' start.
            con = duckdb.connect(str(warehouse))
            stamped = con.execute(
                "select table_schema, table_name from information_schema.columns "
                "where column_name = '_built_at' order by 1, 2"
            ).fetchall()
            assert len(stamped) >= 10
            for schema, table in stamped:
                con.execute(f"update {schema}.{table} set _built_at = _built_at + interval 1 day")
            con.execute("update ops.dbt_invocations set built_at = built_at + interval 1 day")
            (set_back,) = con.execute("select max(built_at) from ops.dbt_invocations").fetchone()
            con.close()
    con = duckdb.connect(str(warehouse), read_only=True)
    (before,) = con.execute(
        "select count(*) from intermediate.int_interactions_unified where occurred_at < ?",
        [START + dt.timedelta(days=3)],
    ).fetchone()
    con.close()
    # ... and events of day 1 sent again: one to the letter (a repeat), one changed (an id
    # conflict: the version built on day 1 stays kept).
    day_one = next(generated.glob(f"engagement_events/{START.isoformat()}/*.jsonl"))
    lines = [line for line in day_one.read_text().splitlines() if '"actor":"person"' in line]
    changed = json.loads(lines[1])
    changed["text"] = "sent again, with other words"
    (next(late.glob("engagement_events/*")) / "resent.jsonl").write_text(
        lines[0] + "\n" + json.dumps(changed) + "\n"
    )

    # ... and two of day 1's rows of each CSV source with an id: one to the letter (a
    # repeat), one with the same id and other content (an id conflict: a tweet id written
    # as a float, "1.0"; an identity's channel in capitals, the same identity written
    # otherwise). First in landing order, they win, and the rows of day 1 must be rebuilt.
    def resend(source: str, edits: dict[str, Callable[[str], str]]) -> None:
        with next(generated.glob(f"{source}/{START.isoformat()}/*.csv")).open(newline="") as f:
            header, first, second, *_ = list(csv.reader(f))
        for column, edit in edits.items():
            second[header.index(column)] = edit(second[header.index(column)])
        with (next(late.glob(f"{source}/*")) / "resent.csv").open("w", newline="") as f:
            csv.writer(f).writerows([header, first, second])

    resend("twitter_tweets", {"tweet_id": lambda v: v + ".0", "text": lambda _: "other words"})
    resend("crm_customers", {"first_name": lambda _: "Someone Else"})
    resend("crm_identities", {"channel": str.upper})
    resend("orders", {"amount": lambda _: "1.00"})
    for folder in late.glob("*/*"):
        shutil.copytree(folder, landing / folder.parent.name / f"{DAYS + 1:02d}-late-{folder.name}")
    refresh(landing, warehouse)

    # The late batch updated the days already built.
    con = duckdb.connect(str(warehouse), read_only=True)
    (after,) = con.execute(
        "select count(*) from intermediate.int_interactions_unified where occurred_at < ?",
        [START + dt.timedelta(days=3)],
    ).fetchone()
    # Some of its orders and tweets reuse ids already built on other days and win the id
    # conflicts: those interactions moved days, and the days they left must be rebuilt.
    (moved,) = con.execute(
        "select count(*) from intermediate.int_interactions_unified "
        "where len(_previous_activity_dates) > 0"
    ).fetchone()
    con.close()
    assert after > before
    assert moved > 0

    full = tmp_path / "full" / "ror.duckdb"
    full.parent.mkdir()
    shutil.copyfile(warehouse, full)
    refresh(landing, full, "--full-refresh")

    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as incremental (read_only)")
    con.execute(f"attach '{full}' as full_build (read_only)")
    marts = [
        t
        for (t,) in con.execute(
            "select table_name from duckdb_tables() "
            "where database_name = 'incremental' and schema_name = 'marts' order by 1"
        ).fetchall()
    ]
    assert len(marts) >= 7
    for table in marts:
        assert comparable(con, "incremental", table) == comparable(con, "full_build", table), table
    # The incremental staging and thread models, row by row (repeats and id conflicts
    # across days; replies joining threads built before).
    table = "stg_events__engagement_events"
    incremental = comparable(con, "incremental", table, "staging")
    assert incremental == comparable(con, "full_build", table, "staging")
    # The tweets and the CRM's likewise, each with day-1 rows that the resent ones made a
    # repeat and an id conflict.
    keys = {
        "stg_twitter__tweets": "tweet_id",
        "stg_crm__customers": "customer_id",
        "stg_crm__identities": "customer_id",
        "stg_crm__orders": "order_id",
    }
    for staged, key in keys.items():
        assert comparable(con, "incremental", staged, "staging") == comparable(
            con, "full_build", staged, "staging"
        ), staged
        (conflicts, repeats) = con.execute(
            f"""select
                count(*) filter (where day_one.quarantine_rule = 'duplicate_id_conflict'),
                count(*) filter (where day_one.is_duplicate)
            from incremental.staging.{staged} as day_one
            where day_one._batch = ? and exists (
                select 1 from incremental.staging.{staged} as resent
                where resent._file like '%resent.csv' and resent.{key} = day_one.{key}
            )""",
            [START.isoformat()],
        ).fetchone()
        assert conflicts > 0 and repeats > 0, staged
    threads = "int_events_threaded"
    assert comparable(con, "incremental", threads, "intermediate") == comparable(
        con, "full_build", threads, "intermediate"
    )
    # The guard's list: every text of the full build, with the same brand-handle flags
    # (it may hold more: a text stays listed once its row is quarantined).
    listed = "select identifying_text, is_brand_handle from {}.intermediate.int_identifying_texts"
    missing = con.execute(
        f"{listed.format('full_build')} except {listed.format('incremental')}"
    ).fetchall()
    assert missing == []
    # Every text of the full build, scored alike (the incremental runs read only the rows
    # staged since their last build; a text stays scored once its row is quarantined).
    scored = "select text_hash, sentiment_compound, text_length from {}.{}"
    texts = "intermediate.int_texts_scored"
    unscored = con.execute(
        f"{scored.format('full_build', texts)} except {scored.format('incremental', texts)}"
    ).fetchall()
    assert unscored == []
    (conflicts, repeats) = con.execute(
        f"select count(*) filter (where quarantine_rule = 'duplicate_id_conflict'), "
        f"count(*) filter (where is_duplicate) from incremental.staging.{table}"
    ).fetchone()
    assert conflicts > 0 and repeats > 0
    keys_before = set(
        con.execute(
            "select person_key from incremental.marts.fct_interactions where person_key is not null"
        ).fetchall()
    )
    con.close()

    # A new salt changes every person key: the incremental facts (fct_interactions,
    # fct_relationship_daily) hold rows built with the old one (_build_hash), so an
    # incremental run with no new data must rebuild every row, as a full refresh does.
    monkeypatch.setenv("ROR_PSEUDONYM_SALT", "a-new-salt-for-every-key")
    refresh(landing, warehouse)
    refresh(landing, full, "--full-refresh")
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as incremental (read_only)")
    con.execute(f"attach '{full}' as full_build (read_only)")
    keys_after = set(
        con.execute(
            "select person_key from incremental.marts.fct_interactions where person_key is not null"
        ).fetchall()
    )
    assert keys_after and not keys_after & keys_before
    for table in ("fct_interactions", "fct_relationship_daily", "dim_persons"):
        assert comparable(con, "incremental", table) == comparable(con, "full_build", table), table
    con.close()

    # An edited seed (a like now weighs 1.5 engagement points, not 1.0) with no new load:
    # int_relationships_daily rebuilds every row under the stamp of the last load, which
    # fct_relationship_daily has already built from, so its own build hash must hold the
    # seed. The project is copied, so the checkout's seed stays as it is.
    project = tmp_path / "project"
    skipped = shutil.ignore_patterns(".*", "target", "logs", "*.egg-info")

    def ignore(folder: str, names: list[str]) -> set[str]:
        """What the copy leaves out: caches, and the top folder `tests` (pytest's)."""
        top = Path(folder) == ror_dbt.PROJECT_DIR
        return set(skipped(folder, names)) | ({"tests"} & set(names) if top else set())

    shutil.copytree(ror_dbt.PROJECT_DIR, project, ignore=ignore)
    kinds = project / "seeds" / "ror_interaction_kinds.csv"
    edited = kinds.read_text().replace("like,person,applause,1.0,", "like,person,applause,1.5,")
    assert edited != kinds.read_text()
    kinds.write_text(edited)
    monkeypatch.setattr(ror_dbt, "PROJECT_DIR", project)
    points = "select sum(engagement_points) from {}.marts.fct_relationship_daily"
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as incremental (read_only)")
    (points_before,) = con.execute(points.format("incremental")).fetchone()
    con.close()
    refresh(landing, warehouse)
    refresh(landing, full, "--full-refresh")
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as incremental (read_only)")
    con.execute(f"attach '{full}' as full_build (read_only)")
    assert con.execute(points.format("incremental")).fetchone()[0] > points_before
    for table in ("fct_interactions", "fct_relationship_daily", "ror_relationships"):
        assert comparable(con, "incremental", table) == comparable(con, "full_build", table), table
    con.close()
