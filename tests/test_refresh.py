"""`ror refresh` end to end on a generated landing folder: real loads, real dbt, real publish."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("refresh")]

ROR = [sys.executable, "-m", "ror.cli"]


def ror(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ROR, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bi_tables(bi: Path) -> dict[str, list[tuple]]:
    """Every published table's rows, sorted, so two BI files can be compared."""
    con = duckdb.connect(str(bi), read_only=True)
    try:
        names = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_catalog = current_database() order by 1"
        ).fetchall()
        return {n: sorted(con.execute(f"select * from {n}").fetchall(), key=repr) for (n,) in names}
    finally:
        con.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("refresh")
    landing = root / "landing"
    generated = ror(
        "generate", "--out", str(landing), "--persons", "300", "--brands", "3", "--days", "10",
        "--start", "2026-11-01", "--seed", "7",
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    held = root / "held"  # the last day: a later nightly batch (test_a_nightly_publish_...)
    for batch in landing.glob("*/2026-11-10"):
        (held / batch.parent.name).mkdir(parents=True)
        batch.rename(held / batch.parent.name / batch.name)
    paths = {
        "landing": landing,
        "held": held,
        "warehouse": root / "warehouse" / "ror.duckdb",
        "bi": root / "warehouse" / "ror_bi.duckdb",
    }
    first = refresh(paths)
    assert first.returncode == 0, first.stderr[-3000:]
    return paths


def refresh(paths: dict[str, Path], *extra: str) -> subprocess.CompletedProcess[str]:
    return ror(
        "refresh",
        "--landing", str(paths["landing"]),
        "--warehouse", str(paths["warehouse"]),
        "--bi", str(paths["bi"]),
        *extra,
    )  # fmt: skip


def test_publishes_marts_and_ops_only(site):
    con = duckdb.connect(str(site["bi"]), read_only=True)
    schemas = {
        s
        for (s,) in con.execute(
            "select distinct table_schema from information_schema.tables"
        ).fetchall()
    }
    assert schemas <= {"marts", "ops"} and "ops" in schemas
    ops = {
        t
        for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'ops'"
        ).fetchall()
    }
    assert {"refresh_runs", "reconciliation", "load_manifest"} <= ops
    status = con.execute("select status from ops.refresh_runs").fetchall()
    assert status == [("published",)]
    # landed = staged + quarantined + duplicates, for every source and batch
    bad = con.execute(
        "select * from ops.reconciliation "
        "where rows_landed <> rows_staged + rows_quarantined + rows_duplicate"
    ).fetchall()
    assert bad == []
    assert con.execute("select count(distinct source) from ops.reconciliation").fetchone() == (6,)
    con.close()


def test_refresh_with_nothing_new_publishes_the_same_marts(site):
    before = bi_tables(site["bi"])
    again = refresh(site)
    assert again.returncode == 0, again.stderr[-3000:]
    after = bi_tables(site["bi"])
    runs = after.pop("ops.refresh_runs")
    before.pop("ops.refresh_runs")
    assert after == before
    assert len(runs) >= 2


def test_the_refresh_runs_the_data_tests_and_not_the_unit_tests(site):
    """Unit tests check code, which a refresh does not change: `make test` runs them (the
    plain `dbt build` of test_marts); the refresh's build runs the models and data tests."""
    run_results = site["warehouse"].with_suffix(".dbt") / "target" / "run_results.json"
    kinds = {r["unique_id"].split(".")[0] for r in json.loads(run_results.read_text())["results"]}
    assert {"model", "test"} <= kinds
    assert "unit_test" not in kinds


