{#- The rows of `model` that its latest build wrote, as a SQL condition, when the
    environment variable ROR_TEST_ROWS is 'latest_build' (`ror refresh` sets it on a
    nightly whose previous refresh was published with the same project) and the model is
    incremental and keeps _built_at, its build stamp. Otherwise (every table, a
    where-subquery of dbt's, ROR_TEST_ROWS unset or 'all') nothing: the test reads every
    row. A row that the latest build did not write was there, unchanged, when
    an earlier build's tests passed. An environment variable read only when the test runs,
    not a dbt var: a var that differs from the last run's makes dbt parse the whole
    project again (3.1 s -> 8.9 s here), and env_var() is not read while dbt parses. -#}
{% macro ror_latest_build(model) -%}
    {%- if not execute or model is string -%}
        {{ return('') }}
    {%- endif -%}
    {%- if env_var('ROR_TEST_ROWS', 'all') != 'latest_build' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set incremental = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.config.materialized == 'incremental'
            and node.schema == model.schema and node.alias == model.identifier -%}
            {%- do incremental.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not incremental -%}
        {{ return('') }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(model) | map(attribute='name') | list -%}
    {%- if '_built_at' not in columns -%}
        {{ return('') }}
    {%- endif -%}
    {{ return('_built_at = (select max(_built_at) from ' ~ model ~ ')') }}
{%- endmacro %}


{#- dbt's built-in unique test (dbt favours a project's test of the same name), scoped by
    ror_latest_build: the values of the rows the latest build wrote are counted across
    every row, so a new row repeating an old one fails too. Without the scope it is
    dbt's SQL. -#}
{% test unique(model, column_name) %}

{%- set latest_build = ror_latest_build(model) %}
{%- set where = ror_where_handed_over(model) %}

with

{%- if latest_build %}

built_values as (

    select {{ column_name }} as unique_field
    from {{ model }}
    where {{ latest_build }}{% if where %} and ({{ where }}){% endif %}

),
{%- endif %}

grouped as (

    select
        {{ column_name }} as unique_field,
        count(*) as n_records
    from {{ model }}
    where
        {{ column_name }} is not null
        {%- if latest_build %}
        and {{ column_name }} in (select unique_field from built_values)
        {%- endif %}
        {%- if where %}
        and ({{ where }})
        {%- endif %}
    group by {{ column_name }}
    having count(*) > 1

)

select * from grouped

{% endtest %}


{#- dbt's built-in not_null test, scoped by ror_latest_build: a row that the latest build
    did not write cannot have become null. Without the scope it is dbt's SQL. -#}
{% test not_null(model, column_name) %}

{%- set latest_build = ror_latest_build(model) %}
{%- set where = ror_where_handed_over(model) %}
{%- set column_list = '*' if should_store_failures() else column_name %}

select {{ column_list }}
from {{ model }}
where
    {{ column_name }} is null
    {%- if latest_build %}
    and {{ latest_build }}
    {%- endif %}
    {%- if where %}
    and ({{ where }})
    {%- endif %}

{% endtest %}


{#- dbt wraps the model of a test with a `where` config in a subquery (this macro, dbt's
    own otherwise), which ror_latest_build cannot scope: the staging models' unique and
    not_null tests of staged rows (`where: is_staged`) read every row, 1.4 s for
    stg_events__engagement_events.event_id at 10M events, on the path to every model
    after it. For the project's unique and not_null tests on a model that
    ror_latest_build scopes, it gives the model itself, and the test applies the `where`
    (ror_where_handed_over). Every other test gets dbt's subquery. -#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- if config.get('where', '') and model.test_metadata is defined
        and model.test_metadata.name in ['unique', 'not_null']
        and ror_latest_build(relation) -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return(dbt.default__get_where_subquery(relation)) }}
{%- endmacro %}


{#- In the project's unique and not_null tests: the `where` config they must apply
    themselves. dbt hands a test with a `where` config a subquery (a string) unless
    duckdb__get_where_subquery handed it the model, having found it scoped: a relation
    and a `where` config mean the latter, without asking ror_latest_build again. -#}
{% macro ror_where_handed_over(model) -%}
    {{ return('' if model is string else config.get('where', '')) }}
{%- endmacro %}
