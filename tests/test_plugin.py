"""The python_udfs plugin on real DuckDB: a real dbt-duckdb build, and a plain connection.

The dbt test writes a throwaway dbt project in a temp folder that uses the repository's own
macros (macros/udfs) and a profile with ``plugins: [{module: python_udfs.plugin}]``, builds a
table model that calls every UDF and component through those macros, and checks that SQL
returns the numbers the Python functions return, row by row.
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from python_udfs import scoring
from python_udfs.plugin import UDFS, Plugin, register
from python_udfs.scoring import (
    FORMULA_VERSION,
    Scales,
    StageRules,
    Weights,
    components_from_measures,
    decay_weight,
    lifecycle_stage,
    parse_weights,
    ror_score,
    weights_text,
)
from python_udfs.sentiment import sentiment_compound

REPO = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).with_name("dbt")

pytestmark = pytest.mark.xdist_group("python_udfs_dbt")

MEASURES = [
    "engagement_points",
    "mean_sentiment",
    "give",
    "take",
    "inbound",
    "answered",
    "response_minutes",
    "shares",
    "positive_mentions",
    "referrals",
    "referred_revenue",
    "active_periods",
    "observed_periods",
    "net_revenue",
]
STAGE_INPUTS = ["person_interactions", "orders", "advocacy_actions", "days_since_last_activity"]
TEXTS = [
    "I love this, thank you!",
    "worst service ever, I hate it",
    "ok",
    "my order still hasn't arrived :(",
    "Thanks for the quick help 🙂",
    "",
    "The new update is great but the app keeps crashing",
]


# ------------------------------------------------------------------ the throwaway project


def measure_rows(count: int, seed: int) -> list[dict[str, Any]]:
    """Raw measures with nulls, zeros, negatives and large values, plus texts and ages."""
    rng = random.Random(seed)

    def value(high: float, *, integer: bool = False) -> float | int | None:
        pick = rng.random()
        if pick < 0.12:
            return None
        if pick < 0.25:
            return 0
        if pick < 0.30:
            return -rng.randint(1, 5) if integer else -rng.uniform(0, high / 4)
        return rng.randint(0, int(high)) if integer else rng.uniform(0, high)

    rows = []
    for row_id in range(count):
        row: dict[str, Any] = {"row_id": row_id}
        row["engagement_points"] = value(60)
        row["mean_sentiment"] = None if rng.random() < 0.2 else rng.uniform(-1.2, 1.2)
        for name in ("give", "take", "inbound", "answered", "shares", "positive_mentions"):
            row[name] = value(12, integer=True)
        row["response_minutes"] = value(2000)
        row["referrals"] = value(4, integer=True)
        row["referred_revenue"] = value(800)
        row["active_periods"] = value(14, integer=True)
        row["observed_periods"] = value(12, integer=True)
        row["net_revenue"] = value(900)
        row["person_interactions"] = value(6, integer=True)
        row["orders"] = value(3, integer=True)
        row["advocacy_actions"] = value(4, integer=True)
        row["days_since_last_activity"] = value(200, integer=True)
        row["text"] = None if rng.random() < 0.1 else rng.choice(TEXTS)
        row["age_days"] = None if rng.random() < 0.05 else rng.uniform(-3, 400)
        rows.append(row)
    return rows


DBT_PROJECT = """\
name: udf_check
version: "1.0"
config-version: 2
profile: udf_check
macro-paths: ["macros"]
model-paths: ["models"]
seed-paths: ["seeds"]
flags:
  validate_macro_args: true
seeds:
  udf_check:
    measures:
      +column_types:
        row_id: integer
        text: varchar
{column_types}
"""

PROFILES = """\
udf_check:
  target: plugin
  outputs:
    plugin:
      type: duckdb
      path: "{root}/plugin.duckdb"
      threads: 1
      plugins:
        - module: python_udfs.plugin
    custom:
      type: duckdb
      path: "{root}/custom.duckdb"
      threads: 1
      plugins:
        - module: python_udfs.plugin
    no_plugin:
      type: duckdb
      path: "{root}/no_plugin.duckdb"
      threads: 1
"""

SCORED_MODEL = """\
{{ config(materialized='table') }}

with

measures as (
    select * from {{ ref('measures') }}
),

components as (
    select
        *,
        {{ ror_engagement('engagement_points') }} as engagement,
        {{ ror_sentiment('mean_sentiment') }} as sentiment,
        {{ ror_reciprocity('give', 'take') }} as reciprocity,
        {{ ror_listening('inbound', 'answered', 'response_minutes') }} as listening,
        {{ ror_advocacy('shares', 'positive_mentions', 'referrals', 'referred_revenue') }}
            as advocacy,
        {{ ror_continuity('active_periods', 'observed_periods') }} as continuity,
        {{ ror_realized_value('net_revenue') }} as realized_value
    from measures
),

