{#- One row per relationship (person x brand) as of the latest data: its measures, the
    seven components, the ROR score and the lifecycle stage (docs block
    ror_relationships). -#}

with

scored as (

    select * from {{ ref('int_relationships_scored') }}
    where
        snapshot_kind = 'month'
        and snapshot_date = as_of_date

),

relationships as (

    select * from {{ ref('int_relationships_spanned') }}

),

final as (

    select
        scored.brand_id,
        {{ pseudonymize('scored.person_id') }} as person_key,
        scored.as_of_date,
        relationships.first_seen_at,
        relationships.first_activity_at,
        relationships.last_activity_at,
        relationships.first_activity_channel,
        relationships.last_activity_channel,
        relationships.channels_used,
        relationships.is_crm_customer,
        scored.days_since_last_activity,
        {{ ror_bigint('scored.person_interactions') }} as person_interactions,
        {{ ror_bigint('scored.brand_actions') }} as brand_actions,
        cast(scored.engagement_points as {{ ror_type_double() }}) as engagement_points,
        cast(scored.mean_sentiment as {{ ror_type_double() }}) as mean_sentiment,
        {{ ror_bigint('scored.sentiment_observations') }} as sentiment_observations,
        {{ ror_bigint('scored.give_actions') }} as give_actions,
        {{ ror_bigint('scored.take_actions') }} as take_actions,
        scored.inbound_conversations,
        {{ ror_bigint('scored.answered_conversations') }} as answered_conversations,
        cast(scored.median_first_response_minutes as {{ ror_type_double() }})
            as median_first_response_minutes,
        {{ ror_bigint('scored.shares') }} as shares,  -- noqa: RF04
        {{ ror_bigint('scored.positive_mentions') }} as positive_mentions,
        scored.referrals,
        cast(scored.referred_revenue as {{ ror_type_double() }}) as referred_revenue,
        cast(scored.reach_earned as {{ ror_type_double() }}) as reach_earned,
        {{ ror_bigint('scored.orders') }} as orders,
        cast(scored.net_revenue as {{ ror_type_double() }}) as net_revenue,
        scored.active_months,
        scored.observed_months,
        {{ ror_bigint('scored.advocacy_actions') }} as advocacy_actions,
        cast(scored.engagement_component as {{ ror_type_double() }}) as engagement_component,
        cast(scored.sentiment_component as {{ ror_type_double() }}) as sentiment_component,
        cast(scored.reciprocity_component as {{ ror_type_double() }}) as reciprocity_component,
        cast(scored.listening_component as {{ ror_type_double() }}) as listening_component,
        cast(scored.advocacy_component as {{ ror_type_double() }}) as advocacy_component,
        cast(scored.continuity_component as {{ ror_type_double() }}) as continuity_component,
        cast(scored.realized_value_component as {{ ror_type_double() }})
            as realized_value_component,
        cast(scored.ror_score as {{ ror_type_double() }}) as ror_score,
        scored.lifecycle_stage,
        scored.ror_formula_version,
        scored.ror_score_parameters
    from scored
    inner join relationships
        on
            scored.person_id = relationships.person_id
            and scored.brand_id = relationships.brand_id

)

select * from final
