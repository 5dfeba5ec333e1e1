{#- Sentiment of a text in [-1, 1] (VADER compound), null for a null text.
    Score each text once: call it on `select distinct <text> from ...` and join back. -#}
{% macro sentiment_score(text) -%}
    {{ return(adapter.dispatch('sentiment_score')(text)) }}
{%- endmacro %}

{% macro duckdb__sentiment_score(text) -%}
    {%- do _ror_assert_not_view('sentiment_score') -%}
    sentiment_compound({{ text }})
{%- endmacro %}

{% macro default__sentiment_score(text) -%}
    {{ exceptions.raise_compiler_error(
        "sentiment_score has no implementation for the " ~ adapter.type() ~ " adapter:"
        ~ " define " ~ adapter.type() ~ "__sentiment_score(text) calling a VADER UDF"
        ~ " (python_udfs.sentiment.sentiment_compound) registered on that engine."
    ) }}
{%- endmacro %}
