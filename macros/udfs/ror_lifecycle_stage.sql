{#- Lifecycle stage of a relationship: audience, engaged, customer, advocate or lapsed.
    First matching rule wins (thresholds: var ror_stage_rules):
      audience  fewer person-initiated interactions than engaged_min_interactions, no order,
                no advocacy action;
      lapsed    last activity more than lapsed_after_days ago (null days: not lapsed);
      advocate  at least advocate_min_actions advocacy actions (shares, positive mentions
                and reviews, referrals);
      customer  at least one order;
      engaged   otherwise.
    Plain SQL (a CASE per row); python_udfs.scoring.lifecycle_stage is its tested reference. -#}
{% macro ror_lifecycle_stage(
    person_interactions,
    orders,
    advocacy_actions,
    days_since_last_activity,
    rules=none
) -%}
    {{ return(adapter.dispatch('ror_lifecycle_stage')(
        person_interactions, orders, advocacy_actions, days_since_last_activity, rules
    )) }}
{%- endmacro %}

{% macro default__ror_lifecycle_stage(
    person_interactions,
    orders,
    advocacy_actions,
    days_since_last_activity,
    rules=none
) -%}
    {%- set r = ror_stage_rules(rules) -%}
    {%- set interactions = _ror_nonnegative(person_interactions) -%}
    {%- set bought = _ror_nonnegative(orders) -%}
    {%- set advocated = _ror_nonnegative(advocacy_actions) -%}
    (case
        when {{ interactions }} < {{ r['engaged_min_interactions'] }}
            and {{ bought }} <= 0
            and {{ advocated }} <= 0
            then 'audience'
        when {{ days_since_last_activity }} > {{ r['lapsed_after_days'] }} then 'lapsed'
        when {{ advocated }} >= {{ r['advocate_min_actions'] }} then 'advocate'
        when {{ bought }} > 0 then 'customer'
        else 'engaged'
    end)
{%- endmacro %}
