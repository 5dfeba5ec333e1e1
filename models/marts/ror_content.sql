{#- One row per brand post (int_brand_posts_unified): reach, impressions, engagement and
    Kaushik's rates (docs block ror_content). Metrics come from the Facebook insights
    export where the post is in it (lifetime totals); otherwise they are counted from the
    engagement events that act on the post (object_id), and reach, impressions and
    followers are unknown (null). -#}

with

posts as (

    select * from {{ ref('int_brand_posts_unified') }}

),

interactions as (

    select * from {{ ref('int_interactions_unified') }}
    where
        actor = 'person'
        and object_id is not null

),

{# Only the interactions on a brand post are counted: 2.8M of the 6.1M person
   interactions with an object at 10M events, which halves the group-by below. #}
post_interactions as (

    select * from interactions
    where exists (
        select 1 from posts
        where
            posts.channel = interactions.channel
            and posts.post_id = interactions.object_id
    )

),

event_counts as (

    select
        channel,
        object_id as post_id,
        sum(case when kind = 'comment' then 1 else 0 end) as comments,  -- noqa: RF04
        sum(case when kind = 'like' then 1 else 0 end) as likes,
        sum(case when kind = 'share' then 1 else 0 end) as shares,  -- noqa: RF04
        count(distinct identity_key) as engaged_people,
        sum(case when kind in ('click', 'video_view', 'page_view') then 1 else 0 end)
            as consumptions
    from post_interactions
    group by channel, object_id

),

measured as (

    select
        posts.content_id,
        posts.brand_id,
        posts.channel,
        posts.post_id,
        posts.posted_at,
        cast(posts.posted_at as date) as posted_date,
        posts.is_posted_at_approximate,
        posts.post_type,
        posts.post_category,
        posts.is_paid,
        case
            when posts.is_paid then 'paid'
            when not posts.is_paid then 'organic'
        end as paid_or_organic,
        case when posts.has_insights then 'facebook_insights' else 'engagement_events' end
            as metrics_source,
        posts.page_total_likes as followers,
        posts.lifetime_post_total_reach as reach,
        posts.lifetime_post_total_impressions as impressions,
        cast(
            case
                when posts.has_insights then posts.lifetime_engaged_users
                else coalesce(event_counts.engaged_people, 0)
            end
            as {{ dbt.type_bigint() }}
        ) as engaged_users,
        cast(
            case
                when posts.has_insights then posts.lifetime_post_consumptions
                else coalesce(event_counts.consumptions, 0)
            end
            as {{ dbt.type_bigint() }}
        ) as consumptions,
        posts.lifetime_post_reach_by_people_who_like_your_page as reach_by_followers,
        posts.lifetime_post_impressions_by_people_who_have_liked_your_page
            as impressions_by_followers,
        posts.lifetime_people_who_have_liked_your_page_and_engaged_with_your_post
            as engaged_followers,
        cast(
            case
                when posts.has_insights then posts.comment_count else
                    coalesce(event_counts.comments, 0)
            end
            as {{ dbt.type_bigint() }}
        ) as comments,  -- noqa: RF04
        cast(
            case
                when posts.has_insights then posts.like_count else coalesce(event_counts.likes, 0)
            end
            as {{ dbt.type_bigint() }}
        ) as likes,
        cast(
            case
                when posts.has_insights then posts.share_count else coalesce(event_counts.shares, 0)
            end
            as {{ dbt.type_bigint() }}
        ) as shares  -- noqa: RF04
    from posts
    left join event_counts
        on
            posts.channel = event_counts.channel
            and posts.post_id = event_counts.post_id

),

rated as (

    select
        *,
        cast(comments + likes + shares as {{ dbt.type_bigint() }}) as interactions,
        {{ ror_ratio('comments', 'followers') }} as conversation_rate,
        {{ ror_ratio('shares', 'followers') }} as amplification_rate,
        {{ ror_ratio('likes', 'followers') }} as applause_rate,
        {{ ror_ratio('engaged_users', 'followers') }} as engagement_rate_per_follower,
        {{ ror_ratio('engaged_users', 'reach') }} as engagement_rate,
        {{ ror_ratio('comments', 'reach') }} as conversation_rate_per_reach,
        {{ ror_ratio('shares', 'reach') }} as amplification_rate_per_reach,
        {{ ror_ratio('likes', 'reach') }} as applause_rate_per_reach,
        {{ ror_ratio('reach', 'followers') }} as reach_rate,
        {{ ror_ratio('reach_by_followers', 'reach') }} as follower_share_of_reach
    from measured

)

select * from rated
