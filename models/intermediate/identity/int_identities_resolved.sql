{#- One row per identity (a user id, handle or e-mail on a channel, or a CRM customer),
    with the person it belongs to: the connected components of the person graph
    (int_identity_edges), resolved in one recursive query (macro
    ror_connected_components), not a fixed number of join passes, so a chain of links
    of any length ends in one person.

    A channel user id claimed by two or more CRM customers (crm_identity links) is not
    allowed to merge them: those links are left out of the graph. When the claiming
    customers resolve to one person anyway (the same person as customer of two brands,
    sharing an e-mail), the identity joins that person; when they resolve to different
    persons, it stays apart and is listed in int_identity_conflicts. person_id is an
    internal key (md5 of the component's smallest identity); marts carry only
    pseudonymize(person_id).
    sqlfluff's DuckDB dialect cannot parse `using key` (macro ror_connected_components),
    hence the noqa. -#}

-- noqa: disable=all
with recursive

edges as (

    select * from {{ ref('int_identity_edges') }}

),

claims as (

    select distinct
        identity_b as identity_key,
        identity_a as customer_key
    from edges
    where link_source = 'crm_identity'

),

ambiguous as (

    select identity_key
    from claims
    group by identity_key
    having count(distinct customer_key) > 1

),

trusted as (

    select
        identity_a,
        identity_b
    from edges
    where not (
        link_source = 'crm_identity'
        and identity_b in (select identity_key from ambiguous)
    )

),

graph as (

    select identity_a as src, identity_b as dst from trusted
    union
    select identity_b as src, identity_a as dst from trusted
    union
    select identity_a as src, identity_a as dst from edges
    union
    select identity_b as src, identity_b as dst from edges

),

{{ ror_connected_components('components', 'graph') }},

{# Where the customers claiming an ambiguous identity all resolve to one person, and the
   identity's own component holds no customer, the component joins that person. #}
claimant_labels as (

    select
        own.label as identity_label,
        claimant.label as claimant_label
    from ambiguous
    inner join components as own
        on ambiguous.identity_key = own.node
    inner join claims
        on ambiguous.identity_key = claims.identity_key
    inner join components as claimant
        on claims.customer_key = claimant.node

),

customer_components as (

    select distinct label
    from components
    where node like 'customer:%'

),

attachments as (

    select
        identity_label,
        min(claimant_label) as attached_label
    from claimant_labels
    where identity_label not in (select label from customer_components)
    group by identity_label
    having count(distinct claimant_label) = 1

),

resolved as (

    select
        components.node as identity_key,
        coalesce(attachments.attached_label, components.label) as person_label
    from components
    left join attachments
        on components.label = attachments.identity_label

),

final as (

    select
        identity_key,
        {{ dbt.hash('person_label') }} as person_id,
        {{ dbt.split_part('identity_key', "':'", 1) }} as identity_channel,
        case
            when identity_key like 'customer:%' then 'customer'
            when identity_key like 'email:%' then 'email'
            when identity_key like '%:handle:%' then 'handle'
            else 'account'
        end as identity_type,
        count(*) over (partition by person_label) as person_identities
    from resolved

)

select * from final
