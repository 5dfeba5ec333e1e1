"""The visual ROR report: one self-contained HTML page per refresh, built from the BI database.

`build_report(bi, out)` opens the published BI database read-only (the marts and ops tables
`ror refresh` publishes), aggregates in SQL, and writes one HTML page: a brand summary table
and eight Altair (Vega-Lite) charts, each with a note on how to read it. Vega, Vega-Lite and
Vega-Embed are inlined (vl-convert-python's bundle), and the charts render as SVG in the
browser, so the page opens from a file with no network. tests/test_report.py renders it in
headless Chromium and checks that every chart drew.
"""

from __future__ import annotations

import contextlib
import datetime
import html
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import pandas as pd

from ror.loader import quote_literal
from ror.settings import DEFAULT_MEMORY_LIMIT

#: Faceted and per-brand charts show at most this many brands (the most relationships first).
TOP_BRANDS = 8
#: Advocates per brand in the advocates chart.
TOP_ADVOCATES = 10
#: The score's components, in the order of python_udfs.scoring.COMPONENTS.
COMPONENTS = (
    "engagement",
    "sentiment",
    "reciprocity",
    "listening",
    "advocacy",
    "continuity",
    "realized_value",
)
GIVE_TAKE_COLORS = alt.Scale(domain=["give", "take"], range=["#2a9d8f", "#e76f51"])


@dataclass(frozen=True)
class Section:
    """One chart of the report: its container id, title, how to read it, the Vega-Lite spec,
    and how many rows of data are behind it (0: the chart says there is no data)."""

    chart_id: str
    title: str
    caption: str
    spec: dict[str, Any]
    rows: int


@dataclass(frozen=True)
class Scope:
    """What every chart shares: the brands shown and the time grain of the trends."""

    brands: list[str]
    brand_count: int
    grain: str  # day, week or month
    as_of: str | None


def default_report_path(bi: Path) -> Path:
    """`reports/ror_report_<run id>.html` beside the BI database: one report per refresh."""
    bi = Path(bi)
    con = _connect(bi)
    try:
        row = con.execute(
            "select run_id from ops.refresh_runs where status = 'published' "
            "order by finished_at desc nulls last limit 1"
        ).fetchone()
    finally:
        con.close()
    run_id = row[0] if row else datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return bi.parent / "reports" / f"ror_report_{run_id}.html"


def build_report(bi: Path, out: Path) -> Path:
    """Write the report of the BI database `bi` to `out` (replaced whole) and return `out`."""
    bi, out = Path(bi), Path(out)
    con = _connect(bi)
    try:
        scope = _scope(con)
        header = _header(con, scope)
        kpis = _brand_kpis(con, scope)
        with alt.data_transformers.enable("default", max_rows=None):
            sections = [builder(con, scope) for builder in SECTIONS]
    finally:
        con.close()
    _write_whole(out, _page(bi, header, kpis, sections, scope))
    return out


