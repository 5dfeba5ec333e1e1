{#- Every staged engagement event placed in its conversation thread, rebuilt from
    in_reply_to (the event it answers). The root of a thread is the first event whose
    parent is not in the data. An event belongs to a thread when it is part of a reply
    chain, or when a person wrote something (a comment, mention, message or review opens
    a thread even before anyone answers); likes, views and other silent actions belong to
    none. _changed_at is the latest load among the thread's events. -#}

with recursive

events as (

    select
        event_id,
        actor,
        event_text,
        in_reply_to_event_id,
        _loaded_at
    from {{ ref('stg_events__engagement_events') }}
    where is_staged

),

linked as (

    select
        events.*,
        parents.event_id as parent_event_id
    from events
    left join events as parents
        on events.in_reply_to_event_id = parents.event_id

),

threads (event_id, root_event_id, hops) as (

    select
        event_id,
        event_id as root_event_id,
        0 as hops
    from linked
    where parent_event_id is null

    union all

    select
        linked.event_id,
        threads.root_event_id,
        threads.hops + 1 as hops
    from threads
    inner join linked
        on threads.event_id = linked.parent_event_id

),

placed as (

    select
        linked.*,
        coalesce(threads.root_event_id, linked.event_id) as root_event_id,
        coalesce(threads.hops, 0) as thread_depth
    from linked
    left join threads
        on linked.event_id = threads.event_id

),

thread_loads as (

    select
        root_event_id,
        count(*) as thread_events,
        max(_loaded_at) as thread_loaded_at
    from placed
    group by root_event_id

),

final as (

    select
        placed.event_id,
        case
            when
                thread_loads.thread_events > 1
                or (placed.actor = 'person' and nullif(trim(placed.event_text), '') is not null)
                then {{ dbt.concat(["'engagement_events:'", "placed.root_event_id"]) }}
        end as thread_id,
        placed.root_event_id,
        placed.parent_event_id,
        placed.thread_depth,
        thread_loads.thread_events,
        placed._loaded_at,
        thread_loads.thread_loaded_at as _changed_at
    from placed
    inner join thread_loads
        on placed.root_event_id = thread_loads.root_event_id

)

select * from final
