{#- The key of one identity node of the person graph (models/intermediate/identity): the
    same text wherever the identity appears, so that links join. Kinds:
      account   a user id on a channel: `<channel>:id:<id>` (ids keep their case); on the
                `email` channel the id is the address, so it is the `email:` node
      handle    a handle on a channel: `<channel>:handle:<handle, lower case>`
      email     `email:<address, trimmed, lower case>`
      customer  a CRM customer: `customer:<customer_id>`
    Null when the value is null. Internal only: these keys hold handles and e-mails and
    never reach a mart (marts carry pseudonymize(person_id)). -#}
{% macro ror_identity_key(kind, value, channel=none) -%}
    {%- set string = api.Column.translate_type("string") -%}
    {%- if kind == 'account' -%}
        (case
            when {{ value }} is null then null
            when {{ channel }} = 'email'
                then {{ dbt.concat(["'email:'", "lower(trim(" ~ value ~ "))"]) }}
            else {{ dbt.concat([channel, "':id:'", dbt.cast(value, string)]) }}
        end)
    {%- elif kind == 'handle' -%}
        (case
            when {{ value }} is not null
                then {{ dbt.concat([channel, "':handle:'", "lower(trim(" ~ value ~ "))"]) }}
        end)
    {%- elif kind == 'email' -%}
        (case
            when {{ value }} is not null then {{ dbt.concat(["'email:'", "lower(trim(" ~ value ~ "))"]) }}
        end)
    {%- elif kind == 'customer' -%}
        (case
            when {{ value }} is not null then {{ dbt.concat(["'customer:'", dbt.cast(value, string)]) }}
        end)
    {%- else -%}
        {{ exceptions.raise_compiler_error("ror_identity_key: unknown kind " ~ kind) }}
    {%- endif -%}
{%- endmacro %}


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
