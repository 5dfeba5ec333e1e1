{#- Every staged CRM order with its person and its US-dollar amount (seed ror_fx_rates).
    Net revenue counts completed and refunded rows (a refund is its own row with a
    negative amount) and not cancelled ones; an order in a currency without a rate has
    no USD amount and counts as 0 (test assert_orders_have_fx_rate warns). -#}

with

orders as (

    select * from {{ ref('stg_crm__orders') }}
    where is_staged

),

fx_rates as (

    select * from {{ ref('ror_fx_rates') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

converted as (

    select
        orders.order_id,
        orders.brand_id,
        orders.customer_id,
        customers.person_id,
        referrers.person_id as referrer_person_id,
        orders.ordered_at,
        cast(orders.ordered_at as date) as order_date,
        orders.status,
        orders.currency,
        cast(orders.amount as {{ ror_type_double() }}) as amount,
        cast(orders.amount as {{ ror_type_double() }}) * fx_rates.usd_per_unit as amount_usd,
        case
            when orders.status = 'cancelled' then 0
            else coalesce(cast(orders.amount as {{ ror_type_double() }}) * fx_rates.usd_per_unit, 0)
        end as net_revenue_usd,
        fx_rates.currency_code is not null as has_fx_rate
    from orders
    left join fx_rates
        on orders.currency = fx_rates.currency_code
    left join identities as customers
        on {{ ror_identity_key('customer', 'orders.customer_id') }} = customers.identity_key
    left join identities as referrers
        on
            {{ ror_identity_key('customer', 'orders.referrer_customer_id') }}
            = referrers.identity_key

)

select * from converted
