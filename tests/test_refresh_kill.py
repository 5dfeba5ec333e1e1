"""A refresh killed at any step leaves the BI database readable and unchanged; readers of the
BI database are never blocked and never see half of a refresh."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("refresh_kill")]

PY = sys.executable


def ror_cmd(*args: str) -> list[str]:
    return [PY, "-m", "ror.cli", *args]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_day(site: dict[str, Path], day: str, seed: int) -> None:
    """Land one more daily batch of every source (a new generated day)."""
    scratch = site["root"] / f"gen-{day}"
    subprocess.run(
        ror_cmd("generate", "--out", str(scratch), "--persons", "300", "--brands", "3",
                "--days", "1", "--start", day, "--seed", str(seed)),
        check=True, capture_output=True,
    )  # fmt: skip
    for batch in scratch.glob("*/*"):
        target = site["landing"] / batch.parent.name / batch.name
        shutil.move(str(batch), str(target))
    shutil.rmtree(scratch)


def refresh_args(site: dict[str, Path]) -> list[str]:
    return ror_cmd(
        "refresh", "--landing", str(site["landing"]), "--warehouse", str(site["warehouse"]),
        "--bi", str(site["bi"]),
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("kill")
    site = {
        "root": root,
        "landing": root / "landing",
        "warehouse": root / "wh" / "ror.duckdb",
        "bi": root / "wh" / "ror_bi.duckdb",
    }
    site["landing"].mkdir()
    add_day(site, "2026-11-01", 1)
    first = subprocess.run(refresh_args(site), capture_output=True, text=True)
    assert first.returncode == 0, first.stderr[-3000:]
    return site


def consistent(bi: Path) -> tuple[bool, str]:
    """One read of the BI database: every table of a refresh agrees with every other."""
    con = duckdb.connect(str(bi), read_only=True)
    try:
        (mismatch,) = con.execute(
            """select count(*) from (
                select source, batch, sum(rows_landed) as landed from ops.load_manifest
                group by all
            ) m full join ops.reconciliation r using (source, batch)
            where m.landed is distinct from r.rows_landed"""
        ).fetchone()
        (runs,) = con.execute("select count(*) from ops.refresh_runs").fetchone()
        return mismatch == 0 and runs > 0, f"mismatch={mismatch} runs={runs}"
    finally:
        con.close()


@pytest.mark.parametrize(
    ("step", "delay", "day"),
    [
        ("[load] start", 0.0, "2026-11-02"),
        ("[gate] start", 0.5, "2026-11-03"),
        ("[dbt] start", 6.0, "2026-11-04"),
        ("[publish] start", 0.0, "2026-11-05"),
    ],
)
def test_kill_9_at_each_step_leaves_the_bi_database_intact(site, step, delay, day):
    add_day(site, day, seed=int(day[-2:]))
    before = sha256(site["bi"])
    process = subprocess.Popen(
        refresh_args(site), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    assert process.stderr is not None
    for line in process.stderr:
        if step in line:
            break
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    ok, detail = consistent(site["bi"])
    assert ok, detail
    if step != "[publish] start":  # killed before the rename: the old file, byte for byte
        assert sha256(site["bi"]) == before
    # The next kill lands on what this one left behind; the test below proves a refresh
    # completes after all of them.


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    bi, stop = sys.argv[1], sys.argv[2]
    import pathlib
    reads = 0
    while not pathlib.Path(stop).exists():
        con = duckdb.connect(bi, read_only=True)
        bad = con.execute('''select count(*) from (
            select source, batch, sum(rows_landed) as landed from ops.load_manifest group by all
        ) m full join ops.reconciliation r using (source, batch)
        where m.landed is distinct from r.rows_landed''').fetchone()[0]
        con.close()
        if bad:
            print(f"inconsistent read after {reads} reads", flush=True)
            sys.exit(1)
        reads += 1
        time.sleep(0.02)  # a dashboard polling, not a busy loop starving the refresh
    print(reads, flush=True)
    """
)


def test_after_the_kills_the_next_refreshes_complete_and_readers_never_wait(site):
    stop = site["root"] / "stop-reader"
    reader = subprocess.Popen(
        [PY, "-c", READER, str(site["bi"]), str(stop)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        # First the recovery from the four kills above, then a refresh with a new day.
        for day in (None, "2026-11-21"):
            if day:
                add_day(site, day, 100)
            result = subprocess.run(refresh_args(site), capture_output=True, text=True)
            assert result.returncode == 0, result.stderr[-3000:]
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err[-2000:] + out
    assert int(out.strip()) > 10  # it really read, many times, while the refreshes ran
