{#- One row per file the loader landed (ops.load_manifest): where reconciliation gets
    rows_landed, independently of the staging models. -#}

with

source as (

    select * from {{ source('loader', 'load_manifest') }}

),

renamed as (

    select
        file_hash,
        source,
        batch,
        file,
        cast(size_bytes as {{ api.Column.translate_type("bigint") }}) as size_bytes,
        cast(rows_raw as {{ api.Column.translate_type("bigint") }}) as rows_raw,
        cast(rows_rejected as {{ api.Column.translate_type("bigint") }}) as rows_rejected,
        cast(rows_landed as {{ api.Column.translate_type("bigint") }}) as rows_landed,
        extra_columns,
        loaded_at,
        load_id
    from source

)

select * from renamed