def _write_whole(path: Path, text: str) -> None:
    """Write `text` to `path` whole: into a temporary file of this process beside it, synced,
    then renamed over it, so that a reader (or another writer) sees the old file or the new
    one, never a part. The temporary file is removed if the write fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------------------ reading


def _connect(bi: Path) -> duckdb.DuckDBPyConnection:
    """The BI database, read-only (a reader never blocks a publish: it swaps the file)."""
    if not Path(bi).exists():
        raise FileNotFoundError(f"no BI database at {bi}: run `ror refresh` first")
    return duckdb.connect(
        str(bi),
        read_only=True,
        config={
            "memory_limit": os.environ.get("ROR_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
            "threads": 2,
        },
    )


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _scope(con: duckdb.DuckDBPyConnection) -> Scope:
    brands = [
        row[0]
        for row in con.execute(
            "select brand_id from marts.dim_brands "
            "order by relationship_count desc nulls last, brand_id"
        ).fetchall()
    ]
    first, last = con.execute(
        "select min(activity_date), max(activity_date) from marts.ror_brand_daily"
    ).fetchone()
    span = (last - first).days if first is not None and last is not None else 0
    grain = "month" if span > 180 else "week" if span > 45 else "day"
    as_of = con.execute("select max(as_of_date) from marts.ror_relationships").fetchone()[0]
    return Scope(
        brands=brands[:TOP_BRANDS],
        brand_count=len(brands),
        grain=grain,
        as_of=as_of.isoformat() if as_of is not None else None,
    )


def _brand_filter(scope: Scope, column: str = "brand_id") -> str:
    if not scope.brands:
        return "false"
    return f"{column} in ({', '.join(quote_literal(b) for b in scope.brands)})"


def _header(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, Any]:
    run = con.execute(
        "select run_id, started_at, finished_at, status from ops.refresh_runs "
        "where status = 'published' order by finished_at desc nulls last limit 1"
    ).fetchone()
    formula = con.execute(
        "select string_agg(distinct ror_formula_version, ', '), any_value(ror_score_parameters) "
        "from marts.ror_relationships"
    ).fetchone()
    return {
        "run_id": run[0] if run else None,
        "published_at": str(run[2])[:19] if run and run[2] else None,
        "as_of": scope.as_of,
        "formula_version": formula[0] if formula else None,
        "parameters": formula[1] if formula else None,
    }


def _brand_kpis(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    return _df(
        con,
        f"""
        with relationships as (
            select
                brand_id,
                count(*) as relationships,
                count(*) filter (where lifecycle_stage = 'engaged') as engaged,
                count(*) filter (where lifecycle_stage = 'customer') as customers,
                count(*) filter (where lifecycle_stage = 'advocate') as advocates,
                count(*) filter (where lifecycle_stage = 'lapsed') as lapsed,
                avg(ror_score) as mean_ror_score,
                sum(give_actions) as give_actions,
                sum(take_actions) as take_actions,
                sum(referred_revenue) as referred_revenue,
                sum(net_revenue) as net_revenue
            from marts.ror_relationships
            where {_brand_filter(scope)}
            group by brand_id
        ),
        conversations as (
            select
                brand_id,
                count(*) as conversations,
                avg(case when is_answered then 1.0 else 0.0 end) as answered_share,
                median(first_response_minutes) as median_first_response_minutes
            from marts.ror_conversations
            group by brand_id
        )
        select
            r.*,
            r.give_actions / nullif(r.give_actions + r.take_actions, 0) as give_share,
            c.conversations,
            c.answered_share,
            c.median_first_response_minutes
        from relationships as r
        left join conversations as c using (brand_id)
        order by r.relationships desc, r.brand_id
        """,
    )


# ------------------------------------------------------------------------------ charts


def _no_data(title: str) -> dict[str, Any]:
    """A chart that draws the words 'no data' (so an empty mart is visible, not a blank)."""
    frame = pd.DataFrame({"message": [f"No data yet for {title.lower()}"]})
    chart = (
        alt.Chart(frame)
        .mark_text(size=16, color="#777")
        .encode(text="message:N")
        .properties(width=600, height=60)
    )
    return chart.to_dict()


def _section(
    chart_id: str,
    title: str,
    caption: str,
    frame: pd.DataFrame,
    make: Callable[[], alt.TopLevelMixin],
) -> Section:
    spec = make().to_dict() if len(frame) else _no_data(title)
    return Section(chart_id, title, caption, spec, len(frame))


def _period_axis(field: str, title: str, grain: str, periods: int) -> alt.X:
    """An x axis of periods given as ISO date strings: ordinal (one label per period) when
    there are few, else a UTC time axis."""
    if periods <= 36:
        return alt.X(
            f"{field}:O",
            title=title,
            sort="ascending",
            axis=alt.Axis(labelAngle=0 if periods <= 12 else -45),
        )
    unit = "utcyearmonth" if grain == "month" else "utcyearmonthdate"
    return alt.X(f"{field}:T", timeUnit=unit, title=title)


def _minutes_axis(largest: float) -> alt.Axis:
    """Readable ticks for a symlog axis of minutes: 1 min ... 1 week, up to the data."""
    ticks = [0, 1, 5, 15, 30, 60, 120, 240, 480, 1440, 2880, 10080, 43200]
    shown = [t for t in ticks if t <= max(largest, 1) * 1.5]
    return alt.Axis(values=shown, labelAngle=0)


def _ror_trend(con: duckdb.DuckDBPyConnection, scope: Scope) -> Section:
    monthly = _df(
        con,
        f"""
        select
            brand_id,
            strftime(month_start, '%Y-%m-%d') as month_start,
            avg(ror_score) as mean_ror_score,
            count(ror_score) as scored_relationships
        from marts.ror_relationship_history
        where {_brand_filter(scope)}
        group by all
        order by all
        """,
    )
    daily = _df(
        con,
        f"""
        select
            brand_id,
            strftime(date_trunc('{scope.grain}', activity_date), '%Y-%m-%d') as period,
            sum(mean_ror_score * scored_relationships) / nullif(sum(scored_relationships), 0)
                as mean_ror_score,
            sum(scored_relationships) as scored_relationship_days
        from marts.ror_brand_daily
        where {_brand_filter(scope)} and scored_relationships > 0
        group by all
        order by all
        """,
    )
    color = alt.Color("brand_id:N", title="brand", sort=scope.brands)
    score = alt.Y("mean_ror_score:Q", title="mean ROR score (0-100)", scale=alt.Scale(zero=True))

    def make() -> alt.TopLevelMixin:
        left = (
            alt.Chart(monthly, title="All relationships, end of each month")
            .mark_line(point=alt.OverlayMarkDef(size=60))
            .encode(
                x=_period_axis("month_start", "month", "month", monthly["month_start"].nunique()),
                y=score,
                color=color,
                tooltip=[
                    "brand_id",
                    "month_start",
                    alt.Tooltip("mean_ror_score:Q", format=".1f"),
                    "scored_relationships",
                ],
            )
            .properties(width=520, height=300)
        )
        right = (
            alt.Chart(daily, title=f"Relationships active that {scope.grain}")
            .mark_line(point=alt.OverlayMarkDef(size=40))
            .encode(
                x=_period_axis("period", scope.grain, scope.grain, daily["period"].nunique()),
                y=score,
                color=color,
                tooltip=[
                    "brand_id",
                    "period",
                    alt.Tooltip("mean_ror_score:Q", format=".1f"),
                    "scored_relationship_days",
                ],
            )
            .properties(width=520, height=300)
        )
        return alt.hconcat(left, right)

    return _section(
        "chart-ror-trend",
        "Each brand's ROR trend",
        "Left: the mean ROR score (0-100) of all the brand's relationships as they stood at the "
        "end of each month (ror_relationship_history). Right: the mean score of the people who "
        f"acted toward the brand in each {scope.grain}, weighted by day (ror_brand_daily). A "
        "rising line means relationships are getting healthier; the right line moves first.",
        monthly,
        make,
    )


def _components(con: duckdb.DuckDBPyConnection, scope: Scope) -> Section:
    # One pass over the relationships, each row's weights read from its parameters text
    # (parsed once per distinct text); the brands' means are then turned into one row per
    # component. At 10M events (815k relationships) 0.23 s; a row per relationship and
    # component with its weight parsed from JSON each time, and a window over them, 1.69 s.
    weights = ",\n".join(
        f"cast(json_extract_string(ror_score_parameters, '$.weights.{name}') as double)"
        f" as {name}_weight"
        for name in COMPONENTS
    )
    applicable = " + ".join(  # a null weight counts as none, as sum() skips it
        f"case when scored.{name}_component is not null"
        f" then coalesce(parameters.{name}_weight, 0) else 0 end"
        for name in COMPONENTS
    )
    means = ",\n".join(
        f"avg(100 * {name}_weight * coalesce({name}_component, 0) / applicable_weight)"
        f" as {name}_points, avg({name}_component) as {name}_mean"
        for name in COMPONENTS
    )
    rows = "\n        union all\n".join(
        f"select brand_id, '{name}' as component, {name}_points as points,"
        f" {name}_mean as mean_component from brands"
        for name in COMPONENTS
    )
    frame = _df(
        con,
        f"""
        with scored as (
            select * from marts.ror_relationships
            where ror_score is not null and {_brand_filter(scope)}
        ),
        parameters as (
            select ror_score_parameters, {weights}
            from (select distinct ror_score_parameters from scored)
        ),
        weighted as (
            select
                scored.*,
                parameters.* exclude (ror_score_parameters),
                nullif({applicable}, 0) as applicable_weight
            from scored
            inner join parameters
                on scored.ror_score_parameters is not distinct from parameters.ror_score_parameters
        ),
        brands as (
            select brand_id, {means}
            from weighted
            group by brand_id
        )
        {rows}
        order by all
        """,
    )
    order = {name: i for i, name in enumerate(COMPONENTS)}
    frame["component_order"] = frame["component"].map(order)

    def make() -> alt.TopLevelMixin:
        bars = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                y=alt.Y("brand_id:N", title="brand", sort=scope.brands),
                x=alt.X("sum(points):Q", title="points of the mean ROR score (0-100)"),
                color=alt.Color(
                    "component:N", sort=list(COMPONENTS), scale=alt.Scale(scheme="tableau10")
                ),
                order=alt.Order("component_order:Q"),
                tooltip=[
                    "brand_id",
                    "component",
                    alt.Tooltip("points:Q", format=".2f"),
                    alt.Tooltip("mean_component:Q", format=".2f", title="mean component 0-1"),
                ],
            )
            .properties(width=1000, height=max(60, 36 * frame["brand_id"].nunique()))
        )
        return bars

    return _section(
        "chart-components",
        "What the score is made of",
        "Each bar is a brand's mean ROR score split into the seven components' points: a "
        "component's weight times its value (0-1), over the weights of the components that "
        "apply to the relationship (docs block ror_score_formula). The segments add up to the "
        "mean score; a short segment is where the brand can gain most.",
        frame,
        make,
    )


def _give_take(con: duckdb.DuckDBPyConnection, scope: Scope) -> Section:
    frame = _df(
        con,
        f"""
        with periods as (
            select
                brand_id,
                strftime(date_trunc('{scope.grain}', activity_date), '%Y-%m-%d') as period,
                sum(give_actions) as give,
                sum(take_actions) as take
            from marts.ror_brand_daily
            where {_brand_filter(scope)}
            group by all
            having sum(give_actions) + sum(take_actions) > 0
        )
        unpivot periods on give, take into name action_class value actions
        order by all
        """,
    )
    frame["signed_actions"] = frame["actions"].where(
        frame["action_class"] == "give", -frame["actions"]
    )

    def make() -> alt.TopLevelMixin:
        return (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=_period_axis("period", scope.grain, scope.grain, frame["period"].nunique()),
                y=alt.Y("signed_actions:Q", title="brand actions (give up, take down)"),
                color=alt.Color("action_class:N", title="class", scale=GIVE_TAKE_COLORS),
                tooltip=["brand_id", "period", "action_class", "actions"],
            )
            .properties(width=250, height=180)
            .facet(facet=alt.Facet("brand_id:N", title=None, sort=scope.brands), columns=4)
        )

    return _section(
        "chart-give-take",
        "Give versus take",
        f"Per brand and {scope.grain}: actions aimed at people that give (answers, help, "
        "content; up, green) against those that take (promotions, asks; down, orange), from "
        "seed ror_brand_action_classes. A brand earns ROR with more give than take.",
        frame,
        make,
    )


def _response_times(con: duckdb.DuckDBPyConnection, scope: Scope) -> Section:
    frame = _df(
        con,
        f"""
        select
            brand_id,
            count(*) as conversations,
            count(*) filter (where is_answered) as answered,
            avg(case when is_answered then 1.0 else 0.0 end) as answered_share,
            quantile_cont(first_response_minutes, 0.1) as p10,
            quantile_cont(first_response_minutes, 0.25) as p25,
            quantile_cont(first_response_minutes, 0.5) as median,
            quantile_cont(first_response_minutes, 0.75) as p75,
            quantile_cont(first_response_minutes, 0.9) as p90
        from marts.ror_conversations
        where {_brand_filter(scope)}
        group by brand_id
        order by brand_id
        """,
    )
    y = alt.Y("brand_id:N", title="brand", sort=scope.brands)
    minutes = alt.Scale(type="symlog")
    tooltip = [
        "brand_id",
        "conversations",
        "answered",
        alt.Tooltip("answered_share:Q", format=".0%"),
        alt.Tooltip("median:Q", format=".1f", title="median minutes"),
        alt.Tooltip("p90:Q", format=".1f", title="p90 minutes"),
    ]

    def make() -> alt.TopLevelMixin:
        base = alt.Chart(frame).encode(y=y, tooltip=tooltip)
        answered = frame.dropna(subset=["median"])
        times = alt.Chart(answered).encode(y=y, tooltip=tooltip)
        whisker = times.mark_rule(color="#555").encode(
            x=alt.X(
                "p10:Q",
                title="minutes to first response (p10-p90, box p25-p75)",
                scale=minutes,
                axis=_minutes_axis(float(answered["p90"].max() or 0)),
            ),
            x2="p90:Q",
        )
        box = times.mark_bar(size=14, color="#8ecae6").encode(x="p25:Q", x2="p75:Q")
        median = times.mark_tick(color="#023047", thickness=3, size=18).encode(x="median:Q")
        left = (whisker + box + median).properties(
            width=560, height=max(60, 32 * len(frame)), title="How fast the brand answered"
        )
        right = (
            base.mark_bar(color="#219ebc")
            .encode(
                x=alt.X(
                    "answered_share:Q",
                    title="answered share",
                    axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1]),
                )
            )
            .properties(
                width=360, height=max(60, 32 * len(frame)), title="How often the brand answered"
            )
        )
        return alt.hconcat(left, right)

    return _section(
        "chart-response-times",
        "Listening: response times",
        "Left: minutes from a person's first message to the brand's first response, over the "
        "answered conversations (ror_conversations): the box holds the middle half, the tick "
        "is the median, the line runs from the 10th to the 90th percentile (symlog scale). "
        "Right: the share of conversations the brand answered at all.",
        frame,
        make,
    )


def _advocates(con: duckdb.DuckDBPyConnection, scope: Scope) -> Section:
    frame = _df(
        con,
        f"""
        select
            brand_id,
            advocate_rank,
            '#' || advocate_rank || ' ' || left(person_key, 8) as advocate,
            advocacy_points,
            shares,
            positive_mentions,
            referrals,
            referred_revenue,
            reach_earned,
            lifecycle_stage
        from marts.ror_advocates
        where advocate_rank <= {TOP_ADVOCATES} and {_brand_filter(scope)}
        order by brand_id, advocate_rank
        """,
    )

    def make() -> alt.TopLevelMixin:
        return (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                y=alt.Y("advocate:N", title=None, sort=alt.EncodingSortField("advocate_rank")),
                x=alt.X("advocacy_points:Q", title="advocacy points"),
                color=alt.Color(
                    "referred_revenue:Q",
                    title="referred revenue (USD)",
                    scale=alt.Scale(scheme="goldgreen"),
                ),
                tooltip=[
                    "brand_id",
                    "advocate",
                    "advocacy_points",
                    "shares",
                    "positive_mentions",
                    "referrals",
                    alt.Tooltip("referred_revenue:Q", format="$,.0f"),
                    alt.Tooltip("reach_earned:Q", format=",.0f"),
                    "lifecycle_stage",
                ],
            )
            .properties(width=250, height=200)
            .facet(facet=alt.Facet("brand_id:N", title=None, sort=scope.brands), columns=4)
            .resolve_scale(y="independent")
        )

    return _section(
        "chart-advocates",
        "Top advocates",
        f"Each brand's top {TOP_ADVOCATES} advocates (ror_advocates; pseudonymous keys, never "
        "names) by advocacy points: shares, positive mentions and reviews, referrals and the "
        "revenue of the people referred. The colour is the revenue they brought.",
        frame,
        make,
    )


def _referred_revenue(con: duckdb.DuckDBPyConnection, scope: Scope) -> Section:
    frame = _df(
        con,
        f"""
        with totals as (
            select brand_id, sum(referred_revenue) as total, sum(referrals) as referrals
            from marts.ror_relationships
            where {_brand_filter(scope)}
            group by brand_id
        ),
        top as (
            select brand_id, sum(referred_revenue) as top_advocates
            from marts.ror_advocates
            where advocate_rank <= {TOP_ADVOCATES}
            group by brand_id
        ),
        split as (
            select
                t.brand_id,
                t.referrals,
                coalesce(top.top_advocates, 0) as top_advocates,
                greatest(t.total - coalesce(top.top_advocates, 0), 0) as other_relationships
            from totals as t
            left join top using (brand_id)
        )
        unpivot split on top_advocates, other_relationships into name referred_by value revenue
        order by all
        """,
    )
    frame["referred_by"] = frame["referred_by"].str.replace("_", " ")

    def make() -> alt.TopLevelMixin:
        bars = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                y=alt.Y("brand_id:N", title="brand", sort=scope.brands),
                x=alt.X(
                    "sum(revenue):Q", title="referred revenue (USD)", axis=alt.Axis(format="$,.0f")
                ),
                color=alt.Color(
                    "referred_by:N",
                    title="referred by",
                    scale=alt.Scale(range=["#ffb703", "#8ecae6"]),
                ),
                tooltip=[
                    "brand_id",
                    "referred_by",
                    alt.Tooltip("revenue:Q", format="$,.2f"),
                    alt.Tooltip("referrals:Q", title="people referred"),
                ],
            )
        )
        labels = (
            alt.Chart(frame)
            .mark_text(align="left", dx=4, color="#333")
            .encode(
                y=alt.Y("brand_id:N", sort=scope.brands),
                x=alt.X("sum(revenue):Q"),
                text=alt.Text("sum(revenue):Q", format="$,.0f"),
            )
        )
        return (bars + labels).properties(
            width=900, height=max(60, 36 * frame["brand_id"].nunique())
        )

    return _section(
        "chart-referred-revenue",
        "Referred revenue",
        "Net revenue (USD) of the people each brand's relationships referred "
        f"(ror_relationships), split into what its top {TOP_ADVOCATES} advocates brought and "
        "what everyone else did. A customer impressed enough to bring a friend is worth "
        "another sale.",
        frame,
        make,
    )


def _content_rates(con: duckdb.DuckDBPyConnection, scope: Scope) -> Section:
    frame = _df(
        con,
        """
        with by_type as (
            select
                coalesce(lower(post_type), 'unknown') as post_type,
                count(*) as posts,
                sum(comments) / count(*) as conversation,
                sum(shares) / count(*) as amplification,
                sum(likes) / count(*) as applause
            from marts.ror_content
            group by all
        )
        unpivot by_type on conversation, amplification, applause into name rate value per_post
        order by all
        """,
    )

    def make() -> alt.TopLevelMixin:
        return (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                y=alt.Y("post_type:N", title="post type"),
                x=alt.X("per_post:Q", title="per post"),
                color=alt.Color(
                    "rate:N",
                    title="rate",
                    legend=None,
                    sort=["conversation", "amplification", "applause"],
                    scale=alt.Scale(range=["#6a4c93", "#1982c4", "#8ac926"]),
                ),
                tooltip=["post_type", "rate", alt.Tooltip("per_post:Q", format=".2f"), "posts"],
            )
            .properties(width=300, height=max(80, 24 * frame["post_type"].nunique()))
            .facet(
                column=alt.Column(
                    "rate:N", title=None, sort=["conversation", "amplification", "applause"]
                )
            )
            .resolve_scale(x="independent")
        )

    return _section(
        "chart-content-rates",
        "Content rates by post type",
        "Kaushik's rates per post, by post type over every brand's posts (ror_content; docs "
        "block kaushik_rates): conversation = comments per post, amplification = shares per "
        "post, applause = likes per post. Each panel has its own scale. Insights posts "
        "carry lifetime totals, so they dwarf posts counted from events.",
        frame,
        make,
    )


def _value_deciles(con: duckdb.DuckDBPyConnection, scope: Scope) -> Section:
    frame = _df(
        con,
        f"""
        select
            brand_id,
            score_decile,
            relationships,
            mean_ror_score,
            following_revenue,
            following_revenue_per_relationship,
            buying_share,
            window_days,
            strftime(snapshot_date, '%Y-%m-%d') as snapshot_date
        from marts.ror_value
        where {_brand_filter(scope)}
        order by brand_id, score_decile
        """,
    )
    overall = (
        frame.groupby("score_decile", as_index=False)
        .agg(following_revenue=("following_revenue", "sum"), relationships=("relationships", "sum"))
        .assign(per_relationship=lambda d: d["following_revenue"] / d["relationships"])
    )
    window = int(frame["window_days"].max()) if len(frame) else 0

    def make() -> alt.TopLevelMixin:
        x = alt.X(
            "score_decile:O",
            title="ROR score decile at the snapshot (1 = lowest)",
            axis=alt.Axis(labelAngle=0),
        )
        bars = (
            alt.Chart(overall)
            .mark_bar(color="#d9d9d9")
            .encode(
                x=x,
                y=alt.Y(
                    "per_relationship:Q",
                    title=f"revenue per relationship, next {window} days (USD)",
                ),
                tooltip=[
                    alt.Tooltip("score_decile:O", title="decile"),
                    alt.Tooltip("per_relationship:Q", format="$,.2f", title="all brands"),
                    "relationships",
                ],
            )
        )
        lines = (
            alt.Chart(frame)
            .mark_line(point=True)
            .encode(
                x=x,
                y="following_revenue_per_relationship:Q",
                color=alt.Color("brand_id:N", title="brand", sort=scope.brands),
                tooltip=[
                    "brand_id",
                    "score_decile",
                    "relationships",
                    alt.Tooltip("mean_ror_score:Q", format=".1f"),
                    alt.Tooltip("following_revenue_per_relationship:Q", format="$,.2f"),
                    alt.Tooltip("buying_share:Q", format=".0%"),
                    "snapshot_date",
                ],
            )
        )
        return (bars + lines).properties(width=1000, height=320)

    return _section(
        "chart-value-deciles",
        "Does ROR lead ROI? Score decile against the revenue that followed",
        "Relationships ranked into deciles of their ROR score at a snapshot, against their net "
        f"revenue in the following {window or 'N'} days (ror_value; at most var "
        "ror_value_horizon_days, 90 by default, fewer when the data ends sooner): grey bars "
        "for all the "
        "brands together, a line per brand. If the score leads revenue the bars rise to the "
        "right.",
        frame,
        make,
    )


SECTIONS: tuple[Callable[[duckdb.DuckDBPyConnection, Scope], Section], ...] = (
    _ror_trend,
    _components,
    _give_take,
    _response_times,
    _advocates,
    _referred_revenue,
    _content_rates,
    _value_deciles,
)


# ------------------------------------------------------------------------------ the page


def _fmt(value: Any, kind: str = "int") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "score":
        return f"{float(value):.1f}"
    if kind == "share":
        return f"{float(value):.0%}"
    if kind == "minutes":
        return f"{float(value):,.1f}"
    if kind == "usd":
        return f"${float(value):,.0f}"
    return html.escape(str(value))


KPI_COLUMNS = (
    ("brand_id", "brand", "text"),
    ("relationships", "relationships", "int"),
    ("engaged", "engaged", "int"),
    ("customers", "customers", "int"),
    ("advocates", "advocates", "int"),
    ("lapsed", "lapsed", "int"),
    ("mean_ror_score", "mean ROR score", "score"),
    ("give_share", "give share", "share"),
    ("conversations", "conversations", "int"),
    ("answered_share", "answered", "share"),
    ("median_first_response_minutes", "median first response (min)", "minutes"),
    ("referred_revenue", "referred revenue", "usd"),
    ("net_revenue", "own net revenue", "usd"),
)


def _kpi_table(kpis: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label, _ in KPI_COLUMNS)
    rows = []
    for record in kpis.to_dict("records"):
        cells = "".join(
            f"<td class='{kind}'>{_fmt(record.get(column), kind)}</td>"
            for column, _, kind in KPI_COLUMNS
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f"<table class='kpis'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _json_for_script(value: Any) -> str:
    """JSON safe inside a <script> element (no `</script>`, no `<!--`)."""
    return json.dumps(value, default=str).replace("<", "\\u003c").replace(">", "\\u003e")


def _cache_dir() -> Path:
    """The user's cache folder for ror ($XDG_CACHE_HOME/ror, else ~/.cache/ror)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ror"


