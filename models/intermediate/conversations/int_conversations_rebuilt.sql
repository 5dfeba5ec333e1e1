{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='conversation_id',
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where brand_id is null",
    )
}}

{#- One row per conversation: a thread (int_tweets_threaded, int_events_threaded) in which
    a person wrote at least once. It opens with the person's first message; the brand's
    first response is the first brand message of the thread at or after it (ties broken
    by interaction id), and the conversation's brand is the brand that responded first,
    else the brand the person addressed. Threads of brand messages only (their customer
    tweets are not in the data) and threads whose brand is unknown are left out.
    Sentiment before: the mean VADER compound of the person's messages before the first
    response (all of them when unanswered); after: of those after it.

    Incremental (delete+insert on conversation_id): a run rebuilds whole the threads it
    touches: the thread of every interaction whose _changed_at is later than the latest
    _changed_at built minus var ror_incremental_lookback_days, and every thread such an
    interaction was in before (_previous_thread_ids). A touched thread that is no
    conversation any more is sent as one row without a brand: delete+insert removes the
    row built before, and the post-hook removes that row. A model built before
    _changed_at existed is rebuilt whole. -#}

{%- set incremental = ror_is_incremental_with('_changed_at') %}

with

{# Each import is read once: DuckDB materializes a CTE read twice, and all of
   int_interactions_unified's columns (8.9M rows at 10M events) would be copied. #}
thread_messages as (

    select
        interaction_id,
        thread_id,
        channel,
        brand_id,
        actor,
        identity_key,
        occurred_at,
        sentiment_compound,
        _changed_at
    from {{ ref('int_interactions_unified') }}
    where thread_id is not null

),

{% if incremental -%}

changed_interactions as (

    select
        thread_id,
        _previous_thread_ids
    from {{ ref('int_interactions_unified') }}
    where _changed_at > {{ ror_incremental_cutoff('_changed_at') }}

),

{%- endif %}

{% if is_incremental() -%}

{# The threads to rebuild, each from all of its messages: those of the changed
   interactions and those they were in before; every conversation built before when the
   model is rebuilt whole. #}
threads_to_build as (

    {% if incremental -%}
        select thread_id
        from changed_interactions
        where thread_id is not null
        union
        select previous.thread_id
        from changed_interactions,
            {{ ror_unnest_with_position(
                'changed_interactions._previous_thread_ids', 'previous', 'thread_id', 'position'
            ) }}
    {%- else -%}
        select conversation_id as thread_id from {{ this }}
    {%- endif %}

),

{%- endif %}

messages as (

    {% if incremental -%}
        select thread_messages.*
        from thread_messages
        inner join threads_to_build
            on thread_messages.thread_id = threads_to_build.thread_id
    {%- else -%}
        select * from thread_messages
    {%- endif %}

),

ordered as (

    select
        *,
        row_number() over (
            partition by thread_id order by occurred_at, interaction_id
        ) as message_position,
        lag(actor) over (
            partition by thread_id order by occurred_at, interaction_id
        ) as previous_actor
    from messages

),

openings_ranked as (

    select
        thread_id,
        channel,
        brand_id,
        identity_key,
        occurred_at as opened_at,
        message_position as opening_position,
        row_number()
            over (partition by thread_id order by message_position)
            as rank_of_person_message
    from ordered
    where actor = 'person'

),

openings as (

    select * from openings_ranked
    where rank_of_person_message = 1

),

responses_ranked as (

    select
        ordered.thread_id,
        ordered.brand_id as responder_brand_id,
        ordered.occurred_at as first_response_at,
        ordered.message_position as response_position,
        row_number() over (
            partition by ordered.thread_id order by ordered.message_position
        ) as rank_of_response
    from ordered
    inner join openings
        on ordered.thread_id = openings.thread_id
    where
        ordered.actor = 'brand'
        and ordered.occurred_at >= openings.opened_at

),

first_responses as (

    select * from responses_ranked
    where rank_of_response = 1

),

split_at_response as (

    select
        ordered.*,
        case
            when
                ordered.actor = 'person'
                and (
                    first_responses.response_position is null
                    or ordered.message_position < first_responses.response_position
                )
                then ordered.sentiment_compound
        end as sentiment_before_response,
        case
            when
                ordered.actor = 'person'
                and ordered.message_position > first_responses.response_position
                then ordered.sentiment_compound
        end as sentiment_after_response
    from ordered
    left join first_responses
        on ordered.thread_id = first_responses.thread_id

),

thread_stats as (

    select
        ordered.thread_id,
        count(*) as message_count,
        sum(case when ordered.actor = 'person' then 1 else 0 end) as person_message_count,
        sum(case when ordered.actor = 'brand' then 1 else 0 end) as brand_message_count,
        sum(
            case
                when ordered.previous_actor is null or ordered.previous_actor <> ordered.actor
                    then 1
                else 0
            end
        ) as turns,
        max(ordered.occurred_at) as last_message_at,
        {{ ror_exact_avg('ordered.sentiment_before_response') }} as sentiment_before_response,
        {{ ror_exact_avg('ordered.sentiment_after_response') }} as sentiment_after_response,
        max(ordered._changed_at) as _changed_at
    from split_at_response as ordered
    group by ordered.thread_id

),

conversations as (

    select
        openings.thread_id as conversation_id,
        coalesce(first_responses.responder_brand_id, openings.brand_id) as brand_id,
        openings.channel,
        openings.identity_key,
        openings.opened_at,
        first_responses.first_response_at,
        {{ ror_minutes_between('openings.opened_at', 'first_responses.first_response_at') }}
            as first_response_minutes,
        first_responses.first_response_at is not null as is_answered,
        thread_stats.turns,
        thread_stats.message_count,
        thread_stats.person_message_count,
        thread_stats.brand_message_count,
        thread_stats.last_message_at,
        thread_stats.sentiment_before_response,
        thread_stats.sentiment_after_response,
        thread_stats._changed_at
    from openings
    inner join thread_stats
        on openings.thread_id = thread_stats.thread_id
    left join first_responses
        on openings.thread_id = first_responses.thread_id

),

{% if is_incremental() -%}

{# Touched threads that are no conversation now (their messages moved to another thread,
   or the thread lost its brand): one row each without a brand, which replaces the row
   built before and which the post-hook deletes. #}
no_longer_conversations as (

    select threads_to_build.thread_id as conversation_id
    from threads_to_build
    left join conversations
        on
            threads_to_build.thread_id = conversations.conversation_id
            and conversations.brand_id is not null
    where conversations.conversation_id is null

),

{%- endif %}

final as (

    select
        *,
        {{ ror_build_stamp() }} as _built_at
    from conversations
    where brand_id is not null
    {%- if is_incremental() %}
        union all by name
        select * from no_longer_conversations
    {%- endif %}

)

select * from final
