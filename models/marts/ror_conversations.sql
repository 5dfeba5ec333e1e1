{#- One row per conversation thread (int_conversations_rebuilt): its brand, when it
    opened, how fast the brand first answered (null when it never did), turns, and the
    person's sentiment before and after the brand spoke (docs block ror_conversations). -#}

with

conversations as (

    select * from {{ ref('int_conversations_rebuilt') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

final as (

    select
        conversations.conversation_id,
        conversations.brand_id,
        conversations.channel,
        {{ pseudonymize('identities.person_id') }} as person_key,
        conversations.opened_at,
        cast(conversations.opened_at as date) as opened_date,
        conversations.first_response_at,
        cast(conversations.first_response_minutes as {{ ror_type_double() }})
            as first_response_minutes,
        conversations.is_answered,
        {{ ror_bigint('conversations.turns') }} as turns,
        conversations.message_count,
        {{ ror_bigint('conversations.person_message_count') }} as person_message_count,
        {{ ror_bigint('conversations.brand_message_count') }} as brand_message_count,
        conversations.last_message_at,
        cast(conversations.sentiment_before_response as {{ ror_type_double() }})
            as sentiment_before_response,
        cast(conversations.sentiment_after_response as {{ ror_type_double() }})
            as sentiment_after_response,
        cast(
            conversations.sentiment_after_response - conversations.sentiment_before_response
            as {{ ror_type_double() }}
        ) as sentiment_change
    from conversations
    inner join identities
        on conversations.identity_key = identities.identity_key

)

select * from final
