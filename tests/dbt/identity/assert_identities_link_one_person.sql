{#- A channel user id that CRM identities link to two customers who are different persons
    is a data-quality finding (contracts/landing.md section 4), not bad input: it is kept
    out of both persons (int_identities_resolved) and this test warns, listing each one. -#}
{{ config(severity='warn') }}

select * from {{ ref('int_identity_conflicts') }}
