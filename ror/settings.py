"""Where things are: the public defaults of contracts/operations.md and their env overrides."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _project_dir() -> Path:
    """The dbt project: ROR_PROJECT_DIR, else the checkout this package is installed from."""
    if "ROR_PROJECT_DIR" in os.environ:
        return Path(os.environ["ROR_PROJECT_DIR"]).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "dbt_project.yml").exists():
        return here
    return Path.cwd()


PROJECT_DIR = _project_dir()


# DuckDB's memory limit for the warehouse (ROR_MEMORY_LIMIT): DuckDB spills to disk past it.
# 3 GiB leaves room for Python beside it (dbt's manifest, or the gate's frames) within the
# 4 GiB a refresh should use: at 10M events the process tree peaked at 3,831 MB, in dbt
# (docs/benchmark.md).
DEFAULT_MEMORY_LIMIT = "3GiB"
# The gate's connection only scans and filters raw rows; the rest of its 4 GiB are its
# pandas frames (see gate_policy.yml: max_rows_per_validation).
GATE_MEMORY_LIMIT = "1500MiB"


@dataclass(frozen=True)
class Paths:
    landing: Path
    warehouse: Path
    bi: Path
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    threads: int = 2

    @classmethod
    def from_args(
        cls, landing: str | None = None, warehouse: str | None = None, bi: str | None = None
    ) -> Paths:
        return cls(
            landing=Path(landing or os.environ.get("ROR_LANDING", "landing")).resolve(),
            warehouse=Path(
                warehouse or os.environ.get("ROR_WAREHOUSE", "warehouse/ror.duckdb")
            ).resolve(),
            bi=Path(bi or os.environ.get("ROR_BI", "warehouse/ror_bi.duckdb")).resolve(),
            memory_limit=os.environ.get("ROR_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
            threads=int(os.environ.get("ROR_THREADS", "2")),
        )

    @property
    def home(self) -> Path:
        """The folder of the warehouse file: lock, run log, dbt's profile/target/logs."""
        return self.warehouse.parent

    @property
    def dbt_dir(self) -> Path:
        return self.home / f"{self.warehouse.stem}.dbt"

    @property
    def lock_file(self) -> Path:
        return self.home / f"{self.warehouse.stem}.refresh.lock"

    @property
    def runs_log(self) -> Path:
        return self.home / f"{self.warehouse.stem}.refresh_runs.jsonl"

    @property
    def data_docs(self) -> Path:
        return self.home / "data_docs"
