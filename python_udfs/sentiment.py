"""Sentiment of what a person says, scored with VADER's lexicon (vaderSentiment on PyPI).

VADER (Hutto & Gilbert, 2014) is a rule-based model tuned for social-media text: its lexicon
and emoji table ship inside the PyPI package, so scoring is offline and deterministic. The
score used by the warehouse is VADER's ``compound`` value, a normalised sum in [-1, 1]
(-1 most negative, +1 most positive, 0 neutral or empty text).

Two entry points:

- :func:`sentiment_compound`, a scalar function (one text in, one float out);
- :func:`sentiment_compound_arrow`, the Arrow-vectorised DuckDB UDF: a batch of texts in, a
  float64 array out, null in -> null out. Within a batch every distinct text is scored once
  (dictionary encoding); the SQL side is expected to call it on ``select distinct text`` so
  each text is scored once per build.

One ``SentimentIntensityAnalyzer`` is built per process, on first use.

VADER is pure Python: one process scores about 18,000 texts a second on one core, whatever
DuckDB's thread count (the threads take turns on the GIL). So once a process has scored
``POOL_AFTER_TEXTS`` texts itself, :func:`sentiment_many` splits each batch evenly across
worker processes (``python -m python_udfs.sentiment``; one per core, or
``ROR_SENTIMENT_WORKERS``; 1 keeps scoring in-process), started once, so every core scores
whichever DuckDB thread calls. Small builds (tests, the demo) never start them. A worker
gets a pickled list of texts on stdin and answers with float64 bytes; it ends when its stdin
closes, so it never outlives the process that started it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import subprocess
import sys
import threading
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

__all__ = ["analyzer", "sentiment_compound", "sentiment_compound_arrow", "sentiment_many"]

_analyzer: SentimentIntensityAnalyzer | None = None
_analyzer_lock = threading.Lock()


def analyzer() -> SentimentIntensityAnalyzer:
    """The process-wide analyzer (built once, on first use; the lexicon loads from the package)."""
    global _analyzer
    if _analyzer is None:
        with _analyzer_lock:
            if _analyzer is None:
                _analyzer = SentimentIntensityAnalyzer()
    return _analyzer


def sentiment_compound(text: str | None) -> float | None:
    """VADER compound score of ``text`` in [-1, 1]; ``None`` for a null text."""
    if text is None:
        return None
    return float(analyzer().polarity_scores(text)["compound"])


def _score_here(texts: list[str]) -> list[float]:
    polarity = analyzer().polarity_scores
    return [float(polarity(text)["compound"]) for text in texts]


def sentiment_many(texts: list[str]) -> list[float]:
    """Compound scores of non-null texts, in order (no deduplication: pass distinct texts).
    In worker processes once this process has scored ``POOL_AFTER_TEXTS`` texts itself."""
    workers = _workers(len(texts))
    if workers is None:
        return _score_here(texts)
    # Every worker takes an equal share of the batch, so all of them work on every batch,
    # however many of DuckDB's threads call at once (one lock: a batch at a time).
    shares = [texts[i :: len(workers)] for i in range(len(workers))]
    with _pool_lock:
        for worker, share in zip(workers, shares, strict=True):
            worker.send(share)
        scored = [worker.receive(len(share)) for worker, share in zip(workers, shares, strict=True)]
    merged = [0.0] * len(texts)
    for i, share_scores in enumerate(scored):
        merged[i :: len(workers)] = share_scores
    return merged


# -- worker processes -------------------------------------------------------------------------

POOL_AFTER_TEXTS = 20_000
_pool: list[_Worker] | None = None
_pool_lock = threading.Lock()
_scored_here = 0


def worker_count() -> int:
    """ROR_SENTIMENT_WORKERS, else one per core this process may run on."""
    configured = os.environ.get("ROR_SENTIMENT_WORKERS", "").strip()
    if configured:
        return max(1, int(configured))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _workers(batch: int) -> list[_Worker] | None:
    """The workers, started on first need; None while this process scores in-process."""
    global _pool, _scored_here
    if _pool is not None:
        return _pool
    with _pool_lock:
        if _pool is None:
            count = worker_count()
            if count < 2 or _scored_here + batch <= POOL_AFTER_TEXTS:
                _scored_here += batch
                return None
            _pool = [_Worker() for _ in range(count)]
            atexit.register(_stop_workers)
    return _pool


def _stop_workers() -> None:
    global _pool
    workers, _pool = _pool or [], None
    for worker in workers:
        worker.stop()


class _Worker:
    """One `python -m python_udfs.sentiment` child and its two pipes."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "python_udfs.sentiment"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def send(self, texts: list[str]) -> None:
        assert self.process.stdin is not None
        try:
            _send(self.process.stdin, pickle.dumps(texts, protocol=pickle.HIGHEST_PROTOCOL))
        except BrokenPipeError:
            raise self._exited(len(texts)) from None

    def receive(self, count: int) -> list[float]:
        assert self.process.stdout is not None
        answer = _receive(self.process.stdout)
        if answer is None:
            raise self._exited(count)
        return np.frombuffer(answer, dtype=np.float64).tolist()

    def _exited(self, count: int) -> RuntimeError:
        return RuntimeError(
            f"sentiment worker {self.process.pid} exited (code {self.process.wait()}) "
            f"while scoring {count} texts"
        )

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # a worker that died already: nothing to close
            if self.process.stdin is not None:
                self.process.stdin.close()
        self.process.wait()


def _send(stream: BinaryIO, payload: bytes) -> None:
    stream.write(len(payload).to_bytes(8, "little"))
    stream.write(payload)
    stream.flush()


def _receive(stream: BinaryIO) -> bytes | None:
    header = stream.read(8)
    if len(header) < 8:
        return None
    size = int.from_bytes(header, "little")
    payload = stream.read(size)
    return payload if len(payload) == size else None


def _serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """A worker: score each pickled list of texts until the requests end."""
    while (request := _receive(requests)) is not None:
        texts = pickle.loads(request)  # noqa: S301 - from the parent that started this process
        _send(answers, np.asarray(_score_here(texts), dtype=np.float64).tobytes())


def sentiment_compound_arrow(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Arrow-vectorised :func:`sentiment_compound` for ``create_function(..., type='arrow')``.

    Each distinct non-null text of the batch is scored once; nulls stay null.
    """
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if len(texts) == 0:
        return pa.array([], type=pa.float64())
    # Dictionary encoding yields each distinct value once plus one index per row (null index
    # for a null row), so scoring the dictionary and taking by index scores each text once.
    encoded = pc.dictionary_encode(texts)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    distinct = encoded.dictionary.to_pylist()
    scores = pa.array(np.asarray(sentiment_many(distinct), dtype=np.float64), type=pa.float64())
    return pc.take(scores, encoded.indices)


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
