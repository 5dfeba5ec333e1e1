"""Benchmark of the UDFs in DuckDB: ``python -m python_udfs.bench [--rows N] [--threads T]``.

- ROR score over N rows (default 1,000,000) of random components (10% nulls): the Arrow UDF
  that the plugin registers, against the same formula written in plain SQL (the shape of
  ``default__ror_score``), and the native (row-at-a-time) Python UDF for reference. The SQL
  and UDF results are compared (max absolute difference printed).
- The floor of calling an Arrow UDF at all: an identity Arrow UDF with ror_score's 8
  arguments (7 DOUBLE components and the weights as one VARCHAR constant) over the same rows
  (DuckDB takes the GIL, converts every argument vector to Arrow, calls Python, converts the
  result back). UDF time - floor is the formula's own cost; floor - SQL time is what calling
  Python costs. The three figures again at threads = 1, where DuckDB's threads do not wait
  for each other's GIL.
- Sentiment: distinct texts scored per second through the ``sentiment_compound`` UDF: the real
  tweets of ``$ROR_SHARED/data/real`` when present (default ``<repo>/../shared``), otherwise
  generated sentences.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from duckdb.sqltypes import DOUBLE, VARCHAR

from python_udfs.plugin import register
from python_udfs.scoring import COMPONENTS, Weights, ror_score, weights_text

REPO = Path(__file__).resolve().parent.parent
REAL_TWEETS = (
    Path(os.environ.get("ROR_SHARED", REPO.parent / "shared"))
    / "data"
    / "real"
    / "twcs_head_sample"
    / "twcs_head.csv"
)


def pure_sql_score(weights: Weights) -> str:
    """The ROR score formula in plain SQL over the columns named like COMPONENTS."""
    pairs = list(zip(COMPONENTS, weights.as_tuple(), strict=True))
    numerator = " + ".join(
        f"(case when {c} is null then 0 else cast({w!r} as double) "
        f"* least(greatest({c}, 0), 1) end)"
        for c, w in pairs
    )
    denominator = " + ".join(
        f"(case when {c} is null then 0 else cast({w!r} as double) end)" for c, w in pairs
    )
    return (
        f"(case when ({denominator}) > 0 "
        f"then least(greatest(100 * ({numerator}) / ({denominator}), 0), 100) end)"
    )


def best_of(runs: int, action: Callable[[], object]) -> tuple[float, object]:
    best = float("inf")
    result: object = None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    return best, result


#: lengths of the vectors DuckDB passed to :func:`identity` (how often it calls a UDF)
IDENTITY_CALLS: list[int] = []


def identity(
    engagement: pa.ChunkedArray,
    sentiment: pa.ChunkedArray,
    reciprocity: pa.ChunkedArray,
    listening: pa.ChunkedArray,
    advocacy: pa.ChunkedArray,
    continuity: pa.ChunkedArray,
    realized_value: pa.ChunkedArray,
    weights: pa.ChunkedArray,
) -> pa.ChunkedArray:
    """The floor of an Arrow UDF with ror_score's arguments: returns its first one as it came
    (and notes the vector length, a list append: nothing next to a call's cost)."""
    IDENTITY_CALLS.append(len(engagement))
    return engagement


def bench_score(con: duckdb.DuckDBPyConnection, rows: int, runs: int, native: bool) -> None:
    rng = np.random.default_rng(42)
    table = pa.table(
        {c: pa.array(rng.random(rows), mask=rng.random(rows) < 0.1) for c in COMPONENTS}
    )
    con.register("components_arrow", table)
    con.execute("create or replace table components as select * from components_arrow")
    con.unregister("components_arrow")
    weights = Weights()
    udf_args = ", ".join([*COMPONENTS, f"'{weights_text(weights)}'"])
    arity = len(COMPONENTS) + 1
    con.create_function(
        "ror_score_floor",
        identity,
        [DOUBLE] * len(COMPONENTS) + [VARCHAR],
        DOUBLE,
        type="arrow",
        null_handling="special",
        side_effects=False,
    )

    def total(expression: str) -> Callable[[], object]:
        return lambda: con.execute(f"select sum({expression}) from components").fetchall()[0][0]

    def timings() -> tuple[float, float, float, object, object]:
        sql_time, sql_sum = best_of(runs, total(pure_sql_score(weights)))
        udf_time, udf_sum = best_of(runs, total(f"ror_score({udf_args})"))
        floor_time, _ = best_of(runs, total(f"ror_score_floor({udf_args})"))
        return sql_time, udf_time, floor_time, sql_sum, udf_sum

    sql_time, udf_time, floor_time, sql_sum, udf_sum = timings()
    difference = con.execute(
        f"select max(abs(ror_score({udf_args}) - {pure_sql_score(weights)})), "
        f"count(*) filter (where (ror_score({udf_args}) is null) "
        f"!= ({pure_sql_score(weights)} is null)) from components"
    ).fetchall()[0]
    IDENTITY_CALLS.clear()
    con.execute(f"select sum(ror_score_floor({udf_args})) from components").fetchall()
    calls = list(IDENTITY_CALLS)
    threads = con.execute("select current_setting('threads')").fetchall()[0][0]
    print(f"ROR score over {rows:,} rows (best of {runs}):")
    print(f"  pure SQL          {sql_time:8.3f} s  ({rows / sql_time:,.0f} rows/s)")
    print(
        f"  Arrow Python UDF  {udf_time:8.3f} s  ({rows / udf_time:,.0f} rows/s, "
        f"{udf_time / sql_time:.1f}x the SQL time)"
    )
    print(
        f"  Arrow UDF floor   {floor_time:8.3f} s  (identity Arrow UDF, same {arity} arguments, "
        f"{arity - 1} DOUBLE + VARCHAR weights: {floor_time / sql_time:.1f}x the SQL time)"
    )
    if native:
        con.create_function(
            "ror_score_native",
            ror_score,
            [DOUBLE] * 14,
            DOUBLE,
            type="native",
            null_handling="special",
            side_effects=False,
        )
        native_args = ", ".join(
            [*COMPONENTS, *(f"cast({w!r} as double)" for w in weights.as_tuple())]
        )
        native_time, _ = best_of(1, total(f"ror_score_native({native_args})"))
        print(f"  native Python UDF {native_time:8.3f} s  ({rows / native_time:,.0f} rows/s)")
    print(
        f"  sums {sql_sum} vs {udf_sum}; max |UDF - SQL| = {difference[0]:.3g}, "
        f"null mismatches = {difference[1]}"
    )
    count = max(len(calls), 1)
    print(
        f"  DuckDB calls the UDF {len(calls):,} times ({rows / count:,.0f} rows per call): "
        f"floor {floor_time / count * 1e6:,.0f} us per call, "
        f"formula {(udf_time - floor_time) / count * 1e6:,.0f} us per call on top"
    )
    print(f"  {explain(sql_time, udf_time, floor_time)}")
    if str(threads) != "1":
        con.execute("set threads = 1")
        try:
            one = timings()
        finally:
            con.execute(f"set threads = {int(threads)}")
        print(
            f"  at threads = 1: pure SQL {one[0]:.3f} s, Arrow Python UDF {one[1]:.3f} s "
            f"({one[1] / one[0]:.1f}x), Arrow UDF floor {one[2]:.3f} s ({one[2] / one[0]:.1f}x); "
            f"{explain(one[0], one[1], one[2])}"
        )


def explain(sql_time: float, udf_time: float, floor_time: float) -> str:
    """How much of the UDF's time beyond the SQL time is calling Python, how much the formula."""
    gap = udf_time - sql_time
    formula = udf_time - floor_time
    if gap <= 0:
        return f"the UDF is no slower than SQL (the formula: {formula:.3f} s above the floor)"
    if floor_time <= sql_time:
        return (
            f"the floor is below the SQL time, so the formula ({formula:.3f} s above the "
            f"floor) is the whole {gap:.3f} s gap"
        )
    calling = floor_time - sql_time
    return (
        f"of the {gap:.3f} s the UDF takes beyond SQL, {calling:.3f} s ({calling / gap:.0%}) "
        f"is calling Python at all, {formula:.3f} s ({formula / gap:.0%}) the formula"
    )


def sample_texts(count: int) -> tuple[list[str], str]:
    if REAL_TWEETS.exists():
        with REAL_TWEETS.open(newline="", encoding="utf-8") as handle:
            texts = sorted({row["text"] for row in csv.DictReader(handle) if row["text"]})
        return texts[:count], f"real tweets ({REAL_TWEETS.name})"
    rng = random.Random(1)
    words = [
        "love", "hate", "great", "awful", "thanks", "help", "waiting", "order", "refund",
        "fast", "slow", "never", "again", "best", "worst", "app", "update", "crash", "support",
        "please", "why", "still", "not", "working", "happy", "sad", ":)", ":(",
    ]  # fmt: skip
    texts = {" ".join(rng.choices(words, k=rng.randint(4, 25))) for _ in range(count)}
    return sorted(texts), "generated sentences"


def bench_sentiment(con: duckdb.DuckDBPyConnection, count: int) -> None:
    texts, origin = sample_texts(count)
    con.register("texts_arrow", pa.table({"text": pa.array(texts, type=pa.string())}))
    con.execute("create or replace table texts as select * from texts_arrow")
    con.unregister("texts_arrow")
    elapsed, _ = best_of(
        1, lambda: con.execute("select sum(sentiment_compound(text)) from texts").fetchall()
    )
    mean_length = sum(map(len, texts)) / len(texts)
    print(
        f"Sentiment (VADER) of {len(texts):,} distinct {origin}, mean {mean_length:.0f} chars: "
        f"{elapsed:.3f} s, {len(texts) / elapsed:,.0f} texts/s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--native", action="store_true", help="also time the row-at-a-time UDF")
    args = parser.parse_args(argv)
    con = duckdb.connect()
    try:
        if args.threads:
            con.execute(f"set threads = {int(args.threads)}")
        threads = con.execute("select current_setting('threads')").fetchall()[0][0]
        print(f"DuckDB {duckdb.__version__}, threads = {threads}")
        register(con)
        bench_score(con, args.rows, args.runs, args.native)
        bench_sentiment(con, args.texts)
    finally:
        con.close()


if __name__ == "__main__":
    main()
