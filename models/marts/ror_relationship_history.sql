{#- One row per relationship x month, from the relationship's first month to the month of
    the latest data: the relationship as it stood at the end of the month (the latest
    month: at the as-of date), with its components and score; the score's trajectory
    (docs block ror_relationship_history). -#}

with

scored as (

    select * from {{ ref('int_relationships_scored') }}
    where snapshot_kind = 'month'

),

{# A relationship's month snapshots are every month from its first to the as-of date
   (int_relationships_scored), so the month before a row's is the one a month earlier.
   Joined, not lag(): a window over these rows carries every column through its sort,
   2.7 to 3.4 s alone at 10M events against 1.7 to 2.1 s for the join (CPU 5.3 to 6.6 s
   against 3.4 to 4.1 s; python -m ror.bench_model, the same rows). #}
with_change as (

    select
        scored.*,
        scored.ror_score - previous.ror_score as ror_score_change,
        previous.lifecycle_stage as previous_lifecycle_stage
    from scored
    left join scored as previous
        on
            scored.person_id = previous.person_id
            and scored.brand_id = previous.brand_id
            and scored.month_start
            = cast({{ dbt.dateadd('month', 1, 'previous.month_start') }} as date)

),

final as (

    select
        brand_id,
        {{ pseudonymize('person_id') }} as person_key,
        month_start,
        snapshot_date,
        snapshot_date = as_of_date as is_current_month,
        days_since_last_activity,
        {{ ror_bigint('person_interactions') }} as person_interactions,
        cast(engagement_points as {{ ror_type_double() }}) as engagement_points,
        cast(mean_sentiment as {{ ror_type_double() }}) as mean_sentiment,
        {{ ror_bigint('give_actions') }} as give_actions,
        {{ ror_bigint('take_actions') }} as take_actions,
        inbound_conversations,
        {{ ror_bigint('answered_conversations') }} as answered_conversations,
        cast(median_first_response_minutes as {{ ror_type_double() }})
            as median_first_response_minutes,
        {{ ror_bigint('shares') }} as shares,  -- noqa: RF04
        {{ ror_bigint('positive_mentions') }} as positive_mentions,
        referrals,
        cast(referred_revenue as {{ ror_type_double() }}) as referred_revenue,
        {{ ror_bigint('orders') }} as orders,
        cast(net_revenue as {{ ror_type_double() }}) as net_revenue,
        active_months,
        observed_months,
        cast(engagement_component as {{ ror_type_double() }}) as engagement_component,
        cast(sentiment_component as {{ ror_type_double() }}) as sentiment_component,
        cast(reciprocity_component as {{ ror_type_double() }}) as reciprocity_component,
        cast(listening_component as {{ ror_type_double() }}) as listening_component,
        cast(advocacy_component as {{ ror_type_double() }}) as advocacy_component,
        cast(continuity_component as {{ ror_type_double() }}) as continuity_component,
        cast(realized_value_component as {{ ror_type_double() }}) as realized_value_component,
        cast(ror_score as {{ ror_type_double() }}) as ror_score,
        cast(ror_score_change as {{ ror_type_double() }}) as ror_score_change,
        lifecycle_stage,
        previous_lifecycle_stage,
        ror_formula_version,
        ror_score_parameters
    from with_change

)

select * from final
