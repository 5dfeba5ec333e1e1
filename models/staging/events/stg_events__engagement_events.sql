{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_row_id',
    )
}}

{#- One row per landed engagement event: renamed, cast, parsed and flagged, never
    filtered. Unknown event types and channels are staged and flagged, not quarantined.

    Incremental: a run builds the rows loaded since the last build, and builds again the
    rows built before that share an id with them (a repeat or an id conflict may change
    which row is kept). Every rule reads the row alone or the rows of its id, so the result
    equals a full refresh. The seeds event_types, channels and currencies and the vars of
    the rules are read at build time: changing one needs `ror refresh --full-refresh`. -#}

{%- set contract_columns = [
    "event_id", "occurred_at", "channel", "event_type", "actor", "brand_id",
    "person_channel_user_id", "person_handle", "person_email", "object_id", "in_reply_to",
    "text", "rating", "amount", "currency", "referred_channel_user_id", "properties",
] -%}

{%- set rules = [ror_required_rule("event_id", "event_id")] + ror_timestamp_rules("occurred_at") + [
    ror_required_rule("channel", "channel"),
    ror_required_rule("event_type", "event_type"),
    ror_required_rule("actor", "actor"),
    {
        "name": "invalid_actor",
        "when": "actor not in ('person', 'brand') or actor <> coalesce(event_type_actor, actor)",
        "detail": dbt.concat(["actor", "' for '", "event_type"]),
    },
    {"name": "missing_brand_id", "when": "brand_id is null", "detail": "null"},
    {
        "name": "missing_person",
        "when": "coalesce(requires_person, actor = 'person') and person_channel_user_id is null and person_handle is null and person_email is null",
        "detail": dbt.concat(["actor", "' '", "event_type"]),
    },
    {"name": "unparseable_rating", "when": "rating_text is not null and rating is null", "detail": "rating_text"},
    {"name": "rating_out_of_range", "when": "rating not between 1 and 5", "detail": "rating_text"},
    {"name": "unparseable_amount", "when": "amount_text is not null and amount is null", "detail": "amount_text"},
    {"name": "missing_amount", "when": "event_type = 'purchase' and amount is null", "detail": "null"},
    {"name": "missing_currency", "when": "amount is not null and currency is null", "detail": "amount_text"},
    {"name": "unknown_currency", "when": "currency is not null and not is_known_currency", "detail": "currency_text"},
] -%}

with

source as {{ ror_inline_cte() }} (

    select * from {{ source('events', 'engagement_events') }}
    {{ ror_staging_increment(
        source('events', 'engagement_events'), ror_shared_id_key('event_id')
    ) }}

),

event_types as (

    select * from {{ ref('event_types') }}

),

channels as (

    select * from {{ ref('channels') }}

),

currencies as (

    select * from {{ ref('currencies') }}

),

{# Repeats and id conflicts are looked for among the rows of a shared id only (macro
   ror_shared_id_key): 0.5% of the events at 10M. #}
shared_ids as (

    select {{ ror_shared_id_key('event_id') }} as shared_id
    from source
    group by {{ ror_shared_id_key('event_id') }}
    having count(*) > 1

),

repeats as (

    select
        _file,
        _line_number,
        {{ ror_is_exact_repeat(contract_columns) }} as is_duplicate
    from source
    where {{ ror_shared_id_key('event_id') }} in (select shared_ids.shared_id from shared_ids)

),

exact_repeats as {{ ror_inline_cte() }} (

    select
        source.*,
        coalesce(repeats.is_duplicate, false) as is_duplicate,
        repeats._line_number is not null as has_shared_id
    from source
    left join repeats
        on
            source._file = repeats._file
            and source._line_number = repeats._line_number

),

renamed as {{ ror_inline_cte() }} (

    select
        {{ ror_surrogate_key(["_file_hash", "_line_number"]) }} as event_row_id,
        nullif(trim(event_id), '') as event_id,
        nullif(trim(occurred_at), '') as occurred_at_text,
        lower(nullif(trim(channel), '')) as channel,
        lower(nullif(trim(event_type), '')) as event_type,
        lower(nullif(trim(actor), '')) as actor,
        nullif(trim(brand_id), '') as brand_id,
        nullif(trim(person_channel_user_id), '') as person_channel_user_id,
        nullif(trim(person_handle), '') as person_handle,
        nullif(trim(person_email), '') as person_email,
        nullif(trim(object_id), '') as object_id,
        nullif(trim(in_reply_to), '') as in_reply_to_event_id,
        text as event_text,
        nullif(trim(rating), '') as rating_text,
        nullif(trim(amount), '') as amount_text,
        nullif(trim(currency), '') as currency_text,
        nullif(trim(referred_channel_user_id), '') as referred_channel_user_id,
        properties,
        is_duplicate,
        has_shared_id,
        _batch,
        _file,
        _file_hash,
        _line_number,
        _loaded_at,
        _load_id
    from exact_repeats

),

parsed as {{ ror_inline_cte() }} (

    select
        *,
        {{ ror_parse_iso_timestamp_utc("occurred_at_text") }} as occurred_at,
        {{ ror_parse_number("rating_text") }} as rating,
        {{ ror_parse_number("amount_text") }} as amount,
        upper(currency_text) as currency
    from renamed

),

looked_up as {{ ror_inline_cte() }} (

    select
        parsed.*,
        event_types.actor as event_type_actor,
        event_types.requires_person,
        coalesce(event_types.is_known, false) as is_known_event_type,
        channels.channel is not null as is_known_channel,
        currencies.currency_code is not null as is_known_currency
    from parsed
    left join event_types
        on parsed.event_type = event_types.event_type
    left join channels
        on parsed.channel = channels.channel
    left join currencies
        on parsed.currency = currencies.currency_code

),

row_rules as {{ ror_inline_cte() }} (

    select
        *,
        {{ ror_first_broken_rule(rules) }} as row_rule,
        {{ ror_first_broken_rule_detail(rules) }} as row_rule_detail
    from looked_up

),

shared_id_conflicts as (

    select
        _file,
        _line_number,
        {{ ror_id_conflict_columns(["event_id"], "not is_duplicate and row_rule is null") }}
    from row_rules
    where has_shared_id

),

id_conflicts as (

    select
        row_rules.*,
        coalesce(shared_id_conflicts.is_duplicate_id_conflict, false) as is_duplicate_id_conflict,
        shared_id_conflicts.duplicate_id_kept_at
    from row_rules
    left join shared_id_conflicts
        on
            row_rules._file = shared_id_conflicts._file
            and row_rules._line_number = shared_id_conflicts._line_number

),

final as (

    select
        event_row_id,
        event_id,
        occurred_at,
        channel,
        event_type,
        actor,
        brand_id,
        person_channel_user_id,
        person_handle,
        person_email,
        object_id,
        in_reply_to_event_id,
        event_text,
        rating,
        amount,
        currency,
        referred_channel_user_id,
        properties,
        is_known_event_type,
        is_known_channel,
        {{ ror_outcome_columns("event_id") }},
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
