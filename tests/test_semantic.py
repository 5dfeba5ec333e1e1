"""The semantic layer end to end: a real refresh, then `mf` (dbt-metricflow) against the
warehouse it built, checked against direct SQL on the marts (docs/semantic_layer.md)."""

from __future__ import annotations

import csv
import datetime
import math
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bi")]

REPO = Path(__file__).resolve().parent.parent
ROR = [sys.executable, "-m", "ror.cli"]
MF = str(Path(sys.executable).with_name("mf"))
DOCS = REPO / "docs" / "semantic_layer.md"


def ror(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ROR, *args], capture_output=True, text=True, cwd=REPO)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated landing folder refreshed into a warehouse (and its BI database)."""
    root = tmp_path_factory.mktemp("semantic")
    landing = root / "landing"
    generated = ror(
        "generate", "--out", str(landing), "--persons", "300", "--brands", "3", "--days", "3",
        "--seed", "7", "--start", "2026-10-30",
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr[-3000:]
    warehouse = root / "warehouse" / "ror.duckdb"
    refreshed = ror(
        "refresh", "--landing", str(landing), "--warehouse", str(warehouse),
        "--bi", str(root / "warehouse" / "ror_bi.duckdb"),
    )  # fmt: skip
    assert refreshed.returncode == 0, refreshed.stderr[-3000:]
    return warehouse


@pytest.fixture(scope="module")
def mf_env(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment `mf` needs for this warehouse.

    mf reads the profile from DBT_PROFILES_DIR (the one `ror refresh` wrote beside the
    warehouse) and the semantic manifest from <DBT_PROJECT_DIR>/target/ (a fixed path). The
    project dir is a scratch view of the repository whose target/ is the refresh's own
    target, so the test never writes into the checkout's target/."""
    dbt_dir = warehouse.parent / f"{warehouse.stem}.dbt"
    manifest = dbt_dir / "target" / "semantic_manifest.json"
    assert manifest.exists(), "the refresh's dbt build wrote no semantic_manifest.json"
    project = tmp_path_factory.mktemp("mf_project")
    (project / "dbt_project.yml").symlink_to(REPO / "dbt_project.yml")
    (project / "target").symlink_to(dbt_dir / "target", target_is_directory=True)
    salt_file = warehouse.parent / f"{warehouse.stem}.salt"
    salt = os.environ.get("ROR_PSEUDONYM_SALT") or salt_file.read_text().strip()
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(dbt_dir),
        "DBT_PROJECT_DIR": str(project),
        "DBT_LOG_PATH": str(project / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "ROR_PSEUDONYM_SALT": salt,
    }


def mf(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MF, *args], capture_output=True, text=True, env=env, cwd=env["DBT_PROJECT_DIR"]
    )


def mf_csv(env: dict[str, str], tmp_path: Path, *args: str) -> list[dict[str, str]]:
    out = tmp_path / f"mf_{len(list(tmp_path.iterdir()))}.csv"
    result = mf(env, "query", *args, "--csv", str(out), "--quiet")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def number(text: str) -> float | None:
    return None if text in ("", "None", "nan") else float(text)


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_semantic_manifest_validates_against_the_warehouse(mf_env):
    """Every semantic model, dimension, measure and metric parses and runs on DuckDB."""
    result = mf(mf_env, "validate-configs")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "ERRORS: 0" in output and "against data warehouse" in output, output[-3000:]
    assert not re.search(r"ERRORS: [1-9]", output), output[-3000:]


def test_ror_score_by_brand_by_month_matches_sql(mf_env, warehouse, tmp_path):
    rows = mf_csv(
        mf_env, tmp_path,
        "--metrics", "ror_score,relationships,active_relationships,lapsed_relationships",
        "--group-by", "brand,metric_time__month",
    )  # fmt: skip
    got = {
        (row["brand"], datetime.date.fromisoformat(row["metric_time__month"][:10])): (
            number(row["ror_score"]),
            number(row["relationships"]),
            number(row["active_relationships"]),
            number(row["lapsed_relationships"]),
        )
        for row in rows
    }
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        expected = {
            (brand, month): values
            for brand, month, *values in con.execute(
                """
                select
                    brand_id,
                    month_start,
                    avg(ror_score),
                    count(*),
                    count(*) filter (
                        where days_since_last_activity < extract(day from snapshot_date)
                    ),
                    count(*) filter (where lifecycle_stage = 'lapsed')
                from marts.ror_relationship_history
                group by all
                """
            ).fetchall()
        }
    finally:
        con.close()
    months = {month for _, month in expected}
    assert len(months) >= 2 and len(expected) >= 6, "three brands over two months expected"
    assert got.keys() == expected.keys()
    for key, values in expected.items():
        assert all(same(a, b) for a, b in zip(got[key], values, strict=True)), (key, got[key])
    assert any(score is not None and score > 0 for score, *_ in got.values())


def test_the_documented_queries_run(mf_env, tmp_path):
    """The example queries of docs/semantic_layer.md run and return rows."""
    commands = re.findall(r"^mf (query .+?)$", DOCS.read_text(), flags=re.MULTILINE)
    assert len(commands) >= 3, "docs/semantic_layer.md lost its example queries"
    for command in commands[:3]:
        args = shlex.split(command)[1:]
        rows = mf_csv(mf_env, tmp_path, *args)
        assert rows, command


def test_time_spine_is_built_in_its_own_schema(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        first, last, days = con.execute(
            "select min(date_day), max(date_day), count(*) from semantic.metricflow_time_spine"
        ).fetchone()
        data_first, data_last = con.execute(
            "select min(activity_date), max(activity_date) from marts.ror_brand_daily"
        ).fetchone()
    finally:
        con.close()
    assert days == (last - first).days + 1, "one row per day, no gaps"
    assert first <= data_first and last >= data_last
    bi = duckdb.connect(str(warehouse.with_name("ror_bi.duckdb")), read_only=True)
    try:
        schemas = {s for (s,) in bi.execute("select schema_name from duckdb_schemas()").fetchall()}
    finally:
        bi.close()
    assert "semantic" not in schemas, "the time spine is not published to BI tools"