# The last line of a cached bundle that was written whole.
_BUNDLE_COMPLETE = "\n// ror: the whole bundle\n"


def _vega_bundle(cache_dir: Path) -> tuple[str, str]:
    """The Vega + Vega-Lite + Vega-Embed JavaScript bundle, and its Vega-Lite version.

    vl-convert takes 1.2 s to bundle it (a nightly at 10M events: a fifth of the report),
    the same text every time for one vl-convert and Vega-Lite version: it is kept in
    `cache_dir` under a name holding both, and bundled again when that file is missing or
    does not end with the line written after the whole bundle."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    version = vl_version_for_vl_convert()
    cached = cache_dir / f"vega-bundle-{vlc.__version__}-{version}.js"
    with contextlib.suppress(OSError, ValueError):  # missing, unreadable, not UTF-8
        text = cached.read_text(encoding="utf-8")
        if text.endswith(_BUNDLE_COMPLETE):  # else cut short or not ours: made again below
            return text.removesuffix(_BUNDLE_COMPLETE), version
    bundle = vlc.javascript_bundle(vl_version=version)
    with contextlib.suppress(OSError):  # an unwritable cache costs the next report 1.2 s
        _write_whole(cached, bundle + _BUNDLE_COMPLETE)
    return bundle, version


PAGE_SCRIPT = """
(function () {
  const specs = JSON.parse(document.getElementById("ror-specs").textContent);
  const ids = Object.keys(specs);
  const status = document.getElementById("render-status");
  const done = ids.map(function (id) {
    return vegaEmbed("#" + id, specs[id], {renderer: "svg", actions: false})
      .then(function () { document.getElementById(id).dataset.rendered = "true"; });
  });
  Promise.all(done).then(function () {
    document.body.dataset.chartsRendered = String(ids.length);
    status.textContent = "";
  }).catch(function (error) {
    document.body.dataset.renderError = String(error);
    status.textContent = "A chart failed to render: " + error;
    console.error("ROR report: a chart failed to render:", error);
  });
})();
"""

PAGE_STYLE = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 0; color: #1d2a33; background: #fff; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { margin: 0 0 4px; font-size: 28px; }
h2 { margin: 36px 0 6px; font-size: 20px; border-top: 1px solid #e3e7ea; padding-top: 20px; }
p.meta { margin: 0; color: #5b6b77; font-size: 14px; }
p.caption { margin: 0 0 12px; color: #3d4d59; font-size: 14px; max-width: 1000px; }
table.kpis { border-collapse: collapse; font-size: 13px; margin-top: 16px; width: 100%; }
table.kpis th { text-align: right; border-bottom: 2px solid #1d2a33; padding: 4px 6px;
                font-weight: 600; }
table.kpis th:first-child, table.kpis td.text { text-align: left; }
table.kpis td { text-align: right; border-bottom: 1px solid #e3e7ea; padding: 4px 6px; }
div.chart { min-height: 80px; }
#render-status { color: #b00020; }
footer { margin-top: 40px; color: #5b6b77; font-size: 12px; }
"""


