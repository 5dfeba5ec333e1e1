{#- The incremental models' lower bound: rows whose `column` is later than the largest
    value already in the model minus var ror_incremental_lookback_days are rebuilt; every
    row when the model holds none yet (it was first built from an empty landing). -#}
{% macro ror_incremental_cutoff(column) -%}
    (
        select coalesce(
            {{ dbt.dateadd('day', -1 * var('ror_incremental_lookback_days', 0), 'max(built.' ~ column ~ ')') }},
            cast('0001-01-01' as {{ api.Column.translate_type('timestamp') }})
        )
        from {{ this }} as built
    )
{%- endmacro %}


{#- True on an incremental run whose model already holds `column`: a model built before the
    column existed gets it on this run (on_schema_change), so its earlier rows cannot be
    read for it yet. -#}
{% macro ror_is_incremental_with(column) -%}
    {%- if not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(column in (adapter.get_columns_in_relation(this) | map(attribute="name") | list)) }}
{%- endmacro %}


{#- What the rows of a model were built with besides its input rows: the seeds it reads
    (every row of each), the vars it reads and the pseudonym salt (through the pseudonym
    of a constant, never the salt itself), as one md5. An incremental model stores it on
    every row and rebuilds every row when it differs from the one it would build with now,
    so editing a seed or a var needs no --full-refresh. -#}
{% macro ror_build_hash(seeds, var_names=[]) -%}
    {%- set string = api.Column.translate_type("string") -%}
    {%- set parts = [] -%}
    {%- for seed in seeds -%}
        {%- do parts.append(
            "(select string_agg(cast(seed_row as " ~ string ~ "), ';' order by cast(seed_row as "
            ~ string ~ ")) from " ~ seed ~ " as seed_row)"
        ) -%}
    {%- endfor -%}
    {%- for name in var_names -%}
        {%- do parts.append("'" ~ dbt.escape_single_quotes(tojson(var(name))) ~ "'") -%}
    {%- endfor -%}
    {%- do parts.append(pseudonymize("'ror_build_hash'")) -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}


{#- True on an incremental run that builds only what changed: the model kept _build_hash
    (a table built before the column existed is rebuilt whole) and its rows were built
    with the seeds, vars and salt of now (`build_hash`, the expression of macro
    ror_build_hash); otherwise every row is built. The hash built with is read from the
    warehouse when the model runs, so that the plan of an incremental run holds no
    "or every row" branch. -#}
{% macro ror_is_incremental_with_settings(build_hash) -%}
    {%- if not execute or not ror_is_incremental_with('_build_hash') -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set built = run_query("select max(_build_hash) from " ~ this).columns[0].values()[0] -%}
    {%- set now = run_query("select " ~ build_hash).columns[0].values()[0] -%}
    {{ return(built == now) }}
{%- endmacro %}


{#- The CTEs of the relationship days (person_id, activity_date) that an incremental run of
    int_relationships_daily or fct_relationship_daily rebuilds, ending in touched_days:
    every day of a changed interaction (int_interactions_unified _changed_at later than
    `cutoff`) and the days it was on before (_previous_activity_dates), for its identity
    and the identities it had before (_previous_identity_keys); and every day of activity
    of an identity that is new or moved to another person (int_identities_resolved
    _changed_at). Each identity-day is a day of the person the identity belongs to now and
    of every person it belonged to before (_previous_person_ids), which lose it. The
    caller continues the `with` after it. -#}
{% macro ror_touched_relationship_days(cutoff) -%}

touched_interactions as (

    select
        identity_key,
        _previous_identity_keys,
        activity_date,
        _previous_activity_dates
    from {{ ref('int_interactions_unified') }}
    where _changed_at > {{ cutoff }}

),

touched_interaction_identities as (

    select
        identity_key,
        activity_date,
        _previous_activity_dates
    from touched_interactions
    union all
    select
        previous.identity_key,
        touched_interactions.activity_date,
        touched_interactions._previous_activity_dates
    from touched_interactions,
        {{ ror_unnest_with_position(
            'touched_interactions._previous_identity_keys', 'previous', 'identity_key', 'position'
        ) }}

),

moved_identities as (

    select identity_key from {{ ref('int_identities_resolved') }}
    where _changed_at > {{ cutoff }}

),

touched_identity_days as (

    select
        identity_key,
        activity_date
    from touched_interaction_identities
    union
    select
        touched_interaction_identities.identity_key,
        previous.activity_date
    from touched_interaction_identities,
        {{ ror_unnest_with_position(
            'touched_interaction_identities._previous_activity_dates',
            'previous', 'activity_date', 'position'
        ) }}
    union
    select
        activity.identity_key,
        activity.activity_date
    from {{ ref('int_identity_activity_daily') }} as activity
    inner join moved_identities
        on activity.identity_key = moved_identities.identity_key

),

touched_identities as (

    select
        resolved.identity_key,
        resolved.person_id,
        resolved._previous_person_ids
    from {{ ref('int_identities_resolved') }} as resolved
    where resolved.identity_key in (select identity_key from touched_identity_days)

),

touched_days as (

    select
        touched_identities.person_id,
        touched_identity_days.activity_date
    from touched_identity_days
    inner join touched_identities
        on touched_identity_days.identity_key = touched_identities.identity_key
    union
    select
        previous.person_id,
        touched_identity_days.activity_date
    from touched_identity_days
    inner join touched_identities
        on touched_identity_days.identity_key = touched_identities.identity_key,
        {{ ror_unnest_with_position(
            'touched_identities._previous_person_ids', 'previous', 'person_id', 'position'
        ) }}

),

{%- endmacro %}


{#- The load of this run, as a SQL scalar: the latest in the load manifest, later than every
    load before it (Loader.load_stamp), so later than any _changed_at built before. -#}
{% macro ror_run_stamp() -%}
    (select max(loaded_at) from {{ ref('stg_loader__files') }})
{%- endmacro %}


{#- This dbt invocation's build stamp, as a SQL timestamp: the _built_at of every row an
    incremental model writes, by which a nightly's data tests read only the rows of the
    latest build (macro ror_latest_build) and int_texts_scored only the rows staged since
    its last build. The on-run-start hook ror_record_invocation chose it and wrote it to
    ops.dbt_invocations: when the invocation started, unless a stamp already in the
    warehouse is as late (the clock was set back), in which case just after that one. So
    every build's stamp is later than every stamp before it, and one invocation's models
    share one. The commands that run no hooks and build no model (compile, show, docs
    generate, list, run-operation, clone; sqlfluff's templater compiles) get the start
    time; any other without its row in the log is an error. -#}
{% macro ror_build_stamp() -%}
    {%- set timestamp = api.Column.translate_type('timestamp') -%}
    {%- set stamp = run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") -%}
    {%- set without_hooks = ['compile', 'show', 'generate', 'list', 'run-operation', 'clone'] -%}
    {%- if execute and flags.WHICH not in without_hooks -%}
        {%- set recorded = run_query(
            "select strftime(max(built_at), '%Y-%m-%d %H:%M:%S.%f') from ops.dbt_invocations "
            ~ "where invocation_id = '" ~ invocation_id ~ "'"
        ).columns[0].values()[0] -%}
        {%- if recorded is none -%}
            {{ exceptions.raise_compiler_error(
                "ops.dbt_invocations has no row for this invocation (" ~ invocation_id
                ~ "): the on-run-start hook ror_record_invocation did not run"
            ) }}
        {%- endif -%}
        {%- set stamp = recorded -%}
    {%- endif -%}
    cast('{{ stamp }}' as {{ timestamp }})
{%- endmacro %}


{#- The on-run-start hook (dbt_project.yml): one row in ops.dbt_invocations per dbt
    invocation that runs hooks (run, build, test, seed, snapshot, source freshness; a retry
    is logged under the command it retries), with its build stamp (macro
    ror_build_stamp): when it started, or 1 microsecond after the latest stamp in the
    warehouse when that is not earlier (the latest built_at recorded here and the latest
    _built_at of every base table, read from DuckDB's statistics: a few milliseconds at
    10M events). Not a model: it must exist before any model runs. -#}
{% macro ror_record_invocation() -%}
    {%- set timestamp = api.Column.translate_type('timestamp') -%}
    {%- set started = "cast('" ~ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") ~ "' as "
        ~ timestamp ~ ")" -%}
    {%- set stamped = [] -%}
    {%- if execute -%}
        {%- set stamped = run_query(
            "select columns.table_schema, columns.table_name "
            ~ "from information_schema.columns as columns "
            ~ "inner join information_schema.tables as tables "
            ~ "on columns.table_catalog = tables.table_catalog "
            ~ "and columns.table_schema = tables.table_schema "
            ~ "and columns.table_name = tables.table_name "
            ~ "where columns.column_name = '_built_at' "
            ~ "and columns.table_catalog = current_database() "
            ~ "and tables.table_type = 'BASE TABLE' "
            ~ "order by 1, 2"
        ).rows -%}
    {%- endif -%}
create schema if not exists ops;
create table if not exists ops.dbt_invocations (
    invocation_id {{ api.Column.translate_type('string') }} not null,
    command {{ api.Column.translate_type('string') }} not null,
    started_at {{ timestamp }} not null,
    built_at {{ timestamp }} not null
);
insert into ops.dbt_invocations (invocation_id, command, started_at, built_at)
select
    '{{ invocation_id }}',
    '{{ flags.WHICH }}',
    {{ started }},
    case
        when latest.built_at >= {{ started }} then latest.built_at + interval 1 microsecond
        else {{ started }}
    end
from (
    select max(built_at) as built_at
    from (
        select max(built_at) as built_at from ops.dbt_invocations
        {%- for schema, table in stamped %}
        union all
        select max(_built_at) from {{ adapter.quote(schema) }}.{{ adapter.quote(table) }}
        {%- endfor %}
    ) as stamps
) as latest
{%- endmacro %}
