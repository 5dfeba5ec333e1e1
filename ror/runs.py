"""The refresh run log: one JSON line per finished refresh, appended next to the warehouse.

It is written even when the warehouse is locked or a step failed, so `ror status` can tell
what happened to every run; publishing turns it into ops.refresh_runs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

RUN_COLUMNS: dict[str, str] = {
    "run_id": "varchar",
    "started_at": "timestamp",
    "finished_at": "timestamp",
    "status": "varchar",  # published, refused, dbt_failed, failed
    "exit_code": "integer",
    "full_refresh": "boolean",
    "files_loaded": "integer",
    "files_skipped": "integer",
    "rows_raw": "bigint",
    "rows_rejected": "bigint",
    "rows_staged": "bigint",
    "rows_quarantined": "bigint",
    "rows_duplicate": "bigint",
    "load_seconds": "double",
    "gate_seconds": "double",
    "dbt_seconds": "double",
    "publish_seconds": "double",
    "total_seconds": "double",
    # CPU seconds of each step (this process and its dbt child): / wall seconds = cores used.
    "load_cpu_seconds": "double",
    "gate_cpu_seconds": "double",
    "dbt_cpu_seconds": "double",
    "publish_cpu_seconds": "double",
    # The rows the data tests read: all, or latest_build (ror.refresh), the project
    # (ror.dbt.project_hash) the refresh ran, and the latest build stamp in
    # ops.dbt_invocations after its dbt step (its own invocation's).
    "tests_rows": "varchar",
    "project_hash": "varchar",
    "latest_build_at": "timestamp",
    "message": "varchar",
}


def append_run(runs_log: Path, run: dict[str, Any]) -> None:
    runs_log.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({name: run.get(name) for name in RUN_COLUMNS}, default=str) + "\n"
    with runs_log.open("a", encoding="utf-8") as out:
        out.write(line)
        out.flush()
        os.fsync(out.fileno())


def read_runs(runs_log: Path) -> list[dict[str, Any]]:
    if not runs_log.exists():
        return []
    runs = []
    for line in runs_log.read_text(encoding="utf-8").splitlines():
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a kill
    return runs
