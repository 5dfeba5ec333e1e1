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
"""

from __future__ import annotations

import threading

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


def sentiment_many(texts: list[str]) -> list[float]:
    """Compound scores of non-null texts, in order (no deduplication: pass distinct texts)."""
    polarity = analyzer().polarity_scores
    return [float(polarity(text)["compound"]) for text in texts]


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
