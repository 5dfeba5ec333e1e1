{#- A first response comes at or after the conversation opened, and only answered
    conversations have one. -#}

with

conversations as (

    select * from {{ ref('ror_conversations') }}

),

broken as (

    select
        conversation_id,
        brand_id,
        opened_at,
        first_response_at,
        first_response_minutes,
        is_answered
    from conversations
    where
        first_response_minutes < 0
        or (is_answered and first_response_minutes is null)
        or (not is_answered and first_response_minutes is not null)

)

select * from broken
