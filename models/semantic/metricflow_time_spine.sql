{#- MetricFlow's time spine: one row per day from var earliest_valid_at (the oldest
    timestamp the landing contract accepts) to two years after today. MetricFlow joins to
    it for cumulative and offset metrics and to fill days without data. Its own schema
    (semantic), so it is never published to the BI database with the marts. -#}
{{ config(materialized='table', schema='semantic') }}

with

days as (

    {{ dbt.date_spine(
        'day',
        dbt.cast(dbt.string_literal(var('earliest_valid_at')), api.Column.translate_type('date')),
        dbt.dateadd('year', 2, 'current_date'),
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
