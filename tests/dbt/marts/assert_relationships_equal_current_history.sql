{#- ror_relationships is the current month of ror_relationship_history: the same
    relationships with the same score, stage and formula version. -#}

with

relationships as (

    select * from {{ ref('ror_relationships') }}

),

current_month as (

    select * from {{ ref('ror_relationship_history') }}
    where is_current_month

),

mismatches as (

    select
        coalesce(relationships.brand_id, current_month.brand_id) as brand_id,
        coalesce(relationships.person_key, current_month.person_key) as person_key,
        relationships.ror_score as relationship_score,
        current_month.ror_score as history_score
    from relationships
    full outer join current_month
        on
            relationships.brand_id = current_month.brand_id
            and relationships.person_key = current_month.person_key
    where
        relationships.person_key is null
        or current_month.person_key is null
        or relationships.ror_score is distinct from current_month.ror_score
        or relationships.lifecycle_stage <> current_month.lifecycle_stage
        or relationships.ror_formula_version <> current_month.ror_formula_version

)

select * from mismatches
