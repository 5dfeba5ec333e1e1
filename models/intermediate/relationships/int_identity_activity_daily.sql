{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='activity_date',
        on_schema_change='append_new_columns',
    )
}}

{#- Daily relationship facts at the grain the incremental build can keep: one row per
    identity x brand x channel x actor x kind x day, counts and sums only (additive, so
    int_relationships_daily can add identities up into persons after identity resolution,
    which may merge persons at any refresh). Brand actions aimed at no one (content for
    the audience) are not here; ror_brand_daily reads them from the interactions.

    Incremental: whole days are rebuilt (unique_key activity_date, delete+insert): every
    day holding an interaction whose _changed_at is later than the latest _changed_at
    built minus var ror_incremental_lookback_days, and every day such an interaction was
    on before (_previous_activity_dates: it moved days, and its old day must lose it). A
    day is recomputed from all of its interactions, so the result equals a full refresh. -#}

with

unified as (

    select * from {{ ref('int_interactions_unified') }}

),

interactions as (

    select * from unified
    where
        identity_key is not null
        and brand_id is not null

),

{# The days of the changed interactions, and the days their earlier versions were on
   (an interaction that moved leaves its old day to be rebuilt without it). #}
changed as (

    select * from unified
    {% if is_incremental() -%}
        where _changed_at > {{ ror_incremental_cutoff('_changed_at') }}
    {%- endif %}

),

days_to_build as (

    select activity_date
    from changed
    union
    select previous.activity_date
    from changed,
        {{ ror_unnest_with_position(
            'changed._previous_activity_dates', 'previous', 'activity_date', 'position'
        ) }}

),

selected as (

    select interactions.*
    from interactions
    inner join days_to_build
        on interactions.activity_date = days_to_build.activity_date

),

aggregated as (

    select
        identity_key,
        brand_id,
        channel,
        actor,
        kind,
        activity_date,
        count(*) as interaction_count,
        sum(case when sentiment_compound is not null then 1 else 0 end) as text_count,
        {{ ror_exact_sum('sentiment_compound') }} as sentiment_sum,
        sum(case when rating is not null then 1 else 0 end) as rating_count,
        {{ ror_exact_sum('(rating - 3) / 2') }} as rating_signal_sum,
        sum(
            case
                when rating is not null then case when rating >= 4 then 1 else 0 end
                when sentiment_compound >= {{ var('ror_positive_sentiment_threshold') }} then 1
                else 0
            end
        ) as positive_count,
        {{ ror_exact_sum('followers_reached') }} as followers_reached,
        max(_changed_at) as _changed_at,
        {{ ror_build_stamp() }} as _built_at
    from selected
    group by identity_key, brand_id, channel, actor, kind, activity_date

)

select * from aggregated
