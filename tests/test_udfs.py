"""Properties of the pure functions in python_udfs (scoring formula, decay, stages, sentiment)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from python_udfs import scoring
from python_udfs.scoring import (
    COMPONENTS,
    FORMULA_VERSION,
    LIFECYCLE_STAGES,
    Scales,
    StageRules,
    Weights,
    advocacy_component,
    components_from_measures,
    continuity_component,
    decay_weight,
    decay_weight_arrow,
    engagement_component,
    lifecycle_stage,
    listening_component,
    parse_weights,
    realized_value_component,
    reciprocity_component,
    ror_score,
    ror_score_arrow,
    sentiment_component,
    weights_from_mapping,
    weights_text,
)
from python_udfs.sentiment import analyzer, sentiment_compound, sentiment_compound_arrow

REPO = Path(__file__).resolve().parent.parent

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
component = st.one_of(st.none(), unit)
components = st.tuples(*([component] * len(COMPONENTS)))
weight = st.floats(min_value=0.0, max_value=10.0, allow_nan=False)
weights = st.tuples(*([weight] * len(COMPONENTS)))
count = st.one_of(st.none(), st.integers(min_value=-5, max_value=10_000))
amount = st.one_of(st.none(), st.floats(min_value=-1e3, max_value=1e7, allow_nan=False))
age = st.floats(min_value=-30.0, max_value=5_000.0, allow_nan=False)
half_life = st.floats(min_value=0.5, max_value=3_650.0, allow_nan=False)


def present_weight(values: tuple[float | None, ...], ws: tuple[float, ...]) -> float:
    return sum(w for v, w in zip(values, ws, strict=True) if v is not None)


# ---------------------------------------------------------------------------- the score


@given(components, weights)
def test_score_is_bounded_and_null_only_without_weighted_components(
    values: tuple[float | None, ...], ws: tuple[float, ...]
) -> None:
    score = ror_score(*values, *ws)
    if present_weight(values, ws) > 0:
        assert score is not None
        assert 0.0 <= score <= 100.0
    else:
        assert score is None


@given(st.tuples(*([st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))] * 7)), weights)
def test_out_of_range_components_are_clipped(
    values: tuple[float | None, ...], ws: tuple[float, ...]
) -> None:
    score = ror_score(*values, *ws)
    clipped = [None if v is None else min(max(v, 0.0), 1.0) for v in values]
    expected = ror_score(*clipped, *ws)
    assert score == expected
    assert score is None or 0.0 <= score <= 100.0


@given(components, weights, st.integers(0, len(COMPONENTS) - 1), unit, unit)
def test_score_is_monotone_in_each_component(
    values: tuple[float | None, ...], ws: tuple[float, ...], index: int, low: float, high: float
) -> None:
    low, high = min(low, high), max(low, high)
    lower = list(values)
    higher = list(values)
    lower[index] = low
    higher[index] = high
    low_score = ror_score(*lower, *ws)
    high_score = ror_score(*higher, *ws)
    if low_score is None:
        assert high_score is None
    else:
        assert high_score is not None
        assert high_score >= low_score - 1e-9
        # strictly higher when the component has a real say
        if ws[index] > 1e-6 * sum(ws) and high > low + 1e-6:
            assert high_score > low_score


def test_score_examples() -> None:
    assert ror_score(1, 1, 1, 1, 1, 1, 1) == 100.0
    assert ror_score(0, 0, 0, 0, 0, 0, 0) == 0.0
    assert ror_score(None, None, None, None, None, None, None) is None
    # weighted mean with the default weights
    expected = 100 * (0.20 * 0.5 + 0.15 * 1.0 + 0.20 * 0.25) / (0.20 + 0.15 + 0.20)
    assert ror_score(0.5, 1.0, None, None, 0.25, None, None) == pytest.approx(expected)
    # only weight ratios matter
    assert ror_score(0.3, 0.6, 0.9, 0.1, 0.5, 0.7, 0.2, *[2.0] * 7) == pytest.approx(
        100 * (0.3 + 0.6 + 0.9 + 0.1 + 0.5 + 0.7 + 0.2) / 7
    )


@given(components, weights, st.floats(min_value=0.01, max_value=100.0))
def test_only_weight_ratios_matter(
    values: tuple[float | None, ...], ws: tuple[float, ...], factor: float
) -> None:
    scaled = tuple(w * factor for w in ws)
    assume(present_weight(values, ws) > 1e-3)
    score = ror_score(*values, *ws)
    assert score is not None
    assert ror_score(*values, *scaled) == pytest.approx(score, abs=1e-9)


@given(components, weights, st.integers(0, len(COMPONENTS) - 1))
def test_a_null_component_is_left_out(
    values: tuple[float | None, ...], ws: tuple[float, ...], index: int
) -> None:
    without = list(values)
    without[index] = None
    zero_weight = list(ws)
    zero_weight[index] = 0.0
    # leaving a component out == giving it no weight
    assert ror_score(*without, *ws) == pytest.approx(ror_score(*values, *zero_weight), abs=1e-9)


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf, None])
def test_bad_weights_raise(bad: float | None) -> None:
    ws = list(Weights().as_tuple())
    ws[2] = bad  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="weight of reciprocity"):
        ror_score(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, *ws)
    # the UDF reads the weights from one text: a bad number in it raises the same way
    text = ",".join(repr(w) for w in ws)
    with pytest.raises(ValueError, match="weight of reciprocity"):
        ror_score_arrow(*[pa.array([0.5])] * 7, pa.array([text]))


@pytest.mark.parametrize(
    "text",
    ["", "0.2,0.15", "0.2,0.15,0.1,0.1,0.2,0.15,0.1,0.1", "0.2;0.15;0.1;0.1;0.2;0.15;0.1"],
)
def test_a_weights_text_without_seven_numbers_raises(text: str) -> None:
    with pytest.raises(ValueError, match="7 comma-separated numbers"):
        parse_weights(text)
    with pytest.raises(ValueError, match="7 comma-separated numbers"):
        ror_score_arrow(*[pa.array([0.5, 0.1])] * 7, pa.array([text, text]))


def test_null_weights_text_raises() -> None:
    with pytest.raises(ValueError, match="weights must not be null"):
        ror_score_arrow(*[pa.array([0.5, 0.1])] * 7, pa.array([None, None], pa.string()))
    with pytest.raises(ValueError, match="weights must not be null"):
        ror_score_arrow(*[pa.array([0.5, 0.1])] * 7, pa.array([weights_text(Weights()), None]))
    with pytest.raises(ValueError, match="1 weights texts for 2 rows"):
        ror_score_arrow(*[pa.array([0.5, 0.1])] * 7, pa.array([weights_text(Weights())]))


@given(weights)
def test_weights_text_reads_back_exactly(ws: tuple[float, ...]) -> None:
    text = weights_text(ws)
    assert parse_weights(text) == ws
    assert text.count(",") == len(COMPONENTS) - 1
    assert weights_text(Weights()) == "0.2,0.15,0.1,0.1,0.2,0.15,0.1"
    assert parse_weights("0,1,2,3,4,5,-0.0") == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 0.0)
    assert repr(parse_weights("0,1,2,3,4,5,-0.0")[-1]) == "0.0"  # as the scalar sum sees it
    with pytest.raises(ValueError, match="expected 7 weights"):
        weights_text(ws[:-1])


def test_default_weights_and_mapping() -> None:
    assert math.isclose(sum(Weights().as_tuple()), 1.0)
    assert tuple(f for f in Weights.__dataclass_fields__) == COMPONENTS
    custom = weights_from_mapping({"advocacy": 1, "sentiment": 0})
    assert custom.advocacy == 1.0 and custom.sentiment == 0.0
    assert custom.engagement == Weights().engagement
    with pytest.raises(ValueError, match="unknown ROR component"):
        weights_from_mapping({"loyalty": 1})


# --------------------------------------------------------------------- vectorised == scalar


@settings(max_examples=60)
@given(
    st.lists(st.tuples(*([st.one_of(st.none(), st.floats(-0.5, 1.5))] * 7)), max_size=300),
    weights,
)
def test_vectorised_score_equals_scalar(
    rows: list[tuple[float | None, ...]], ws: tuple[float, ...]
) -> None:
    n = len(rows)
    columns = [pa.array([row[i] for row in rows], type=pa.float64()) for i in range(7)]
    # DuckDB passes chunked arrays; constants arrive as full columns.
    chunked = [pa.chunked_array([c.slice(0, n // 2), c.slice(n // 2)]) for c in columns]
    # the weights: one text, the same in every row (a constant SQL argument)
    weights_column = pa.array([weights_text(ws)] * n, type=pa.string())
    got = ror_score_arrow(*chunked, weights_column)
    assert got.type == pa.float64() and len(got) == n
    expected = [ror_score(*row, *ws) for row in rows]
    assert got.to_pylist() == expected
    assert ror_score_arrow(*chunked, weights_text(ws)).to_pylist() == expected


@given(
    st.lists(st.one_of(st.none(), age), max_size=300),
    half_life,
)
def test_vectorised_decay_equals_scalar(ages: list[float | None], hl: float) -> None:
    got = decay_weight_arrow(pa.array(ages, type=pa.float64()), pa.array([hl] * len(ages)))
    # numpy's pow may differ from C's pow (Python, DuckDB) in the last bit
    for weight, a in zip(got.to_pylist(), ages, strict=True):
        expected = decay_weight(a, hl)
        assert weight == expected if expected is None else weight == pytest.approx(expected, 1e-15)


def test_vectorised_score_on_a_million_rows_matches_a_sample() -> None:
    rng = np.random.default_rng(3)
    n = 1_000_000
    values = [pa.array(rng.random(n), mask=rng.random(n) < 0.1) for _ in COMPONENTS]
    ws = Weights().as_tuple()
    got = ror_score_arrow(*values, pa.array([weights_text(ws)] * n))
    for i in rng.integers(0, n, 500):
        row = [v[int(i)].as_py() for v in values]
        assert got[int(i)].as_py() == ror_score(*row, *ws)


def arrow_like_duckdb(
    values: list[float | None], garbage: float, offset: int, chunks: int
) -> pa.ChunkedArray:
    """float64 column as DuckDB may pass it: null slots hold ``garbage`` (DuckDB's own scans
    leave NaN there, expressions may leave any value), a validity bitmap even without nulls,
    an array offset and several chunks."""
    data = np.array([garbage if v is None else v for v in values], dtype=np.float64)
    valid = np.array([v is not None for v in values], dtype=np.bool_)
    padded = np.concatenate([np.full(offset, 7.0), data])
    bits = np.packbits(np.concatenate([np.ones(offset, np.bool_), valid]), bitorder="little")
    array = pa.Array.from_buffers(
        pa.float64(),
        len(values),
        [pa.py_buffer(bits), pa.py_buffer(padded)],
        null_count=int((~valid).sum()),
        offset=offset,
    )
    cut = len(values) // 2
    parts = [array] if chunks == 1 else [array.slice(0, cut), array.slice(cut)]
    return pa.chunked_array(parts, type=pa.float64())


def texts_like_duckdb(texts: list[str], offset: int, chunks: int) -> pa.ChunkedArray:
    """A string column with an array offset (other texts before it) and one or two chunks."""
    array = pa.array(["9,9,9,9,9,9,9"] * offset + texts, type=pa.string()).slice(offset)
    cut = len(texts) // 2
    parts = [array] if chunks == 1 else [array.slice(0, cut), array.slice(cut)]
    return pa.chunked_array(parts, type=pa.string())


def same_float(a: float | None, b: float | None) -> bool:
    """Equal including the sign of zero and NaN (the bit-identical promise)."""
    if a is None or b is None:
        return a is b
    return repr(a) == repr(b)


odd = st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 0.0, 1.0, 2.5, -3.0])
messy_component = st.one_of(st.none(), st.floats(-0.5, 1.5), odd)


@settings(max_examples=60)
@given(
    st.lists(st.tuples(*([messy_component] * 7)), min_size=1, max_size=70),
    weights,
    st.sampled_from([math.nan, 0.5, -1.0, math.inf, 0.0]),
    st.integers(0, 11),
    st.integers(1, 2),
    st.one_of(st.none(), st.integers(0, 6)),
)
def test_vectorised_score_equals_scalar_on_duckdb_like_input(
    rows: list[tuple[float | None, ...]],
    ws: tuple[float, ...],
    garbage: float,
    offset: int,
    chunks: int,
    varying: int | None,
) -> None:
    n = len(rows)
    columns = [arrow_like_duckdb([r[i] for r in rows], garbage, offset, chunks) for i in range(7)]
    row_weights = [list(ws) for _ in rows]
    if varying is not None:  # one weight column that varies per row (zeros included)
        for j, row in enumerate(row_weights):
            row[varying] = [0.0, 0.5, 3.0, ws[varying]][j % 4]
    texts = texts_like_duckdb([weights_text(row) for row in row_weights], offset, chunks)
    got = ror_score_arrow(*columns, texts)
    assert got.type == pa.float64() and len(got) == n
    expected = [ror_score(*row, *w) for row, w in zip(rows, row_weights, strict=True)]
    assert all(same_float(a, b) for a, b in zip(got.to_pylist(), expected, strict=True))


def test_vectorised_score_edge_rows() -> None:
    rows = [
        (None,) * 7,  # nothing applicable: null
        (-0.0, None, None, None, None, None, None),  # a signed zero scores +0.0
        (math.nan, 2.0, None, None, None, None, -1.0),  # NaN is missing, clipping
        (1.0,) * 7,
        (-0.0,) * 7,
    ]
    columns = [arrow_like_duckdb([r[i] for r in rows], math.nan, 3, 1) for i in range(7)]
    ws = Weights().as_tuple()
    got = ror_score_arrow(*columns, pa.array([weights_text(ws)] * len(rows))).to_pylist()
    assert got[0] is None and got[3] == 100.0
    assert repr(got[1]) == repr(got[4]) == "0.0"
    assert got[2] == ror_score(None, 1.0, None, None, None, None, 0.0, *ws)
    # a weight of 0 for the only present component: null, as in the scalar version
    zero = weights_text([w if i else 0.0 for i, w in enumerate(ws)])
    assert ror_score_arrow(*columns, pa.array([zero] * len(rows))).to_pylist()[1] is None
    empty = [pa.array([], pa.float64())] * 7
    assert ror_score_arrow(*empty, pa.array([], pa.string())).to_pylist() == []
    # weights so large that 100 x their sum overflows: the scalar result, no warning
    huge = (1e306,) * 7
    big = ror_score_arrow(*columns, pa.array([weights_text(huge)] * len(rows))).to_pylist()
    assert all(same_float(a, ror_score(*r, *huge)) for a, r in zip(big, rows, strict=True))


def test_texts_that_concatenate_alike_are_not_taken_for_one_text() -> None:
    # the bytes are "1,1,1,1,1,1,10" three times over, as in a constant column of that text,
    # but the second and third rows split them differently: weights 1 (not 10) in row 2
    texts = ["1,1,1,1,1,1,10", "1,1,1,1,1,1,1", "01,1,1,1,1,1,10"]
    assert "".join(texts) == texts[0] * 3
    values = [pa.array([0.0, 0.0, 0.0])] * 6 + [pa.array([1.0, 1.0, 1.0])]
    got = ror_score_arrow(*values, pa.array(texts)).to_pylist()
    expected = [ror_score(*[0.0] * 6, 1.0, *parse_weights(t)) for t in texts]
    assert got == expected
    assert expected[1] != expected[0] == expected[2]


@pytest.mark.parametrize("kind", [pa.large_string(), pa.string_view()])
def test_weights_texts_of_other_string_types(kind: pa.DataType) -> None:
    ws = (1.0, 0.0, 2.0, 0.5, 0.25, 3.0, 1e-9)
    values = [pa.array([0.1 * (i + 1), None, 1.0]) for i in range(7)]
    got = ror_score_arrow(*values, pa.array([weights_text(ws)] * 3, type=kind))
    rows = [[v[i].as_py() for v in values] for i in range(3)]
    assert got.to_pylist() == [ror_score(*row, *ws) for row in rows]


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf, None])
def test_a_bad_weight_in_any_row_raises(bad: float | None) -> None:
    n = 5000
    values = [pa.array(np.full(n, 0.5))] * 6 + [pa.array(np.full(n, 0.25))]
    good = weights_text(Weights())
    texts = [good] * n
    row = list(Weights().as_tuple())
    row[4] = bad  # type: ignore[call-overload]
    texts[n - 1] = ",".join(repr(w) for w in row)  # only the last row's weights are bad
    with pytest.raises(ValueError, match="weight of advocacy"):
        ror_score_arrow(*values, pa.array(texts))
    # a constant column after a varying one is still read correctly
    expected = ror_score(*[0.5] * 6, 0.25, *Weights().as_tuple())
    assert ror_score_arrow(*values, pa.array([good] * n)).to_pylist() == [expected] * n


# ------------------------------------------------------------------------------- decay


@given(half_life)
def test_decay_halves_at_the_half_life(hl: float) -> None:
    assert decay_weight(0, hl) == 1.0
    assert decay_weight(hl, hl) == pytest.approx(0.5, rel=1e-12)
    assert decay_weight(2 * hl, hl) == pytest.approx(0.25, rel=1e-12)


@given(age, age, half_life)
def test_decay_is_in_0_1_and_decreasing_with_age(a: float, b: float, hl: float) -> None:
    younger, older = min(a, b), max(a, b)
    wy, wo = decay_weight(younger, hl), decay_weight(older, hl)
    assert wy is not None and wo is not None
    assert 0.0 <= wo <= wy <= 1.0
    # the ratio of two weights depends only on the age gap (memoryless) once both are >= 0
    if younger >= 0 and wo > 1e-300:
        assert wo / wy == pytest.approx(0.5 ** ((older - younger) / hl), rel=1e-9)


def test_decay_edges() -> None:
    assert decay_weight(None, 90) is None
    assert decay_weight(-5, 90) == 1.0
    with pytest.raises(ValueError):
        decay_weight(1, 0)
    with pytest.raises(ValueError):
        decay_weight_arrow(pa.array([1.0]), pa.array([-1.0]))


@given(
    st.lists(st.one_of(st.none(), age, st.just(math.nan)), min_size=1, max_size=100),
    half_life,
    st.sampled_from([math.nan, 3.0]),
    st.integers(0, 9),
    st.booleans(),
)
def test_vectorised_decay_on_duckdb_like_input(
    ages: list[float | None], hl: float, garbage: float, offset: int, vary: bool
) -> None:
    half_lives = [hl * (1 + i % 3) if vary else hl for i in range(len(ages))]
    got = decay_weight_arrow(
        arrow_like_duckdb(ages, garbage, offset, 2),
        arrow_like_duckdb(half_lives, 0.0, offset, 1),
    ).to_pylist()
    for weight, a, h in zip(got, ages, half_lives, strict=True):
        expected = decay_weight(a, h)
        assert weight == expected if expected is None else weight == pytest.approx(expected, 1e-15)
    with pytest.raises(ValueError, match="half_life_days"):
        decay_weight_arrow(pa.array(ages, pa.float64()), pa.array([hl] * (len(ages) - 1) + [None]))


# -------------------------------------------------------------------------- components


def in_unit(value: float | None) -> bool:
    return value is None or 0.0 <= value <= 1.0


MEASURES = st.fixed_dictionaries(
    {
        "engagement_points": amount,
        "mean_sentiment": st.one_of(st.none(), st.floats(-2, 2)),
        "give": count,
        "take": count,
        "inbound": count,
        "answered": count,
        "response_minutes": amount,
        "shares": count,
        "positive_mentions": count,
        "referrals": count,
        "referred_revenue": amount,
        "active_periods": count,
        "observed_periods": count,
        "net_revenue": amount,
    }
)


@given(MEASURES)
def test_components_are_on_0_1(measures: dict[str, float | int | None]) -> None:
    result = components_from_measures(**measures)
    assert all(in_unit(v) for v in result.as_tuple())
    assert result.engagement is not None
    assert result.advocacy is not None
    assert result.realized_value is not None
    assert ror_score(*result.as_tuple()) is not None


nonneg = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)
small = st.integers(min_value=0, max_value=10_000)


@given(nonneg, nonneg)
def test_saturating_components_rise_with_their_input(a: float, b: float) -> None:
    low, high = min(a, b), max(a, b)
    for function in (engagement_component, realized_value_component):
        assert function(low) <= function(high)
    assert engagement_component(0) == 0.0
    assert realized_value_component(-50) == 0.0
    scales = Scales()
    assert engagement_component(scales.engagement_points) == pytest.approx(1 - math.exp(-1))


@given(small, small, small, small, nonneg, nonneg)
def test_advocacy_rises_with_every_input(
    shares: int, mentions: int, referrals: int, extra: int, revenue: float, more: float
) -> None:
    base = advocacy_component(shares, mentions, referrals, revenue)
    assert advocacy_component(shares + extra, mentions, referrals, revenue) >= base
    assert advocacy_component(shares, mentions + extra, referrals, revenue) >= base
    assert advocacy_component(shares, mentions, referrals + extra, revenue) >= base
    assert advocacy_component(shares, mentions, referrals, revenue + more) >= base
    # a referral is worth referral_points shares
    assert advocacy_component(0, 0, 1, 0) == pytest.approx(
        advocacy_component(Scales().referral_points, 0, 0, 0)
    )


@given(small, small, st.integers(1, 1000))
def test_reciprocity_rises_with_give_and_falls_with_take(give: int, take: int, more: int) -> None:
    assume(give + take > 0)
    base = reciprocity_component(give, take)
    assert base is not None and 0 < base < 1
    assert reciprocity_component(give + more, take) > base  # type: ignore[operator]
    assert reciprocity_component(give, take + more) < base  # type: ignore[operator]
    assert reciprocity_component(more, more) == 0.5
    assert reciprocity_component(0, 0) is None
    assert reciprocity_component(None, None) is None


@given(st.integers(1, 500), st.integers(0, 500), nonneg, nonneg)
def test_listening_rises_with_answers_and_falls_with_slowness(
    inbound: int, answered: int, minutes: float, slower: float
) -> None:
    answered = min(answered, inbound)
    base = listening_component(inbound, answered, minutes)
    assert base is not None and 0 <= base <= 1
    assert listening_component(inbound, min(answered + 1, inbound), minutes) >= base  # type: ignore[operator]
    assert listening_component(inbound, answered, minutes + slower) <= base  # type: ignore[operator]
    assert listening_component(0, 0, None) is None
    assert listening_component(4, 4, 0) == 1.0
    assert listening_component(4, 4, Scales().response_half_life_minutes) == 0.75
    assert listening_component(4, 2, None) == 0.25  # unknown speed earns the half for answering


def test_sentiment_and_continuity_components() -> None:
    assert sentiment_component(None) is None
    assert sentiment_component(-1) == 0.0
    assert sentiment_component(0) == 0.5
    assert sentiment_component(1) == 1.0
    assert sentiment_component(3) == 1.0
    assert continuity_component(3, 12) == 0.25
    assert continuity_component(20, 12) == 1.0
    assert continuity_component(0, 0) is None


GOOD_MEASURES = st.fixed_dictionaries(
    {
        "engagement_points": st.floats(0, 1e4),
        "mean_sentiment": st.floats(-1, 1),
        "give": st.integers(0, 1000),
        "take": st.integers(0, 1000),
        "inbound": st.integers(1, 1000),
        "answered": st.integers(0, 1000),
        "response_minutes": st.floats(0, 1e5),
        "shares": st.integers(0, 1000),
        "positive_mentions": st.integers(0, 1000),
        "referrals": st.integers(0, 100),
        "referred_revenue": st.floats(0, 1e5),
        "active_periods": st.integers(0, 100),
        "observed_periods": st.integers(1, 100),
        "net_revenue": st.floats(-100, 1e5),
    }
)
RISING = {
    # measure -> how much "better" is; bounded measures are capped below
    "engagement_points": 1.0,
    "mean_sentiment": 0.25,
    "give": 1,
    "answered": 1,
    "shares": 1,
    "positive_mentions": 1,
    "referrals": 1,
    "referred_revenue": 10.0,
    "active_periods": 1,
    "net_revenue": 10.0,
}
FALLING = {"take": 1, "response_minutes": 30.0}


def capped(measures: dict[str, float]) -> dict[str, float]:
    fixed = dict(measures)
    fixed["mean_sentiment"] = min(fixed["mean_sentiment"], 1.0)
    fixed["answered"] = min(fixed["answered"], fixed["inbound"])
    fixed["active_periods"] = min(fixed["active_periods"], fixed["observed_periods"])
    return fixed


@given(GOOD_MEASURES, st.sampled_from(sorted(RISING) + sorted(FALLING)))
def test_score_follows_good_and_bad_measures_end_to_end(
    measures: dict[str, float], name: str
) -> None:
    base = capped(measures)
    changed = dict(base)
    changed[name] += RISING.get(name, FALLING.get(name, 0))
    changed = capped(changed)
    before = ror_score(*components_from_measures(**base).as_tuple())
    after = ror_score(*components_from_measures(**changed).as_tuple())
    assert before is not None and after is not None
    if name in RISING:
        assert after >= before
    else:
        assert after <= before


# ------------------------------------------------------------------------------ stages


@given(count, count, count, st.one_of(st.none(), st.integers(-5, 1000)))
def test_stage_is_one_of_the_five(
    interactions: int | None, orders: int | None, advocacy: int | None, days: int | None
) -> None:
    assert lifecycle_stage(interactions, orders, advocacy, days) in LIFECYCLE_STAGES


def test_stage_rules() -> None:
    assert lifecycle_stage(0, 0, 0, 400) == "audience"
    assert lifecycle_stage(None, None, None, None) == "audience"
    assert lifecycle_stage(3, 0, 0, 10) == "engaged"
    assert lifecycle_stage(3, 1, 0, 10) == "customer"
    assert lifecycle_stage(3, 1, 2, 10) == "advocate"
    assert lifecycle_stage(0, 0, 2, 10) == "advocate"
    assert lifecycle_stage(3, 1, 2, 91) == "lapsed"
    assert lifecycle_stage(3, 1, 2, None) == "advocate"
    assert lifecycle_stage(3, 0, 0, 40, StageRules(lapsed_after_days=30)) == "lapsed"


# ---------------------------------------------------------------------------- sentiment


def test_sentiment_is_sane_on_obvious_texts() -> None:
    positive = sentiment_compound("I love this, thank you!")
    negative = sentiment_compound("worst service ever, I hate it")
    assert positive is not None and negative is not None
    assert positive > 0 > negative
    assert sentiment_compound("") == 0.0
    assert sentiment_compound(None) is None


@given(st.text(max_size=200))
def test_sentiment_is_in_range(text: str) -> None:
    score = sentiment_compound(text)
    assert score is not None and -1.0 <= score <= 1.0


@settings(max_examples=40)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["great!", "awful", "ok", ""]), st.text()),
                max_size=100))  # fmt: skip
def test_vectorised_sentiment_equals_scalar(texts: list[str | None]) -> None:
    array = pa.array(texts, type=pa.string())
    for batch in (array, pa.chunked_array([array]), array.cast(pa.large_string())):
        got = sentiment_compound_arrow(batch)
        assert got.type == pa.float64()
        assert got.to_pylist() == [sentiment_compound(t) for t in texts]


def test_one_analyzer_per_process() -> None:
    assert analyzer() is analyzer()


# ------------------------------------------------------------------ docs stay in step


def test_docs_block_states_the_version_and_default_weights() -> None:
    docs = (REPO / "models" / "docs" / "scoring.md").read_text(encoding="utf-8")
    assert "{% docs ror_score_formula %}" in docs
    assert f"formula version `{FORMULA_VERSION}`" in docs
    for name, value in Weights().__dict__.items():
        assert f"{name.replace('_', ' ')} {value:.2f}" in docs, name
    assert scoring.__doc__ is not None and "ror_score_formula" in scoring.__doc__


# ------------------------------------------------------------------------------ bench


def test_bench_explains_the_gap(capsys: pytest.CaptureFixture[str]) -> None:
    from python_udfs import bench

    bench.main(["--rows", "20000", "--runs", "1", "--texts", "20", "--threads", "2"])
    out = capsys.readouterr().out
    assert "max |UDF - SQL| = 0, null mismatches = 0" in out, out
    assert "Arrow UDF floor" in out and "same 8 arguments, 7 DOUBLE + VARCHAR" in out, out
    assert "DuckDB calls the UDF" in out and "at threads = 1: pure SQL" in out, out
    # DuckDB passes vectors of at most 2,048 rows: at least 10 calls for 20,000 rows
    calls = re.search(r"calls the UDF ([\d,]+) times \(([\d,]+) rows per call\)", out)
    assert calls is not None, out
    assert int(calls[1].replace(",", "")) >= 10 and int(calls[2].replace(",", "")) <= 2048
    split = bench.explain(0.1, 0.4, 0.2)
    assert "0.300 s" in split and "0.100 s (33%) is calling Python" in split, split
    assert "0.200 s (67%) the formula" in split, split
    assert "floor is below the SQL time" in bench.explain(0.1, 0.15, 0.05)
    assert "no slower than SQL" in bench.explain(0.1, 0.09, 0.05)
