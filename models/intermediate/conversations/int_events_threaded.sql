{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_id',
    )
}}

{#- Every staged engagement event placed in its conversation thread, rebuilt from
    in_reply_to (the event it answers). The root of a thread is the first event whose
    parent is not in the data. An event belongs to a thread when it is part of a reply
    chain, or when a person wrote something (a comment, mention, message or review opens
    a thread even before anyone answers); likes, views and other silent actions belong to
    none. _changed_at is the latest load among the thread's events.

    Only reply chains are walked: the recursion starts from the roots that have replies
    and follows the replies (a few percent of the events). Every other event is the root
    of a thread of its own (depth 0, one event), without recursion.

    Incremental: a run places the events loaded since its last build and rebuilds whole
    every thread built before that they touch: the threads of the events they answer, and
    the threads of the events that answer them (a parent landed after its replies). A
    thread is rebuilt from all of its events, so the result equals a full refresh. -#}

with recursive

staged as {{ ror_inline_cte() }} (

    select
        event_id,
        actor,
        event_text,
        in_reply_to_event_id,
        _loaded_at
    from {{ ref('stg_events__engagement_events') }}
    where is_staged

),

{# Incremental: the events loaded since the last build, and every event of the threads
   built before that they touch: the threads of the events they answer, and of the events
   that answer them. #}
events as (

    select * from staged
    {% if is_incremental() -%}
        where
            _loaded_at > {{ ror_incremental_cutoff('_loaded_at') }}
            or event_id in (
                select built.event_id from {{ this }} as built
                where built.root_event_id in (
                    select answered.root_event_id from {{ this }} as answered
                    where
                        answered.event_id in (
                            select new_events.in_reply_to_event_id from staged as new_events
                            where new_events._loaded_at > {{ ror_incremental_cutoff('_loaded_at') }}
                        )
                    union
                    select answering.root_event_id from {{ this }} as answering
                    where answering.event_id in (
                        select answers.event_id from staged as answers
                        where answers.in_reply_to_event_id in (
                            select new_events.event_id from staged as new_events
                            where new_events._loaded_at > {{ ror_incremental_cutoff('_loaded_at') }}
                        )
                    )
                )
            )
    {%- endif %}

),

replies as (

    select
        replies.event_id,
        parents.event_id as parent_event_id,
        replies._loaded_at
    from events as replies
    inner join staged as parents
        on replies.in_reply_to_event_id = parents.event_id

),

threads (event_id, root_event_id, hops, _loaded_at) as (

    select
        events.event_id,
        events.event_id as root_event_id,
        0 as hops,
        events._loaded_at
    from events
    where
        events.event_id in (select replies.parent_event_id from replies)
        and events.event_id not in (select replies.event_id from replies)

    union all

    select
        replies.event_id,
        threads.root_event_id,
        threads.hops + 1 as hops,
        replies._loaded_at
    from threads
    inner join replies
        on threads.event_id = replies.parent_event_id

),

thread_loads as (

    select
        root_event_id,
        count(*) as thread_events,
        max(_loaded_at) as thread_loaded_at
    from threads
    group by root_event_id

),

chained as (

    select
        threads.event_id,
        threads.root_event_id,
        threads.hops,
        thread_loads.thread_events,
        thread_loads.thread_loaded_at
    from threads
    inner join thread_loads
        on threads.root_event_id = thread_loads.root_event_id

),

placed as (

    select
        events.*,
        replies.parent_event_id,
        coalesce(chained.root_event_id, events.event_id) as root_event_id,
        coalesce(chained.hops, 0) as thread_depth,
        coalesce(chained.thread_events, 1) as thread_events,
        coalesce(chained.thread_loaded_at, events._loaded_at) as thread_loaded_at
    from events
    left join replies
        on events.event_id = replies.event_id
    left join chained
        on events.event_id = chained.event_id

),

final as (

    select
        event_id,
        case
            when
                thread_events > 1
                or (actor = 'person' and nullif(trim(event_text), '') is not null)
                then {{ dbt.concat(["'engagement_events:'", "root_event_id"]) }}
        end as thread_id,
        root_event_id,
        parent_event_id,
        thread_depth,
        thread_events,
        _loaded_at,
        thread_loaded_at as _changed_at,
        {{ ror_build_stamp() }} as _built_at
    from placed

)

select * from final
