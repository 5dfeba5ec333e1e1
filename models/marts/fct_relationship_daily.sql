{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['person_key', 'activity_date'],
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where brand_id is null",
    )
}}

{#- Daily relationship facts as BI tools may see them: one row per relationship (person x
    brand) x channel x day with any activity between them (int_relationships_daily), the
    person as a pseudonymous key. Additive over days and channels.

    Incremental (delete+insert on person_key x activity_date): a run rebuilds the rows
    int_relationships_daily rebuilt since this model's last build (their _changed_at is
    later), and removes the relationship days that int_relationships_daily emptied (the
    same touched days, macro ror_touched_relationship_days, sent as one row without a
    brand, which the post-hook removes); every row when the seeds or the salt changed
    (_build_hash). -#}

-- depends_on: {{ ref('int_interactions_unified') }}
-- depends_on: {{ ref('int_identities_resolved') }}
-- depends_on: {{ ref('int_identity_activity_daily') }}
-- depends_on: {{ ref('stg_loader__files') }}

{#- The seeds of int_relationships_daily too: rows it rebuilds for other seeds without a
    new load keep the stamp of the last one, so they would not arrive here as changed. -#}
{%- set build_hash = ror_build_hash(
    [ref('ror_interaction_kinds'), ref('ror_brand_action_classes')]
) -%}
{%- set incremental = ror_is_incremental_with_settings(build_hash) %}

with

all_daily as (

    select * from {{ ref('int_relationships_daily') }}

),

{% if incremental -%}

{%- set cutoff = ror_incremental_cutoff('_changed_at') %}

{{ ror_touched_relationship_days(cutoff) }}

rebuilt_upstream as (

    select * from all_daily
    where _changed_at > {{ cutoff }}

),

{%- endif %}

{# The rows to build: all of them, or on an incremental run those rebuilt upstream since
   the last build, and one row without a brand for each touched day left empty (every
   touched day with rows was rebuilt upstream since, so it is among them). #}
daily as (

    {% if incremental -%}
        select * from rebuilt_upstream
        union all by name
        select
            person_id,
            activity_date,
            {{ ror_run_stamp() }} as _changed_at
        from (
            select
                person_id,
                activity_date
            from touched_days
            except
            select
                person_id,
                activity_date
            from rebuilt_upstream
        ) as emptied_days
    {%- else -%}
        select * from all_daily
    {%- endif %}

),

built as (

    select
        brand_id,
        {{ pseudonymize('person_id') }} as person_key,
        channel,
        activity_date,
        {{ ror_bigint('person_interactions') }} as person_interactions,
        cast(engagement_points as {{ ror_type_double() }}) as engagement_points,
        {{ ror_bigint('brand_actions') }} as brand_actions,
        {{ ror_bigint('give_actions') }} as give_actions,
        {{ ror_bigint('take_actions') }} as take_actions,
        {{ ror_bigint('shares') }} as shares,  -- noqa: RF04
        {{ ror_bigint('likes') }} as likes,
        {{ ror_bigint('comments') }} as comments,  -- noqa: RF04
        {{ ror_bigint('mentions_and_reviews') }} as mentions_and_reviews,
        {{ ror_bigint('positive_mentions') }} as positive_mentions,
        {{ ror_bigint('referral_events') }} as referral_events,
        {{ ror_bigint('orders_placed') }} as orders_placed,
        {{ ror_bigint('sentiment_count') }} as sentiment_count,
        cast(sentiment_sum as {{ ror_type_double() }}) as sentiment_sum,
        cast(reach_earned as {{ ror_type_double() }}) as reach_earned,
        _changed_at,
        {{ build_hash }} as _build_hash,
        {{ ror_build_stamp() }} as _built_at
    from daily

),

{# Every row rebuilt on an incremental run (other seeds or salt, or a table built before
   _build_hash): the keys built before that are not built now (a person key of the old
   salt) are sent as rows without a brand, so that delete+insert removes them too. #}
final as (

    select * from built
    {% if is_incremental() and not incremental -%}
        union all by name
        select
            person_key,
            activity_date,
            {{ ror_run_stamp() }} as _changed_at
        from (
            select
                person_key,
                activity_date
            from {{ this }}
            except
            select
                person_key,
                activity_date
            from built
        ) as keys_built_before
    {%- endif %}

)

select * from final
