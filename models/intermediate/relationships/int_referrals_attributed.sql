{#- One row per person a brand gained through a referral: the referred person, the person
    who referred them and when. Two sources: referral events (`referred.channel_user_id`,
    resolved to a person) and orders that name a referrer_customer_id (the referred
    customer's first such order). A person referred twice is attributed to the first
    referral; a person cannot refer themselves. -#}

with

interactions as (

    select * from {{ ref('int_interactions_unified') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

orders as (

    select * from {{ ref('int_orders_converted') }}

),

from_events as (

    select
        interactions.brand_id,
        referrers.person_id as referrer_person_id,
        referred.person_id as referred_person_id,
        interactions.occurred_at as referred_at,
        'referral_event' as referral_source
    from interactions
    inner join identities as referrers
        on interactions.identity_key = referrers.identity_key
    inner join identities as referred
        on interactions.referred_identity_key = referred.identity_key
    where
        interactions.kind = 'referral'
        and interactions.brand_id is not null

),

from_orders as (

    select
        brand_id,
        referrer_person_id,
        person_id as referred_person_id,
        min(ordered_at) as referred_at,
        'order_referrer' as referral_source
    from orders
    where
        referrer_person_id is not null
        and person_id is not null
    group by brand_id, referrer_person_id, person_id

),

unioned as (

    select * from from_events
    union all
    select * from from_orders

),

ranked as (

    select
        *,
        row_number() over (
            partition by brand_id, referred_person_id
            order by referred_at, referral_source, referrer_person_id
        ) as rank_of_referral
    from unioned
    where referrer_person_id <> referred_person_id

),

final as (

    select
        brand_id,
        referred_person_id,
        referrer_person_id,
        referred_at,
        cast(referred_at as date) as referred_date,
        referral_source
    from ranked
    where rank_of_referral = 1

)

select * from final
