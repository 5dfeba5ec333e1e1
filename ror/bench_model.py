"""One model, two versions, timed on the same warehouse: `python -m ror.bench_model`.

    python -m ror.bench_model int_relationships_scored --warehouse W --base dd4b502
    python -m ror.bench_model int_relationships_spanned --warehouse W --base-dir ../other \\
        --key person_id,brand_id --operators 8

It compiles MODEL twice with dbt, in this checkout (the new version) and in the base: a git
commit (`--base`, exported with `git archive`) or another project directory (`--base-dir`).
Then, on one read-only connection to the warehouse with the UDFs registered and the
refresh's threads and memory limit, it builds each compiled SELECT into a temporary table:
first `--warmup` times untimed (so that no timed run is the one that reads the tables from
disk), then alternating base and new `--runs` times. It prints the wall and CPU seconds of
each run, the rows, and whether the two results are the same rows (`except all` both ways;
with `--key`, which columns differ and by how much). The warehouse is never written. The
figures are in the output, never asserted by tests (tests/test_bench.py only runs it).

Compiling opens the warehouse as dbt does (one writer): run it when no refresh is running.
An incremental model compiles to its incremental SELECT when its table exists.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from python_udfs.plugin import register
from ror.dbt import dbt_env, dbt_executable, profile_text
from ror.settings import PROJECT_DIR, Paths

VERSIONS = ("base", "new")  # the temp tables' names; new is built second in each round
# Column types whose largest difference between base and new is printed.
NUMERIC_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
    "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL",
}  # fmt: skip


@dataclass
class Version:
    label: str
    sql: str
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    rows: int = 0


def export_commit(ref: str, into: Path) -> Path:
    """The project as it was at git commit `ref`, unpacked into `into`."""
    archive = subprocess.run(
        ["git", "-C", str(PROJECT_DIR), "archive", "--format=tar", ref],
        capture_output=True,
    )
    if archive.returncode:
        raise SystemExit(f"bench_model: git archive {ref}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into


def compile_model(project: Path, model: str, paths: Paths, work: Path) -> str:
    """MODEL's compiled SQL in `project`, against the warehouse of `paths`."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "profiles.yml").write_text(profile_text(paths))
    command = [
        dbt_executable(), "compile", "--select", model, "--project-dir", str(project),
        "--profiles-dir", str(work), "--target-path", str(work / "target"),
        "--log-path", str(work / "logs"),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=project, env=dbt_env(paths), capture_output=True, text=True)
    compiled = list((work / "target" / "compiled").rglob(f"{model}.sql"))
    if not done.returncode and list((work / "target" / "compiled").rglob(f"{model}.py")):
        raise SystemExit(
            f"bench_model: {model} is a dbt Python model; this times SQL models only "
            "(time it with dbt run: target/run_results.json)"
        )
    if done.returncode or len(compiled) != 1:
        tail = "\n".join(done.stdout.strip().splitlines()[-5:])
        raise SystemExit(f"bench_model: dbt compile {model} in {project} failed:\n{tail}")
    return compiled[0].read_text()


def connect(paths: Paths) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    register(con)
    con.execute(f"set threads = {paths.threads}")
    con.execute(f"set memory_limit = '{paths.memory_limit}'")
    con.execute("set preserve_insertion_order = false")  # as the refresh's profile
    con.execute("set enable_progress_bar = false")
    return con


def build(con: duckdb.DuckDBPyConnection, table: str, version: Version, timed: bool) -> None:
    """Build `version` into temp table `table`, with no other result held beside it within
    the memory limit."""
    for name in VERSIONS:
        con.execute(f"drop table if exists {name}")
    wall, cpu = time.perf_counter(), time.process_time()  # DuckDB's threads are ours
    con.execute(f"create temp table {table} as {version.sql}")
    if timed:
        version.cpu_seconds.append(time.process_time() - cpu)
        version.seconds.append(time.perf_counter() - wall)
        version.rows = con.execute(f"select count(*) from {table}").fetchone()[0]


