{#- Daily relationship facts as BI tools may see them: one row per relationship (person x
    brand) x channel x day with any activity between them (int_relationships_daily), the
    person as a pseudonymous key. Additive over days and channels. -#}

with

daily as (

    select * from {{ ref('int_relationships_daily') }}

),

final as (

    select
        brand_id,
        {{ pseudonymize('person_id') }} as person_key,
        channel,
        activity_date,
        {{ ror_bigint('person_interactions') }} as person_interactions,
        cast(engagement_points as {{ ror_type_double() }}) as engagement_points,
        {{ ror_bigint('brand_actions') }} as brand_actions,
        {{ ror_bigint('give_actions') }} as give_actions,
        {{ ror_bigint('take_actions') }} as take_actions,
        {{ ror_bigint('shares') }} as shares,  -- noqa: RF04
        {{ ror_bigint('likes') }} as likes,
        {{ ror_bigint('comments') }} as comments,  -- noqa: RF04
        {{ ror_bigint('mentions_and_reviews') }} as mentions_and_reviews,
        {{ ror_bigint('positive_mentions') }} as positive_mentions,
        {{ ror_bigint('referral_events') }} as referral_events,
        {{ ror_bigint('orders_placed') }} as orders_placed,
        {{ ror_bigint('sentiment_count') }} as sentiment_count,
        cast(sentiment_sum as {{ ror_type_double() }}) as sentiment_sum,
        cast(reach_earned as {{ ror_type_double() }}) as reach_earned
    from daily
    where brand_id is not null

)

select * from final
