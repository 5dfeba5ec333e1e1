{#- ops.reconciliation adds up: on every row rows_landed = rows_staged + rows_quarantined
    + rows_duplicate, and ops.quarantine lists exactly rows_quarantined rows for each
    source and batch. Returns the failing (source, batch) rows. -#}
{% test reconciles_with_staging(model) %}

with

quarantined as (

    select
        source,
        batch,
        count(*) as rows_listed
    from {{ ref('quarantine') }}
    group by source, batch

),

compared as (

    select
        reconciliation.source,
        reconciliation.batch,
        reconciliation.rows_landed,
        reconciliation.rows_staged,
        reconciliation.rows_quarantined,
        reconciliation.rows_duplicate,
        coalesce(quarantined.rows_listed, 0) as rows_listed_in_quarantine
    from {{ model }} as reconciliation
    left join quarantined
        on reconciliation.source = quarantined.source
        and reconciliation.batch = quarantined.batch

)

select *
from compared
where rows_landed <> rows_staged + rows_quarantined + rows_duplicate
    or rows_quarantined <> rows_listed_in_quarantine

{% endtest %}
