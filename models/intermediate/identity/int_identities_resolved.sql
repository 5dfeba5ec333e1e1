{#- One row per identity (a user id, handle or e-mail on a channel, or a CRM customer),
    with the person it belongs to: its component of the person graph
    (int_identity_components), so a chain of links of any length ends in one person.

    A channel user id claimed by two or more CRM customers (crm_identity links) is not
    allowed to merge them: those links are left out of the graph (int_identity_edges
    is_trusted). When the claiming customers resolve to one person anyway (the same
    person as customer of two brands, sharing an e-mail), the identity joins that
    person; when they resolve to different persons, it stays apart and is listed in
    int_identity_conflicts. person_id is an internal key (md5 of the component's
    smallest identity); marts carry only pseudonymize(person_id).

    A table, rebuilt whole every run, that keeps what changed for the incremental models
    downstream: _changed_at is the load (the latest in the load manifest) of the run
    that first resolved the identity or last moved it to another person, kept from the
    table built before otherwise; _previous_person_ids lists the persons it belonged to
    before. --full-refresh starts them afresh. -#}

{#- none on a full refresh, on the first build, and in a unit test (no `this`). -#}
{%- set built_before = none if flags.FULL_REFRESH or this is none else load_relation(this) -%}
{%- set kept_changes = built_before is not none and '_previous_person_ids' in (
    adapter.get_columns_in_relation(built_before) | map(attribute='name') | list
) -%}

with

edges as (

    select * from {{ ref('int_identity_edges') }}

),

components as (

    select * from {{ ref('int_identity_components') }}

),

{# The claims that may not merge: a channel user id and each customer claiming it. #}
untrusted_claims as (

    select distinct
        identity_b as identity_key,
        identity_a as customer_key
    from edges
    where
        link_source = 'crm_identity'
        and not is_trusted

),

{# Where the customers claiming an ambiguous identity all resolve to one person, and the
   identity's own component holds no customer, the component joins that person. #}
claimant_labels as (

    select
        own.component_key as identity_label,
        claimant.component_key as claimant_label
    from untrusted_claims
    inner join components as own
        on untrusted_claims.identity_key = own.identity_key
    inner join components as claimant
        on untrusted_claims.customer_key = claimant.identity_key

),

customer_components as (

    select distinct component_key
    from components
    where identity_key like 'customer:%'

),

attachments as (

    select
        identity_label,
        min(claimant_label) as attached_label
    from claimant_labels
    where identity_label not in (select customer_components.component_key from customer_components)
    group by identity_label
    having count(distinct claimant_label) = 1

),

resolved as (

    select
        components.identity_key,
        coalesce(attachments.attached_label, components.component_key) as person_label
    from components
    left join attachments
        on components.component_key = attachments.identity_label

),

persons as (

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

),

final as (

    select
        persons.*,
        {% if kept_changes -%}
            case
                when built_before.person_id = persons.person_id then built_before._changed_at
                else {{ ror_run_stamp() }}
            end as _changed_at,
            case
                when built_before.person_id = persons.person_id
                    then built_before._previous_person_ids
                else {{ ror_previous_values(
                    'persons.person_id',
                    'built_before._previous_person_ids',
                    'built_before.person_id',
                ) }}
            end as _previous_person_ids
        {%- else -%}
            {{ ror_run_stamp() }} as _changed_at,
            {{ ror_previous_values('persons.person_id') }} as _previous_person_ids
        {%- endif %}
    from persons
    {% if kept_changes -%}
        left join {{ built_before }} as built_before
            on persons.identity_key = built_before.identity_key
    {%- endif %}

)

select * from final
