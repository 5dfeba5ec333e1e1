{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='person_id',
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where brand_id is null",
    )
}}

{#- Daily relationship facts: one row per person x brand x channel x day, the identities'
    daily activity (int_identity_activity_daily) added up into the person they resolve
    to, with the kind weights and give/take classes of the seeds applied. Every measure
    is additive over days and channels.

    Incremental (delete+insert on person_id): a run rebuilds whole the persons it touches,
    from all of their identities' activity. A person is touched when an interaction of
    one of its identities changed since the last build (int_interactions_unified
    _changed_at; the identities of its earlier versions too, _previous_identity_keys), or
    when an identity joined or left it (int_identities_resolved _changed_at and
    _previous_person_ids); every person when the seeds it was built with changed
    (_build_hash). A touched person left with no activity (merged into another, or its
    activity gone) is sent as one row without a brand: delete+insert removes its rows,
    and the post-hook removes that row. -#}

-- depends_on: {{ ref('int_interactions_unified') }}

{#- A table built before _build_hash existed (this model was a table) is rebuilt whole. -#}
{%- set incremental = ror_is_incremental_with('_build_hash') -%}
{%- set build_hash = ror_build_hash(
    [ref('ror_interaction_kinds'), ref('ror_brand_action_classes')]
) %}

with

activity as (

    select * from {{ ref('int_identity_activity_daily') }}

),

all_identities as (

    select * from {{ ref('int_identities_resolved') }}

),

kinds as (

    select * from {{ ref('ror_interaction_kinds') }}

),

brand_action_classes as (

    select * from {{ ref('ror_brand_action_classes') }}

),

{% if incremental -%}

{%- set cutoff = ror_incremental_cutoff('_changed_at') %}

unified as (

    select * from {{ ref('int_interactions_unified') }}

),

changed_interactions as (

    select
        identity_key,
        _previous_identity_keys
    from unified
    where _changed_at > {{ cutoff }}

),

moved_identities as (

    select * from all_identities
    where _changed_at > {{ cutoff }}

),

touched_identities as (

    select identity_key from changed_interactions
    union
    select previous.identity_key
    from changed_interactions,
        {{ ror_unnest_with_position(
            'changed_interactions._previous_identity_keys', 'previous', 'identity_key', 'position'
        ) }}
    union
    select identity_key from moved_identities

),

touched_persons as (

    select all_identities.person_id
    from all_identities
    inner join touched_identities
        on all_identities.identity_key = touched_identities.identity_key
    union
    select previous.person_id
    from moved_identities,
        {{ ror_unnest_with_position(
            'moved_identities._previous_person_ids', 'previous', 'person_id', 'position'
        ) }}

),

{%- endif %}

{# The identities to build: all of them, or on an incremental run those of the touched
   persons (all of them, when the seeds changed). #}
identities as (

    select * from all_identities
    {% if incremental -%}
        where
            {{ ror_built_with_other_settings(build_hash) }}
            or person_id in (select person_id from touched_persons)
    {%- endif %}

),

classified as (

    select
        identities.person_id,
        activity.*,
        coalesce(kinds.engagement_weight, 0) as engagement_weight,
        coalesce(kinds.is_advocacy, false) as is_advocacy,
        brand_action_classes.give_take,
        case
            when identities._changed_at > activity._changed_at then identities._changed_at
            else activity._changed_at
        end as _row_changed_at
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
        max(_row_changed_at) as _changed_at,
        {{ build_hash }} as _build_hash
    from classified
    group by person_id, brand_id, channel, activity_date

),

{# A touched person with no activity left: one row without a brand, so that delete+insert
   removes the rows it had (the post-hook then removes this one). #}
emptied_persons as (

    {% if incremental -%}
        select person_id from touched_persons
        where person_id not in (select person_id from aggregated)
    {%- else -%}
        select person_id from aggregated
        where false
    {%- endif %}

),

final as (

    select * from aggregated
    union all by name
    select person_id from emptied_persons

)

select * from final
