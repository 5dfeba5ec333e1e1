{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='identity_row_id',
    )
}}

{#- One row per landed CRM identity row (a person's handle on a channel, linked to a CRM
    customer): renamed, flagged, never filtered. An identity that points at two customers
    is a data-quality finding (a warning test), not a broken row.

    Incremental (macro ror_staging_increment): the rows loaded since the last build and
    those built before that share their customer_id (an identity conflict is always among
    the rows of one customer). The seed channels is read at build time: changing it needs
    `ror refresh --full-refresh`. -#}

{%- set contract_columns = ["customer_id", "channel", "channel_user_id"] -%}

{%- set rules = [
    ror_required_rule("customer_id"),
    ror_required_rule("channel"),
    ror_required_rule("channel_user_id"),
] -%}

with

source as (

    select * from {{ source('crm', 'identities') }}
    {{ ror_staging_increment(source('crm', 'identities'), ror_shared_id_key('customer_id')) }}

),

channels as (

    select * from {{ ref('channels') }}

),

exact_repeats as (

    select
        *,
        {{ ror_is_exact_repeat(contract_columns) }} as is_duplicate
    from source

),

renamed as (

    select
        {{ ror_surrogate_key(["_file_hash", "_line_number"]) }} as identity_row_id,
        nullif(trim(customer_id), '') as customer_id_text,
        lower(nullif(trim(channel), '')) as channel_text,
        nullif(trim(channel_user_id), '') as channel_user_id_text,
        is_duplicate,
        _batch,
        _file,
        _file_hash,
        _line_number,
        _loaded_at,
        _load_id
    from exact_repeats

),

parsed as (

    select
        renamed.*,
        renamed.customer_id_text as customer_id,
        renamed.channel_text as channel,
        renamed.channel_user_id_text as channel_user_id,
        channels.channel is not null as is_known_channel
    from renamed
    left join channels
        on renamed.channel_text = channels.channel

),

row_rules as (

    select
        *,
        {{ ror_first_broken_rule(rules) }} as row_rule,
        {{ ror_first_broken_rule_detail(rules) }} as row_rule_detail
    from parsed

),

{# The identity is the whole row, so a "conflict" is the same identity written
    differently (spacing, letter case of the channel). #}

id_conflicts as (

    select
        *,
        {{ ror_id_conflict_columns(
            ["customer_id", "channel", "channel_user_id"],
            "not is_duplicate and row_rule is null",
        ) }}
    from row_rules

),

final as (

    select
        identity_row_id,
        customer_id,
        channel,
        channel_user_id,
        is_known_channel,
        {{ ror_outcome_columns("identity") }},
        _batch,
        _file,
        _file_hash,
        _line_number,
        _loaded_at,
        _load_id,
        {{ ror_build_stamp() }} as _built_at
    from id_conflicts

)

select * from final
