{#- Small cross-database helpers of the intermediate and mart models. The default__
    implementations are DuckDB's (the embedded default); another adapter adds its own
    <adapter>__ version (e.g. spark__) without touching a model. -#}

{#- Every match of a regular expression's capture group, as a list of strings, in order. -#}
{% macro ror_regexp_extract_all(expression, pattern, group=1) -%}
    {{ return(adapter.dispatch('ror_regexp_extract_all')(expression, pattern, group)) }}
{%- endmacro %}

{% macro default__ror_regexp_extract_all(expression, pattern, group=1) -%}
    regexp_extract_all({{ expression }}, '{{ pattern }}', {{ group }})
{%- endmacro %}

{% macro spark__ror_regexp_extract_all(expression, pattern, group=1) -%}
    regexp_extract_all({{ expression }}, '{{ pattern }}', {{ group }})
{%- endmacro %}


{#- A list-typed expression as one row per element with its 1-based position, for a
    lateral join: `from t, {{ ror_unnest_with_position('t.list_col', 'm', 'item', 'item_position') }}`. -#}
{% macro ror_unnest_with_position(list_expression, alias, value_name, position_name) -%}
    {{ return(adapter.dispatch('ror_unnest_with_position')(list_expression, alias, value_name, position_name)) }}
{%- endmacro %}

{#- Not `unnest(...) with ordinality`: DuckDB joins that back to its input on every column
    the list is made of (the tweets' texts in int_tweets_threaded: 2.7 to 3.1 s for the model
    at 10M events), where it flattens this subquery into the input's rows (1.0 to 1.1 s, the
    same rows). A null or empty list gives no row, as with ordinality. The list expression
    is written twice: pass a column, computed before, when it is costly (with the tweets'
    regexp written here twice, 1.3 to 1.5 s). -#}
{% macro default__ror_unnest_with_position(list_expression, alias, value_name, position_name) -%}
    (
        select
            unnest({{ list_expression }}) as {{ value_name }},
            generate_subscripts({{ list_expression }}, 1) as {{ position_name }}
    ) as {{ alias }}
{%- endmacro %}


{#- A scalar from JSON text by key path ('$.followers'), as text; null when absent. -#}
{% macro ror_json_text(json_expression, path) -%}
    {{ return(adapter.dispatch('ror_json_text')(json_expression, path)) }}
{%- endmacro %}

{% macro default__ror_json_text(json_expression, path) -%}
    json_extract_string(try_cast({{ json_expression }} as json), '{{ path }}')
{%- endmacro %}

{% macro spark__ror_json_text(json_expression, path) -%}
    get_json_object({{ json_expression }}, '{{ path }}')
{%- endmacro %}


{#- Median of a numeric expression (an aggregate; the mean of the two middle values for
    an even count, like Python's statistics.median). -#}
{% macro ror_median(expression) -%}
    {{ return(adapter.dispatch('ror_median')(expression)) }}
{%- endmacro %}

{% macro default__ror_median(expression) -%}
    quantile_cont({{ expression }}, 0.5)
{%- endmacro %}

{% macro spark__ror_median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}


{#- Continuous quantiles (each 0-1) of a numeric expression, as one aggregate: a list of
    them in the order of `fractions`, read with ror_list_item. One aggregate sorts the
    group's values once: the three quartiles of ror_brand_daily's 6M rows took 0.34 to
    0.39 s as one list against 0.77 to 0.93 s as three quantiles (the same values). -#}
{% macro ror_quantiles(expression, fractions) -%}
    {{ return(adapter.dispatch('ror_quantiles')(expression, fractions)) }}
{%- endmacro %}

{% macro default__ror_quantiles(expression, fractions) -%}
    quantile_cont({{ expression }}, [{{ fractions | join(', ') }}])
{%- endmacro %}

{% macro spark__ror_quantiles(expression, fractions) -%}
    percentile({{ expression }}, array({{ fractions | join(', ') }}))
{%- endmacro %}


{#- The item at `position` (counted from 1) of a list (array) expression. -#}
{% macro ror_list_item(list_expression, position) -%}
    {{ return(adapter.dispatch('ror_list_item')(list_expression, position)) }}
{%- endmacro %}

{% macro default__ror_list_item(list_expression, position) -%}
    {{ list_expression }}[{{ position }}]
{%- endmacro %}

{% macro spark__ror_list_item(list_expression, position) -%}
    element_at({{ list_expression }}, {{ position }})
{%- endmacro %}


{#- Elapsed minutes between two timestamps, with fractions (to the millisecond). -#}
{% macro ror_minutes_between(start_expression, end_expression) -%}
    ({{ dbt.datediff(start_expression, end_expression, 'millisecond') }} / 60000.0)
{%- endmacro %}


{#- x / y as a double, null when y is null or 0. -#}
{% macro ror_ratio(numerator, denominator) -%}
    (cast({{ numerator }} as {{ ror_type_double() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}


{#- `left join <right> on <left>.<c> = <right>.<c> and ...` for each column c: the joins of
    a spine or a grain to the measures computed at that grain. -#}
{% macro ror_join_on(left, right, columns, join_type='left') -%}
    {{ join_type }} join {{ right }}
        on {%- for column in columns %} {% if not loop.first %}and {% endif %}{{ left }}.{{ column }} = {{ right }}.{{ column }}
        {%- endfor %}
{%- endmacro %}


{#- A count as the adapter's 8-byte integer (a sum of integers is a 16-byte HUGEINT on
    DuckDB, which BI tools read badly). -#}
{% macro ror_bigint(expression) -%}
    cast({{ expression }} as {{ dbt.type_bigint() }})
{%- endmacro %}


{#- The sum of a numeric expression, as a double, that does not depend on the order the
    rows are added in: each value is taken as a decimal with `scale` decimals, and the
    decimals are added exactly. A parallel aggregate adds in no fixed order, so a sum of
    doubles can differ in its last bits between two builds of the same data (two full
    refreshes, or an incremental run and a full refresh), and rounding the sum does not
    hide it: the difference can fall across a rounding boundary. `window`, when given, is
    the window clause of a window sum (`partition by brand_id`). -#}
{% macro ror_exact_sum(expression, scale=9, window=none) -%}
    cast(
        sum(cast({{ expression }} as decimal(38, {{ scale }})))
        {%- if window %} over ({{ window }}){% endif %}
        as {{ ror_type_double() }}
    )
{%- endmacro %}


{#- The mean of a numeric expression's non-null values, as a double, independent of the
    order the rows are added in (ror_exact_sum); null when it has none. -#}
{% macro ror_exact_avg(expression, scale=9) -%}
    ({{ ror_exact_sum(expression, scale) }} / nullif(count({{ expression }}), 0))
{%- endmacro %}


{#- The value of `expression` on the row where the ordering columns (compared in order, as
    a row) are smallest (`end` = 'min') or largest ('max'): an aggregate, so the first or
    last row of a group needs no window sort. The value is returned as is, also when null. -#}
{% macro ror_value_at(end, expression, ordering_columns) -%}
    {{ return(adapter.dispatch('ror_value_at')(end, expression, ordering_columns)) }}
{%- endmacro %}

{% macro default__ror_value_at(end, expression, ordering_columns) -%}
    arg_{{ end }}_null({{ expression }}, row({{ ordering_columns | join(', ') }}))
{%- endmacro %}

{% macro spark__ror_value_at(end, expression, ordering_columns) -%}
    {{ end }}_by({{ expression }}, struct({{ ordering_columns | join(', ') }}))
{%- endmacro %}


{#- The distinct values an incremental row's earlier versions had, other than its current
    value (nulls left out), as a sorted list: the list kept by the row built before, plus
    that row's value.
    Without a row before (none, or a full refresh: leave previous_list out) the list is
    empty, of current_value's type; never null. -#}
{% macro ror_previous_values(current_value, previous_list=none, previous_value=none) -%}
    {{ return(adapter.dispatch('ror_previous_values')(current_value, previous_list, previous_value)) }}
{%- endmacro %}

{% macro default__ror_previous_values(current_value, previous_list=none, previous_value=none) -%}
    {%- if previous_list is none -%}
        list_filter([{{ current_value }}], lambda previous: false)
    {%- else -%}
        list_sort(list_distinct(list_filter(
            list_append(coalesce({{ previous_list }}, []), {{ previous_value }}),
            lambda previous: previous is not null and previous is distinct from {{ current_value }}
        )))
    {%- endif -%}
{%- endmacro %}
