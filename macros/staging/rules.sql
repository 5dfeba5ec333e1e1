{#- Row-level rules of the staging models (contracts/landing.md, "What is bad input").

    A staging model lists its rules in the order they are checked, each a dict
    {name, when, detail}: `when` is a SQL condition that is true when the row breaks the
    rule, `detail` a SQL expression saying what broke it (the raw value, usually). A row
    carries the name of the first rule it breaks (`quarantine_rule`), or null. -#}

{% macro ror_first_broken_rule(rules) -%}
    case
        {%- for rule in rules %}
        when {{ rule.when }} then '{{ rule.name }}'
        {%- endfor %}
    end
{%- endmacro %}

{% macro ror_first_broken_rule_detail(rules) -%}
    case
        {%- for rule in rules %}
        when {{ rule.when }} then {{ ror_rule_detail(rule.detail or "null") }}
        {%- endfor %}
    end
{%- endmacro %}

{#- Detail text, cut to 200 characters: enough to recognise the value, not a copy of it. -#}
{% macro ror_rule_detail(expression) -%}
    left({{ dbt.cast(expression, api.Column.translate_type("string")) }}, 200)
{%- endmacro %}

{#- The rule of a required value: `missing_<column>` when its text (by default
    `<column>_text`, trimmed, empty as null) is null. -#}
{% macro ror_required_rule(column, text_column=none) -%}
    {{ return({
        "name": "missing_" ~ column,
        "when": (text_column or column ~ "_text") ~ " is null",
        "detail": "null",
    }) }}
{%- endmacro %}

{#- The rules of a timestamp column `<column>` parsed from `<column>_text`:
    missing (when required), unparseable, in the future, before the earliest valid time. -#}
{% macro ror_timestamp_rules(column, required=true) -%}
    {%- set rules = [] -%}
    {%- if required -%}
        {%- do rules.append({"name": "missing_" ~ column, "when": column ~ "_text is null", "detail": "null"}) -%}
    {%- endif -%}
    {%- do rules.append({
        "name": "unparseable_" ~ column,
        "when": column ~ "_text is not null and " ~ column ~ " is null",
        "detail": column ~ "_text",
    }) -%}
    {%- do rules.append({
        "name": column ~ "_in_future",
        "when": ror_is_in_future(column),
        "detail": column ~ "_text",
    }) -%}
    {%- do rules.append({
        "name": column ~ "_before_" ~ (var("earliest_valid_at") | string)[:4],
        "when": ror_is_before_earliest_valid(column),
        "detail": column ~ "_text",
    }) -%}
    {{ return(rules) }}
{%- endmacro %}
