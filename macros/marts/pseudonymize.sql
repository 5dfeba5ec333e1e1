{#- A pseudonymous person key: sha256 of a secret salt followed by the internal person id,
    as lower-case hex. The salt is the environment variable ROR_PSEUDONYM_SALT (`ror
    refresh` sets it from a secret file kept beside the warehouse, never in the
    repository), so the keys of one warehouse are stable across refreshes but cannot be
    reversed or joined to another warehouse's keys without the salt. -#}
{% macro pseudonymize(expr) -%}
    {{ return(adapter.dispatch('pseudonymize')(expr)) }}
{%- endmacro %}

{% macro default__pseudonymize(expr) -%}
    sha256({{ dbt.concat([ror_pseudonym_salt(), dbt.cast(expr, api.Column.translate_type("string"))]) }})
{%- endmacro %}

{% macro spark__pseudonymize(expr) -%}
    sha2({{ dbt.concat([ror_pseudonym_salt(), dbt.cast(expr, api.Column.translate_type("string"))]) }}, 256)
{%- endmacro %}

{#- The salt as a SQL string literal. Refuses to build without it: an empty or default salt
    would make the person keys reversible by anyone who can enumerate person ids. -#}
{% macro ror_pseudonym_salt() -%}
    {%- set salt = env_var('ROR_PSEUDONYM_SALT', '') -%}
    {%- if execute and salt | length < 8 -%}
        {{ exceptions.raise_compiler_error(
            "ROR_PSEUDONYM_SALT is not set (or shorter than 8 characters): the marts' person"
            ~ " keys are salted hashes. `ror refresh` sets it from the secret file beside the"
            ~ " warehouse; for a plain `dbt build`, export ROR_PSEUDONYM_SALT=\"$(cat"
            ~ " warehouse/ror.salt)\" first."
        ) }}
    {%- endif -%}
    {{ return("'" ~ dbt.escape_single_quotes(salt) ~ "'") }}
{%- endmacro %}
