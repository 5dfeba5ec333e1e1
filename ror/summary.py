"""The short summary `ror refresh` prints: what the published BI database says."""

from __future__ import annotations

from pathlib import Path

import duckdb


def print_summary(bi: Path) -> None:
    con = duckdb.connect(str(bi), read_only=True)
    try:
        print(f"BI database: {bi}")
        landed, staged, quarantined, duplicate = con.execute(
            "select sum(rows_landed), sum(rows_staged), sum(rows_quarantined), "
            "sum(rows_duplicate) from ops.reconciliation"
        ).fetchone()
        print(
            f"rows landed {landed:,}: staged {staged:,}, quarantined {quarantined:,}, "
            f"exact duplicates collapsed {duplicate:,}"
        )
    finally:
        con.close()
