{#- The ROR score, 0-100 (docs block ror_score_formula). Arguments are SQL expressions of the
    seven components, each on [0, 1] or null (see ror_components.sql). `weights` overrides
    some of the var ror_weights for this call (a what-if), e.g. {'advocacy': 0.5}.

    DuckDB: the Python UDF ror_score (python_udfs.scoring.ror_score_arrow, registered by
    python_udfs.plugin), so the formula lives in one Python function. Other adapters:
    default__ror_score, the same formula in portable SQL (tests prove the two agree). -#}
{% macro ror_score(
    engagement,
    sentiment,
    reciprocity,
    listening,
    advocacy,
    continuity,
    realized_value,
    weights=none
) -%}
    {{ return(adapter.dispatch('ror_score')(
        engagement,
        sentiment,
        reciprocity,
        listening,
        advocacy,
        continuity,
        realized_value,
        weights
    )) }}
{%- endmacro %}


{#- The UDF takes the seven components and ONE text of the merged weights in component order,
    e.g. '0.2,0.15,0.1,0.1,0.2,0.15,0.1' (python_udfs.scoring.weights_text writes the same:
    each weight as a float, written so that it reads back exactly). DuckDB converts every
    argument to Arrow on every call (a constant too, row by row): one text is less to convert
    than seven DOUBLE columns, and the UDF parses it once. -#}
{% macro duckdb__ror_score(
    engagement,
    sentiment,
    reciprocity,
    listening,
    advocacy,
    continuity,
    realized_value,
    weights=none
) -%}
    {%- do _ror_assert_not_view('ror_score') -%}
    {%- set w = ror_weights(weights) -%}
    {%- set texts = [] -%}
    {%- for name in [
        'engagement',
        'sentiment',
        'reciprocity',
        'listening',
        'advocacy',
        'continuity',
        'realized_value',
    ] -%}
        {%- do texts.append(w[name] | float | string) -%}
    {%- endfor -%}
    ror_score(
        {{ engagement }},
        {{ sentiment }},
        {{ reciprocity }},
        {{ listening }},
        {{ advocacy }},
        {{ continuity }},
        {{ realized_value }},
        '{{ texts | join(",") }}'
    )
{%- endmacro %}


{#- 100 x sum(w x clip(c, 0, 1)) / sum(w) over the non-null components; null when none. -#}
{% macro default__ror_score(
    engagement,
    sentiment,
    reciprocity,
    listening,
    advocacy,
    continuity,
    realized_value,
    weights=none
) -%}
    {%- set w = ror_weights(weights) -%}
    {%- set components = [
        (engagement, w['engagement']),
        (sentiment, w['sentiment']),
        (reciprocity, w['reciprocity']),
        (listening, w['listening']),
        (advocacy, w['advocacy']),
        (continuity, w['continuity']),
        (realized_value, w['realized_value']),
    ] -%}
    {%- set numerator -%}
        {%- for expr, weight in components %}
            {% if not loop.first %}+ {% endif -%}
            (case when {{ expr }} is null then 0 else {{ _ror_number(weight) }}
                * least(greatest(cast({{ expr }} as {{ ror_type_double() }}), 0), 1) end)
        {%- endfor %}
    {%- endset -%}
    {%- set denominator -%}
        {%- for expr, weight in components %}
            {% if not loop.first %}+ {% endif -%}
            (case when {{ expr }} is null then 0 else {{ _ror_number(weight) }} end)
        {%- endfor %}
    {%- endset -%}
    (case
        when ({{ denominator }}
        ) > 0
            then least(greatest(100 * ({{ numerator }}
            ) / ({{ denominator }}
            ), 0), 100)
    end)
{%- endmacro %}


{#- FORMULA_VERSION of the formula that computed ror_score: every scored row carries it. -#}
{% macro ror_formula_version() -%}
    {{ return(adapter.dispatch('ror_formula_version')()) }}
{%- endmacro %}

{% macro duckdb__ror_formula_version() -%}
    {%- do _ror_assert_not_view('ror_formula_version') -%}
    ror_formula_version()
{%- endmacro %}

{#- Must equal python_udfs.scoring.FORMULA_VERSION (tests/test_plugin.py). -#}
{% macro default__ror_formula_version() -%}
    '{{ ror_sql_formula_version() }}'
{%- endmacro %}

{% macro ror_sql_formula_version() -%}
    {{ return('1.0.0') }}
{%- endmacro %}


{#- The weights and scale constants in effect, as a JSON string literal: the vars can change
    a score without a formula version bump, so a scored mart can carry them too. -#}
{% macro ror_score_parameters(weights=none, scales=none) -%}
    '{{ tojson({"weights": ror_weights(weights), "scales": ror_scales(scales)}, sort_keys=true) }}'
{%- endmacro %}
