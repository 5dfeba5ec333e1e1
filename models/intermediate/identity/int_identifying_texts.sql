{#- Every text in the staged data that identifies or quotes a person: customer author ids,
    handles, user ids, e-mail addresses, CRM customer ids, and every message text
    (tweets and events, brands' too). None of these may appear in a mart: the generic
    test ror_holds_no_identifying_text compares every text column of every mart against
    this list. Brand handles (the marts' brand_id) are public and left out. -#}

with

tweets as (

    select * from {{ ref('stg_twitter__tweets') }}
    where is_staged

),

events as (

    select * from {{ ref('stg_events__engagement_events') }}
    where is_staged

),

customers as (

    select * from {{ ref('stg_crm__customers') }}
    where is_staged

),

identities as (

    select * from {{ ref('stg_crm__identities') }}
    where is_staged

),

orders as (

    select * from {{ ref('stg_crm__orders') }}
    where is_staged

),

brand_handles as (

    select author_id as brand_handle from tweets
    where not is_inbound
    union
    select brand_id from events
    union
    select brand_id from customers
    union
    select brand_id from orders

),

texts as (

    select
        author_id as identifying_text,
        'twitter_author_id' as text_kind
    from tweets
    where is_inbound
    union all
    select
        tweet_text as identifying_text,
        'tweet_text' as text_kind
    from tweets
    union all
    select
        person_channel_user_id as identifying_text,
        'event_person_channel_user_id' as text_kind
    from events
    union all
    select
        person_handle as identifying_text,
        'event_person_handle' as text_kind
    from events
    union all
    select
        person_email as identifying_text,
        'event_person_email' as text_kind
    from events
    union all
    select
        referred_channel_user_id as identifying_text,
        'event_referred_channel_user_id' as text_kind
    from events
    union all
    select
        event_text as identifying_text,
        'event_text' as text_kind
    from events
    union all
    select
        customer_id as identifying_text,
        'crm_customer_id' as text_kind
    from customers
    union all
    select
        email as identifying_text,
        'crm_email' as text_kind
    from customers
    union all
    select
        channel_user_id as identifying_text,
        'crm_channel_user_id' as text_kind
    from identities
    union all
    select
        customer_id as identifying_text,
        'order_customer_id' as text_kind
    from orders
    union all
    select
        referrer_customer_id as identifying_text,
        'order_referrer_customer_id' as text_kind
    from orders

),

final as (

    select
        identifying_text,
        min(text_kind) as text_kind
    from texts
    where
        nullif(trim(identifying_text), '') is not null
        and identifying_text not in (
            select brand_handles.brand_handle from brand_handles
            where brand_handles.brand_handle is not null
        )
    group by identifying_text

)

select * from final
