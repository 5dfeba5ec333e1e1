{#- The conversations counted per brand, channel and day in ror_brand_daily add up to
    ror_conversations, and the give/take actions to fct_interactions. -#}

with

daily as (

    select
        brand_id,
        sum(conversations_opened) as conversations_opened,
        sum(give_actions) as give_actions,
        sum(take_actions) as take_actions
    from {{ ref('ror_brand_daily') }}
    group by brand_id

),

conversations as (

    select
        brand_id,
        count(*) as conversations_opened
    from {{ ref('ror_conversations') }}
    group by brand_id

),

interactions as (

    select
        brand_id,
        sum(case when give_take = 'give' then 1 else 0 end) as give_actions,
        sum(case when give_take = 'take' then 1 else 0 end) as take_actions
    from {{ ref('fct_interactions') }}
    where brand_id is not null
    group by brand_id

),

differences as (

    select
        daily.brand_id,
        daily.conversations_opened,
        conversations.conversations_opened as expected_conversations,
        daily.give_actions,
        interactions.give_actions as expected_give,
        daily.take_actions,
        interactions.take_actions as expected_take
    from daily
    left join conversations
        on daily.brand_id = conversations.brand_id
    left join interactions
        on daily.brand_id = interactions.brand_id
    where
        daily.conversations_opened <> coalesce(conversations.conversations_opened, 0)
        or daily.give_actions <> coalesce(interactions.give_actions, 0)
        or daily.take_actions <> coalesce(interactions.take_actions, 0)

)

select * from differences
