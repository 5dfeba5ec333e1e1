"""The ROR (Return on Relationship) score: its components, their scales and the formula.

A relationship is one person and one brand. Seven components, each on [0, 1] (1 = best),
say how healthy it is; the ROR score (0-100) is their weighted mean. The docs block
``ror_score_formula`` (models/docs/scoring.md) explains the choices; this module is the
reference implementation, and :data:`FORMULA_VERSION` changes whenever a component's scale,
a default, or the combination changes (every scored mart row carries it).

Component scales (``Scales`` holds the constants; defaults in brackets):

====================  ===========================================================  =========
component             value on [0, 1]                                              null when
====================  ===========================================================  =========
engagement            1 - exp(-points / k) over decayed, kind-weighted interactions never
                      [k = engagement_points = 10]
sentiment             (compound + 1) / 2 over mean sentiment in [-1, 1]            no text
reciprocity           (give + 1) / (give + take + 2): Laplace-smoothed give share  no brand
                      of the brand's actions toward the person                     action
listening             answered share x (1/2 + 1/2 * 0.5 ** (minutes / h)): half    nothing
                      credit for answering, the rest for speed [h = 60 minutes]    to answer
advocacy              1 - exp(-points / k), points = shares + positive mentions    never
                      and reviews + 5 x referrals + referred revenue / 50 [k = 5]
continuity            active periods / observed periods                            not seen
realized_value        1 - exp(-max(net revenue, 0) / k) [k = 100 currency units]   never
====================  ===========================================================  =========

ROR score = 100 x sum(w_i x c_i) / sum(w_i) over the components c_i that are not null, each
clipped to [0, 1]; null when every component is null. A null component is "not applicable"
(the person never wrote anything, so listening cannot be judged): it neither rewards nor
penalises, the other weights share its part. Weights are relative (any non-negative numbers,
not all zero); the defaults sum to 1.

Count-like inputs of the component functions treat null as 0 and negatives as 0. The SQL
macros in macros/udfs/ror_components.sql implement the same scales (tested to agree).
Nothing here imports dbt: these are plain functions; python_udfs.plugin registers them.
"""

from __future__ import annotations

import functools
import math
import struct
from dataclasses import asdict, dataclass, fields

import numpy as np
import pyarrow as pa

__all__ = [
    "COMPONENTS",
    "FORMULA_VERSION",
    "LIFECYCLE_STAGES",
    "Components",
    "Scales",
    "StageRules",
    "Weights",
    "advocacy_component",
    "components_from_measures",
    "continuity_component",
    "decay_weight",
    "decay_weight_arrow",
    "engagement_component",
    "formula_version",
    "lifecycle_stage",
    "listening_component",
    "parse_weights",
    "realized_value_component",
    "reciprocity_component",
    "ror_score",
    "ror_score_arrow",
    "saturate",
    "sentiment_component",
    "weights_from_mapping",
    "weights_text",
]

#: Version of the whole formula: component scales, their default constants, default weights
#: and the combination. Bump it on any change; the SQL macro ``ror_formula_version`` and the
#: pure-SQL ``default__ror_score`` must follow (tests/test_plugin.py checks they agree).
FORMULA_VERSION = "1.0.0"

#: Component names, in the argument order of :func:`ror_score`.
COMPONENTS: tuple[str, ...] = (
    "engagement",
    "sentiment",
    "reciprocity",
    "listening",
    "advocacy",
    "continuity",
    "realized_value",
)

LIFECYCLE_STAGES: tuple[str, ...] = ("audience", "engaged", "customer", "advocate", "lapsed")


@dataclass(frozen=True)
class Weights:
    """Relative weights of the components (dbt var ``ror_weights``; these are its defaults).

    The leading indicators of a relationship (engagement, advocacy, continuity) carry most
    of the weight; realized value is in the score but deliberately small, so the score can
    be tested as a predictor of revenue (mart ``ror_value``) rather than being revenue.
    """

    engagement: float = 0.20
    sentiment: float = 0.15
    reciprocity: float = 0.10
    listening: float = 0.10
    advocacy: float = 0.20
    continuity: float = 0.15
    realized_value: float = 0.10

    def as_tuple(self) -> tuple[float, ...]:
        return tuple(float(getattr(self, name)) for name in COMPONENTS)


