"""The short summary `ror refresh` prints: what the published BI database says.

Read-only, from the published BI file only (what a BI tool sees): per brand, its ROR (mean
and median score of its active relationships), how much of its referred revenue its top
advocates bring, how fast it answers (median first response) and its give/take ratio; then
the reconciliation of the landed rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

# Active relationships: the person acted within the lapse window (not lapsed) and did more
# than watch (not audience).
ACTIVE_STAGES = ("engaged", "customer", "advocate")

BRANDS_SQL = """
with

relationships as (
    select
        brand_id,
        count(*) as relationships,
        count(*) filter (where lifecycle_stage in {active}) as active,
        avg(ror_score) filter (where lifecycle_stage in {active}) as mean_score,
        median(ror_score) filter (where lifecycle_stage in {active}) as median_score,
        sum(referred_revenue) as referred_revenue,
        max(as_of_date) as as_of_date
    from marts.ror_relationships
    group by brand_id
),

advocates as (
    select
        brand_id,
        count(*) as advocates,
        sum(referred_revenue) as advocates_referred_revenue
    from marts.ror_advocates
    group by brand_id
),

conversations as (
    select
        brand_id,
        count(*) as conversations,
        count(*) filter (where is_answered) as answered,
        median(first_response_minutes) as median_first_response_minutes
    from marts.ror_conversations
    group by brand_id
),

give_take as (
    select
        brand_id,
        sum(give_actions) as give_actions,
        sum(take_actions) as take_actions
    from marts.ror_brand_daily
    group by brand_id
)

select
    relationships.brand_id,
    relationships.relationships,
    relationships.active,
    relationships.mean_score,
    relationships.median_score,
    relationships.referred_revenue,
    coalesce(advocates.advocates, 0),
    coalesce(advocates.advocates_referred_revenue, 0),
    coalesce(conversations.conversations, 0),
    coalesce(conversations.answered, 0),
    conversations.median_first_response_minutes,
    coalesce(give_take.give_actions, 0),
    coalesce(give_take.take_actions, 0),
    relationships.as_of_date
from relationships
left join advocates on relationships.brand_id = advocates.brand_id
left join conversations on relationships.brand_id = conversations.brand_id
left join give_take on relationships.brand_id = give_take.brand_id
order by relationships.mean_score desc nulls last, relationships.brand_id
""".format(active="(" + ", ".join(f"'{stage}'" for stage in ACTIVE_STAGES) + ")")


@dataclass(frozen=True)
class BrandSummary:
    brand_id: str
    relationships: int
    active: int
    mean_score: float | None
    median_score: float | None
    referred_revenue: float
    advocates: int
    advocates_referred_revenue: float
    conversations: int
    answered: int
    median_first_response_minutes: float | None
    give_actions: int
    take_actions: int
    as_of_date: object

    @property
    def advocates_share(self) -> float | None:
        if not self.referred_revenue or self.referred_revenue <= 0:
            return None
        return self.advocates_referred_revenue / self.referred_revenue

    @property
    def give_take_ratio(self) -> float | None:
        if not self.take_actions:
            return None
        return self.give_actions / self.take_actions


def brand_summaries(con: duckdb.DuckDBPyConnection) -> list[BrandSummary]:
    """One BrandSummary per brand with relationships, best mean ROR first."""
    rows = con.execute(BRANDS_SQL).fetchall()
    return [
        BrandSummary(
            brand_id=row[0],
            relationships=int(row[1]),
            active=int(row[2]),
            mean_score=row[3],
            median_score=row[4],
            referred_revenue=float(row[5] or 0),
            advocates=int(row[6]),
            advocates_referred_revenue=float(row[7] or 0),
            conversations=int(row[8]),
            answered=int(row[9]),
            median_first_response_minutes=row[10],
            give_actions=int(row[11]),
            take_actions=int(row[12]),
            as_of_date=row[13],
        )
        for row in rows
    ]


def _minutes(value: float | None) -> str:
    if value is None:
        return "never answered"
    if value < 90:
        return f"{value:.0f} min"
    if value < 48 * 60:
        return f"{value / 60:.1f} h"
    return f"{value / 1440:.1f} days"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _brand_line(brand: BrandSummary) -> str:
    ror = (
        f"ROR {_score(brand.mean_score)} mean / {_score(brand.median_score)} median "
        f"over {brand.active:,} active of {brand.relationships:,} relationships"
    )
    if brand.advocates_share is None:
        advocates = "no referred revenue"
    else:
        advocates = (
            f"top {brand.advocates} advocates bring {brand.advocates_share:.0%} of "
            f"${brand.referred_revenue:,.0f} referred revenue"
        )
    if brand.conversations:
        listening = (
            f"answers {brand.answered / brand.conversations:.0%} of {brand.conversations:,} "
            f"conversations, median first response {_minutes(brand.median_first_response_minutes)}"
        )
    else:
        listening = "no conversations"
    ratio = brand.give_take_ratio
    if ratio is None:
        give_take = f"give/take {brand.give_actions:,}:0 (no take)"
    else:
        give_take = f"give/take {ratio:.1f} ({brand.give_actions:,}:{brand.take_actions:,})"
    return f"  {brand.brand_id}: {ror}; {advocates}; {listening}; {give_take}"


def _has_marts(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' "
        "and table_name in ('ror_relationships', 'ror_advocates', 'ror_conversations', "
        "'ror_brand_daily')"
    ).fetchone()[0]
    return found == 4


def print_summary(bi: Path) -> None:
    con = duckdb.connect(str(bi), read_only=True)
    try:
        print(f"BI database: {bi}")
        if _has_marts(con):
            brands = brand_summaries(con)
            if brands:
                as_of = max(str(b.as_of_date) for b in brands)
                print(f"Return on Relationship as of {as_of}, {len(brands)} brands, best first:")
                for brand in brands:
                    print(_brand_line(brand))
                best = brands[0]
                if best.mean_score is not None and len(brands) > 1:
                    print(
                        f"Strongest relationships: {best.brand_id} "
                        f"(mean ROR {best.mean_score:.1f} of its active relationships)."
                    )
            else:
                print("No relationships in the marts yet.")
        landed, staged, quarantined, duplicate = con.execute(
            "select sum(rows_landed), sum(rows_staged), sum(rows_quarantined), "
            "sum(rows_duplicate) from ops.reconciliation"
        ).fetchone()
        print(
            f"rows landed {landed or 0:,}: staged {staged or 0:,}, quarantined "
            f"{quarantined or 0:,}, exact duplicates collapsed {duplicate or 0:,}"
        )
    finally:
        con.close()