scored as (
    select
        *,
        {{ ror_score(
            'engagement', 'sentiment', 'reciprocity', 'listening',
            'advocacy', 'continuity', 'realized_value'
        ) }} as ror_score,
        {{ default__ror_score(
            'engagement', 'sentiment', 'reciprocity', 'listening',
            'advocacy', 'continuity', 'realized_value'
        ) }} as ror_score_sql,
        {{ ror_score(
            'engagement', 'sentiment', 'reciprocity', 'listening',
            'advocacy', 'continuity', 'realized_value',
            weights={'advocacy': 0.9, 'realized_value': 0}
        ) }} as ror_score_what_if,
        {{ ror_formula_version() }} as ror_formula_version,
        {{ default__ror_formula_version() }} as sql_formula_version,
        {{ ror_score_parameters() }} as ror_score_parameters,
        {{ decay_weight('age_days') }} as decay,
        decay_weight(age_days, {{ var('decay_half_life_days', 90) }}) as decay_udf,
        {{ ror_lifecycle_stage(
            'person_interactions', 'orders', 'advocacy_actions', 'days_since_last_activity'
        ) }} as lifecycle_stage
    from components
)

select * from scored
"""

SENTIMENT_MODEL = """\
{{ config(materialized='table') }}

with

measures as (
    select * from {{ ref('measures') }}
),

texts as (
    select distinct text from measures
),

scored as (
    select
        text,
        {{ sentiment_score('text') }} as sentiment
    from texts
)

select * from scored
"""

VIEW_MODEL = """\
{{ config(materialized='view') }}

