{#- A data-quality finding (contracts/landing.md section 4): one row per channel user id
    that CRM identities link to two or more customers who do not resolve to one person
    by any other link. Such an identity is NOT merged into either customer's person (see
    int_identities_resolved); it stays a person of its own until the CRM is fixed. A
    shared id whose customers are one person anyway (the same e-mail at two brands) is
    not a conflict and is not listed. -#}

with

{# Only the untrusted claims: a channel user id claimed by two or more customers (is_trusted
   false) is the only kind whose customers can be two persons. The group-by below then
   reads 127k of the 690k claims at 10M events: 1.14 to 1.25 s -> 0.26 to 0.27 s alone,
   the same rows. #}
edges as (

    select * from {{ ref('int_identity_edges') }}
    where
        link_source = 'crm_identity'
        and not is_trusted

),

resolved as (

    select * from {{ ref('int_identities_resolved') }}

),

claims as (

    select distinct
        edges.identity_b as identity_key,
        edges.claimed_channel as channel,
        edges.claimed_channel_user_id as channel_user_id,
        edges.claimed_by_customer_id as customer_id,
        customers.person_id as customer_person_id
    from edges
    inner join resolved as customers
        on edges.identity_a = customers.identity_key

),

grouped as (

    select
        claims.identity_key,
        min(claims.channel) as channel,
        min(claims.channel_user_id) as channel_user_id,
        count(distinct claims.customer_id) as customer_count,
        count(distinct claims.customer_person_id) as person_count,
        {{ dbt.listagg('claims.customer_id', "', '", 'order by claims.customer_id') }}
            as customer_ids
    from claims
    group by claims.identity_key
    having count(distinct claims.customer_person_id) > 1

),

final as (

    select
        grouped.identity_key,
        grouped.channel,
        grouped.channel_user_id,
        grouped.customer_count,
        grouped.person_count,
        grouped.customer_ids,
        resolved.person_id as identity_person_id
    from grouped
    inner join resolved
        on grouped.identity_key = resolved.identity_key

)

select * from final
