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

import math
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
    "realized_value_component",
    "reciprocity_component",
    "ror_score",
    "ror_score_arrow",
    "saturate",
    "sentiment_component",
    "weights_from_mapping",
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

ArrowInput = pa.Array | pa.ChunkedArray | np.ndarray


def _floats(values: ArrowInput) -> np.ndarray:
    """A float64 numpy array of ``values``, null -> NaN."""
    if isinstance(values, np.ndarray):
        return values.astype(np.float64, copy=False)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_floating(values.type):
        values = values.cast(pa.float64())
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)


def _result(values: np.ndarray, null: np.ndarray) -> pa.Array:
    return pa.array(values, type=pa.float64(), mask=null if null.any() else None)


def ror_score_arrow(
    engagement: ArrowInput,
    sentiment: ArrowInput,
    reciprocity: ArrowInput,
    listening: ArrowInput,
    advocacy: ArrowInput,
    continuity: ArrowInput,
    realized_value: ArrowInput,
    w_engagement: ArrowInput,
    w_sentiment: ArrowInput,
    w_reciprocity: ArrowInput,
    w_listening: ArrowInput,
    w_advocacy: ArrowInput,
    w_continuity: ArrowInput,
    w_realized_value: ArrowInput,
) -> pa.Array:
    """:func:`ror_score` over Arrow arrays (one row per element), vectorised with numpy.

    For ``create_function(..., type='arrow', null_handling='special')``: null components
    are skipped as in the scalar version; a null, negative or infinite weight raises.
    """
    values = np.column_stack(
        [
            _floats(a)
            for a in (
                engagement,
                sentiment,
                reciprocity,
                listening,
                advocacy,
                continuity,
                realized_value,
            )
        ]
    )
    weights = np.column_stack(
        [
            _floats(a)
            for a in (
                w_engagement,
                w_sentiment,
                w_reciprocity,
                w_listening,
                w_advocacy,
                w_continuity,
                w_realized_value,
            )
        ]
    )
    bad = ~(np.isfinite(weights) & (weights >= 0.0))
    if bad.any():
        row, column = (int(i[0]) for i in np.nonzero(bad))
        raise ValueError(
            f"weight of {COMPONENTS[column]} must be a finite number >= 0, "
            f"got {weights[row, column]!r}"
        )
    present = ~np.isnan(values)
    used = np.where(present, weights, 0.0)
    clipped = np.clip(np.where(present, values, 0.0), 0.0, 1.0)
    # Summed left to right like the scalar loop, so both give the same floats.
    numerator = np.zeros(len(values))
    denominator = np.zeros(len(values))
    for column in range(len(COMPONENTS)):
        numerator += used[:, column] * clipped[:, column]
        denominator += used[:, column]
    null = denominator <= 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.clip(100.0 * numerator / np.where(null, 1.0, denominator), 0.0, 100.0)
    return _result(np.where(null, 0.0, score), null)


def decay_weight_arrow(age_days: ArrowInput, half_life_days: ArrowInput) -> pa.Array:
    """:func:`decay_weight` over Arrow arrays; null age -> null; half-life must be > 0."""
    age = _floats(age_days)
    half_life = _floats(half_life_days)
    if not (np.isfinite(half_life) & (half_life > 0.0)).all():
        raise ValueError("half_life_days must be a finite number > 0")
    null = np.isnan(age)
    weight = np.power(0.5, np.maximum(np.where(null, 0.0, age), 0.0) / half_life)
    return _result(weight, null)


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
