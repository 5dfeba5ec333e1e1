{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='order_row_id',
    )
}}

{#- One row per landed order row: renamed, cast, parsed and flagged, never filtered.
    A negative amount is a refund, not a broken row.

    Incremental (macro ror_staging_increment): the rows loaded since the last build and
    those built before that share their order_id. The seed currencies and the vars of the
    rules are read at build time: changing one needs `ror refresh --full-refresh`. -#}

{%- set contract_columns = [
    "order_id", "customer_id", "brand_id", "ordered_at", "amount", "currency", "status",
    "referrer_customer_id",
] -%}

{%- set rules = [
    ror_required_rule("order_id"),
    {"name": "missing_customer_id", "when": "customer_id is null", "detail": "null"},
    {"name": "missing_brand_id", "when": "brand_id is null", "detail": "null"},
] + ror_timestamp_rules("ordered_at") + [
    ror_required_rule("amount"),
    {"name": "unparseable_amount", "when": "amount is null", "detail": "amount_text"},
    ror_required_rule("currency"),
    {"name": "unknown_currency", "when": "not is_known_currency", "detail": "currency_text"},
    ror_required_rule("status"),
    {"name": "invalid_status", "when": "status not in ('completed', 'refunded', 'cancelled')", "detail": "status_text"},
] -%}

with

source as (

    select * from {{ source('crm', 'orders') }}
    {{ ror_staging_increment(source('crm', 'orders'), ror_shared_id_key('order_id')) }}

),

currencies as (

    select * from {{ ref('currencies') }}

),

exact_repeats as (

    select
        *,
        {{ ror_is_exact_repeat(contract_columns) }} as is_duplicate
    from source

),

renamed as (

    select
        {{ ror_surrogate_key(["_file_hash", "_line_number"]) }} as order_row_id,
        nullif(trim(order_id), '') as order_id_text,
        nullif(trim(customer_id), '') as customer_id,
        nullif(trim(brand_id), '') as brand_id,
        nullif(trim(ordered_at), '') as ordered_at_text,
        nullif(trim(amount), '') as amount_text,
        nullif(trim(currency), '') as currency_text,
        nullif(trim(status), '') as status_text,
        nullif(trim(referrer_customer_id), '') as referrer_customer_id,
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
        renamed.order_id_text as order_id,
        {{ ror_parse_iso_timestamp_utc("renamed.ordered_at_text") }} as ordered_at,
        {{ ror_parse_number("renamed.amount_text") }} as amount,
        upper(renamed.currency_text) as currency,
        lower(renamed.status_text) as status,
        currencies.currency_code is not null as is_known_currency
    from renamed
    left join currencies
        on upper(renamed.currency_text) = currencies.currency_code

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
        {{ ror_id_conflict_columns(["order_id"], "not is_duplicate and row_rule is null") }}
    from row_rules

),

final as (

    select
        order_row_id,
        order_id,
        customer_id,
        brand_id,
        ordered_at,
        amount,
        currency,
        status,
        referrer_customer_id,
        {{ ror_outcome_columns("order_id") }},
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
