{#- One row per brand x ROR score decile: the relationships scored at the brand's value
    snapshot (int_relationships_scored, snapshot_kind value), cut into ten equal groups by
    score (1 = lowest), and their net revenue in the following var ror_value_horizon_days
    days, as far as the data reaches. Does ROR lead ROI? Read it down the deciles (docs
    block ror_value). Only brands with at least var ror_value_min_relationships scored
    relationships at the snapshot. -#}

{%- set horizon = var('ror_value_horizon_days') -%}

with

scored as (

    select * from {{ ref('int_relationships_scored') }}
    where
        snapshot_kind = 'value'
        and ror_score is not null

),

orders as (

    select * from {{ ref('int_orders_converted') }}
    where person_id is not null

),

counted as (

    select
        *,
        count(*) over (partition by brand_id) as brand_scored_relationships,
        cast({{ dbt.dateadd('day', horizon, 'snapshot_date') }} as date) as horizon_end_date
    from scored

),

deciles as (

    select
        *,
        ntile(10) over (partition by brand_id order by ror_score, person_id) as score_decile,
        case
            when horizon_end_date < as_of_date then horizon_end_date else as_of_date
        end as window_end_date
    from counted
    where brand_scored_relationships >= {{ var('ror_value_min_relationships') }}

),

following_revenue as (

    select
        deciles.brand_id,
        deciles.person_id,
        {{ ror_exact_sum('orders.net_revenue_usd') }} as revenue,
        sum(case when orders.status = 'completed' then 1 else 0 end) as orders
    from deciles
    inner join orders
        on
            deciles.person_id = orders.person_id
            and deciles.brand_id = orders.brand_id
            and deciles.snapshot_date < orders.order_date
            and deciles.window_end_date >= orders.order_date
    group by deciles.brand_id, deciles.person_id

),

per_relationship as (

    select
        deciles.brand_id,
        deciles.score_decile,
        deciles.snapshot_date,
        deciles.window_end_date,
        {{ dbt.datediff('deciles.snapshot_date', 'deciles.window_end_date', 'day') }}
            as window_days,
        deciles.ror_score,
        deciles.ror_formula_version,
        deciles.ror_score_parameters,
        coalesce(following_revenue.revenue, 0) as following_revenue,
        coalesce(following_revenue.orders, 0) as following_orders,
        case when following_revenue.revenue > 0 then 1 else 0 end as is_buying
    from deciles
    left join following_revenue
        on
            deciles.brand_id = following_revenue.brand_id
            and deciles.person_id = following_revenue.person_id

),

final as (

    select
        brand_id,
        score_decile,
        min(snapshot_date) as snapshot_date,
        min(window_end_date) as window_end_date,
        min(window_days) as window_days,
        count(*) as relationships,
        cast(min(ror_score) as {{ ror_type_double() }}) as min_ror_score,
        cast(max(ror_score) as {{ ror_type_double() }}) as max_ror_score,
        {{ ror_exact_avg('ror_score') }} as mean_ror_score,
        {{ ror_bigint('sum(is_buying)') }} as buying_relationships,
        {{ ror_ratio('sum(is_buying)', 'count(*)') }} as buying_share,
        {{ ror_bigint('sum(following_orders)') }} as following_orders,
        {{ ror_exact_sum('following_revenue') }} as following_revenue,
        {{ ror_ratio(ror_exact_sum('following_revenue'), 'count(*)') }}
            as following_revenue_per_relationship,
        min(ror_formula_version) as ror_formula_version,
        min(ror_score_parameters) as ror_score_parameters
    from per_relationship
    group by brand_id, score_decile

)

select * from final
