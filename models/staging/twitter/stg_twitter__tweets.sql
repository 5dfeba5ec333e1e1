{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='tweet_row_id',
    )
}}

{#- One row per landed tweet row: renamed, cast, parsed and flagged, never filtered.
    Downstream models read `where is_staged`; ops.quarantine and ops.reconciliation read
    the rest.

    Incremental (macro ror_staging_increment): the rows loaded since the last build and
    those built before that share their tweet id: the same number ("1" and "1.0"), or for
    an unparseable id the same trimmed text (shared_id below). The vars of the rules are
    read at build time: changing one needs `ror refresh --full-refresh`. -#}

{%- set contract_columns = [
    "tweet_id", "author_id", "inbound", "created_at", "text",
    "response_tweet_id", "in_response_to_tweet_id",
] -%}

{%- set rules = [
    ror_required_rule("tweet_id"),
    {"name": "unparseable_tweet_id", "when": "tweet_id is null", "detail": "tweet_id_text"},
    {"name": "missing_author_id", "when": "author_id is null", "detail": "null"},
    ror_required_rule("inbound"),
    {"name": "unparseable_inbound", "when": "is_inbound is null", "detail": "inbound_text"},
] + ror_timestamp_rules("created_at") + [
    {"name": "missing_text", "when": "nullif(trim(tweet_text), '') is null", "detail": "null"},
    {
        "name": "unparseable_response_tweet_id",
        "when": "response_tweet_id_text is not null and not " ~ ror_is_id_list("response_tweet_id_text"),
        "detail": "response_tweet_id_text",
    },
    {
        "name": "unparseable_in_response_to_tweet_id",
        "when": "in_response_to_tweet_id_text is not null and in_response_to_tweet_id is null",
        "detail": "in_response_to_tweet_id_text",
    },
] -%}

{%- set shared_id = "coalesce(cast(" ~ ror_parse_integer("trim(tweet_id)") ~ " as "
    ~ api.Column.translate_type("string") ~ "), " ~ ror_shared_id_key("tweet_id") ~ ")" -%}

with

source as (

    select * from {{ source('twitter', 'tweets') }}
    {{ ror_staging_increment(source('twitter', 'tweets'), shared_id) }}

),

exact_repeats as (

    select
        *,
        {{ ror_is_exact_repeat(contract_columns) }} as is_duplicate
    from source

),

renamed as (

    select
        {{ ror_surrogate_key(["_file_hash", "_line_number"]) }} as tweet_row_id,
        nullif(trim(tweet_id), '') as tweet_id_text,
        nullif(trim(author_id), '') as author_id,
        nullif(trim(inbound), '') as inbound_text,
        nullif(trim(created_at), '') as created_at_text,
        text as tweet_text,
        nullif(trim(response_tweet_id), '') as response_tweet_id_text,
        nullif(trim(in_response_to_tweet_id), '') as in_response_to_tweet_id_text,
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
        {{ ror_parse_integer("tweet_id_text") }} as tweet_id,
        case lower(inbound_text)
            when 'true' then true
            when 'false' then false
        end as is_inbound,
        {{ ror_parse_twitter_timestamp_utc("created_at_text") }} as created_at,
        {{ ror_split_id_list("response_tweet_id_text") }} as response_tweet_ids,
        {{ ror_parse_integer("in_response_to_tweet_id_text") }} as in_response_to_tweet_id
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
        {{ ror_id_conflict_columns(["tweet_id"], "not is_duplicate and row_rule is null") }}
    from row_rules

),

final as (

    select
        tweet_row_id,
        tweet_id,
        author_id,
        is_inbound,
        created_at,
        tweet_text,
        response_tweet_ids,
        {{ ror_list_length("response_tweet_ids") }} as response_tweet_count,
        in_response_to_tweet_id,
        {{ ror_outcome_columns("tweet_id") }},
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
