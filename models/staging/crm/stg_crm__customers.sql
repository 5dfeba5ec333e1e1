{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='customer_row_id',
    )
}}

{#- One row per landed CRM customer row: renamed, cast, parsed and flagged, never
    filtered.

    Incremental (macro ror_staging_increment): the rows loaded since the last build and
    those built before that share their customer_id. The vars of the rules are read at
    build time: changing one needs `ror refresh --full-refresh`. -#}

{%- set contract_columns = [
    "customer_id", "brand_id", "email", "created_at", "country", "first_name",
] -%}

{%- set rules = [
    ror_required_rule("customer_id"),
    {"name": "missing_brand_id", "when": "brand_id is null", "detail": "null"},
] + ror_timestamp_rules("created_at", required=false) -%}

with

source as (

    select * from {{ source('crm', 'customers') }}
    {{ ror_staging_increment(source('crm', 'customers'), ror_shared_id_key('customer_id')) }}

),

exact_repeats as (

    select
        *,
        {{ ror_is_exact_repeat(contract_columns) }} as is_duplicate
    from source

),

renamed as (

    select
        {{ ror_surrogate_key(["_file_hash", "_line_number"]) }} as customer_row_id,
        nullif(trim(customer_id), '') as customer_id_text,
        nullif(trim(brand_id), '') as brand_id,
        nullif(trim(email), '') as email,
        nullif(trim(created_at), '') as created_at_text,
        upper(nullif(trim(country), '')) as country_code,
        nullif(trim(first_name), '') as first_name,
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
        *,
        customer_id_text as customer_id,
        {{ ror_parse_iso_timestamp_utc("created_at_text") }} as created_at
    from renamed

),

row_rules as (

    select
        *,
        {{ ror_first_broken_rule(rules) }} as row_rule,
        {{ ror_first_broken_rule_detail(rules) }} as row_rule_detail
    from parsed

),

id_conflicts as (

    select
        *,
        {{ ror_id_conflict_columns(["customer_id"], "not is_duplicate and row_rule is null") }}
    from row_rules

),

final as (

    select
        customer_row_id,
        customer_id,
        brand_id,
        email,
        created_at,
        country_code,
        first_name,
        {{ ror_outcome_columns("customer_id") }},
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
