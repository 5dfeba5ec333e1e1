{#- Weight of an interaction age_days old: 0.5 ^ (age / half-life), 1 today, 1/2 at one
    half-life. Negative ages count as 0; null stays null. Plain SQL on purpose: it runs on
    every interaction row. Same numbers as python_udfs.scoring.decay_weight (tested).
    half_life_days defaults to the var decay_half_life_days (90). -#}
{% macro decay_weight(age_days, half_life_days=none) -%}
    {{ return(adapter.dispatch('decay_weight')(age_days, half_life_days)) }}
{%- endmacro %}

{% macro default__decay_weight(age_days, half_life_days=none) -%}
    {%- set half_life = var('decay_half_life_days', 90)
        if half_life_days is none else half_life_days -%}
    {%- if half_life is not number or half_life <= 0 -%}
        {{ exceptions.raise_compiler_error(
            "decay_half_life_days must be a number > 0, got " ~ half_life
        ) }}
    {%- endif -%}
    power(
        0.5,
        (case
            when {{ age_days }} < 0 then 0
            else cast({{ age_days }} as {{ ror_type_double() }})
        end) / {{ _ror_number(half_life) }}
    )
{%- endmacro %}
