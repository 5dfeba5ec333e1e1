{#- Nothing is lost: one row per landing source and batch, with the rows the loader
    landed (its manifest: raw rows + rejected lines) and what became of them. For every
    row, rows_landed = rows_staged + rows_quarantined + rows_duplicate
    (contracts/operations.md; tested per source by reconciles_with_landing on the
    staging models). -#}

with

files as (

    select * from {{ ref('stg_loader__files') }}

),

rejected_lines as (

    select * from {{ ref('stg_loader__rejected_lines') }}

),

{% for staged in ror_staged_sources() %}
    {{ staged.model }} as (

        select * from {{ ref(staged.model) }}

    ),

{% endfor -%}

landed as (

    select
        source,
        batch,
        sum(rows_landed) as rows_landed,
        count(*) as files_landed
    from files
    group by source, batch

),

staged_rows as (

    {% for staged in ror_staged_sources() -%}
        select
            '{{ staged.source }}' as source,  -- noqa: RF04
            _batch as batch,
            is_staged,
            quarantine_rule is not null as is_quarantined,
            is_duplicate
        from {{ staged.model }}
        {% if not loop.last %}
            union all

        {% endif -%}
    {%- endfor %}

),

outcomes as (

    select
        source,
        batch,
        sum(case when is_staged then 1 else 0 end) as rows_staged,
        sum(case when is_quarantined then 1 else 0 end) as rows_flagged,
        sum(case when is_duplicate then 1 else 0 end) as rows_duplicate
    from staged_rows
    group by source, batch

),

rejected as (

    select
        source,
        _batch as batch,
        count(*) as rows_rejected
    from rejected_lines
    group by source, _batch

),

source_batches as (

    select
        source,
        batch
    from landed
    union
    select
        source,
        batch
    from outcomes
    union
    select
        source,
        batch
    from rejected

),

joined as (

    select
        source_batches.source,
        source_batches.batch,
        {%- set bigint = api.Column.translate_type("bigint") %}
        cast(coalesce(landed.files_landed, 0) as {{ bigint }}) as files_landed,
        cast(coalesce(landed.rows_landed, 0) as {{ bigint }}) as rows_landed,
        cast(coalesce(outcomes.rows_staged, 0) as {{ bigint }}) as rows_staged,
        cast(
            coalesce(outcomes.rows_flagged, 0) + coalesce(rejected.rows_rejected, 0)
            as {{ bigint }}
        ) as rows_quarantined,
        cast(coalesce(rejected.rows_rejected, 0) as {{ bigint }}) as rows_rejected,
        cast(coalesce(outcomes.rows_duplicate, 0) as {{ bigint }}) as rows_duplicate
    from source_batches
    left join landed
        on
            source_batches.source = landed.source
            and source_batches.batch = landed.batch
    left join outcomes
        on
            source_batches.source = outcomes.source
            and source_batches.batch = outcomes.batch
    left join rejected
        on
            source_batches.source = rejected.source
            and source_batches.batch = rejected.batch

),

final as (

    select
        {{ ror_surrogate_key(["source", "batch"]) }} as reconciliation_id,
        source,
        batch,
        rows_landed,
        rows_staged,
        rows_quarantined,
        rows_duplicate,
        rows_rejected,
        files_landed,
        rows_landed = rows_staged + rows_quarantined + rows_duplicate as is_reconciled
    from joined

)

select * from final