@dataclass(frozen=True)
class Scales:
    """Constants of the component scales (dbt var ``ror_scales``; these are its defaults)."""

    #: decayed, kind-weighted interaction points at which engagement reaches 1 - 1/e (63%)
    engagement_points: float = 10.0
    #: first-response time that halves the speed credit of listening
    response_half_life_minutes: float = 60.0
    #: advocacy points at which advocacy reaches 63%
    advocacy_points: float = 5.0
    #: advocacy points of one referral (a share or a positive mention is one point)
    referral_points: float = 5.0
    #: referred revenue (currency units) worth one advocacy point
    referred_revenue_per_point: float = 50.0
    #: net revenue (currency units) at which realized value reaches 63%
    realized_value_revenue: float = 100.0


@dataclass(frozen=True)
class StageRules:
    """Thresholds of :func:`lifecycle_stage` (dbt var ``ror_stage_rules``; defaults)."""

    engaged_min_interactions: int = 1
    advocate_min_actions: int = 2
    lapsed_after_days: float = 90.0


@dataclass(frozen=True)
class Components:
    """The seven components of one relationship, each on [0, 1] or None (not applicable)."""

    engagement: float | None
    sentiment: float | None
    reciprocity: float | None
    listening: float | None
    advocacy: float | None
    continuity: float | None
    realized_value: float | None

    def as_tuple(self) -> tuple[float | None, ...]:
        return tuple(getattr(self, name) for name in COMPONENTS)


assert tuple(f.name for f in fields(Weights)) == COMPONENTS
assert tuple(f.name for f in fields(Components)) == COMPONENTS

Number = float | int


def formula_version() -> str:
    """The formula version (registered as the zero-argument SQL function ror_formula_version)."""
    return FORMULA_VERSION