def test_refused_batch_exits_2_and_leaves_the_bi_database_as_it_was(site, tmp_path):
    fingerprint = sha256(site["bi"])
    bad = site["landing"] / "twitter_tweets" / "2099-01-01" / "bad.csv"
    bad.parent.mkdir(parents=True)
    bad.write_text("tweet_id,author_id\n1,acme\n")
    try:
        result = refresh(site)
    finally:
        bad.unlink()
        bad.parent.rmdir()
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert "twitter_tweets/2099-01-01/bad.csv" in last and "required column missing" in last
    assert "Traceback" not in result.stderr
    assert sha256(site["bi"]) == fingerprint
    status = json.loads(ror("status", "--json", "--warehouse", str(site["warehouse"])).stdout)
    assert status[-1]["status"] == "refused" and status[-1]["exit_code"] == 2


def test_a_batch_the_gate_refuses_is_withdrawn_and_nothing_is_published(site):
    fingerprint = sha256(site["bi"])
    bad = site["landing"] / "twitter_tweets" / "2099-01-02" / "no_ids.csv"
    bad.parent.mkdir(parents=True)
    header = ",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
    rows = [f"{i},,c{i},True,Tue Oct 31 22:10:47 +0000 2017,@acme hello {i},," for i in range(20)]
    bad.write_text("\n".join([header, *rows]) + "\n")
    try:
        result = refresh(site)
        again = refresh(site)  # still there: refused again, not slipped through as loaded
    finally:
        bad.unlink()
        bad.parent.rmdir()
    for attempt in (result, again):
        assert attempt.returncode == 2, attempt.stderr[-2000:]
        last = attempt.stderr.strip().splitlines()[-1]
        assert "twitter_tweets/2099-01-02/no_ids.csv" in last and "expectation" in last
        assert "20 of 20 rows" in last
    assert sha256(site["bi"]) == fingerprint
    con = duckdb.connect(str(site["warehouse"]), read_only=True)
    try:
        withdrawn = con.execute(
            "select count(*) from raw.twitter_tweets where _batch = '2099-01-02'"
        ).fetchone()
        refusals = con.execute(
            "select count(*) from ops.load_refusals where rule = 'quality gate'"
        ).fetchone()
    finally:
        con.close()
    assert withdrawn == (0,) and refusals == (2,)


def test_a_second_refresh_exits_4_while_one_holds_the_lock(site):
    lock = site["warehouse"].parent / "ror.refresh.lock"
    with lock.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = refresh(site)
        fcntl.flock(handle, fcntl.LOCK_UN)
    assert result.returncode == 4
    assert "another refresh holds the lock" in result.stderr
    # The lock file left behind by a finished (or killed) holder does not block.
    assert lock.exists()
    assert refresh(site).returncode == 0


def test_status_reports_the_runs(site):
    result = ror("status", "--warehouse", str(site["warehouse"]))
    assert result.returncode == 0
    assert "published" in result.stdout


def test_published_dq_results_hold_no_personal_values(site):
    """The gate's failing-value samples are published in ops.dq_results: the values of
    personal columns are redacted there (the marts themselves are scanned in test_marts)."""
    from tests.test_marts import identifying_values

    values, _ = identifying_values(site["warehouse"])
    personal = {v for v in values if len(v) >= 6}
    con = duckdb.connect(str(site["bi"]), read_only=True)
    try:
        samples = con.execute(
            "select expectation, sample_values from ops.dq_results where sample_values is not null"
        ).fetchall()
    finally:
        con.close()
    assert samples, "the generated landing plants bad rows: some expectation must have samples"
    leaked = [(e, s) for e, s in samples for v in personal if v in s]
    assert not leaked, leaked[:3]


def test_a_missing_landing_folder_is_an_error_not_an_empty_publish(site, tmp_path):
    fingerprint = sha256(site["bi"])
    result = refresh({**site, "landing": tmp_path / "not-mounted"})
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "not-mounted does not exist" in last and "Traceback" not in result.stderr
    assert sha256(site["bi"]) == fingerprint


