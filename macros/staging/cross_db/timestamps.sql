{#- Timestamps: every staged timestamp is a TIMESTAMP (without time zone) in UTC. -#}

{#- ISO 8601 text to a UTC timestamp. Text with an offset (`+01:00`, `+0100`, `Z`; at
    most 14 hours, as real offsets are) is converted to UTC; text without one is taken as
    UTC already (never the session's time zone). Null when the text is not a valid
    ISO 8601 timestamp or date. -#}
{% macro ror_parse_iso_timestamp_utc(expression) -%}
    {{ return(adapter.dispatch('ror_parse_iso_timestamp_utc')(expression)) }}
{%- endmacro %}

{% macro default__ror_parse_iso_timestamp_utc(expression) -%}
    case
        when {{ ror_regexp_full_match(
            expression,
            '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?\\s*([zZ]|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)',
        ) }}
            then timezone('UTC', try_cast({{ expression }} as timestamptz))
        when {{ ror_regexp_full_match(
            expression,
            '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?)?',
        ) }}
            then try_cast({{ expression }} as timestamp)
    end
{%- endmacro %}

{#- Twitter's `created_at`, e.g. `Tue Oct 31 22:10:47 +0000 2017`, to a UTC timestamp. -#}
{% macro ror_parse_twitter_timestamp_utc(expression) -%}
    {{ return(adapter.dispatch('ror_parse_twitter_timestamp_utc')(expression)) }}
{%- endmacro %}

{% macro default__ror_parse_twitter_timestamp_utc(expression) -%}
    case
        when {{ ror_regexp_full_match(expression, '.* [+-](0[0-9]|1[0-4])[0-5][0-9] [0-9]{4}') }}
            then timezone('UTC', try_strptime({{ expression }}, '%a %b %d %H:%M:%S %z %Y'))
    end
{%- endmacro %}

{#- ISO day of week of a date: 1 = Monday ... 7 = Sunday. -#}
{% macro ror_iso_weekday(expression) -%}
    {{ return(adapter.dispatch('ror_iso_weekday')(expression)) }}
{%- endmacro %}

{% macro default__ror_iso_weekday(expression) -%}
    isodow({{ expression }})
{%- endmacro %}

{#- The landing contract's timestamp rules (contracts/landing.md, "What is bad input"):
    later than the load time plus var future_tolerance_hours, or before var
    earliest_valid_at. Measured against the row's own load time, so that a rebuild
    gives the same verdict whenever it runs. -#}
{% macro ror_is_in_future(expression, loaded_at='_loaded_at') -%}
    {{ expression }} > {{ dbt.dateadd('hour', var('future_tolerance_hours'), loaded_at) }}
{%- endmacro %}

{% macro ror_is_before_earliest_valid(expression) -%}
    {{ expression }} < cast('{{ var("earliest_valid_at") }}' as {{ api.Column.translate_type("timestamp") }})
{%- endmacro %}
