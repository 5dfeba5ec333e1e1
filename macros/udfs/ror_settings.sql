{#- Settings of the ROR score: defaults merged with the dbt vars ror_weights, ror_scales and
    ror_stage_rules (a var may set only some keys). The defaults are those of
    python_udfs/scoring.py (Weights, Scales, StageRules); tests/test_plugin.py checks that. -#}

{% macro ror_weights(overrides=none) -%}
    {%- set weights = {
        'engagement': 0.20,
        'sentiment': 0.15,
        'reciprocity': 0.10,
        'listening': 0.10,
        'advocacy': 0.20,
        'continuity': 0.15,
        'realized_value': 0.10,
    } -%}
    {%- set merged = _ror_merge('ror_weights', weights, var('ror_weights', {})) -%}
    {%- set merged = _ror_merge('ror_weights', merged, overrides or {}) -%}
    {%- set ns = namespace(total=0) -%}
    {%- for name, weight in merged.items() -%}
        {%- if weight is not number or weight < 0 -%}
            {{ exceptions.raise_compiler_error(
                "ror_weights: the weight of " ~ name ~ " must be a number >= 0, got " ~ weight
            ) }}
        {%- endif -%}
        {%- set ns.total = ns.total + weight -%}
    {%- endfor -%}
    {%- if ns.total <= 0 -%}
        {{ exceptions.raise_compiler_error("ror_weights: at least one weight must be > 0") }}
    {%- endif -%}
    {{ return(merged) }}
{%- endmacro %}


{% macro ror_scales(overrides=none) -%}
    {%- set scales = {
        'engagement_points': 10.0,
        'response_half_life_minutes': 60.0,
        'advocacy_points': 5.0,
        'referral_points': 5.0,
        'referred_revenue_per_point': 50.0,
        'realized_value_revenue': 100.0,
    } -%}
    {%- set merged = _ror_merge('ror_scales', scales, var('ror_scales', {})) -%}
    {%- set merged = _ror_merge('ror_scales', merged, overrides or {}) -%}
    {%- for name, value in merged.items() -%}
        {%- if value is not number or value <= 0 -%}
            {{ exceptions.raise_compiler_error(
                "ror_scales: " ~ name ~ " must be a number > 0, got " ~ value
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(merged) }}
{%- endmacro %}


{% macro ror_stage_rules(overrides=none) -%}
    {%- set rules = {
        'engaged_min_interactions': 1,
        'advocate_min_actions': 2,
        'lapsed_after_days': 90,
    } -%}
    {%- set merged = _ror_merge('ror_stage_rules', rules, var('ror_stage_rules', {})) -%}
    {%- set merged = _ror_merge('ror_stage_rules', merged, overrides or {}) -%}
    {%- for name, value in merged.items() -%}
        {%- if value is not number or value < 0 -%}
            {{ exceptions.raise_compiler_error(
                "ror_stage_rules: " ~ name ~ " must be a number >= 0, got " ~ value
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(merged) }}
{%- endmacro %}


{% macro _ror_merge(var_name, defaults, overrides) -%}
    {%- if overrides is not mapping -%}
        {{ exceptions.raise_compiler_error(var_name ~ " must be a mapping, got " ~ overrides) }}
    {%- endif -%}
    {%- set merged = {} -%}
    {%- do merged.update(defaults) -%}
    {%- for key, value in overrides.items() -%}
        {%- if key not in defaults -%}
            {{ exceptions.raise_compiler_error(
                var_name ~ ": unknown key " ~ key ~ "; expected one of "
                ~ (defaults.keys() | list | join(', '))
            ) }}
        {%- endif -%}
        {%- do merged.update({key: value}) -%}
    {%- endfor -%}
    {{ return(merged) }}
{%- endmacro %}


{#- A number as a SQL double literal. -#}
{% macro _ror_number(value) -%}
    cast({{ value }} as {{ ror_type_double() }})
{%- endmacro %}


{#- dbt.type_float() is the 4-byte FLOAT on DuckDB; the scores need 8-byte doubles. -#}
{% macro ror_type_double() -%}
    {{ return(adapter.dispatch('ror_type_double')()) }}
{%- endmacro %}

{% macro default__ror_type_double() -%}
    {{ return('double') }}
{%- endmacro %}

{% macro postgres__ror_type_double() -%}
    {{ return('double precision') }}
{%- endmacro %}

{% macro bigquery__ror_type_double() -%}
    {{ return('float64') }}
{%- endmacro %}


{#- A count-like input as a double: null and negatives become 0. -#}
{% macro _ror_nonnegative(expr) -%}
    (case when {{ expr }} > 0 then cast({{ expr }} as {{ ror_type_double() }}) else 0 end)
{%- endmacro %}


{#- Python UDFs exist only on connections with the plugin: never in a view a BI tool opens. -#}
{% macro _ror_assert_not_view(function_name) -%}
    {%- if execute and model is defined and model.resource_type == 'model'
        and config.get('materialized') == 'view' -%}
        {{ exceptions.raise_compiler_error(
            function_name ~ " calls a Python UDF (python_udfs.plugin) and cannot be used in a"
            ~ " view: BI tools open views without the plugin. Materialize "
            ~ model.name ~ " as a table."
        ) }}
    {%- endif -%}
{%- endmacro %}
