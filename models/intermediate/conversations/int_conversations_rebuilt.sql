{#- One row per conversation: a thread (int_tweets_threaded, int_events_threaded) in which
    a person wrote at least once. It opens with the person's first message; the brand's
    first response is the first brand message of the thread at or after it (ties broken
    by interaction id), and the conversation's brand is the brand that responded first,
    else the brand the person addressed. Threads of brand messages only (their customer
    tweets are not in the data) and threads whose brand is unknown are left out.
    Sentiment before: the mean VADER compound of the person's messages before the first
    response (all of them when unanswered); after: of those after it. -#}

with

messages as (

    select
        interaction_id,
        thread_id,
        channel,
        brand_id,
        actor,
        identity_key,
        occurred_at,
        sentiment_compound
    from {{ ref('int_interactions_unified') }}
    where thread_id is not null

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
        {{ ror_exact_avg('ordered.sentiment_after_response') }} as sentiment_after_response
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
        thread_stats.sentiment_after_response
    from openings
    inner join thread_stats
        on openings.thread_id = thread_stats.thread_id
    left join first_responses
        on openings.thread_id = first_responses.thread_id

),

final as (

    select * from conversations
    where brand_id is not null

)

select * from final
