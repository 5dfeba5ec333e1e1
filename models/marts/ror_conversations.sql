{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='conversation_id',
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where conversation_id not in ("
            ~ "select conversation_id from {{ ref('int_conversations_rebuilt') }})",
    )
}}

{#- One row per conversation thread (int_conversations_rebuilt): its brand, when it
    opened, how fast the brand first answered (null when it never did), turns, and the
    person's sentiment before and after the brand spoke (docs block ror_conversations).

    Incremental (delete+insert on conversation_id): a run rebuilds the conversations
    rebuilt upstream since its last build (_changed_at) and those of the identities that
    moved to another person (int_identities_resolved._changed_at); every row when the salt
    it was built with changed (_build_hash). A conversation that is gone upstream (its
    thread re-rooted) is deleted (post-hook). -#}

{%- set build_hash = ror_build_hash([]) -%}
{%- set incremental = ror_is_incremental_with_settings(build_hash) %}

with

all_conversations as (

    select * from {{ ref('int_conversations_rebuilt') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

{# The conversations to build: all of them, or on an incremental run those rebuilt since
   the last build and those of identities that moved to another person. #}
conversations as (

    select * from all_conversations
    {% if incremental -%}
        where {{ ror_changed_or_moved('identities') }}
    {%- endif %}

),

final as (

    select
        conversations.conversation_id,
        conversations.brand_id,
        conversations.channel,
        {{ pseudonymize('identities.person_id') }} as person_key,
        conversations.opened_at,
        cast(conversations.opened_at as date) as opened_date,
        conversations.first_response_at,
        cast(conversations.first_response_minutes as {{ ror_type_double() }})
            as first_response_minutes,
        conversations.is_answered,
        {{ ror_bigint('conversations.turns') }} as turns,
        conversations.message_count,
        {{ ror_bigint('conversations.person_message_count') }} as person_message_count,
        {{ ror_bigint('conversations.brand_message_count') }} as brand_message_count,
        conversations.last_message_at,
        cast(conversations.sentiment_before_response as {{ ror_type_double() }})
            as sentiment_before_response,
        cast(conversations.sentiment_after_response as {{ ror_type_double() }})
            as sentiment_after_response,
        cast(
            conversations.sentiment_after_response - conversations.sentiment_before_response
            as {{ ror_type_double() }}
        ) as sentiment_change,
        case
            when identities._changed_at > conversations._changed_at then identities._changed_at
            else conversations._changed_at
        end as _changed_at,
        {{ build_hash }} as _build_hash
    from conversations
    inner join identities
        on conversations.identity_key = identities.identity_key

)

select * from final
