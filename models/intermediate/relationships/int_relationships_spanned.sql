{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='person_id',
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where brand_id is null or _changed_at is null",
    )
}}

{#- One row per relationship (person x brand): when it was first seen (any interaction, an
    order, the CRM customer record), the person's first and last own activity and the
    channel of each. A relationship exists as soon as either side acted toward the other
    or the person is the brand's customer.

    Incremental (delete+insert on person_id): a run rebuilds, from all their interactions
    and customer records, the relationships of the persons it touches: the persons, now
    and before (_previous_person_ids), of the identities of the interactions changed since
    its last build (int_interactions_unified._changed_at, with the identities those
    interactions had before), of the identities new or moved to another person
    (int_identities_resolved._changed_at) and of the CRM customers loaded since. Each
    touched person is also sent as one row without a brand, so that one left with no
    relationship loses its rows; the post-hook deletes those rows, and the rows of a
    table built before _changed_at existed that this run did not rebuild. Every row built
    is stamped with the run's load (_changed_at). Like the other incremental models fed by
    staging, it does not follow an edit of the staging vars (earliest_valid_at,
    future_tolerance_hours), which restage rows loaded before: refresh with
    --full-refresh after one. -#}

{%- set incremental = ror_is_incremental_with('_changed_at') %}
{%- set cutoff = ror_incremental_cutoff('_changed_at') %}

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

{% if incremental -%}

changed_interactions as (

    select
        identity_key,
        _previous_identity_keys
    from {{ ref('int_interactions_unified') }}
    where _changed_at > {{ cutoff }}

),

changed_customers as (

    select customer_id from {{ ref('stg_crm__customers') }}
    where _loaded_at > {{ cutoff }}

),

{# The identities whose persons, now and before, this run rebuilds. #}
touched_identity_keys as (

    select identity_key from changed_interactions
    union
    select previous.identity_key
    from changed_interactions,
        {{ ror_unnest_with_position(
            'changed_interactions._previous_identity_keys', 'previous', 'identity_key', 'position'
        ) }}
    union
    select identity_key from identities
    where _changed_at > {{ cutoff }}
    union
    select {{ ror_identity_key('customer', 'customer_id') }} from changed_customers

),

touched_identities as (

    select
        person_id,
        _previous_person_ids
    from identities
    where identity_key in (select identity_key from touched_identity_keys)

),

touched_persons as (

    select person_id from touched_identities
    union
    select previous.person_id
    from touched_identities,
        {{ ror_unnest_with_position(
            'touched_identities._previous_person_ids', 'previous', 'person_id', 'position'
        ) }}

),

{% endif -%}

{# The identities of the persons to build: all, or on an incremental run the touched. #}
person_identities as (

    select
        identity_key,
        person_id
    from identities
    {%- if incremental %}
        where person_id in (select person_id from touched_persons)
    {%- endif %}

),

person_interactions as (

    select
        person_identities.person_id,
        interactions.brand_id,
        interactions.actor,
        interactions.channel,
        interactions.occurred_at,
        interactions.interaction_id
    from interactions
    inner join person_identities
        on interactions.identity_key = person_identities.identity_key

),

customer_records as (

    select
        person_identities.person_id,
        customers.brand_id,
        min(customers.created_at) as customer_since
    from customers
    inner join person_identities
        on
            {{ ror_identity_key('customer', 'customers.customer_id') }}
            = person_identities.identity_key
    where customers.brand_id is not null
    group by person_identities.person_id, customers.brand_id

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

built as (

    select * from relationships
    where first_seen_at is not null
    {%- if incremental %}
        union all by name
        select person_id from touched_persons
    {%- endif %}

),

final as (

    select
        *,
        {{ ror_run_stamp() }} as _changed_at,
        {{ ror_build_stamp() }} as _built_at
    from built

)

select * from final
