{#- Generic test: the combination of the given columns is unique (a grain of several
    columns), without dbt packages. Fails with one row per repeated combination. -#}
{% test ror_unique_combination(model, combination_of_columns) %}

with

grouped as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

)

select * from grouped

{% endtest %}


{#- Generic test: no text column of the model holds a value that appears among the
    identifying texts of the raw data (handles, user ids, e-mail addresses, message
    texts) — what must never reach the BI database. Compares every varchar column. -#}
{% test ror_holds_no_identifying_text(model) %}

{%- set text_columns = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- if column.is_string() -%}
            {%- do text_columns.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

with

identifying as (

    select identifying_text from {{ ref('int_identifying_texts') }}
    where not is_brand_handle

),

published as (

    {%- for column in text_columns %}
    select
        '{{ column }}' as column_name,
        cast({{ adapter.quote(column) }} as {{ api.Column.translate_type("string") }}) as published_value
    from {{ model }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not text_columns %}
    select
        cast(null as {{ api.Column.translate_type("string") }}) as column_name,
        cast(null as {{ api.Column.translate_type("string") }}) as published_value
    where 1 = 0
    {%- endif %}

),

leaks as (

    select
        published.column_name,
        count(*) as leaked_values
    from published
    inner join identifying
        on published.published_value = identifying.identifying_text
    group by published.column_name

)

select * from leaks

{% endtest %}
