{#- One row per person (identities resolved into one, int_identities_resolved), by
    pseudonymous key only: how many identities and channels the person was seen under,
    and with how many brands the person has a relationship (0: seen only as referred, or
    acting toward no known brand). -#}

with

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

relationships as (

    select * from {{ ref('int_relationships_spanned') }}

),

person_identities as (

    select
        person_id,
        count(*) as identity_count,
        count(distinct case when identity_type in ('account', 'handle') then identity_channel end)
            as channel_count,
        max(case when identity_type = 'customer' then 1 else 0 end) = 1 as is_crm_customer,
        max(case when identity_type = 'email' then 1 else 0 end) = 1 as has_email
    from identities
    group by person_id

),

person_relationships as (

    select
        person_id,
        count(*) as brand_count,
        min(first_seen_at) as first_seen_at,
        max(last_activity_at) as last_activity_at
    from relationships
    group by person_id

),

final as (

    select
        {{ pseudonymize('person_identities.person_id') }} as person_key,
        person_identities.identity_count,
        person_identities.channel_count,
        person_identities.is_crm_customer,
        person_identities.has_email,
        coalesce(person_relationships.brand_count, 0) as brand_count,
        person_relationships.first_seen_at,
        person_relationships.last_activity_at
    from person_identities
    left join person_relationships
        on person_identities.person_id = person_relationships.person_id

)

select * from final
