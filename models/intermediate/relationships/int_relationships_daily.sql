{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['person_id', 'activity_date'],
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where brand_id is null",
    )
}}

{#- Daily relationship facts: one row per person x brand x channel x day, the identities'
    daily activity (int_identity_activity_daily) added up into the person they resolve
    to, with the kind weights and give/take classes of the seeds applied. Every measure
    is additive over days and channels.

    Incremental (delete+insert on person_id x activity_date): a run rebuilds whole the
    relationship days it touches (macro ror_touched_relationship_days): the days of the
    interactions changed since its last build, for the persons of their identities now
    and before, and every day of activity of an identity that joined or left a person,
    for the persons it belongs and belonged to; every row when the seeds it was built with
    changed (_build_hash). A touched day left with no activity is sent as one row without
    a brand: delete+insert removes its rows, and the post-hook removes that row. Every
    row built is stamped with the run's load (_changed_at), which fct_relationship_daily
    compares. -#}

-- depends_on: {{ ref('int_interactions_unified') }}

{%- set build_hash = ror_build_hash(
    [ref('ror_interaction_kinds'), ref('ror_brand_action_classes')]
) -%}
{%- set incremental = ror_is_incremental_with_settings(build_hash) %}

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

{{ ror_touched_relationship_days(ror_incremental_cutoff('_changed_at')) }}

{# Each touched person's identities on each touched day. Materialized, so that DuckDB
   joins the activity to these few rows; inlined, it joined all the activity (7.9M rows at
   10M events) to every identity first and the touched days after: 1.8 to 2.0 s for the
   incremental select against 1.3 to 1.5 s (a nightly at 10M, the same rows). #}
identity_days as {{ ror_materialized_cte() }} (

    select
        all_identities.identity_key,
        all_identities.person_id,
        touched_days.activity_date
    from touched_days
    inner join all_identities
        on touched_days.person_id = all_identities.person_id

),

{%- endif %}

{# The activity to build, with the person of its identity: all of it, or on an incremental
   run that of the touched days. #}
person_activity as (

    {% if incremental -%}
        select
            identity_days.person_id,
            activity.*
        from identity_days
        inner join activity
            on
                identity_days.identity_key = activity.identity_key
                and identity_days.activity_date = activity.activity_date
    {%- else -%}
        select
            all_identities.person_id,
            activity.*
        from activity
        inner join all_identities
            on activity.identity_key = all_identities.identity_key
    {%- endif %}

),

classified as (

    select
        person_activity.*,
        coalesce(kinds.engagement_weight, 0) as engagement_weight,
        coalesce(kinds.is_advocacy, false) as is_advocacy,
        brand_action_classes.give_take
    from person_activity
    left join kinds
        on person_activity.kind = kinds.kind
    left join brand_action_classes
        on
            person_activity.kind = brand_action_classes.kind
            and person_activity.actor = 'brand'

),

{%- set person = "actor = 'person'" %}

aggregated as (

    select
        person_id,
        brand_id,
        channel,
        activity_date,
        sum(case when {{ person }} then interaction_count else 0 end) as person_interactions,
        {{ ror_exact_sum(
            'case when ' ~ person ~ ' then interaction_count * engagement_weight else 0 end'
        ) }} as engagement_points,
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
        {{ ror_exact_sum(
            'case when ' ~ person
            ~ ' then coalesce(sentiment_sum, 0) + coalesce(rating_signal_sum, 0) else 0 end'
        ) }} as sentiment_sum,
        {{ ror_exact_sum(
            'case when ' ~ person
            ~ ' and is_advocacy then coalesce(followers_reached, 0) else 0 end'
        ) }} as reach_earned,
        {{ build_hash }} as _build_hash
    from classified
    group by person_id, brand_id, channel, activity_date

),

{# A touched day with no activity left: one row without a brand, so that delete+insert
   removes the rows it had (the post-hook then removes this one). #}
emptied_days as (

    {% if incremental -%}
        select
            person_id,
            activity_date
        from touched_days
        except
        select
            person_id,
            activity_date
        from aggregated
    {%- else -%}
        select
            person_id,
            activity_date
        from aggregated
        where false
    {%- endif %}

),

final as (

    select
        rebuilt.*,
        {{ ror_run_stamp() }} as _changed_at,
        {{ ror_build_stamp() }} as _built_at
    from (
        select * from aggregated
        union all by name
        select * from emptied_days
    ) as rebuilt

)

select * from final
