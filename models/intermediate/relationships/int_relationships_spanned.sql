{#- One row per relationship (person x brand): when it was first seen (any interaction, an
    order, the CRM customer record), the person's first and last own activity and the
    channel of each. A relationship exists as soon as either side acted toward the other
    or the person is the brand's customer. -#}

with

interactions as (

    select * from {{ ref('int_interactions_unified') }}
    where
        identity_key is not null
        and brand_id is not null

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

customers as (

    select * from {{ ref('stg_crm__customers') }}
    where is_staged

),

person_interactions as (

    select
        identities.person_id,
        interactions.brand_id,
        interactions.actor,
        interactions.channel,
        interactions.occurred_at,
        interactions.interaction_id
    from interactions
    inner join identities
        on interactions.identity_key = identities.identity_key

),

customer_records as (

    select
        identities.person_id,
        customers.brand_id,
        min(customers.created_at) as customer_since
    from customers
    inner join identities
        on {{ ror_identity_key('customer', 'customers.customer_id') }} = identities.identity_key
    where customers.brand_id is not null
    group by identities.person_id, customers.brand_id

),

{# The person's first and last own activity: the row with the smallest and the largest
   (occurred_at, interaction_id), neither ever null (tested on int_interactions_unified),
   found by aggregates instead of sorting every relationship's interactions twice. #}
spans as (

    select
        person_id,
        brand_id,
        min(occurred_at) as first_interaction_at,
        min(occurred_at) filter (where actor = 'person') as first_activity_at,
        {{ ror_value_at('min', 'channel', ['occurred_at', 'interaction_id']) }}
        filter (where actor = 'person') as first_activity_channel,
        max(occurred_at) filter (where actor = 'person') as last_activity_at,
        {{ ror_value_at('max', 'channel', ['occurred_at', 'interaction_id']) }}
        filter (where actor = 'person') as last_activity_channel,
        count(distinct case when actor = 'person' then channel end) as channels_used
    from person_interactions
    group by person_id, brand_id

),

relationships as (

    select
        coalesce(spans.person_id, customer_records.person_id) as person_id,
        coalesce(spans.brand_id, customer_records.brand_id) as brand_id,
        case
            when spans.first_interaction_at is null then customer_records.customer_since
            when customer_records.customer_since < spans.first_interaction_at
                then customer_records.customer_since
            else spans.first_interaction_at
        end as first_seen_at,
        spans.first_activity_at,
        spans.first_activity_channel,
        spans.last_activity_at,
        spans.last_activity_channel,
        coalesce(spans.channels_used, 0) as channels_used,
        customer_records.customer_since,
        customer_records.person_id is not null as is_crm_customer
    from spans
    full outer join customer_records
        on
            spans.person_id = customer_records.person_id
            and spans.brand_id = customer_records.brand_id

),

final as (

    select * from relationships
    where first_seen_at is not null

)

select * from final
