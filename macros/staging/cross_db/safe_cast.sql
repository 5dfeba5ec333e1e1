{#- dbt-duckdb ships no safe_cast, so dbt.safe_cast falls back to a plain (failing) cast.
    DuckDB's try_cast returns null for a value that does not convert, like the
    safe_cast of BigQuery, Snowflake (try_cast) and Spark (try_cast). -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
