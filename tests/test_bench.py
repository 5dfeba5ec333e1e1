"""`make bench` end to end at a tiny scale: it runs and writes its report (no timing asserted),
and `python -m ror.bench_model` on the warehouse it built.

The figures themselves are measured by `python -m ror.bench` (docs/benchmark.md), never by
tests; this only keeps the scripts from rotting between benchmark runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ror.settings import PROJECT_DIR

pytestmark = pytest.mark.xdist_group("dbt")


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bench's work folder after one run at 5,000 events; its report is benchmark.md."""
    work = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "-m", "ror.bench", "--scales", "5000", "--out",
         str(work / "benchmark.md"), "--workdir", str(work)],
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return work


def test_bench_writes_its_table_steps_and_targets(bench: Path) -> None:
    text = (bench / "benchmark.md").read_text()
    row = next(line for line in text.splitlines() if re.match(r"\| [\d,]+ \|", line))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 12
    events = int(cells[0].replace(",", ""))
    assert 2_000 < events < 20_000  # 5,000 asked; at least 50 persons are generated
    assert re.fullmatch(r"[\d.]+s \([\d,]+\)", cells[4])  # nightly seconds (its events)
    for step in ("load", "gate", "dbt", "publish"):
        assert re.search(
            rf"full: .*{step} [\d.]+s \([\d.]+ cores, \d+ MB, "
            rf"machine iowait [\d.]+ s, steal [\d.]+ s\)",
            text,
        )
    outside = re.findall(r"nightly: .*; outside the steps (-?[\d.]+)s \(", text)
    assert len(outside) == 1 and float(outside[0]) > 0  # the process's start, at least
    assert "slowest dbt models (nightly): " in text
    assert len(re.findall(r"^- (met|MISSED): ", text, flags=re.M)) == 5
    assert "Arrow UDF floor" in text and "texts/s" in text


def bench_model(warehouse: Path, base: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "ror.bench_model", "ror_relationships", "--warehouse",
         str(warehouse), "--base-dir", str(base), "--runs", "2", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done.stdout


def test_bench_model_times_both_versions_and_finds_the_column_that_differs(
    bench: Path, tmp_path: Path
) -> None:
    warehouse = bench / "scale-5000" / "wh" / "ror.duckdb"
    before = warehouse.stat().st_mtime_ns
    base = tmp_path / "base"
    base.mkdir()
    shutil.copy(PROJECT_DIR / "dbt_project.yml", base / "dbt_project.yml")
    for folder in ("models", "macros", "seeds", "tests/dbt"):
        shutil.copytree(PROJECT_DIR / folder, base / folder)

    same = bench_model(warehouse, base)
    assert re.search(r"base \(.*\): [\d.]+, [\d.]+ s wall; CPU [\d.]+, [\d.]+ s; [\d,]+ rows", same)
    assert re.search(r"new \(this checkout\): [\d.]+, [\d.]+ s wall", same)
    assert "same rows: yes" in same, same

    # A planted change in the base: one more channel for every relationship.
    model = base / "models/marts/ror_relationships.sql"
    text = model.read_text()
    planted = "relationships.channels_used,"
    assert text.count(planted) == 1
    model.write_text(text.replace(planted, "relationships.channels_used + 1 as channels_used,"))
    rows = int(re.search(r"new \(this checkout\): .* ([\d,]+) rows", same)[1].replace(",", ""))
    differs = bench_model(warehouse, base, "--key", "person_key,brand_id", "--operators", "3")
    assert f"same rows: no: {rows:,} rows only in base, {rows:,} only in new" in differs, differs
    assert re.findall(r"^  +(\w+): ([\d,]+) rows differ(.*)$", differs, flags=re.M) == [
        ("channels_used", f"{rows:,}", ", largest |base - new| 1")
    ], differs
    assert len(re.findall(r"^    +[\d.]+ s  \w+", differs, flags=re.M)) == 6  # 3 operators each
    assert warehouse.stat().st_mtime_ns == before  # read only
