{#- Duplicates in the staging models (contracts/landing.md: "A row that repeats another
    to the letter is collapsed into one and counted"; "a duplicate id with different
    content" is bad input).

    Landing order is the tie-breaker everywhere: batch (delivered in name order), then
    file, then line. (file, line) identifies a landed row, so the order is total and
    every verdict below is deterministic. -#}

{% macro ror_landing_order() -%}
    _batch, _file, _line_number
{%- endmacro %}

{#- True for every landed row that repeats an earlier row's contract columns exactly
    (raw text as delivered, nulls equal to nulls); false for the first occurrence.
    The first of `columns` should be the source's key where it has one. -#}
{% macro ror_is_exact_repeat(columns) -%}
    row_number() over (
        partition by {{ ror_repeat_partition(columns) }}
        order by {{ ror_landing_order() }}
    ) > 1
{%- endmacro %}

{#- What rows that repeat each other share. Portable: every column. DuckDB: the key and a
    64-bit hash of every column (nulls hash alike), because partitioning a window by a dozen
    wide text columns sorts all of them (stg_events at 1M events: 2.6 s -> 2.2 s). Two rows
    with the same key but different content would have to collide on the hash to be taken for
    a repeat: about 2^-64 per pair. -#}
{% macro ror_repeat_partition(columns) -%}
    {{ return(adapter.dispatch('ror_repeat_partition')(columns)) }}
{%- endmacro %}

{% macro default__ror_repeat_partition(columns) -%}
    {% for column in columns %}{{ adapter.quote(column) }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{% macro duckdb__ror_repeat_partition(columns) -%}
    {{ adapter.quote(columns[0]) }}, hash({{ default__ror_repeat_partition(columns) }})
{%- endmacro %}

{#- Among the rows that are neither repeats nor broken by a row rule (`eligible`), the
    earliest row of each key is kept and every later one, having the same key with
    different content, is a duplicate id conflict. Gives two columns:
    is_duplicate_id_conflict and duplicate_id_kept_at (the file:line that was kept). -#}
{% macro ror_id_conflict_columns(key_columns, eligible) -%}
    {%- set partition -%}
        partition by {{ key_columns | join(', ') }}, ({{ eligible }})
    {%- endset -%}
    coalesce(
        {{ eligible }}
        and row_number() over ({{ partition }} order by {{ ror_landing_order() }}) > 1,
        false
    ) as is_duplicate_id_conflict,
    case
        when {{ eligible }}
            then first_value({{ dbt.concat(["_file", "':'", dbt.cast("_line_number", api.Column.translate_type("string"))]) }}) over (
                {{ partition }} order by {{ ror_landing_order() }}
                rows between unbounded preceding and current row
            )
    end as duplicate_id_kept_at
{%- endmacro %}

{#- The outcome of a landed row, exactly one of: staged, quarantined, duplicate.
    Needs row_rule, row_rule_detail, is_duplicate, is_duplicate_id_conflict and
    duplicate_id_kept_at. A repeat carries no rule (its first occurrence does). -#}
{% macro ror_outcome_columns(key_label) -%}
    case
        when is_duplicate then null
        when row_rule is not null then row_rule
        when is_duplicate_id_conflict then 'duplicate_id_conflict'
    end as quarantine_rule,
    case
        when is_duplicate then null
        when row_rule is not null then row_rule_detail
        when is_duplicate_id_conflict
            then {{ ror_rule_detail(dbt.concat(["'" ~ key_label ~ " kept at '", "duplicate_id_kept_at"])) }}
    end as quarantine_detail,
    is_duplicate,
    not is_duplicate
    and row_rule is null
    and not is_duplicate_id_conflict as is_staged
{%- endmacro %}

{#- Both windows above only ever look past a row when another landed row shares its id:
    a repeat repeats the id, and an id conflict is a second row with the same id. Ids are
    nearly always unique (10M events: 0.5% of the rows share one), so the staging models
    of large sources run the windows only over the rows whose id is shared (`ror_shared_id_key`
    in the set of shared ids) and give every other row is_duplicate = false and no id
    conflict, without sorting it. The key: the id as delivered, trimmed, null and empty as
    ''; rows that share the raw id, or the trimmed id, share it. -#}
{% macro ror_shared_id_key(column) -%}
    coalesce(trim({{ adapter.quote(column) }}), '')
{%- endmacro %}

{#- The `where` of an incremental staging model's raw rows (nothing on a full build): the
    rows loaded since the model's last build, and the rows loaded before that share an id
    with one of them (`shared_id`, a SQL expression of the raw row such as
    ror_shared_id_key('event_id')), since a repeat or an id conflict may change which row of
    the id is kept. Every rule of a staging model reads the row alone or the rows of its
    id, so the rows rebuilt equal those of a full refresh. -#}
{% macro ror_staging_increment(raw_relation, shared_id) -%}
    {%- if is_incremental() -%}
        where
            _loaded_at > {{ ror_incremental_cutoff('_loaded_at') }}
            or {{ shared_id }} in (
                select {{ shared_id }}
                from {{ raw_relation }} as landed_since
                where landed_since._loaded_at > {{ ror_incremental_cutoff('_loaded_at') }}
            )
    {%- endif -%}
{%- endmacro %}

{#- `as <this> (` for a CTE that must be computed where it is used, not materialized once
    because it is read twice (DuckDB materializes such CTEs by default): the staging
    models read their row-rule CTEs once for all rows and once more for the few rows of a
    shared id, which a filter pushed down to the scan keeps cheap. Empty elsewhere. -#}
{% macro ror_inline_cte() -%}
    {{ return(adapter.dispatch('ror_inline_cte')()) }}
{%- endmacro %}

{% macro default__ror_inline_cte() -%}
{%- endmacro %}

{% macro duckdb__ror_inline_cte() -%}
    not materialized
{%- endmacro %}


{% macro ror_materialized_cte() -%}
    {{ return(adapter.dispatch('ror_materialized_cte')()) }}
{%- endmacro %}

{% macro default__ror_materialized_cte() -%}
{%- endmacro %}

{% macro duckdb__ror_materialized_cte() -%}
    materialized
{%- endmacro %}
