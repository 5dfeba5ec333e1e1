{#- Every score is within 0-100 and every component within 0-1, and a score is null only
    when every component is. -#}

with

relationships as (

    select * from {{ ref('ror_relationship_history') }}

),

{%- set components = [
    'engagement_component', 'sentiment_component', 'reciprocity_component',
    'listening_component', 'advocacy_component', 'continuity_component',
    'realized_value_component',
] %}

out_of_range as (

    select
        brand_id,
        person_key,
        month_start,
        ror_score,
        {{ components | join(',\n        ') }}
    from relationships
    where
        ror_score < 0
        or ror_score > 100
        {%- for component in components %}
            or {{ component }} < 0
            or {{ component }} > 1
        {%- endfor %}
        or (ror_score is null and coalesce({{ components | join(', ') }}) is not null)

)

select * from out_of_range
