{#- One row per brand x channel x day, every day from the brand's first day on the channel
    to the latest day in the data: relationships active, new and lapsed, the ROR score
    distribution of the active ones, give/take, listening, and Kaushik's rates of the
    day's posts (docs block ror_brand_daily). -#}

{%- set lapsed_after_days = ror_stage_rules()['lapsed_after_days'] -%}
{#- p25, median and p75, read from one list by position (1, 2, 3). -#}
{%- set quartiles = [0.25, 0.5, 0.75] -%}

with recursive

interactions as (

    select * from {{ ref('int_interactions_unified') }}
    where brand_id is not null

),

brand_action_classes as (

    select * from {{ ref('ror_brand_action_classes') }}

),

relationships_daily as (

    select * from {{ ref('int_relationships_daily') }}
    where person_interactions > 0

),

relationships as (

    select * from {{ ref('int_relationships_spanned') }}

),

month_scores as (

    select * from {{ ref('int_relationships_scored') }}
    where snapshot_kind = 'month'

),

conversations as (

    select * from {{ ref('int_conversations_rebuilt') }}

),

content as (

    select * from {{ ref('ror_content') }}

),

{# Computed once: the recursion below reads it at every step. #}
as_of as {{ ror_materialized_cte() }} (

    select max(activity_date) as as_of_date from interactions

),

brand_channels as (

    select
        brand_id,
        channel,
        min(first_date) as first_date
    from (
        select
            brand_id,
            channel,
            min(activity_date) as first_date
        from interactions
        group by brand_id, channel
        union all
        select
            brand_id,
            channel,
            min(cast(opened_at as date)) as first_date
        from conversations
        group by brand_id, channel
    ) as firsts
    group by brand_id, channel

),

days (activity_date) as (

    select min(first_date) from brand_channels

    union all

    select cast({{ dbt.dateadd('day', 1, 'days.activity_date') }} as date)
    from days
    cross join as_of
    where days.activity_date < as_of.as_of_date

),

spine as (

    select
        brand_channels.brand_id,
        brand_channels.channel,
        days.activity_date
    from brand_channels
    inner join days
        on brand_channels.first_date <= days.activity_date

),

active as (

    select
        relationships_daily.brand_id,
        relationships_daily.channel,
        relationships_daily.activity_date,
        count(*) as active_relationships,  -- one row per person at this grain
        sum(relationships_daily.person_interactions) as person_interactions,
        count(month_scores.ror_score) as scored_relationships,
        {{ ror_exact_avg('month_scores.ror_score') }} as mean_ror_score,
        {{ ror_quantiles('month_scores.ror_score', quartiles) }} as ror_score_quartiles,
        min(month_scores.ror_formula_version) as ror_formula_version
    from relationships_daily
    left join month_scores
        on
            relationships_daily.person_id = month_scores.person_id
            and relationships_daily.brand_id = month_scores.brand_id
            and cast({{ dbt.date_trunc('month', 'relationships_daily.activity_date') }} as date)
            = month_scores.month_start
    group by
        relationships_daily.brand_id, relationships_daily.channel, relationships_daily.activity_date

),

new_relationships as (

    select
        brand_id,
        first_activity_channel as channel,
        cast(first_activity_at as date) as activity_date,
        count(*) as new_relationships
    from relationships
    where first_activity_at is not null
    group by brand_id, first_activity_channel, cast(first_activity_at as date)

),

lapsed_relationships as (

    select
        brand_id,
        last_activity_channel as channel,
        cast({{ dbt.dateadd('day', lapsed_after_days, 'cast(last_activity_at as date)') }} as date)
            as activity_date,
        count(*) as lapsed_relationships
    from relationships
    where last_activity_at is not null
    group by
        brand_id,
        last_activity_channel,
        cast({{ dbt.dateadd('day', lapsed_after_days, 'cast(last_activity_at as date)') }} as date)

),

give_take as (

    select
        interactions.brand_id,
        interactions.channel,
        interactions.activity_date,
        sum(case when brand_action_classes.give_take = 'give' then 1 else 0 end) as give_actions,
        sum(case when brand_action_classes.give_take = 'take' then 1 else 0 end) as take_actions
    from interactions
    inner join brand_action_classes
        on interactions.kind = brand_action_classes.kind
    where interactions.actor = 'brand'
    group by interactions.brand_id, interactions.channel, interactions.activity_date

),

listening as (

    select
        brand_id,
        channel,
        cast(opened_at as date) as activity_date,
        count(*) as conversations_opened,
        sum(case when is_answered then 1 else 0 end) as conversations_answered,
        {{ ror_median('first_response_minutes') }} as median_first_response_minutes
    from conversations
    group by brand_id, channel, cast(opened_at as date)

),

posts as (

    select
        brand_id,
        channel,
        posted_date as activity_date,
        count(*) as brand_posts,
        sum(case when is_paid then 1 else 0 end) as paid_posts,
        sum(comments) as post_comments,
        sum(likes) as post_likes,
        sum(shares) as post_shares,
        sum(reach) as post_reach,
        sum(case when reach is not null then engaged_users end) as post_engaged_users
    from content
    group by brand_id, channel, posted_date

),

{%- set day_grain = ['brand_id', 'channel', 'activity_date'] %}

final as (

    select
        spine.brand_id,
        spine.channel,
        spine.activity_date,
        coalesce(active.active_relationships, 0) as active_relationships,
        coalesce(new_relationships.new_relationships, 0) as new_relationships,
        coalesce(lapsed_relationships.lapsed_relationships, 0) as lapsed_relationships,
        {{ ror_bigint('coalesce(active.person_interactions, 0)') }} as person_interactions,
        coalesce(active.scored_relationships, 0) as scored_relationships,
        cast(active.mean_ror_score as {{ ror_type_double() }}) as mean_ror_score,
        cast({{ ror_list_item('active.ror_score_quartiles', 1) }} as {{ ror_type_double() }})
            as p25_ror_score,
        cast({{ ror_list_item('active.ror_score_quartiles', 2) }} as {{ ror_type_double() }})
            as median_ror_score,
        cast({{ ror_list_item('active.ror_score_quartiles', 3) }} as {{ ror_type_double() }})
            as p75_ror_score,
        {{ ror_bigint('coalesce(give_take.give_actions, 0)') }} as give_actions,
        {{ ror_bigint('coalesce(give_take.take_actions, 0)') }} as take_actions,
        {{ ror_ratio('give_take.give_actions', 'give_take.take_actions') }} as give_take_ratio,
        {{ ror_ratio('give_take.give_actions', 'give_take.give_actions + give_take.take_actions') }}
            as give_share,
        coalesce(listening.conversations_opened, 0) as conversations_opened,
        {{ ror_bigint('coalesce(listening.conversations_answered, 0)') }} as conversations_answered,
        {{ ror_ratio('listening.conversations_answered', 'listening.conversations_opened') }}
            as answer_rate,
        cast(listening.median_first_response_minutes as {{ ror_type_double() }})
            as median_first_response_minutes,
        coalesce(posts.brand_posts, 0) as brand_posts,
        {{ ror_bigint('coalesce(posts.paid_posts, 0)') }} as paid_posts,
        {{ ror_bigint('coalesce(posts.post_comments, 0)') }} as post_comments,
        {{ ror_bigint('coalesce(posts.post_likes, 0)') }} as post_likes,
        {{ ror_bigint('coalesce(posts.post_shares, 0)') }} as post_shares,
        {{ ror_ratio('posts.post_comments', 'posts.brand_posts') }} as conversation_rate,
        {{ ror_ratio('posts.post_shares', 'posts.brand_posts') }} as amplification_rate,
        {{ ror_ratio('posts.post_likes', 'posts.brand_posts') }} as applause_rate,
        {{ ror_ratio('posts.post_engaged_users', 'posts.post_reach') }} as engagement_rate,
        active.ror_formula_version
    from spine
    {{ ror_join_on('spine', 'active', day_grain) }}
    {{ ror_join_on('spine', 'new_relationships', day_grain) }}
    {{ ror_join_on('spine', 'lapsed_relationships', day_grain) }}
    {{ ror_join_on('spine', 'give_take', day_grain) }}
    {{ ror_join_on('spine', 'listening', day_grain) }}
    {{ ror_join_on('spine', 'posts', day_grain) }}

)

select * from final