select {{ ror_score('1', '1', '1', '1', '1', '1', '1') }} as ror_score
"""


def dbt(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false"}
    return subprocess.run(
        [str(DBT), *args, "--profiles-dir", str(project), "--project-dir", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("udf_check")
    columns = [*MEASURES, *STAGE_INPUTS, "age_days"]
    column_types = "\n".join(f"        {name}: double" for name in columns)
    (root / "dbt_project.yml").write_text(DBT_PROJECT.format(column_types=column_types))
    (root / "profiles.yml").write_text(PROFILES.format(root=root))
    shutil.copytree(REPO / "macros" / "udfs", root / "macros" / "udfs")
    (root / "models" / "tables").mkdir(parents=True)
    (root / "models" / "docs").mkdir()
    shutil.copy(REPO / "models" / "docs" / "scoring.md", root / "models" / "docs")
    (root / "models" / "views").mkdir()
    (root / "models" / "tables" / "scored.sql").write_text(SCORED_MODEL)
    (root / "models" / "tables" / "text_sentiment.sql").write_text(SENTIMENT_MODEL)
    (root / "models" / "views" / "udf_in_view.sql").write_text(VIEW_MODEL)
    (root / "seeds").mkdir()
    rows = measure_rows(400, seed=20240601)
    with (root / "seeds" / "measures.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["row_id", *columns, "text"])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return root


def fetch(database: Path, sql: str) -> list[dict[str, Any]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        result = con.execute(sql)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def default_build(project: Path) -> list[dict[str, Any]]:
    built = dbt(project, "build", "--exclude", "udf_in_view")
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]
    shutil.copy(last_compiled_scored(project), project / "default_scored.sql")
    return fetch(project / "plugin.duckdb", "select * from main.scored order by row_id")


def close(actual: float | None, expected: float | None, tolerance: float = 1e-12) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return math.isclose(actual, expected, rel_tol=tolerance, abs_tol=tolerance)


def check_rows(
    rows: list[dict[str, Any]],
    weights: Weights,
    scales: Scales,
    half_life_days: float,
    rules: StageRules,
) -> None:
    assert len(rows) == 400
    parameters = {"weights": weights.__dict__, "scales": scales.__dict__}
    what_if = Weights(**{**weights.__dict__, "advocacy": 0.9, "realized_value": 0.0})
    for row in rows:
        expected = components_from_measures(**{m: row[m] for m in MEASURES}, scales=scales)
        for name in scoring.COMPONENTS:
            assert close(row[name], getattr(expected, name)), (name, row)
        score = ror_score(*expected.as_tuple(), *weights.as_tuple())
        assert close(row["ror_score"], score, 1e-9), row
        assert close(row["ror_score_sql"], score, 1e-9), row
        assert close(row["ror_score_what_if"], ror_score(*expected.as_tuple(), *what_if.as_tuple()))
        assert row["ror_formula_version"] == FORMULA_VERSION
        assert row["sql_formula_version"] == FORMULA_VERSION
        assert json.loads(row["ror_score_parameters"]) == parameters
        assert close(row["decay"], decay_weight(row["age_days"], half_life_days)), row
        assert close(row["decay_udf"], decay_weight(row["age_days"], half_life_days)), row
        stage = lifecycle_stage(*(row[name] for name in STAGE_INPUTS), rules=rules)
        assert row["lifecycle_stage"] == stage, row
    # The data reaches every branch: nulls, every stage, scores across the range.
    assert {row["lifecycle_stage"] for row in rows} == set(scoring.LIFECYCLE_STAGES)
    for name in ("sentiment", "reciprocity", "listening", "continuity"):
        assert any(row[name] is None for row in rows), name
    scores = [row["ror_score"] for row in rows]
    assert all(0 <= s <= 100 for s in scores if s is not None)
    assert max(s for s in scores if s is not None) - min(s for s in scores if s is not None) > 30


def test_dbt_build_with_plugin_matches_python(default_build: list[dict[str, Any]]) -> None:
    check_rows(default_build, Weights(), Scales(), 90.0, StageRules())


def compiled_weights_texts(compiled: Path) -> list[str]:
    """The texts of seven comma-separated fields in compiled SQL, in order: the weights
    texts that duckdb__ror_score wrote."""
    return re.findall(r"'((?:[^',]*,){6}[^',]*)'", compiled.read_text())


def last_compiled_scored(project: Path) -> Path:
    return next((project / "target" / "compiled").rglob("scored.sql"))


def test_macro_writes_the_weights_text_python_reads(
    project: Path, default_build: list[dict[str, Any]]
) -> None:
    what_if = Weights(advocacy=0.9, realized_value=0.0)
    texts = compiled_weights_texts(project / "default_scored.sql")
    assert texts == [weights_text(Weights()), weights_text(what_if)], texts


def test_dbt_sentiment_model_scores_each_distinct_text(
    project: Path, default_build: list[dict[str, Any]]
) -> None:
    rows = fetch(project / "plugin.duckdb", "select * from main.text_sentiment")
    assert {row["text"] for row in rows} == {
        row["text"]
        for row in fetch(project / "plugin.duckdb", "select distinct text from main.measures")
    }
    assert len(rows) == len({row["text"] for row in rows})
    for row in rows:
        assert row["sentiment"] == sentiment_compound(row["text"]), row
    by_text = {row["text"]: row["sentiment"] for row in rows}
    assert by_text[None] is None
    assert by_text["I love this, thank you!"] > 0 > by_text["worst service ever, I hate it"]


def test_dbt_vars_reach_the_udfs(project: Path, default_build: list[dict[str, Any]]) -> None:
    variables = (
        "{ror_weights: {advocacy: 0.5, realized_value: 0, sentiment: 1}, "
        "ror_scales: {engagement_points: 3, response_half_life_minutes: 240}, "
        "decay_half_life_days: 30, ror_stage_rules: {lapsed_after_days: 30}}"
    )
    built = dbt(
        project, "build", "--target", "custom", "--exclude", "udf_in_view", "--vars", variables
    )
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]
    rows = fetch(project / "custom.duckdb", "select * from main.scored order by row_id")
    weights = Weights(advocacy=0.5, realized_value=0.0, sentiment=1.0)
    scales = Scales(engagement_points=3.0, response_half_life_minutes=240.0)
    check_rows(rows, weights, scales, 30.0, StageRules(lapsed_after_days=30))
    # the int weights of the vars (0, 1) reach the UDF as floats, in component order
    texts = compiled_weights_texts(last_compiled_scored(project))
    assert texts[0] == weights_text(weights) == "0.2,1.0,0.1,0.1,0.5,0.15,0.0", texts
    # and the vars did change the numbers
    changed = [
        not close(a["ror_score"], b["ror_score"]) for a, b in zip(rows, default_build, strict=True)
    ]
    assert sum(changed) > 300


def test_without_the_plugin_the_udfs_do_not_exist(project: Path) -> None:
    built = dbt(project, "build", "--target", "no_plugin", "--select", "measures", "scored")
    assert built.returncode != 0
    assert "1 of 2 OK loaded seed file main.measures" in built.stdout, built.stdout[-3000:]
    missing = "Scalar Function with name ror_score does not exist"
    assert missing in built.stdout, built.stdout[-3000:]


def test_udf_in_a_view_is_refused(project: Path) -> None:
    compiled = dbt(project, "compile", "--select", "udf_in_view")
    assert compiled.returncode != 0
    assert "cannot be used in a view" in compiled.stdout, compiled.stdout[-3000:]


def test_bad_weight_var_fails_compilation(project: Path) -> None:
    compiled = dbt(
        project, "compile", "--select", "scored", "--vars", "{ror_weights: {advocacy: -1}}"
    )
    assert compiled.returncode != 0
    assert "must be a number >= 0" in compiled.stdout, compiled.stdout[-3000:]


# ------------------------------------------------------------- plain DuckDB connection


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    Plugin.create("python_udfs.plugin").configure_connection(connection)
    yield connection
    connection.close()


def test_mapping_registers_every_function_once() -> None:
    connection = duckdb.connect()
    try:
        register(connection)
        names = {
            row[0]
            for row in connection.execute(
                "select function_name from duckdb_functions() where function_type = 'scalar'"
            ).fetchall()
        }
        assert set(UDFS) <= names
        for function, options in UDFS.values():
            assert options["side_effects"] is False
            assert callable(function)
    finally:
        connection.close()


def test_score_udf_matches_python_over_many_batches(con: duckdb.DuckDBPyConnection) -> None:
    rng = np.random.default_rng(7)
    n = 10_000  # several 2048-row vectors
    columns: dict[str, pa.Array] = {}
    for name in scoring.COMPONENTS:
        values = rng.uniform(-0.2, 1.2, n)
        columns[name] = pa.array(values, mask=rng.random(n) < 0.2)
    weights = [float(w) for w in rng.uniform(0, 1, len(scoring.COMPONENTS))]
    weights[3] = 0.0
    con.register("components", pa.table(columns))
    args = ", ".join([*scoring.COMPONENTS, f"'{weights_text(weights)}'"])
    got = con.execute(f"select ror_score({args}) from components").fetchall()
    table = pa.table(columns).to_pylist()
    assert len(got) == n
    for (score,), row in zip(got, table, strict=True):
        expected = ror_score(*(row[c] for c in scoring.COMPONENTS), *weights)
        assert close(score, expected, 1e-9), (score, expected, row)
    assert sum(score is None for (score,) in got) > 0


def test_score_udf_rejects_a_negative_weight(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error, match="weight of listening"):
        con.execute("select ror_score(1, 1, 1, 1, 1, 1, 1, '1,1,1,-1,1,1,1')").fetchall()
    with pytest.raises(duckdb.Error, match="weights must not be null"):
        con.execute("select ror_score(1, 1, 1, 1, 1, 1, 1, null)").fetchall()
    with pytest.raises(duckdb.Error, match="7 comma-separated numbers"):
        con.execute("select ror_score(1, 1, 1, 1, 1, 1, 1, '1,1,1')").fetchall()


def test_score_udf_reads_weights_that_vary_per_row(con: duckdb.DuckDBPyConnection) -> None:
    # weights from a column (not a constant): each row scored with its own, 5,000 rows
    rng = np.random.default_rng(11)
    n = 5000
    texts = [weights_text(Weights()), "1,0,0,0,0,0,0", "0.5,2,0,1e-3,3,0,1", "0,0,0,0,0,0,1"]
    table = {name: pa.array(rng.uniform(0, 1, n), mask=rng.random(n) < 0.3)
             for name in scoring.COMPONENTS}  # fmt: skip
    table["weights"] = pa.array([texts[i % len(texts)] if i % 7 else texts[0] for i in range(n)])
    con.register("components", pa.table(table))
    args = ", ".join([*scoring.COMPONENTS, "weights"])
    got = con.execute(f"select ror_score({args}), * from components").fetchall()
    assert len(got) == n
    for score, *row in got:
        expected = ror_score(*row[:-1], *parse_weights(row[-1]))
        assert score == expected, (score, expected, row)
    assert len({row[-1] for row in got}) == len(texts)


def test_sentiment_udf_matches_python(con: duckdb.DuckDBPyConnection) -> None:
    texts = [TEXTS[i % len(TEXTS)] if i % 11 else None for i in range(5000)]
    con.register("texts", pa.table({"text": pa.array(texts, type=pa.string())}))
    got = con.execute("select text, sentiment_compound(text) from texts").fetchall()
    assert len(got) == len(texts)
    for text, score in got:
        assert score == sentiment_compound(text), text
    assert con.execute("select sentiment_compound(null)").fetchall() == [(None,)]


def test_decay_and_version_udfs(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "select age, decay_weight(age, 45.0) "
        "from (select unnest([0, 45, 90, -2, 1000.5, null]) as age)"
    ).fetchall()
    for age, weight in rows:
        assert close(weight, decay_weight(age, 45.0))
    assert dict(rows)[45] == 0.5
    assert con.execute("select ror_formula_version()").fetchall() == [(FORMULA_VERSION,)]


def test_bench_runs_and_its_sql_agrees_with_the_udf(capsys: pytest.CaptureFixture[str]) -> None:
    from python_udfs import bench

    bench.main(["--rows", "20000", "--runs", "1", "--texts", "200", "--threads", "1"])
    out = capsys.readouterr().out
    assert "max |UDF - SQL| = 0, null mismatches = 0" in out, out
    assert "texts/s" in out
