{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='interaction_id',
        on_schema_change='append_new_columns',
    )
}}

{#- Every person action and every brand action, across channels, one row each: customer
    and brand tweets, engagement events, brand posts (Facebook insights rows and
    brand_post events, one row per post), and CRM orders. A person action carries the
    identity of who acted; a brand action the identity of the person it was aimed at
    (null for content for the whole audience). Kinds only: weights and give/take classes
    come from the seeds downstream (fct_interactions), so editing a weight needs no full
    refresh.

    Incremental: a row is rebuilt when its _changed_at (the latest load among the rows
    it depends on: itself, its thread, the brands it mentions, both sources of a post)
    is later than the latest _changed_at built minus var ror_incremental_lookback_days.
    A late reply therefore rebuilds the whole thread it joins, so an incremental run
    gives the same rows as a full refresh. A rebuilt row may move to another day (a
    conflicting order or event with the same id wins over the one built before), or to
    another identity (a later order of another customer, a thread rebuilt), or to another
    thread (a late message that it replies to roots its thread elsewhere):
    _previous_activity_dates, _previous_identity_keys and _previous_thread_ids keep the
    days, identities and threads its earlier versions had, so that the models downstream
    rebuild those too. -#}

{%- set string = api.Column.translate_type("string") -%}
{%- set followers = dbt.safe_cast(
    ror_json_text('events.properties', '$.followers'), ror_type_double()
) -%}
{#- A model built before _previous_activity_dates (_previous_identity_keys,
    _previous_thread_ids) existed kept no earlier days (identities, threads). -#}
{%- set kept_previous_days = ror_is_incremental_with("_previous_activity_dates") -%}
{%- set kept_previous_identities = ror_is_incremental_with("_previous_identity_keys") -%}
{%- set kept_previous_threads = ror_is_incremental_with("_previous_thread_ids") -%}

with

tweets as (

    select * from {{ ref('stg_twitter__tweets') }}
    where is_staged

),

tweets_threaded as (

    select * from {{ ref('int_tweets_threaded') }}

),

events as (

    select * from {{ ref('stg_events__engagement_events') }}
    where
        is_staged
        and event_type <> 'brand_post'

),

{# On an incremental run, the changed events only (`changed` below keeps the same rows),
   materialized: DuckDB then reads of the 7.7M staged events (10M events) only the rows it
   joins; with the filter applied after the join it read and hashed every one: 3.0 to 3.2 s
   for the incremental select of a nightly at 10M against 1.1 to 1.4 s, the same rows. #}
events_threaded as {% if is_incremental() %}{{ ror_materialized_cte() }} {% endif %}(

    select * from {{ ref('int_events_threaded') }}
    {% if is_incremental() -%}
        where _changed_at > {{ ror_incremental_cutoff('_changed_at') }}
    {%- endif %}

),

posts as (

    select * from {{ ref('int_brand_posts_unified') }}

),

orders as (

    select * from {{ ref('stg_crm__orders') }}
    where is_staged

),

texts_scored as (

    select * from {{ ref('int_texts_scored') }}

),

tweet_interactions as (

    select
        {{ dbt.concat(["'twitter:'", dbt.cast('tweets.tweet_id', string)]) }} as interaction_id,
        'twitter_tweets' as source_name,
        'twitter' as channel,
        tweets_threaded.brand_id,
        case when tweets.is_inbound then 'person' else 'brand' end as actor,
        tweets_threaded.kind,
        {{ ror_identity_key('account', 'tweets_threaded.person_author_id', "'twitter'") }}
            as identity_key,
        tweets.created_at as occurred_at,
        cast(null as {{ string }}) as object_id,
        tweets_threaded.thread_id,
        case
            when tweets_threaded.parent_tweet_id is not null
                then {{ dbt.concat(
                    ["'twitter:'", dbt.cast('tweets_threaded.parent_tweet_id', string)]
                ) }}
        end as in_reply_to_interaction_id,
        case when tweets.is_inbound then tweets.tweet_text end as person_text,
        cast(null as {{ ror_type_double() }}) as rating,
        cast(null as {{ ror_type_double() }}) as amount,
        cast(null as {{ string }}) as currency,
        cast(null as {{ string }}) as order_id,
        cast(null as {{ string }}) as referred_identity_key,
        cast(null as {{ ror_type_double() }}) as followers_reached,
        cast(null as {{ dbt.type_boolean() }}) as is_paid,
        tweets._loaded_at,
        tweets_threaded._changed_at
    from tweets
    inner join tweets_threaded
        on tweets.tweet_id = tweets_threaded.tweet_id

),

event_interactions as (

    select
        {{ dbt.concat(["'engagement_events:'", 'events.event_id']) }} as interaction_id,
        'engagement_events' as source_name,
        events.channel,
        events.brand_id,
        events.actor,
        events.event_type as kind,
        coalesce(
            {{ ror_identity_key('account', 'events.person_channel_user_id', 'events.channel') }},
            {{ ror_identity_key('handle', 'events.person_handle', 'events.channel') }},
            {{ ror_identity_key('email', 'events.person_email') }}
        ) as identity_key,
        events.occurred_at,
        events.object_id,
        events_threaded.thread_id,
        case
            when events_threaded.parent_event_id is not null
                then {{ dbt.concat(["'engagement_events:'", 'events_threaded.parent_event_id']) }}
        end as in_reply_to_interaction_id,
        case when events.actor = 'person' then events.event_text end as person_text,
        cast(events.rating as {{ ror_type_double() }}) as rating,
        cast(events.amount as {{ ror_type_double() }}) as amount,
        events.currency,
        {{ ror_json_text('events.properties', '$.order_id') }} as order_id,
        {{ ror_identity_key('account', 'events.referred_channel_user_id', 'events.channel') }}
            as referred_identity_key,
        {# A follower count that is no finite number below 10^15 (NaN, Infinity, 1e30) is
           no count: unknown, as when absent (the exact sums of reach downstream, in
           decimal(38, 9), could not hold it). #}
        case
            when abs({{ followers }}) < 1e15 then {{ followers }}
        end as followers_reached,
        cast(null as {{ dbt.type_boolean() }}) as is_paid,
        events._loaded_at,
        events_threaded._changed_at
    from events
    inner join events_threaded
        on events.event_id = events_threaded.event_id

),

post_interactions as (

    select
        {{ dbt.concat(["'post:'", 'content_id']) }} as interaction_id,
        case
            when has_insights then 'facebook_post_insights' else 'engagement_events'
        end as source_name,
        channel,
        brand_id,
        'brand' as actor,
        'brand_post' as kind,
        cast(null as {{ string }}) as identity_key,
        posted_at as occurred_at,
        post_id as object_id,
        cast(null as {{ string }}) as thread_id,
        cast(null as {{ string }}) as in_reply_to_interaction_id,
        cast(null as {{ string }}) as person_text,
        cast(null as {{ ror_type_double() }}) as rating,
        cast(null as {{ ror_type_double() }}) as amount,
        cast(null as {{ string }}) as currency,
        cast(null as {{ string }}) as order_id,
        cast(null as {{ string }}) as referred_identity_key,
        cast(null as {{ ror_type_double() }}) as followers_reached,
        is_paid,
        _changed_at as _loaded_at,
        _changed_at
    from posts

),

order_interactions as (

    select
        {{ dbt.concat(["'orders:'", 'order_id']) }} as interaction_id,
        'orders' as source_name,
        'store' as channel,
        brand_id,
        'person' as actor,
        case status
            when 'completed' then 'order'
            when 'refunded' then 'refund'
            else 'order_cancelled'
        end as kind,
        {{ ror_identity_key('customer', 'customer_id') }} as identity_key,
        ordered_at as occurred_at,
        cast(null as {{ string }}) as object_id,
        cast(null as {{ string }}) as thread_id,
        cast(null as {{ string }}) as in_reply_to_interaction_id,
        cast(null as {{ string }}) as person_text,
        cast(null as {{ ror_type_double() }}) as rating,
        cast(amount as {{ ror_type_double() }}) as amount,
        currency,
        order_id,
        cast(null as {{ string }}) as referred_identity_key,
        cast(null as {{ ror_type_double() }}) as followers_reached,
        cast(null as {{ dbt.type_boolean() }}) as is_paid,
        _loaded_at,
        _loaded_at as _changed_at
    from orders

),

unioned as (

    select * from tweet_interactions
    union all
    select * from event_interactions
    union all
    select * from post_interactions
    union all
    select * from order_interactions

),

changed as (

    select * from unioned
    {% if is_incremental() -%}
        where _changed_at > {{ ror_incremental_cutoff('_changed_at') }}
    {%- endif %}

),

with_sentiment as (

    select
        changed.interaction_id,
        changed.source_name,
        changed.channel,
        changed.brand_id,
        changed.actor,
        changed.kind,
        changed.identity_key,
        changed.occurred_at,
        cast({{ dbt.date_trunc('day', 'changed.occurred_at') }} as date) as activity_date,
        changed.object_id,
        changed.thread_id,
        changed.in_reply_to_interaction_id,
        texts_scored.text_hash,
        texts_scored.sentiment_compound,
        changed.rating,
        changed.amount,
        changed.currency,
        changed.order_id,
        changed.referred_identity_key,
        changed.followers_reached,
        changed.is_paid,
        changed._loaded_at,
        changed._changed_at
    from changed
    left join texts_scored
        on {{ dbt.hash('changed.person_text') }} = texts_scored.text_hash

),

{# The days, identities and threads the earlier versions of each rebuilt row had, other
   than its own: the row built before, and those that one kept (a row may be rebuilt
   again before the models downstream read it). #}
with_previous_versions as (

    select
        with_sentiment.*,
        {% if is_incremental() -%}
            {{ ror_previous_values(
                'with_sentiment.activity_date',
                'built_before._previous_activity_dates' if kept_previous_days else 'null',
                'built_before.activity_date',
            ) }}
        {%- else -%}
            {{ ror_previous_values('with_sentiment.activity_date') }}
        {%- endif %} as _previous_activity_dates,
        {% if is_incremental() -%}
            {{ ror_previous_values(
                'with_sentiment.identity_key',
                'built_before._previous_identity_keys' if kept_previous_identities else 'null',
                'built_before.identity_key',
            ) }}
        {%- else -%}
            {{ ror_previous_values('with_sentiment.identity_key') }}
        {%- endif %} as _previous_identity_keys,
        {% if is_incremental() -%}
            {{ ror_previous_values(
                'with_sentiment.thread_id',
                'built_before._previous_thread_ids' if kept_previous_threads else 'null',
                'built_before.thread_id',
            ) }}
        {%- else -%}
            {{ ror_previous_values('with_sentiment.thread_id') }}
        {%- endif %} as _previous_thread_ids,
        {{ ror_build_stamp() }} as _built_at
    from with_sentiment
    {% if is_incremental() -%}
        left join {{ this }} as built_before
            on with_sentiment.interaction_id = built_before.interaction_id
    {%- endif %}

)

select * from with_previous_versions
