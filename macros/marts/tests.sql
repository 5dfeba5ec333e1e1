{#- Generic test: the combination of columns is unique (the grain of a model), with no
    dbt packages. Under ROR_TEST_ROWS=latest_build, only the combinations of the rows the
    model's latest build wrote are counted, across all of its rows (macro
    ror_latest_build). -#}
{% test ror_unique_combination(model, combination_of_columns) %}

{%- set latest_build = ror_latest_build(model) %}

with

{%- if latest_build %}

built_combinations as (

    select distinct {{ combination_of_columns | join(', ') }}
    from {{ model }}
    where {{ latest_build }}

),
{%- endif %}

grouped as (

    select
        {%- for column in combination_of_columns %}
        tested.{{ column }},
        {%- endfor %}
        count(*) as occurrences
    from {{ model }} as tested
    {%- if latest_build %}
    semi join built_combinations
        on
        {%- for column in combination_of_columns %}
            {% if not loop.first %}and {% endif -%}
            tested.{{ column }} is not distinct from built_combinations.{{ column }}
        {%- endfor %}
    {%- endif %}
    group by
        {%- for column in combination_of_columns %}
        tested.{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
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
