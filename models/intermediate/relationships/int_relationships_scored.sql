{#- The ROR score of every relationship at every snapshot date, with its measures and its
    seven components beside it. Snapshots:
      month  the last day of every month from the month the relationship is observed
             from (first seen, but not before the first day of the data), the last
             one cut at the as-of date (the latest day in the data): the month's score
             (ror_relationship_history); the as-of snapshot is ror_relationships;
      value  one date per brand, var ror_value_horizon_days (H) before the as-of date,
             or the middle of the brand's data when it spans less than 2 x H days: the
             score whose following revenue ror_value compares.
    At a snapshot date S a measure counts everything up to the end of S; engagement
    decays each day's points by decay_weight(days from the day to S). The components
    are the macros ror_engagement ... ror_realized_value, the score is the Python UDF
    ror_score (through the macro), with the formula version and parameters on every
    row. -#}

{%- set horizon = var('ror_value_horizon_days') -%}

with recursive

{# Read twice (monthly, value snapshots): inlined, so DuckDB does not write every column of
   its 6.2M rows (10M events) to a materialized CTE first: 13.0 to 14.9 s alone before, 11.8
   to 13.2 s after (CPU 25.2 to 28.3 s against 22.2 to 25.3 s; python -m ror.bench_model,
   4 runs, the same rows). #}
daily as {{ ror_inline_cte() }} (

    select * from {{ ref('int_relationships_daily') }}

),

relationships as (

    select * from {{ ref('int_relationships_spanned') }}

),

orders as (

    select * from {{ ref('int_orders_converted') }}
    where person_id is not null

),

referrals as (

    select * from {{ ref('int_referrals_attributed') }}

),

conversations as (

    select * from {{ ref('int_conversations_rebuilt') }}

),

identities as (

    select * from {{ ref('int_identities_resolved') }}

),

interactions as (

    select * from {{ ref('int_interactions_unified') }}

),

as_of as (

    select
        max(latest_date) as as_of_date,
        min(earliest_date) as data_start_date
    from (
        select
            max(activity_date) as latest_date,
            min(activity_date) as earliest_date
        from interactions
        union all
        select
            max(cast(first_seen_at as date)) as latest_date,
            null as earliest_date
        from relationships
    ) as latest

),

{# Observed from the later of first seen (a CRM record may be years older than the data)
   and the first day of the data: nothing before it can be seen. #}
observed as (

    select
        relationships.person_id,
        relationships.brand_id,
        case
            when cast(relationships.first_seen_at as date) > as_of.data_start_date
                then cast(relationships.first_seen_at as date)
            else as_of.data_start_date
        end as observed_from_date
    from relationships
    cross join as_of

),

months (month_start) as (

    select cast({{ dbt.date_trunc('month', 'min(observed_from_date)') }} as date)
    from observed

    union all

    select cast({{ dbt.dateadd('month', 1, 'months.month_start') }} as date)
    from months
    cross join as_of
    where {{ dbt.dateadd('month', 1, 'months.month_start') }} <= as_of.as_of_date

),

{# Every month from a relationship's first to the as-of date has its snapshot, active or
   not: ror_relationship_history finds a month's previous one a calendar month earlier. #}
month_snapshots as (

    select
        'month' as snapshot_kind,
        months.month_start,
        case
            when cast({{ dbt.last_day('months.month_start', 'month') }} as date) < as_of.as_of_date
                then cast({{ dbt.last_day('months.month_start', 'month') }} as date)
            else as_of.as_of_date
        end as snapshot_date
    from months
    cross join as_of

),

brand_spans as (

    select
        observed.brand_id,
        as_of.as_of_date,
        min(observed.observed_from_date) as first_date,
        {{ dbt.datediff('min(observed.observed_from_date)', 'as_of.as_of_date', 'day') }}
            as span_days
    from observed
    cross join as_of
    group by observed.brand_id, as_of.as_of_date

),

value_snapshots as (

    select
        brand_id,
        cast(
            case
                when span_days >= 2 * {{ horizon }}
                    then {{ dbt.dateadd('day', -1 * horizon, 'as_of_date') }}
                else {{ dbt.dateadd('day', 'floor(span_days / 2)', 'first_date') }}
            end as date
        ) as snapshot_date
    from brand_spans

),

relationship_snapshots as (

    select
        month_snapshots.snapshot_kind,
        month_snapshots.snapshot_date,
        month_snapshots.month_start,
        observed.person_id,
        observed.brand_id,
        observed.observed_from_date
    from observed
    inner join month_snapshots
        on observed.observed_from_date <= month_snapshots.snapshot_date

    union all

    select
        'value' as snapshot_kind,
        value_snapshots.snapshot_date,
        cast({{ dbt.date_trunc('month', 'value_snapshots.snapshot_date') }} as date) as month_start,
        observed.person_id,
        observed.brand_id,
        observed.observed_from_date
    from observed
    inner join value_snapshots
        on
            observed.brand_id = value_snapshots.brand_id
            and observed.observed_from_date <= value_snapshots.snapshot_date

),

{%- set snapshot_keys = [
    'relationship_snapshots.snapshot_kind',
    'relationship_snapshots.snapshot_date',
    'relationship_snapshots.person_id',
    'relationship_snapshots.brand_id',
] %}

{#- Additive over days and months: summed from either up to each snapshot. The counts
    are integers; the measures are doubles, summed exactly (ror_exact_sum) so that a
    snapshot's value does not depend on the order its rows are added in. #}
{%- set activity_counts = [
    'person_interactions',
    'brand_actions',
    'give_actions',
    'take_actions',
    'shares',
    'positive_mentions',
    'sentiment_count',
] %}
{%- set activity_double_sums = ['sentiment_sum', 'reach_earned'] %}

{# Each day with the snapshot date of its month: the month's last day, or the as-of date
   in the last month, as in month_snapshots. Joining month_snapshots instead took 16.6 to
   30.7 s for the model against 13.8 to 17.6 s (10M events, python -m ror.bench_model). #}
daily_in_months as (

    select
        daily.*,
        case
            when cast({{ dbt.last_day('daily.activity_date', 'month') }} as date) < as_of.as_of_date
                then cast({{ dbt.last_day('daily.activity_date', 'month') }} as date)
            else as_of.as_of_date
        end as month_snapshot_date
    from daily
    cross join as_of

),

{# Each relationship's days added up by month, engagement decayed to the month's snapshot
   date. A month snapshot counts every day up to its date, which are whole months:
   joining it to these rows instead of to every day joins one row per earlier month,
   however many days a month has. A month is active from its first day with a person's
   interaction (any channel). #}
monthly as (

    select
        daily_in_months.person_id,
        daily_in_months.brand_id,
        daily_in_months.month_snapshot_date,
        {{ ror_exact_sum('daily_in_months.engagement_points * ' ~ decay_weight(dbt.datediff(
            'daily_in_months.activity_date', 'daily_in_months.month_snapshot_date', 'day'
        ))) }} as engagement_points,
        {%- for column in activity_counts %}
            sum(daily_in_months.{{ column }}) as {{ column }},
        {%- endfor %}
        {%- for column in activity_double_sums %}
            {{ ror_exact_sum('daily_in_months.' ~ column) }} as {{ column }},
        {%- endfor %}
        max(
            case when daily_in_months.person_interactions > 0 then daily_in_months.activity_date end
        ) as last_activity_date,
        min(
            case when daily_in_months.person_interactions > 0 then daily_in_months.activity_date end
        ) as first_active_date
    from daily_in_months
    group by
        daily_in_months.person_id,
        daily_in_months.brand_id,
        daily_in_months.month_snapshot_date

),

{# Month snapshots: the months up to the snapshot's, their engagement decayed on from
   the month's snapshot date (0.5^(a/h) x 0.5^(b/h) = 0.5^((a+b)/h)). #}
month_activity_measures as (

    select
        {{ snapshot_keys | join(',\n        ') }},
        {{ ror_exact_sum('monthly.engagement_points * ' ~ decay_weight(dbt.datediff(
            'monthly.month_snapshot_date', 'relationship_snapshots.snapshot_date', 'day'
        ))) }} as engagement_points,
        {%- for column in activity_counts %}
            sum(monthly.{{ column }}) as {{ column }},
        {%- endfor %}
        {%- for column in activity_double_sums %}
            {{ ror_exact_sum('monthly.' ~ column) }} as {{ column }},
        {%- endfor %}
        max(monthly.last_activity_date) as last_activity_date,
        count(monthly.first_active_date) as active_months
    from relationship_snapshots
    inner join monthly
        on
            relationship_snapshots.person_id = monthly.person_id
            and relationship_snapshots.brand_id = monthly.brand_id
            and relationship_snapshots.snapshot_date >= monthly.month_snapshot_date
    where relationship_snapshots.snapshot_kind = 'month'
    group by {{ snapshot_keys | join(', ') }}

),

{# Value snapshots (one date per brand, so each day joins at most one): the days up to
   the snapshot, and the months active by then. #}
value_day_measures as (

    select
        {{ snapshot_keys | join(',\n        ') }},
        {{ ror_exact_sum('daily.engagement_points * ' ~ decay_weight(dbt.datediff(
            'daily.activity_date', 'relationship_snapshots.snapshot_date', 'day'
        ))) }} as engagement_points,
        {%- for column in activity_counts %}
            sum(daily.{{ column }}) as {{ column }},
        {%- endfor %}
        {%- for column in activity_double_sums %}
            {{ ror_exact_sum('daily.' ~ column) }} as {{ column }},
        {%- endfor %}
        max(case when daily.person_interactions > 0 then daily.activity_date end)
            as last_activity_date
    from relationship_snapshots
    inner join daily
        on
            relationship_snapshots.person_id = daily.person_id
            and relationship_snapshots.brand_id = daily.brand_id
            and relationship_snapshots.snapshot_date >= daily.activity_date
    where relationship_snapshots.snapshot_kind = 'value'
    group by {{ snapshot_keys | join(', ') }}

),

{# Counted from the month rows: a count of distinct months over the days took 3.6 to
   3.8 s of operator time at 10M events (DuckDB's profile, 3 runs). #}
value_month_measures as (

    select
        {{ snapshot_keys | join(',\n        ') }},
        count(*) as active_months
    from relationship_snapshots
    inner join monthly
        on
            relationship_snapshots.person_id = monthly.person_id
            and relationship_snapshots.brand_id = monthly.brand_id
            and relationship_snapshots.snapshot_date >= monthly.first_active_date
    where relationship_snapshots.snapshot_kind = 'value'
    group by {{ snapshot_keys | join(', ') }}

),

{%- set snapshot_grain = ['snapshot_kind', 'snapshot_date', 'person_id', 'brand_id'] %}

value_activity_measures as (

    select
        value_day_measures.*,
        coalesce(value_month_measures.active_months, 0) as active_months
    from value_day_measures
    {{ ror_join_on('value_day_measures', 'value_month_measures', snapshot_grain) }}

),

activity_measures as (

    select * from month_activity_measures
    union all by name
    select * from value_activity_measures

),

order_measures as (

    select
        {{ snapshot_keys | join(',\n        ') }},
        sum(case when orders.status = 'completed' then 1 else 0 end) as orders,
        {{ ror_exact_sum('orders.net_revenue_usd') }} as net_revenue
    from relationship_snapshots
    inner join orders
        on
            relationship_snapshots.person_id = orders.person_id
            and relationship_snapshots.brand_id = orders.brand_id
            and relationship_snapshots.snapshot_date >= orders.order_date
    group by {{ snapshot_keys | join(', ') }}

),

referral_measures as (

    select
        {{ snapshot_keys | join(',\n        ') }},
        count(*) as referrals  -- a referred person once per brand (int_referrals_attributed)
    from relationship_snapshots
    inner join referrals
        on
            relationship_snapshots.person_id = referrals.referrer_person_id
            and relationship_snapshots.brand_id = referrals.brand_id
            and relationship_snapshots.snapshot_date >= referrals.referred_date
    group by {{ snapshot_keys | join(', ') }}

),

referred_revenue_measures as (

    select
        {{ snapshot_keys | join(',\n        ') }},
        {{ ror_exact_sum('orders.net_revenue_usd') }} as referred_revenue
    from relationship_snapshots
    inner join referrals
        on
            relationship_snapshots.person_id = referrals.referrer_person_id
            and relationship_snapshots.brand_id = referrals.brand_id
            and relationship_snapshots.snapshot_date >= referrals.referred_date
    inner join orders
        on
            referrals.referred_person_id = orders.person_id
            and referrals.brand_id = orders.brand_id
            and relationship_snapshots.snapshot_date >= orders.order_date
    group by {{ snapshot_keys | join(', ') }}

),

person_conversations as (

    select
        identities.person_id,
        conversations.brand_id,
        cast(conversations.opened_at as date) as opened_date,
        cast(conversations.first_response_at as date) as first_response_date,
        conversations.first_response_minutes
    from conversations
    inner join identities
        on conversations.identity_key = identities.identity_key

),

{%- set answered_by_snapshot =
    'person_conversations.first_response_date <= relationship_snapshots.snapshot_date' %}

listening_measures as (

    select
        {{ snapshot_keys | join(',\n        ') }},
        count(*) as inbound_conversations,
        sum(case when {{ answered_by_snapshot }} then 1 else 0 end) as answered_conversations,
        {{ ror_median(
            'case when ' ~ answered_by_snapshot
            ~ ' then person_conversations.first_response_minutes end'
        ) }} as median_first_response_minutes
    from relationship_snapshots
    inner join person_conversations
        on
            relationship_snapshots.person_id = person_conversations.person_id
            and relationship_snapshots.brand_id = person_conversations.brand_id
            and relationship_snapshots.snapshot_date >= person_conversations.opened_date
    group by {{ snapshot_keys | join(', ') }}

),

measures as (

    select
        relationship_snapshots.snapshot_kind,
        relationship_snapshots.snapshot_date,
        relationship_snapshots.month_start,
        relationship_snapshots.person_id,
        relationship_snapshots.brand_id,
        relationship_snapshots.observed_from_date,
        activity_measures.last_activity_date,
        {{ dbt.datediff(
            'activity_measures.last_activity_date', 'relationship_snapshots.snapshot_date', 'day'
        ) }} as days_since_last_activity,
        coalesce(activity_measures.person_interactions, 0) as person_interactions,
        coalesce(activity_measures.brand_actions, 0) as brand_actions,
        coalesce(activity_measures.engagement_points, 0) as engagement_points,
        {{ ror_ratio('activity_measures.sentiment_sum', 'activity_measures.sentiment_count') }}
            as mean_sentiment,
        coalesce(activity_measures.sentiment_count, 0) as sentiment_observations,
        coalesce(activity_measures.give_actions, 0) as give_actions,
        coalesce(activity_measures.take_actions, 0) as take_actions,
        coalesce(listening_measures.inbound_conversations, 0) as inbound_conversations,
        coalesce(listening_measures.answered_conversations, 0) as answered_conversations,
        listening_measures.median_first_response_minutes,
        coalesce(activity_measures.shares, 0) as shares,  -- noqa: RF04
        coalesce(activity_measures.positive_mentions, 0) as positive_mentions,
        coalesce(referral_measures.referrals, 0) as referrals,
        coalesce(referred_revenue_measures.referred_revenue, 0) as referred_revenue,
        coalesce(activity_measures.reach_earned, 0) as reach_earned,
        coalesce(order_measures.orders, 0) as orders,
        coalesce(order_measures.net_revenue, 0) as net_revenue,
        coalesce(activity_measures.active_months, 0) as active_months,
        {{ dbt.datediff(
            dbt.date_trunc('month', 'relationship_snapshots.observed_from_date'),
            dbt.date_trunc('month', 'relationship_snapshots.snapshot_date'),
            'month',
        ) }} + 1 as observed_months
    from relationship_snapshots
    {{ ror_join_on('relationship_snapshots', 'activity_measures', snapshot_grain) }}
    {{ ror_join_on('relationship_snapshots', 'order_measures', snapshot_grain) }}
    {{ ror_join_on('relationship_snapshots', 'referral_measures', snapshot_grain) }}
    {{ ror_join_on('relationship_snapshots', 'referred_revenue_measures', snapshot_grain) }}
    {{ ror_join_on('relationship_snapshots', 'listening_measures', snapshot_grain) }}

),

components as (

    select
        *,
        shares + positive_mentions + referrals as advocacy_actions,
        {{ ror_engagement('engagement_points') }} as engagement_component,
        {{ ror_sentiment('mean_sentiment') }} as sentiment_component,
        {{ ror_reciprocity('give_actions', 'take_actions') }} as reciprocity_component,
        {{ ror_listening(
            'inbound_conversations', 'answered_conversations', 'median_first_response_minutes'
        ) }} as listening_component,
        {{ ror_advocacy(
            'shares', 'positive_mentions', 'referrals', 'referred_revenue'
        ) }} as advocacy_component,
        {{ ror_continuity('active_months', 'observed_months') }} as continuity_component,
        {{ ror_realized_value('net_revenue') }} as realized_value_component
    from measures

),

scored as (

    select
        *,
        {{ ror_score(
            'engagement_component',
            'sentiment_component',
            'reciprocity_component',
            'listening_component',
            'advocacy_component',
            'continuity_component',
            'realized_value_component',
        ) }} as ror_score,
        {{ ror_lifecycle_stage(
            'person_interactions', 'orders', 'advocacy_actions', 'days_since_last_activity'
        ) }} as lifecycle_stage,
        {{ ror_formula_version() }} as ror_formula_version,
        {{ ror_score_parameters() }} as ror_score_parameters
    from components

),

final as (

    select
        scored.*,
        as_of.as_of_date
    from scored
    cross join as_of

)

select * from final
