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
