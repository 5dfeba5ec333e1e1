{#- Every staged tweet placed in its thread (rebuilt from in_response_to_tweet_id), with
    the brand it belongs to and the person it involves. A thread is a tree; its root is
    the first tweet whose parent is not in the data. The brand of a brand tweet is its
    author (the handle). The brand of a customer tweet is the brand it addresses, the
    first that applies of: the brand tweet it answers, the brand that answered it first,
    the first brand author of its thread, the first known brand handle it @mentions.
    The person of a brand tweet is the customer it answers (else the first @mention
    that is not a brand). _changed_at is the latest load among everything these depend
    on (the thread's tweets and the brands it mentions): what the incremental
    int_interactions_unified compares. -#}

{%- set string = api.Column.translate_type('string') %}

with recursive

tweets as (

    select
        tweet_id,
        author_id,
        is_inbound,
        created_at,
        tweet_text,
        in_response_to_tweet_id,
        _loaded_at
    from {{ ref('stg_twitter__tweets') }}
    where is_staged

),

linked as (

    select
        tweets.*,
        parents.tweet_id as parent_tweet_id,
        parents.author_id as parent_author_id,
        parents.is_inbound as parent_is_inbound
    from tweets
    left join tweets as parents
        on tweets.in_response_to_tweet_id = parents.tweet_id

),

{# From each root down its replies; a tweet in a reply cycle (no root) is its own root. #}
threads (tweet_id, root_tweet_id, hops) as (

    select
        tweet_id,
        tweet_id as root_tweet_id,
        0 as hops
    from linked
    where parent_tweet_id is null

    union all

    select
        linked.tweet_id,
        threads.root_tweet_id,
        threads.hops + 1 as hops
    from threads
    inner join linked
        on threads.tweet_id = linked.parent_tweet_id

),

placed as (

    select
        linked.*,
        coalesce(threads.root_tweet_id, linked.tweet_id) as root_tweet_id,
        coalesce(threads.hops, 0) as thread_depth
    from linked
    left join threads
        on linked.tweet_id = threads.tweet_id

),

brands as (

    select
        lower(author_id) as handle_lower,
        min(author_id) as brand_id,
        min(_loaded_at) as first_loaded_at
    from tweets
    where not is_inbound
    group by lower(author_id)

),

{# Each tweet's @handles as a list, extracted once: ror_unnest_with_position writes its
   list twice. #}
mention_lists as (

    select
        tweet_id,
        {{ ror_regexp_extract_all('tweet_text', '@([A-Za-z0-9_]+)') }} as handles
    from placed

),

mentions as (

    select
        mention_lists.tweet_id,
        mentioned.handle,
        mentioned.handle_position
    from mention_lists,
        {{ ror_unnest_with_position(
            'mention_lists.handles', 'mentioned', 'handle', 'handle_position'
        ) }}

),

mentions_classified as (

    select
        mentions.tweet_id,
        mentions.handle,
        mentions.handle_position,
        brands.brand_id,
        brands.first_loaded_at as brand_first_loaded_at
    from mentions
    left join brands
        on lower(mentions.handle) = brands.handle_lower

),

first_mentions as (

    select
        tweet_id,
        min(case when brand_id is not null then handle_position end) as first_brand_position,
        min(case when brand_id is null then handle_position end) as first_person_position,
        max(brand_first_loaded_at) as mentioned_brands_loaded_at
    from mentions_classified
    group by tweet_id

),

mentioned as (

    select
        first_mentions.tweet_id,
        brand_mentions.brand_id as mentioned_brand_id,
        person_mentions.handle as mentioned_person_id,
        first_mentions.mentioned_brands_loaded_at
    from first_mentions
    left join mentions_classified as brand_mentions
        on
            first_mentions.tweet_id = brand_mentions.tweet_id
            and first_mentions.first_brand_position = brand_mentions.handle_position
    left join mentions_classified as person_mentions
        on
            first_mentions.tweet_id = person_mentions.tweet_id
            and first_mentions.first_person_position = person_mentions.handle_position

),

brand_tweets_ranked as (

    select
        tweet_id,
        author_id,
        root_tweet_id,
        parent_tweet_id,
        row_number() over (
            partition by root_tweet_id order by created_at, tweet_id
        ) as rank_in_thread,
        row_number() over (
            partition by parent_tweet_id order by created_at, tweet_id
        ) as rank_among_replies
    from placed
    where not is_inbound

),

thread_first_brands as (

    select
        root_tweet_id,
        author_id as thread_brand_id
    from brand_tweets_ranked
    where rank_in_thread = 1

),

first_brand_replies as (

    select
        parent_tweet_id,
        author_id as replied_by_brand_id
    from brand_tweets_ranked
    where
        rank_among_replies = 1
        and parent_tweet_id is not null

),

thread_loads as (

    select
        root_tweet_id,
        count(*) as thread_tweets,
        max(_loaded_at) as thread_loaded_at
    from placed
    group by root_tweet_id

),

attributed as (

    select
        placed.tweet_id,
        placed.root_tweet_id,
        placed.parent_tweet_id,
        placed.thread_depth,
        thread_loads.thread_tweets,
        placed.is_inbound,
        placed.created_at,
        case
            when not placed.is_inbound then placed.author_id
            else coalesce(
                case when not placed.parent_is_inbound then placed.parent_author_id end,
                first_brand_replies.replied_by_brand_id,
                thread_first_brands.thread_brand_id,
                mentioned.mentioned_brand_id
            )
        end as brand_id,
        case
            when placed.is_inbound then placed.author_id
            when placed.parent_is_inbound then placed.parent_author_id
            else mentioned.mentioned_person_id
        end as person_author_id,
        case
            when placed.is_inbound then 'mention'
            when placed.in_response_to_tweet_id is not null then 'brand_reply'
            else 'brand_post'
        end as kind,
        placed._loaded_at,
        case
            when mentioned.mentioned_brands_loaded_at > thread_loads.thread_loaded_at
                then mentioned.mentioned_brands_loaded_at
            else thread_loads.thread_loaded_at
        end as _changed_at
    from placed
    inner join thread_loads
        on placed.root_tweet_id = thread_loads.root_tweet_id
    left join thread_first_brands
        on placed.root_tweet_id = thread_first_brands.root_tweet_id
    left join first_brand_replies
        on placed.tweet_id = first_brand_replies.parent_tweet_id
    left join mentioned
        on placed.tweet_id = mentioned.tweet_id

),

final as (

    select
        tweet_id,
        {{ dbt.concat(["'twitter:'", dbt.cast('root_tweet_id', string)]) }} as thread_id,
        root_tweet_id,
        parent_tweet_id,
        thread_depth,
        thread_tweets,
        is_inbound,
        created_at,
        kind,
        brand_id,
        person_author_id,
        _loaded_at,
        _changed_at
    from attributed

)

select * from final
