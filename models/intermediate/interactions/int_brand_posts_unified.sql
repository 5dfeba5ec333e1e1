{#- One row per brand post (content_id = channel:post id), from the two places a post is
    seen: a Facebook insights row (lifetime metrics; the brand is `Page ID`, else var
    facebook_default_brand_id) and a brand_post event (any channel; its object_id is the
    post, the same id as the insights' `Post ID` on Facebook). A post seen in both is one
    row: the metrics from insights, the exact time from whichever has one. -#}

with

insights as (

    select
        'facebook' as channel,
        post_id,
        coalesce(page_id, '{{ var("facebook_default_brand_id") }}') as brand_id,
        posted_at,
        is_posted_at_approximate,
        post_type,
        post_category,
        is_paid,
        page_total_likes,
        lifetime_post_total_reach,
        lifetime_post_total_impressions,
        lifetime_engaged_users,
        lifetime_post_consumers,
        lifetime_post_consumptions,
        lifetime_post_impressions_by_people_who_have_liked_your_page,
        lifetime_post_reach_by_people_who_like_your_page,
        lifetime_people_who_have_liked_your_page_and_engaged_with_your_post,
        comment_count,
        like_count,
        share_count,
        total_interactions,
        _loaded_at
    from {{ ref('stg_facebook__post_insights') }}
    where is_staged

),

post_events_ranked as (

    select
        channel,
        coalesce(object_id, event_id) as post_id,
        event_id,
        brand_id,
        occurred_at,
        lower({{ ror_json_text('properties', '$.format') }}) as post_format,
        case lower({{ ror_json_text('properties', '$.paid') }})
            when 'true' then true
            when 'false' then false
        end as is_paid,
        _loaded_at,
        row_number() over (
            partition by channel, coalesce(object_id, event_id)
            order by occurred_at, event_id
        ) as rank_of_event,
        max(_loaded_at) over (
            partition by channel, coalesce(object_id, event_id)
        ) as post_events_loaded_at
    from {{ ref('stg_events__engagement_events') }}
    where
        is_staged
        and event_type = 'brand_post'

),

post_events as (

    select * from post_events_ranked
    where rank_of_event = 1

),

unified as (

    select
        coalesce(insights.channel, post_events.channel) as channel,
        coalesce(insights.post_id, post_events.post_id) as post_id,
        coalesce(insights.brand_id, post_events.brand_id) as brand_id,
        coalesce(
            case when not insights.is_posted_at_approximate then insights.posted_at end,
            post_events.occurred_at,
            insights.posted_at
        ) as posted_at,
        coalesce(
            insights.is_posted_at_approximate and post_events.occurred_at is null, false
        ) as is_posted_at_approximate,
        coalesce(insights.post_type, post_events.post_format) as post_type,
        insights.post_category,
        coalesce(insights.is_paid, post_events.is_paid) as is_paid,
        insights.post_id is not null as has_insights,
        post_events.event_id as post_event_id,
        insights.page_total_likes,
        insights.lifetime_post_total_reach,
        insights.lifetime_post_total_impressions,
        insights.lifetime_engaged_users,
        insights.lifetime_post_consumers,
        insights.lifetime_post_consumptions,
        insights.lifetime_post_impressions_by_people_who_have_liked_your_page,
        insights.lifetime_post_reach_by_people_who_like_your_page,
        insights.lifetime_people_who_have_liked_your_page_and_engaged_with_your_post,
        insights.comment_count,
        insights.like_count,
        insights.share_count,
        insights.total_interactions,
        case
            when insights._loaded_at is null then post_events.post_events_loaded_at
            when post_events.post_events_loaded_at > insights._loaded_at
                then post_events.post_events_loaded_at
            else insights._loaded_at
        end as _changed_at
    from insights
    full outer join post_events
        on
            insights.channel = post_events.channel
            and insights.post_id = post_events.post_id

),

final as (

    select
        {{ dbt.concat(['channel', "':'", 'post_id']) }} as content_id,
        *
    from unified

)

select * from final
