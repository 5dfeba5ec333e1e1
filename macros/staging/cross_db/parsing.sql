{#- Parsing helpers for the staging models. Each takes a SQL expression holding text
    (already trimmed, empty as null) and returns null when the text does not parse,
    so that a staging model can tell "missing" (text null) from "unparseable"
    (text not null, parsed value null). -#}

{#- Whole-string regular-expression match. -#}
{% macro ror_regexp_full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('ror_regexp_full_match')(expression, pattern)) }}
{%- endmacro %}

{% macro default__ror_regexp_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{#- An integer id or count, also when written as a float with a zero fraction
    (`3.0`, as pandas writes an integer column that has nulls). `3.5` does not parse. -#}
{% macro ror_parse_integer(expression) -%}
    case
        when {{ ror_regexp_full_match(expression, '[+-]?[0-9]+(\\.0*)?') }}
            then {{ dbt.safe_cast(
                "regexp_replace(" ~ expression ~ ", '\\.0*$', '')",
                api.Column.translate_type("bigint"),
            ) }}
    end
{%- endmacro %}

{#- A decimal number (amount, rating, metric); null when not a finite number. -#}
{% macro ror_parse_number(expression, type=none) -%}
    case
        when {{ ror_regexp_full_match(expression, '[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?') }}
            then {{ dbt.safe_cast(expression, type or dbt.type_numeric()) }}
    end
{%- endmacro %}

{#- A comma-separated list of integer ids (`9,6,10`) as a list of BIGINT. Null or empty
    text gives an empty list; `ror_is_id_list` tells whether the text is well formed. -#}
{% macro ror_split_id_list(expression) -%}
    {{ return(adapter.dispatch('ror_split_id_list')(expression)) }}
{%- endmacro %}

{% macro default__ror_split_id_list(expression) -%}
    case
        when {{ expression }} is null then []::bigint[]
        else list_transform(
            string_split({{ expression }}, ','),
            lambda id_text: try_cast(regexp_replace(trim(id_text), '\.0*$', '') as bigint)
        )
    end
{%- endmacro %}

{% macro ror_is_id_list(expression) -%}
    {{ ror_regexp_full_match(expression, '\\s*[0-9]+(\\.0*)?\\s*(,\\s*[0-9]+(\\.0*)?\\s*)*') }}
{%- endmacro %}

{#- Number of elements of a list column. -#}
{% macro ror_list_length(expression) -%}
    {{ return(adapter.dispatch('ror_list_length')(expression)) }}
{%- endmacro %}

{% macro default__ror_list_length(expression) -%}
    len({{ expression }})
{%- endmacro %}

