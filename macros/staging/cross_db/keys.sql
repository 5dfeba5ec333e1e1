{#- A surrogate key: md5 of the fields, null-safe and separator-safe
    (same idea as dbt_utils.generate_surrogate_key, without the package). -#}
{% macro ror_surrogate_key(fields) -%}
    {%- set parts = [] -%}
    {%- for field in fields -%}
        {%- do parts.append(
            "coalesce(" ~ dbt.cast(field, api.Column.translate_type("string")) ~ ", '_ror_null_')"
        ) -%}
        {%- if not loop.last %}{% do parts.append("'-'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
