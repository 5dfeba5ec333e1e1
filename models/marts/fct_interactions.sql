{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='interaction_id',
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where interaction_id in ("
            ~ "select interaction_id from {{ ref('int_interactions_unified') }} where brand_id is null)",
    )
}}

{#- Every interaction across channels (int_interactions_unified) as BI tools may see it:
    the person as a pseudonymous key, the kind's weight class and weight (seed
    ror_interaction_kinds) and, for brand actions, give or take (seed
    ror_brand_action_classes). No handle, e-mail or text. A customer tweet whose brand
    cannot be told (no brand in its thread, no known brand mentioned) is left out: every
    mart row has a brand.

    Incremental (delete+insert on interaction_id), because it holds every interaction: a
    run rebuilds the interactions changed since its last build (_changed_at) and those of
    the identities that moved to another person (int_identities_resolved._changed_at);
    every row when the seeds, the var or the salt it was built with changed
    (_build_hash). An interaction that has lost its brand is deleted (post-hook). -#}

{%- set build_hash = ror_build_hash(
    [ref('ror_interaction_kinds'), ref('ror_brand_action_classes'), ref('ror_fx_rates')],
    ['ror_positive_sentiment_threshold'],
) -%}
{%- set incremental = ror_is_incremental_with_settings(build_hash) %}

with

unified as (

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

{# The interactions to build: all of them, or on an incremental run those changed since
   the last build and those of identities that moved to another person. #}
interactions as (

    select * from unified
    {% if incremental -%}
        where
            _changed_at > {{ ror_incremental_cutoff('_changed_at') }}
            or identity_key in (
                select identity_key from identities
                where _changed_at > {{ ror_incremental_cutoff('_changed_at') }}
            )
    {%- endif %}

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
        interactions.is_paid,
        case
            when identities._changed_at > interactions._changed_at then identities._changed_at
            else interactions._changed_at
        end as _changed_at
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
        is_paid,
        _changed_at,
        {{ build_hash }} as _build_hash,
        {{ ror_build_stamp() }} as _built_at
    from classified
    where brand_id is not null

)

select * from final