def costliest_operators(con: duckdb.DuckDBPyConnection, version: Version, top: int) -> list[str]:
    """The `top` operators of DuckDB's profile of one more build, by operator time."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        con.execute("set enable_profiling = 'json'")
        con.execute(f"set profiling_output = '{out.name}'")
        con.execute(f"create or replace temp table profiled as {version.sql}")
        con.execute("set enable_profiling = 'no_output'")
        profile = json.loads(Path(out.name).read_text())
    found: list[tuple[float, str]] = []

    def walk(node: dict) -> None:
        info = node.get("extra_info") or {}
        detail = info.get("Conditions") or info.get("Groups") or info.get("Table") or ""
        label = f"{node.get('type', '?').strip()} {str(detail)[:70]}".strip()
        rows = node.get("intermediate_rows", 0)
        found.append((node.get("timing", 0.0), f"{label} ({rows:,} rows)"))
        for child in node.get("children", []):
            walk(child)

    for node in profile["operator"]:  # DuckDB 2.0's JSON profile
        walk(node)
    con.execute("drop table profiled")
    return [f"{seconds:6.2f} s  {label}" for seconds, label in sorted(found, reverse=True)[:top]]


def compare(con: duckdb.DuckDBPyConnection, key: list[str]) -> list[str]:
    """How the base and new results differ: rows, column types, and with `key`, values."""
    lines = []
    types = {
        name: dict(
            con.execute(f"select column_name, column_type from (describe {name})").fetchall()
        )
        for name in ("base", "new")
    }
    for column in sorted(set(types["base"]) | set(types["new"])):
        before, after = types["base"].get(column), types["new"].get(column)
        if before != after:
            before, after = before or "absent", after or "absent"
            lines.append(f"column {column}: {before} in base, {after} in new")
    # Not _built_at: the build stamp, which each compile sets to its own start time.
    shared = [c for c in types["base"] if c in types["new"] and c != "_built_at"]
    columns = ", ".join(f'"{c}"' for c in shared)
    only = {
        (a, b): con.execute(
            f"select count(*) from (select {columns} from {a} except all select {columns} from {b})"
        ).fetchone()[0]
        for a, b in (("base", "new"), ("new", "base"))
    }
    if not any(only.values()):
        lines.append(f"same rows: yes (the {len(shared)} columns both have)")
        return lines
    lines.append(
        f"same rows: no: {only['base', 'new']:,} rows only in base, "
        f"{only['new', 'base']:,} only in new"
    )
    if not key:
        return lines
    using = ", ".join(f'"{c}"' for c in key)
    for column in (c for c in shared if c not in key):
        differ = f'base."{column}" is distinct from new."{column}"'
        joined = f"from base inner join new using ({using}) where {differ}"
        count = con.execute(f"select count(*) {joined}").fetchone()[0]
        if not count:
            continue
        numeric = types["base"][column].split("(")[0] in NUMERIC_TYPES
        largest = (
            con.execute(f'select max(abs(base."{column}" - new."{column}")) {joined}').fetchone()[0]
            if numeric
            else None
        )
        lines.append(
            f"  {column}: {count:,} rows differ"
            + (f", largest |base - new| {largest:.3g}" if largest is not None else "")
        )
    return lines


def figures(version: Version) -> str:
    walls = ", ".join(f"{s:.2f}" for s in version.seconds)
    cpus = ", ".join(f"{s:.1f}" for s in version.cpu_seconds)
    return f"{walls} s wall; CPU {cpus} s; {version.rows:,} rows"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ror.bench_model", description=__doc__)
    parser.add_argument("model", help="the model's name, e.g. int_relationships_scored")
    parser.add_argument("--warehouse", required=True, help="the DuckDB file to read")
    base = parser.add_mutually_exclusive_group(required=True)
    base.add_argument("--base", help="git commit of the base version")
    base.add_argument("--base-dir", type=Path, help="project directory of the base version")
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of each")
    parser.add_argument("--warmup", type=int, default=1, help="untimed builds of each first")
    parser.add_argument("--key", default="", help="the model's grain, comma-separated")
    parser.add_argument("--operators", type=int, default=0, help="print the N costliest")
    args = parser.parse_args(argv)

    warehouse = Path(args.warehouse).resolve()
    if not warehouse.exists():
        print(f"bench_model: {warehouse}: no such warehouse", file=sys.stderr)
        return 2
    paths = Paths.from_args(warehouse=str(warehouse))
    with tempfile.TemporaryDirectory(prefix="ror-bench-model-") as tmp:
        work = Path(tmp)
        if args.base:
            base_dir, base_label = export_commit(args.base, work / "base-project"), args.base
        else:
            base_dir, base_label = args.base_dir.resolve(), str(args.base_dir)
        base_sql = compile_model(base_dir, args.model, paths, work / "base")
        new_sql = compile_model(PROJECT_DIR, args.model, paths, work / "new")
        versions = {"base": Version(base_label, base_sql), "new": Version("this checkout", new_sql)}
        con = connect(paths)
        for timed in [False] * args.warmup + [True] * args.runs:
            for table, version in versions.items():
                build(con, table, version, timed)
        # The last build was the new version's: the base's again, beside it, to compare.
        con.execute(f"create temp table base as {base_sql}")
        print(
            f"{args.model} on {warehouse}, {paths.threads} threads, memory_limit "
            f"{paths.memory_limit}, {args.runs} alternating runs after {args.warmup} untimed "
            f"of each (DuckDB {duckdb.__version__})"
        )
        for table, version in versions.items():
            print(f"  {table} ({version.label}): {figures(version)}")
        ratio = statistics.median(versions["new"].seconds) / statistics.median(
            versions["base"].seconds
        )
        print(f"  new / base: {ratio:.2f}x (median wall)")
        key = [c.strip() for c in args.key.split(",") if c.strip()]
        for line in compare(con, key):
            print(f"  {line}")
        for table, version in versions.items():
            if args.operators:
                print(f"  costliest operators, {table} (one more build, DuckDB's profile):")
                for line in costliest_operators(con, version, args.operators):
                    print(f"    {line}")
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
