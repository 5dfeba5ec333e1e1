{#- One row per quarantined landed row of every source: the rows a staging model flagged
    with a rule, and the lines the loader could not parse at all (rule `malformed_line`).
    Exact duplicates are not here: they are collapsed and counted (ops.reconciliation). -#}

with

{% for staged in ror_staged_sources() %}
    {{ staged.model }} as (

        select * from {{ ref(staged.model) }}

    ),

{% endfor -%}

rejected_lines as (

    select * from {{ ref('stg_loader__rejected_lines') }}

),

flagged_rows as (

    {% for staged in ror_staged_sources() -%}
        select
            '{{ staged.source }}' as source,  -- noqa: RF04
            'flagged_row' as quarantine_kind,
            {{ staged.row_id }} as landed_row_id,
            _batch as batch,
            _file as file,  -- noqa: RF04
            _file_hash as file_hash,
            _line_number as line_number,
            quarantine_rule as rule,  -- noqa: RF04
            quarantine_detail as detail,
            _loaded_at as loaded_at
        from {{ staged.model }}
        where quarantine_rule is not null
        {% if not loop.last %}
            union all

        {% endif -%}
    {%- endfor %}

),

malformed_lines as (

    select
        source,
        'rejected_line' as quarantine_kind,
        rejected_line_id as landed_row_id,
        _batch as batch,
        _file as file,  -- noqa: RF04
        _file_hash as file_hash,
        _line_number as line_number,
        'malformed_line' as rule,  -- noqa: RF04
        {{ ror_rule_detail(dbt.concat(["reason", "': '", "raw_line"])) }} as detail,
        _loaded_at as loaded_at
    from rejected_lines

),

unioned as (

    select * from flagged_rows
    union all
    select * from malformed_lines

),

final as (

    select
        {{ ror_surrogate_key(["quarantine_kind", "landed_row_id"]) }} as quarantine_id,
        *
    from unioned

)

select * from final
