"""Sentiment scored in worker processes gives exactly the in-process scores."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import duckdb
import pytest

import python_udfs.sentiment as sentiment
from python_udfs.plugin import register

TEXTS = [
    "I love this, thank you!",
    "worst service ever, I hate it",
    "",
    "meh. it arrived :)",
    "NOT good at all!!!",
    "Is it shipped yet? 😡",
] * 50 + [f"order {i} was great but late" for i in range(700)]


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Workers from the first batch on (the real threshold is 20,000 texts)."""
    monkeypatch.setenv("ROR_SENTIMENT_WORKERS", "2")
    monkeypatch.setattr(sentiment, "POOL_AFTER_TEXTS", 0)
    sentiment._stop_workers()
    yield
    sentiment._stop_workers()


def test_workers_score_exactly_what_the_process_scores(workers: None) -> None:
    expected = sentiment._score_here(TEXTS)
    assert sentiment.sentiment_many(TEXTS) == expected
    pool = sentiment._pool
    assert pool is not None and len(pool) == 2
    assert all(w.process.poll() is None for w in pool)  # alive, reused by the next batch
    assert sentiment.sentiment_many(TEXTS[::-1]) == expected[::-1]
    assert sentiment._pool is pool


def test_the_udf_with_workers_equals_the_scalar_function(workers: None) -> None:
    con = duckdb.connect(config={"threads": 2})
    register(con)
    con.execute("create table t as select unnest(?::varchar[]) as text", [[*TEXTS, None]])
    rows = con.execute("select text, sentiment_compound(text) from t").fetchall()
    assert sentiment._pool is not None
    for text, score in rows:
        assert score == sentiment.sentiment_compound(text)


def test_a_dead_worker_is_an_error_not_a_wrong_score(workers: None) -> None:
    sentiment.sentiment_many(TEXTS[:10])
    assert sentiment._pool is not None
    victim = sentiment._pool[1]
    os.kill(victim.process.pid, signal.SIGKILL)
    victim.process.wait()
    with pytest.raises(RuntimeError, match=r"sentiment worker \d+ exited \(code -9\)"):
        sentiment.sentiment_many(TEXTS)


def test_one_worker_means_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROR_SENTIMENT_WORKERS", "1")
    monkeypatch.setattr(sentiment, "POOL_AFTER_TEXTS", 0)
    sentiment._stop_workers()
    assert sentiment.sentiment_many(TEXTS[:20]) == sentiment._score_here(TEXTS[:20])
    assert sentiment._pool is None