def _page(
    bi: Path, header: dict[str, Any], kpis: pd.DataFrame, sections: list[Section], scope: Scope
) -> str:
    bundle, vl_version = _vega_bundle(_cache_dir())
    specs = {section.chart_id: section.spec for section in sections}
    shown = (
        f"all {scope.brand_count} brands"
        if scope.brand_count <= len(scope.brands)
        else f"the {len(scope.brands)} brands with the most relationships (of {scope.brand_count})"
    )
    body = []
    for section in sections:
        body.append(
            f"<section><h2>{html.escape(section.title)}</h2>"
            f"<p class='caption'>{html.escape(section.caption)}</p>"
            f"<div class='chart' id='{section.chart_id}' data-rows='{section.rows}'></div>"
            "</section>"
        )
    e = html.escape
    built = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ROR report {e(str(header["run_id"] or ""))}</title>
<style>{PAGE_STYLE}</style>
<script>
// Vega, Vega-Lite ({e(vl_version)}) and Vega-Embed, inlined: the page needs no network.
{bundle}
</script>
</head>
<body>
<main>
<h1>Return on Relationship</h1>
<p class="meta">Refresh {e(str(header["run_id"] or "unknown"))}, published
{e(str(header["published_at"] or "unknown"))} UTC &middot; data as of
{e(str(header["as_of"] or "unknown"))} &middot; ROR formula
{e(str(header["formula_version"] or "unknown"))} &middot; showing {e(shown)}</p>
<p id="render-status"></p>
{_kpi_table(kpis)}
{"".join(body)}
<footer>Built {e(built)} from {e(bi.name)} (read-only). Weights and scales of the score:
<code>{e(str(header["parameters"] or ""))}</code>. Person keys are salted hashes.</footer>
</main>
<script type="application/json" id="ror-specs">{_json_for_script(specs)}</script>
<script>{PAGE_SCRIPT}</script>
</body>
</html>
"""
