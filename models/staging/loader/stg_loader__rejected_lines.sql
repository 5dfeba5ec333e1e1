{#- One row per line the loader could not parse (raw.rejected_lines): a quarantined row
    that never reached a raw table. -#}

with

source as (

    select * from {{ source('loader_rejects', 'rejected_lines') }}

),

renamed as (

    select
        {{ ror_surrogate_key(["_file_hash", "_line_number"]) }} as rejected_line_id,
        source,
        reason,
        raw_line,
        _batch,
        _file,
        _file_hash,
        _line_number,
        _loaded_at,
        _load_id
    from source

)

select * from renamed
