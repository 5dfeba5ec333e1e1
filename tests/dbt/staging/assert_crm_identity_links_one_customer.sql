{#- A person's user id on a channel should link to one CRM customer. One linked to two is
    a data-quality finding (contracts/landing.md section 4), not bad input: the rows stay
    staged and this test warns, listing each shared identity. -#}
{{ config(severity='warn') }}

with

identities as (

    select * from {{ ref('stg_crm__identities') }}
    where is_staged

),

shared as (

    select
        channel,
        channel_user_id,
        count(distinct customer_id) as customers_linked
    from identities
    group by channel, channel_user_id
    having count(distinct customer_id) > 1

)

select * from shared
