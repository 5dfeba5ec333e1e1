{#- Daily relationship facts: one row per person x brand x channel x day, the identities'
    daily activity (int_identity_activity_daily) added up into the person they resolve
    to, with the kind weights and give/take classes of the seeds applied. Every measure
    is additive over days and channels. -#}

with

activity as (

    select * from {{ ref('int_identity_activity_daily') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

kinds as (

    select * from {{ ref('ror_interaction_kinds') }}

),

brand_action_classes as (

    select * from {{ ref('ror_brand_action_classes') }}

),

classified as (

    select
        identities.person_id,
        activity.*,
        coalesce(kinds.engagement_weight, 0) as engagement_weight,
        coalesce(kinds.is_advocacy, false) as is_advocacy,
        brand_action_classes.give_take
    from activity
    inner join identities
        on activity.identity_key = identities.identity_key
    left join kinds
        on activity.kind = kinds.kind
    left join brand_action_classes
        on
            activity.kind = brand_action_classes.kind
            and activity.actor = 'brand'

),

{%- set person = "actor = 'person'" %}

aggregated as (

    select
        person_id,
        brand_id,
        channel,
        activity_date,
        sum(case when {{ person }} then interaction_count else 0 end) as person_interactions,
        sum(case when {{ person }} then interaction_count * engagement_weight else 0 end)
            as engagement_points,
        sum(case when actor = 'brand' then interaction_count else 0 end) as brand_actions,
        sum(case when give_take = 'give' then interaction_count else 0 end) as give_actions,
        sum(case when give_take = 'take' then interaction_count else 0 end) as take_actions,
        sum(case when {{ person }} and kind = 'share' then interaction_count else 0 end)
            as shares,  -- noqa: RF04
        sum(case when {{ person }} and kind = 'like' then interaction_count else 0 end) as likes,
        sum(case when {{ person }} and kind = 'comment' then interaction_count else 0 end)
            as comments,  -- noqa: RF04
        sum(
            case
                when {{ person }} and kind in ('mention', 'review') then interaction_count else 0
            end
        ) as mentions_and_reviews,
        sum(
            case
                when
                    {{ person }} and is_advocacy and kind in ('mention', 'review')
                    then positive_count
                else 0
            end
        ) as positive_mentions,
        sum(case when {{ person }} and kind = 'referral' then interaction_count else 0 end)
            as referral_events,
        sum(case when {{ person }} and kind = 'order' then interaction_count else 0 end)
            as orders_placed,
        sum(case when {{ person }} then text_count + rating_count else 0 end) as sentiment_count,
        {{ ror_round(
            'sum(case when ' ~ person
            ~ ' then coalesce(sentiment_sum, 0) + coalesce(rating_signal_sum, 0) else 0 end)'
        ) }} as sentiment_sum,
        sum(
            case when {{ person }} and is_advocacy then coalesce(followers_reached, 0) else 0 end
        ) as reach_earned,
        max(_changed_at) as _changed_at
    from classified
    group by person_id, brand_id, channel, activity_date

)

select * from aggregated
