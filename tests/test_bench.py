"""`make bench` end to end at a tiny scale: it runs and writes its report (no timing asserted).

The figures themselves are measured by `python -m ror.bench` (docs/benchmark.md), never by
tests; this only keeps the script from rotting between benchmark runs.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("dbt")


def test_bench_writes_its_table_steps_and_targets(tmp_path: Path) -> None:
    out = tmp_path / "benchmark.md"
    done = subprocess.run(
        [sys.executable, "-m", "ror.bench", "--scales", "5000", "--out", str(out),
         "--workdir", str(tmp_path / "work")],
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text()
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
    assert "slowest dbt models (nightly): " in text
    assert len(re.findall(r"^- (met|MISSED): ", text, flags=re.M)) == 5
    assert "Arrow UDF floor" in text and "texts/s" in text