def _missing(value: Number | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _count(value: Number | None) -> float:
    """A count-like input: null -> 0, negative -> 0."""
    if _missing(value):
        return 0.0
    return max(float(value), 0.0)  # type: ignore[arg-type]


def _positive(name: str, value: float) -> float:
    if not value > 0 or math.isinf(value):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


# --------------------------------------------------------------------------------- decay


def decay_weight(age_days: Number | None, half_life_days: Number) -> float | None:
    """Weight of an interaction ``age_days`` old: 0.5 ** (age / half_life).

    1 for an interaction of today, 1/2 at one half-life, 1/4 at two. A negative age (an
    event slightly in the future, within the landing tolerance) counts as today. Null age ->
    null. ``half_life_days`` must be > 0.
    """
    half_life = _positive("half_life_days", float(half_life_days))
    if _missing(age_days):
        return None
    return 0.5 ** (max(float(age_days), 0.0) / half_life)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- components


def saturate(value: Number | None, scale: float) -> float:
    """1 - exp(-max(value, 0) / scale): 0 at 0, 63% at ``scale``, 95% at 3 x scale, -> 1."""
    return 1.0 - math.exp(-_count(value) / _positive("scale", scale))


def engagement_component(points: Number | None, scales: Scales = Scales()) -> float:
    """Decayed, kind-weighted interaction points (>= 0; null = 0) on [0, 1), saturating."""
    return saturate(points, scales.engagement_points)


def sentiment_component(mean_compound: Number | None) -> float | None:
    """Mean sentiment on [-1, 1] (clipped) mapped to [0, 1]; 0.5 is neutral; null stays null."""
    if _missing(mean_compound):
        return None
    return (min(max(float(mean_compound), -1.0), 1.0) + 1.0) / 2.0  # type: ignore[arg-type]


def reciprocity_component(give: Number | None, take: Number | None) -> float | None:
    """Laplace-smoothed share of "give" among the brand's actions toward the person.

    give: answers, help, content aimed at the person; take: promotions and asks. One give and
    no take is 2/3, ten gives and no take 11/12; equal give and take is 1/2. Null when the
    brand did nothing toward the person (nothing to judge).
    """
    g, t = _count(give), _count(take)
    if g + t <= 0:
        return None
    return (g + 1.0) / (g + t + 2.0)


def listening_component(
    inbound: Number | None,
    answered: Number | None,
    response_minutes: Number | None,
    scales: Scales = Scales(),
) -> float | None:
    """How often and how fast the brand answered what the person sent.

    answered share (answered / inbound, capped at 1) x speed, where speed is 1/2 for
    answering at all plus 1/2 x 0.5 ** (minutes / response half-life) for answering fast.
    ``response_minutes`` is the typical (e.g. median) first-response time of the answered
    messages; unknown speed earns only the half for answering. Null when the person sent
    nothing that asked for an answer.
    """
    sent = _count(inbound)
    if sent <= 0:
        return None
    share = min(_count(answered) / sent, 1.0)
    half_life = _positive("response_half_life_minutes", scales.response_half_life_minutes)
    speed = 0.5
    if not _missing(response_minutes):
        speed += 0.5 * 0.5 ** (_count(response_minutes) / half_life)
    return share * speed


def advocacy_component(
    shares: Number | None,
    positive_mentions: Number | None,
    referrals: Number | None,
    referred_revenue: Number | None,
    scales: Scales = Scales(),
) -> float:
    """Shares, positive mentions and reviews, referrals and referred revenue, saturating."""
    points = (
        _count(shares)
        + _count(positive_mentions)
        + scales.referral_points * _count(referrals)
        + _count(referred_revenue)
        / _positive("referred_revenue_per_point", scales.referred_revenue_per_point)
    )
    return saturate(points, scales.advocacy_points)


def continuity_component(
    active_periods: Number | None, observed_periods: Number | None
) -> float | None:
    """Share of the observed periods (e.g. months since first seen) with activity, on [0, 1].

    An ongoing conversation across many periods beats one burst. Null when not observed.
    """
    observed = _count(observed_periods)
    if observed <= 0:
        return None
    return min(_count(active_periods) / observed, 1.0)


def realized_value_component(net_revenue: Number | None, scales: Scales = Scales()) -> float:
    """The person's own net revenue (null or negative = 0), saturating."""
    return saturate(net_revenue, scales.realized_value_revenue)


def components_from_measures(
    *,
    engagement_points: Number | None,
    mean_sentiment: Number | None,
    give: Number | None,
    take: Number | None,
    inbound: Number | None,
    answered: Number | None,
    response_minutes: Number | None,
    shares: Number | None,
    positive_mentions: Number | None,
    referrals: Number | None,
    referred_revenue: Number | None,
    active_periods: Number | None,
    observed_periods: Number | None,
    net_revenue: Number | None,
    scales: Scales = Scales(),
) -> Components:
    """All seven components of one relationship from its raw measures."""
    return Components(
        engagement=engagement_component(engagement_points, scales),
        sentiment=sentiment_component(mean_sentiment),
        reciprocity=reciprocity_component(give, take),
        listening=listening_component(inbound, answered, response_minutes, scales),
        advocacy=advocacy_component(shares, positive_mentions, referrals, referred_revenue, scales),
        continuity=continuity_component(active_periods, observed_periods),
        realized_value=realized_value_component(net_revenue, scales),
    )


# ------------------------------------------------------------------------------- formula

_DEFAULT = Weights()


def ror_score(
    engagement: Number | None,
    sentiment: Number | None,
    reciprocity: Number | None,
    listening: Number | None,
    advocacy: Number | None,
    continuity: Number | None,
    realized_value: Number | None,
    w_engagement: Number = _DEFAULT.engagement,
    w_sentiment: Number = _DEFAULT.sentiment,
    w_reciprocity: Number = _DEFAULT.reciprocity,
    w_listening: Number = _DEFAULT.listening,
    w_advocacy: Number = _DEFAULT.advocacy,
    w_continuity: Number = _DEFAULT.continuity,
    w_realized_value: Number = _DEFAULT.realized_value,
) -> float | None:
    """THE ROR score formula (version :data:`FORMULA_VERSION`), 0-100.

    100 x the weighted mean of the non-null components, each clipped to [0, 1]; null when
    every component is null or every present component has weight 0. Weights must be
    finite and >= 0. Monotone: raising one component never lowers the score.
    """
    values = (engagement, sentiment, reciprocity, listening, advocacy, continuity, realized_value)
    weights = (
        w_engagement,
        w_sentiment,
        w_reciprocity,
        w_listening,
        w_advocacy,
        w_continuity,
        w_realized_value,
    )
    numerator = 0.0
    denominator = 0.0
    for name, value, weight in zip(COMPONENTS, values, weights, strict=True):
        w = _weight(name, weight)
        if _missing(value):
            continue
        numerator += w * min(max(float(value), 0.0), 1.0)  # type: ignore[arg-type]
        denominator += w
    if denominator <= 0.0:
        return None
    return min(max(100.0 * numerator / denominator, 0.0), 100.0)


def _weight(name: str, weight: Number | None) -> float:
    if _missing(weight) or not 0.0 <= float(weight) < math.inf:  # type: ignore[arg-type]
        raise ValueError(f"weight of {name} must be a finite number >= 0, got {weight!r}")
    return float(weight)  # type: ignore[arg-type]


def weights_from_mapping(mapping: dict[str, Number] | None = None) -> Weights:
    """Defaults overridden by ``mapping`` (e.g. the dbt var ``ror_weights``); unknown keys fail."""
    merged = asdict(Weights())
    for key, value in (mapping or {}).items():
        if key not in merged:
            raise ValueError(f"unknown ROR component {key!r}; expected one of {COMPONENTS}")
        merged[key] = float(value)
    return Weights(**merged)


# ---------------------------------------------------------------------- Arrow versions
#
# DuckDB calls an Arrow UDF once per vector (~2,048 rows) with one-chunk ChunkedArrays, and
# passes a constant argument as a full column: it converts every argument of every call to
# Arrow, holding the GIL. So the SQL function takes the seven weights as ONE text argument
# (:func:`weights_text`) rather than seven DOUBLE columns; a text column that holds the same
# text in every row is recognised with two memcmps and parsed once (cached by value). The
# components are read zero-copy from their Arrow buffers (validity bits only when a column
# has nulls) and combined as one 2-D block: a numpy call per step, not one per column.

ArrowInput = pa.Array | pa.ChunkedArray | np.ndarray

_FLOAT64 = pa.float64()
_STRING = pa.string()
_K = len(COMPONENTS)
_DOUBLE = struct.Struct("<d")
#: argument slot -> the last constant column seen there: (its value, its data buffer)
_LAST_CONSTANT: dict[str, tuple[float, pa.Buffer]] = {}
#: DuckDB's vector size: per-size caches hold only blocks up to this many rows (x 2)
_CACHED_ROWS = 4096


def weights_text(weights: Weights | tuple[Number, ...] | list[Number]) -> str:
    """The ``weights`` argument of the SQL function ror_score: the seven weights in
    :data:`COMPONENTS` order, comma-separated, each written so that it reads back exactly
    (``repr``), e.g. ``'0.2,0.15,0.1,0.1,0.2,0.15,0.1'`` for the defaults. The macro
    ``duckdb__ror_score`` writes the same text from the var ``ror_weights``."""
    values = weights.as_tuple() if isinstance(weights, Weights) else tuple(weights)
    if len(values) != _K:
        raise ValueError(f"expected {_K} weights ({', '.join(COMPONENTS)}), got {len(values)}")
    return ",".join(repr(float(value)) for value in values)


@functools.lru_cache(maxsize=256)
def parse_weights(text: str) -> tuple[float, ...]:
    """The seven weights of a :func:`weights_text` text, checked like :func:`ror_score` checks
    them (finite, >= 0; a bad one raises naming its component). Cached by value."""
    parts = text.split(",")
    if len(parts) != _K:
        raise ValueError(
            f"ror_score weights must be {_K} comma-separated numbers "
            f"({', '.join(COMPONENTS)}), got {text!r}"
        )
    weights = []
    for name, part in zip(COMPONENTS, parts, strict=True):
        try:
            value = float(part)
        except ValueError:
            raise _bad_weight(name, part) from None
        weights.append(_weight(name, value) + 0.0)  # -0.0 -> 0.0, as the scalar sum starts at 0.0
    return tuple(weights)


def _array(values: ArrowInput) -> pa.Array:
    """``values`` as one float64 Arrow array (no copy for a one-chunk float64 ChunkedArray)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    elif isinstance(values, np.ndarray):
        values = pa.array(values.astype(np.float64, copy=False))  # NaN stays a value
    if values.type != _FLOAT64:
        values = values.cast(_FLOAT64)
    return values


def _data(array: pa.Array) -> pa.Buffer:
    """The 8 x len(array) bytes of ``array``'s values, zero-copy; null slots hold anything."""
    n = len(array)
    buffer = array.buffers()[1]
    if buffer is None:
        return pa.py_buffer(bytes(8 * n))
    if array.offset == 0 and buffer.size == 8 * n:
        return buffer
    return buffer.slice(8 * array.offset, 8 * n)


def _bitmap(array: pa.Array) -> pa.Buffer | bytes | None:
    """``array``'s validity bits from bit 0 ((len + 7) // 8 bytes, LSB first); None: no nulls."""
    if array.null_count == 0:
        return None
    n = len(array)
    bitmap = array.buffers()[0]
    offset = array.offset
    if offset % 8 == 0:
        return bitmap.slice(offset // 8, (n + 7) // 8)
    bits = np.unpackbits(np.frombuffer(bitmap, np.uint8), count=offset + n, bitorder="little")
    return np.packbits(bits[offset:], bitorder="little").tobytes()


def _parts(array: pa.Array) -> tuple[pa.Buffer, pa.Buffer | bytes | None]:
    """:func:`_data` and :func:`_bitmap` of a float64 array, with one look at its buffers in
    the usual case (offset 0, as DuckDB passes vectors)."""
    if array.offset:
        return _data(array), _bitmap(array)
    validity, data = array.buffers()
    n = len(array)
    if data is None:
        return _data(array), _bitmap(array)
    if data.size != 8 * n:
        data = data.slice(0, 8 * n)
    if array.null_count == 0:
        return data, None
    nbytes = (n + 7) // 8
    return data, validity if validity.size == nbytes else validity.slice(0, nbytes)


def _floats(values: ArrowInput) -> np.ndarray:
    """A float64 numpy array of ``values``, null -> NaN (zero-copy when there is no null)."""
    array = _array(values)
    floats = np.frombuffer(_data(array), np.float64)
    bitmap = _bitmap(array)
    if bitmap is None:
        return floats
    valid = np.unpackbits(np.frombuffer(bitmap, np.uint8), count=len(array), bitorder="little")
    return np.where(valid.view(np.bool_), floats, np.nan)


def _constant(slot: str, data: pa.Buffer) -> float | None:
    """The value of a column of float64 ``data`` that is the same in every row, else None."""
    last = _LAST_CONSTANT.get(slot)
    if last is not None and last[1].equals(data):
        return last[0]
    value = _DOUBLE.unpack_from(data)[0]
    expected = pa.py_buffer(np.full(data.size // 8, value))
    if not expected.equals(data):
        return None
    _LAST_CONSTANT[slot] = (value, expected)
    return value


def _result(values: np.ndarray, valid: np.ndarray | None) -> pa.Array:
    """A float64 Arrow array over ``values`` (no copy), null where ``valid`` is False."""
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(_FLOAT64, len(values), [bitmap, pa.py_buffer(values)])


def _bad_weight(name: str, value: object) -> ValueError:
    return ValueError(f"weight of {name} must be a finite number >= 0, got {value!r}")


@functools.lru_cache(maxsize=16)
def _steps(n: int, width: int) -> pa.Buffer:
    """The offsets of ``n`` strings of ``width`` bytes each, from 0 (int32, as in pa.string)."""
    return pa.py_buffer(np.arange(n + 1, dtype=np.int32) * np.int32(width))


def _constant_text(array: pa.Array) -> str | None:
    """The text of a pa.string column that holds the same text in every row, else None.

    Two memcmps: the offsets against 0, w, 2w, ... and the bytes against themselves shifted
    by one text (w bytes), which holds only when every text equals the first.
    """
    n = len(array)
    _, offsets, data = array.buffers()
    if array.offset != 0 or offsets.size < 8:
        return None
    first = np.frombuffer(offsets, np.int32, count=2)
    if first[0] != 0:
        return None
    width = int(first[1])
    if n > 1 and not offsets.slice(0, 4 * (n + 1)).equals(_steps(n, width)):
        return None
    if data is None:
        return "" if width == 0 else None
    span = (n - 1) * width
    if span and not data.slice(width, span).equals(data.slice(0, span)):
        return None
    return data.slice(0, width).to_pybytes().decode()


def _weights_argument(weights: ArrowInput | str, n: int) -> tuple[float, ...] | np.ndarray:
    """The weights: one tuple when every row has the same text (the usual case), else a
    (components x rows) array. A null text or a bad weight raises."""
    if isinstance(weights, str):
        return parse_weights(weights)
    if isinstance(weights, pa.ChunkedArray):
        weights = weights.chunk(0) if weights.num_chunks == 1 else weights.combine_chunks()
    elif isinstance(weights, np.ndarray):
        weights = pa.array(weights, type=_STRING)
    if weights.type != _STRING:
        weights = weights.cast(_STRING)
    if len(weights) != n:
        raise ValueError(f"ror_score: {len(weights)} weights texts for {n} rows")
    if weights.null_count:
        raise ValueError("ror_score weights must not be null")
    text = _constant_text(weights)
    if text is not None:
        return parse_weights(text)
    encoded = weights.dictionary_encode()
    table = np.array([parse_weights(t) for t in encoded.dictionary.to_pylist()])
    return np.ascontiguousarray(table[encoded.indices.to_numpy()].T)


@functools.lru_cache(maxsize=8)
def _weight_block_cached(weights: tuple[float, ...], n: int) -> np.ndarray:
    block = np.repeat(np.array(weights).reshape(len(weights), 1), n, axis=1)
    block.flags.writeable = False
    return block


def _weight_block(weights: tuple[float, ...], n: int) -> np.ndarray:
    """A read-only (components x n) block of constant weights (cached for vector sizes)."""
    if n <= _CACHED_ROWS:
        return _weight_block_cached(weights, n)
    return _weight_block_cached.__wrapped__(weights, n)


def ror_score_arrow(
    engagement: ArrowInput,
    sentiment: ArrowInput,
    reciprocity: ArrowInput,
    listening: ArrowInput,
    advocacy: ArrowInput,
    continuity: ArrowInput,
    realized_value: ArrowInput,
    weights: ArrowInput | str,
) -> pa.Array:
    """:func:`ror_score` over Arrow arrays (one row per element), vectorised with numpy.

    The seven components are float64 columns; ``weights`` is a text column of
    :func:`weights_text` texts (or one text for every row). For
    ``create_function(..., type='arrow', null_handling='special')``: null (and NaN)
    components are skipped as in the scalar version; a null text or a null, negative,
    infinite or NaN weight raises. The sums run left to right like the scalar loop, so both
    give the same floats. The weights may vary per row; the same text in every row (a
    constant SQL argument, the usual case) is cheaper.
    """
    columns = [
        _array(values)
        for values in (
            engagement,
            sentiment,
            reciprocity,
            listening,
            advocacy,
            continuity,
            realized_value,
        )
    ]
    n = len(columns[0])
    row_weights = _weights_argument(weights, n)
    if n == 0:
        return pa.array([], type=_FLOAT64)
    parts = [_parts(c) for c in columns]
    # components x rows, one copy of the seven value buffers (read-only)
    values = np.frombuffer(b"".join([data for data, _ in parts]), np.float64).reshape(_K, n)
    present = np.equal(values, values)  # NaN is missing, as in the scalar version
    bitmaps = [bitmap for _, bitmap in parts]
    if any(b is not None for b in bitmaps):
        nbytes = (n + 7) // 8
        every = b"\xff" * nbytes
        packed = np.frombuffer(b"".join([every if b is None else b for b in bitmaps]), np.uint8)
        valid = np.unpackbits(packed.reshape(_K, nbytes), axis=1, count=n, bitorder="little")
        np.logical_and(present, valid.view(np.bool_), out=present)
    if isinstance(row_weights, tuple):
        total = 0.0
        for weight in row_weights:
            total += weight
        block = _weight_block(row_weights, n)
        if math.isfinite(100.0 * total):  # no overflow possible: numpy stays silent
            return _combine(values, present, block, total)
        row_weights = block
    with np.errstate(all="ignore"):
        return _combine(values, present, row_weights, None)


def _combine(
    values: np.ndarray, present: np.ndarray, weights: np.ndarray, total: float | None
) -> pa.Array:
    """100 x sum(w x clip(v)) / sum(w) over the present cells of each column of ``values``.

    ``total``: the sum of the weights of a row when they are the same in every row, which is
    the denominator of every row when every component is present.
    """
    terms = np.fmax(values, 0.0)  # clip to [0, 1]; NaN -> 0 (and null slots' NaN)
    np.minimum(terms, 1.0, out=terms)
    if total is not None and present.all():
        used = weights
        denominator: np.ndarray | float = total
    else:
        used = np.multiply(present, weights)  # the weight where present, else 0
        denominator = np.add.reduce(used, axis=0, initial=0.0)
    np.multiply(terms, used, out=terms)  # 0 where missing, whatever the slot held
    # initial=0.0 and a reduction over the outer axis: ((0 + t0) + t1) + ..., the scalar sum
    numerator = np.add.reduce(terms, axis=0, initial=0.0)
    np.multiply(numerator, 100.0, out=numerator)
    scored = None
    if isinstance(denominator, float):
        if not denominator > 0.0:
            return pa.nulls(len(numerator), _FLOAT64)
        np.divide(numerator, denominator, out=numerator)
    elif denominator.min() > 0.0:
        np.divide(numerator, denominator, out=numerator)
    else:
        scored = np.greater(denominator, 0.0)
        np.divide(numerator, denominator, out=numerator, where=scored)
    np.minimum(numerator, 100.0, out=numerator)
    return _result(numerator, scored)


def decay_weight_arrow(age_days: ArrowInput, half_life_days: ArrowInput) -> pa.Array:
    """:func:`decay_weight` over Arrow arrays; null age -> null; half-life must be > 0."""
    ages = _array(age_days)
    n = len(ages)
    if n == 0:
        return pa.array([], type=_FLOAT64)
    half_lives = _array(half_life_days)
    data = _data(half_lives)
    half_life: float | np.ndarray | None = None
    if half_lives.null_count == 0:
        half_life = _constant("half_life_days", data)
    if half_life is not None:
        valid_half_life = 0.0 < half_life < math.inf
    else:
        half_life = _floats(half_lives)
        valid_half_life = bool((np.isfinite(half_life) & (half_life > 0.0)).all())
    if not valid_half_life:
        raise ValueError("half_life_days must be a finite number > 0")
    weight = np.maximum(np.frombuffer(_data(ages), np.float64), 0.0)  # NaN stays NaN
    np.divide(weight, half_life, out=weight)
    np.power(0.5, weight, out=weight)
    present = np.equal(weight, weight)  # a NaN age is null, as in the scalar version
    bitmap = _bitmap(ages)
    if bitmap is not None:
        valid = np.unpackbits(np.frombuffer(bitmap, np.uint8), count=n, bitorder="little")
        np.logical_and(present, valid.view(np.bool_), out=present)
    elif present.all():
        return _result(weight, None)
    return _result(weight, present)


# ------------------------------------------------------------------------------ stages


def lifecycle_stage(
    person_interactions: Number | None,
    orders: Number | None,
    advocacy_actions: Number | None,
    days_since_last_activity: Number | None,
    rules: StageRules = StageRules(),
) -> str:
    """Where the relationship stands; the first rule that matches wins.

    1. ``audience``: fewer person-initiated interactions than ``engaged_min_interactions``,
       no order and no advocacy action (follows, sees, never spoke up);
    2. ``lapsed``: was more than audience, but the last activity is more than
       ``lapsed_after_days`` old;
    3. ``advocate``: at least ``advocate_min_actions`` advocacy actions (shares, positive
       mentions and reviews, referrals);
    4. ``customer``: at least one order;
    5. ``engaged``: otherwise.

    Counts: null = 0. An unknown ``days_since_last_activity`` is not lapsed. The SQL macro
    ``ror_lifecycle_stage`` is the implementation the marts use (a CASE, portable, per
    row); this is its reference, tested to agree.
    """
    interactions = _count(person_interactions)
    bought = _count(orders)
    advocated = _count(advocacy_actions)
    if interactions < rules.engaged_min_interactions and bought <= 0 and advocated <= 0:
        return "audience"
    if (
        not _missing(days_since_last_activity)
        and float(days_since_last_activity) > rules.lapsed_after_days  # type: ignore[arg-type]
    ):
        return "lapsed"
    if advocated >= rules.advocate_min_actions:
        return "advocate"
    if bought > 0:
        return "customer"
    return "engaged"
