{#- One row per brand seen anywhere (a Twitter handle, an events brand_id, a Facebook page,
    a CRM brand): the channels it is active on, its first and last activity, and how many
    relationships and conversations it has. -#}

with

interactions as (

    select * from {{ ref('int_interactions_unified') }}
    where brand_id is not null

),

relationships as (

    select * from {{ ref('int_relationships_spanned') }}

),

conversations as (

    select * from {{ ref('int_conversations_rebuilt') }}

),

brand_activity as (

    select
        brand_id,
        count(distinct channel) as channel_count,
        {{ dbt.listagg('distinct channel', "', '", 'order by channel') }} as channels,
        min(occurred_at) as first_activity_at,
        max(occurred_at) as last_activity_at,
        sum(case when actor = 'brand' then 1 else 0 end) as brand_actions,
        sum(case when actor = 'person' then 1 else 0 end) as person_actions
    from interactions
    group by brand_id

),

brand_relationships as (

    select
        brand_id,
        count(*) as relationship_count,
        sum(case when is_crm_customer then 1 else 0 end) as customer_count
    from relationships
    group by brand_id

),

brand_conversations as (

    select
        brand_id,
        count(*) as conversation_count
    from conversations
    group by brand_id

),

final as (

    select
        brand_activity.brand_id,
        brand_activity.channel_count,
        brand_activity.channels,
        brand_activity.first_activity_at,
        brand_activity.last_activity_at,
        {{ ror_bigint('brand_activity.brand_actions') }} as brand_actions,
        {{ ror_bigint('brand_activity.person_actions') }} as person_actions,
        coalesce(brand_relationships.relationship_count, 0) as relationship_count,
        {{ ror_bigint('coalesce(brand_relationships.customer_count, 0)') }} as customer_count,
        coalesce(brand_conversations.conversation_count, 0) as conversation_count
    from brand_activity
    left join brand_relationships
        on brand_activity.brand_id = brand_relationships.brand_id
    left join brand_conversations
        on brand_activity.brand_id = brand_conversations.brand_id

)

select * from final
