{#- Every interaction across channels (int_interactions_unified) as BI tools may see it:
    the person as a pseudonymous key, the kind's weight class and weight (seed
    ror_interaction_kinds) and, for brand actions, give or take (seed
    ror_brand_action_classes). No handle, e-mail or text. A customer tweet whose brand
    cannot be told (no brand in its thread, no known brand mentioned) is left out: every
    mart row has a brand. -#}

with

interactions as (

    select * from {{ ref('int_interactions_unified') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

kinds as (

    select * from {{ ref('ror_interaction_kinds') }}

),

brand_action_classes as (

    select * from {{ ref('ror_brand_action_classes') }}

),

fx_rates as (

    select * from {{ ref('ror_fx_rates') }}

),

classified as (

    select
        interactions.interaction_id,
        interactions.source_name,
        interactions.channel,
        interactions.brand_id,
        interactions.actor,
        interactions.kind,
        coalesce(kinds.weight_class, 'unclassified') as weight_class,
        case
            when interactions.actor = 'person' then coalesce(kinds.engagement_weight, 0)
            else 0
        end as engagement_weight,
        case when interactions.actor = 'brand' then brand_action_classes.give_take end as give_take,
        identities.person_id,
        interactions.occurred_at,
        interactions.activity_date,
        interactions.thread_id as conversation_id,
        interactions.sentiment_compound,
        cast(interactions.rating as {{ ror_type_double() }}) as rating,
        case
            when interactions.rating is not null then interactions.rating >= 4
            when interactions.sentiment_compound is not null
                then
                    interactions.sentiment_compound >= {{ var('ror_positive_sentiment_threshold') }}
        end as is_positive,
        interactions.followers_reached,
        interactions.amount * fx_rates.usd_per_unit as amount_usd,
        interactions.is_paid
    from interactions
    left join identities
        on interactions.identity_key = identities.identity_key
    left join kinds
        on interactions.kind = kinds.kind
    left join brand_action_classes
        on interactions.kind = brand_action_classes.kind
    left join fx_rates
        on interactions.currency = fx_rates.currency_code

),

final as (

    select
        interaction_id,
        source_name,
        channel,
        brand_id,
        actor,
        kind,
        weight_class,
        cast(engagement_weight as {{ ror_type_double() }}) as engagement_weight,
        give_take,
        case when person_id is not null then {{ pseudonymize('person_id') }} end as person_key,
        occurred_at,
        activity_date,
        conversation_id,
        sentiment_compound,
        rating,
        is_positive,
        followers_reached,
        amount_usd,
        is_paid
    from classified
    where brand_id is not null

)

select * from final
