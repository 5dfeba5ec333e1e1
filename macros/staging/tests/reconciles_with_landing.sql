{#- Nothing is lost (contracts/landing.md): for every batch of `landing_source`, the rows
    the loader landed (its manifest, stg_loader__files) equal the rows of the staging
    model `model` that were staged, quarantined or collapsed as duplicates, plus the
    lines the loader rejected. Also fails for a row with no outcome or more than one.
    Counts come from the staging model itself, so a row lost anywhere between the raw
    table and the staging model fails the test. Returns one row per failing batch. -#}
{% test reconciles_with_landing(model, landing_source) %}

with

landed as (

    select
        batch,
        sum(rows_landed) as rows_landed
    from {{ ref('stg_loader__files') }}
    where source = '{{ landing_source }}'
    group by batch

),

rejected as (

    select
        _batch as batch,
        count(*) as rows_rejected
    from {{ ref('stg_loader__rejected_lines') }}
    where source = '{{ landing_source }}'
    group by _batch

),

outcomes as (

    select
        _batch as batch,
        sum(case when is_staged then 1 else 0 end) as rows_staged,
        sum(case when quarantine_rule is not null then 1 else 0 end) as rows_quarantined,
        sum(case when is_duplicate then 1 else 0 end) as rows_duplicate,
        sum(
            case
                when (case when is_staged then 1 else 0 end)
                    + (case when quarantine_rule is not null then 1 else 0 end)
                    + (case when is_duplicate then 1 else 0 end) <> 1
                    then 1
                else 0
            end
        ) as rows_without_one_outcome
    from {{ model }}
    group by _batch

),

batches as (

    select batch from landed
    union
    select batch from rejected
    union
    select batch from outcomes

),

compared as (

    select
        batches.batch,
        coalesce(landed.rows_landed, 0) as rows_landed,
        coalesce(outcomes.rows_staged, 0) as rows_staged,
        coalesce(outcomes.rows_quarantined, 0) + coalesce(rejected.rows_rejected, 0) as rows_quarantined,
        coalesce(outcomes.rows_duplicate, 0) as rows_duplicate,
        coalesce(outcomes.rows_without_one_outcome, 0) as rows_without_one_outcome
    from batches
    left join landed on batches.batch = landed.batch
    left join rejected on batches.batch = rejected.batch
    left join outcomes on batches.batch = outcomes.batch

)

select *
from compared
where rows_landed <> rows_staged + rows_quarantined + rows_duplicate
    or rows_without_one_outcome > 0

{% endtest %}
