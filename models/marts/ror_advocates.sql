{#- One row per brand x person among the brand's top advocates (var ror_top_advocates,
    ranked by advocacy points as of the latest data): the reach they earned the brand,
    the people they referred and those people's revenue (docs block ror_advocates). -#}

{%- set s = ror_scales() -%}

with

relationships as (

    select * from {{ ref('int_relationships_scored') }}
    where
        snapshot_kind = 'month'
        and snapshot_date = as_of_date

),

pointed as (

    select
        *,
        shares
        + positive_mentions
        + {{ s['referral_points'] }} * referrals
        + referred_revenue / {{ s['referred_revenue_per_point'] }} as advocacy_points,
        {{ ror_exact_sum('referred_revenue', window='partition by brand_id') }}
            as brand_referred_revenue,
        {{ ror_exact_sum('reach_earned', window='partition by brand_id') }}
            as brand_reach_earned
    from relationships

),

ranked as (

    select
        *,
        row_number() over (
            partition by brand_id
            order by advocacy_points desc, referred_revenue desc, reach_earned desc, person_id asc
        ) as advocate_rank
    from pointed
    where advocacy_points > 0

),

final as (

    select
        brand_id,
        {{ pseudonymize('person_id') }} as person_key,
        advocate_rank,
        as_of_date,
        cast(advocacy_points as {{ ror_type_double() }}) as advocacy_points,
        {{ ror_bigint('shares') }} as shares,  -- noqa: RF04
        {{ ror_bigint('positive_mentions') }} as positive_mentions,
        referrals,
        cast(referred_revenue as {{ ror_type_double() }}) as referred_revenue,
        cast(reach_earned as {{ ror_type_double() }}) as reach_earned,
        {{ ror_ratio('referred_revenue', 'brand_referred_revenue') }}
            as share_of_brand_referred_revenue,
        {{ ror_ratio('reach_earned', 'brand_reach_earned') }} as share_of_brand_reach_earned,
        cast(brand_referred_revenue as {{ ror_type_double() }}) as brand_referred_revenue,
        cast(net_revenue as {{ ror_type_double() }}) as net_revenue,
        cast(advocacy_component as {{ ror_type_double() }}) as advocacy_component,
        cast(ror_score as {{ ror_type_double() }}) as ror_score,
        lifecycle_stage,
        ror_formula_version
    from ranked
    where advocate_rank <= {{ var('ror_top_advocates') }}

)

select * from final
