{#- Every staged order's currency should have a rate in seed ror_fx_rates: without one the
    order counts 0 in every revenue measure. Warns, listing each currency and its orders. -#}
{{ config(severity='warn') }}

with

orders as (

    select * from {{ ref('int_orders_converted') }}

),

missing as (

    select
        currency,
        count(*) as orders_without_rate
    from orders
    where not has_fx_rate
    group by currency

)

select * from missing