def test_a_nightly_publish_updates_the_incremental_facts_and_equals_a_whole_copy(site, tmp_path):
    """A refresh with a new day writes the rows dbt rebuilt into a copy of the last published
    file. A difference planted in that file (a row the night does not touch) is found and
    the table copied whole: the published file is what the warehouse holds, table for table."""
    from ror.publish import publish

    con = duckdb.connect(str(site["bi"]))
    planted = con.execute(
        "update marts.fct_interactions set engagement_weight = engagement_weight + 100 "
        "where interaction_id = (select min(interaction_id) from marts.fct_interactions)"
    ).fetchone()
    con.close()
    assert planted == (1,)
    for batch in site["held"].glob("*/*"):
        batch.rename(site["landing"] / batch.parent.name / batch.name)
    result = refresh(site)
    assert result.returncode == 0, result.stderr[-3000:]
    notes = [
        line.split("publish: ", 1)[1] for line in result.stderr.splitlines() if "publish: " in line
    ]
    assert any(
        note.startswith("marts.fct_relationship_daily: ")
        and "written into the last copy" in note
        and not note.startswith("marts.fct_relationship_daily: 0 rows")
        for note in notes
    ), notes
    assert (
        "marts.fct_interactions: copied whole (the last copy, brought up to date, differed "
        "from the warehouse)"
    ) in notes

    whole = tmp_path / "whole.duckdb"
    run = {"run_id": "whole", "started_at": None, "status": "published"}
    publish(site["warehouse"], whole, tmp_path / "runs.jsonl", run)
    published, copied = bi_tables(site["bi"]), bi_tables(whole)
    published.pop("ops.refresh_runs"), copied.pop("ops.refresh_runs")
    assert published == copied


def test_a_nightly_s_tests_read_the_latest_build_and_a_failure_makes_the_next_read_all(site):
    """After a published refresh of the same project, the data tests read the rows of each
    incremental model's latest build, and the seeds it loaded are kept: a planted copy of
    an old row, stamped as the latest build, fails the refresh (exit 3). The refresh after
    a failed one reads every row and loads the seeds again."""
    run_results = site["warehouse"].with_suffix(".dbt") / "target" / "run_results.json"

    def ran() -> set[str]:
        """The names of the nodes the last refresh's dbt ran, with their kind."""
        results = json.loads(run_results.read_text())["results"]
        return {".".join(result["unique_id"].split(".")[:3:2]) for result in results}

    def kinds() -> set[str]:
        return {name.split(".")[0] for name in ran()}

    seed_test = "test.not_null_channels_channel"  # of a seed alone
    seed_relation = "test.relationships_stg_crm__orders_currency__currency_code__ref_currencies_"

    con = duckdb.connect(str(site["warehouse"]))
    try:
        # the oldest row again, stamped as the latest build (which the last refresh
        # recorded, so this refresh scopes its tests); marked by its _changed_at
        planted = con.execute(
            """insert into marts.fct_interactions by name
            select * replace (
                (select max(_built_at) from marts.fct_interactions) as _built_at,
                timestamp '1900-01-01' as _changed_at
            )
            from marts.fct_interactions
            order by _built_at, interaction_id
            limit 1"""
        ).fetchone()
    finally:
        con.close()
    assert planted == (1,)
    failed = refresh(site)
    assert failed.returncode == 3, failed.stderr[-3000:]
    assert "tests: the rows of each incremental model's latest build" in failed.stderr
    assert "unique_fct_interactions_interaction_id" in failed.stderr.strip().splitlines()[-1]
    assert "seeds: kept (this project's, loaded by an earlier refresh)" in failed.stderr
    assert "seed" not in kinds() and {"model", "test"} <= kinds()
    assert seed_test not in ran() and seed_relation in ran()

    con = duckdb.connect(str(site["warehouse"]))
    try:
        con.execute("delete from marts.fct_interactions where _changed_at = timestamp '1900-01-01'")
    finally:
        con.close()
    recovered = refresh(site)
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert "tests: every row (the last refresh was not published)" in recovered.stderr
    assert "seeds: kept" not in recovered.stderr and "seed" in kinds()
    assert {seed_test, seed_relation} <= ran()


