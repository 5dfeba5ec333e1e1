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


{#- True on an incremental run of a model whose rows were built with other seeds, vars or
    salt than now (column _build_hash, macro ror_build_hash), or before the model kept
    _build_hash: every row is rebuilt. `build_hash` is the expression of the hash now. -#}
{% macro ror_built_with_other_settings(build_hash) -%}
    {%- if not ror_is_incremental_with('_build_hash') -%}
        true
    {%- else -%}
        ({{ build_hash }}) is distinct from (select max(built._build_hash) from {{ this }} as built)
    {%- endif -%}
{%- endmacro %}