def test_which_rows_a_refresh_tests(tmp_path, monkeypatch):
    """Every row unless the last refresh was published with this project and the
    warehouse's latest dbt invocation is still the one it recorded (no `dbt build` by hand
    since, whatever the clock says); every row on a full refresh or with ROR_TEST_ROWS=all."""
    import datetime as dt

    from ror.dbt import project_hash
    from ror.refresh import Refresh
    from ror.runs import append_run
    from ror.settings import Paths

    paths = Paths(tmp_path / "landing", tmp_path / "ror.duckdb", tmp_path / "ror_bi.duckdb")
    con = duckdb.connect(str(paths.warehouse))
    con.execute("create schema ops")
    con.execute(
        "create table ops.dbt_invocations as select timestamp '2026-11-20 01:00' as built_at"
    )
    con.close()

    def tests_rows(full_refresh: bool = False) -> tuple[str, str]:
        return Refresh(paths, full_refresh, log=lambda _: None)._tests_rows(project_hash())

    def finished(status: str, built: str | None, project: str | None = None) -> None:
        stamp = None if built is None else dt.datetime.fromisoformat(built)
        run = {"status": status, "finished_at": dt.datetime(2026, 11, 20, 2)}
        append_run(
            paths.runs_log,
            run | {"project_hash": project or project_hash(), "latest_build_at": stamp},
        )

    assert tests_rows() == ("all", "every row (the last refresh was not published)")
    finished("published", "2026-11-20 01:00")
    assert tests_rows() == ("latest_build", "the rows of each incremental model's latest build")
    assert tests_rows(full_refresh=True) == ("all", "every row (a full refresh)")
    monkeypatch.setenv("ROR_TEST_ROWS", "all")
    assert tests_rows() == ("all", "every row (ROR_TEST_ROWS=all)")
    monkeypatch.delenv("ROR_TEST_ROWS")
    finished("published", "2026-11-20 01:00", project="another project")
    assert tests_rows() == ("all", "every row (the project changed since the last refresh)")
    finished("dbt_failed", "2026-11-20 01:00")
    assert tests_rows() == ("all", "every row (the last refresh was not published)")
    finished("published", None)  # a refresh before the stamp was recorded
    assert tests_rows() == ("all", "every row (the last refresh recorded no build stamp)")
    # a build by hand after the refresh, or before it with a clock set back
    for other in ("2026-11-20 00:30", "2026-11-20 03:00"):
        finished("published", other)
        assert tests_rows() == (
            "all",
            "every row (dbt ran since the last refresh: build stamp 2026-11-20 01:00:00)",
        )


def test_a_prepared_dbt_runs_its_command_as_dbt_would_or_ends_unused(tmp_path):
    """The refresh starts dbt's child during the gate (ror.dbt.PreparedDbt): given its command
    later, it runs it as the `dbt` executable does (output, exit codes); closed unused, it
    exits without running anything."""
    from ror.dbt import PreparedDbt
    from ror.settings import Paths

    paths = Paths(
        tmp_path / "landing", tmp_path / "wh" / "ror.duckdb", tmp_path / "wh" / "bi.duckdb"
    )
    lines: list[str] = []
    listed = PreparedDbt(paths).run(
        ["list", "--resource-type", "seed", "--output", "name"], lines.append
    )
    assert listed.returncode == 0, lines[-20:]
    assert {"ror_fx_rates", "ror_interaction_kinds"} <= set(lines)
    lines.clear()
    wrong = PreparedDbt(paths).run(["no-such-command"], lines.append)
    assert wrong.returncode == 2 and "No such command 'no-such-command'" in "\n".join(lines)
    unused_paths = Paths(tmp_path / "landing", tmp_path / "unused" / "ror.duckdb", tmp_path / "b")
    with PreparedDbt(unused_paths) as unused:
        pass
    assert unused.process.returncode == 0
    assert not (unused_paths.dbt_dir / "target").exists()
