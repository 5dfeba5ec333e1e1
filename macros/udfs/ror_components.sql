{#- The seven ROR components, each on [0, 1] (1 = best) or null when not applicable: plain,
    portable SQL over a relationship's raw measures. Scales and their constants (var
    ror_scales) are documented in the docs block ror_score_formula and implemented the same
    way by python_udfs.scoring (tests/test_plugin.py checks they agree). Count-like
    arguments: null and negatives count as 0. Arguments are SQL expressions. -#}

{#- Decayed, kind-weighted interaction points -> 1 - exp(-points / engagement_points). -#}
{% macro ror_engagement(points, scales=none) -%}
    {{ return(adapter.dispatch('ror_engagement')(points, scales)) }}
{%- endmacro %}

{% macro default__ror_engagement(points, scales=none) -%}
    {%- set s = ror_scales(scales) -%}
    (1 - exp(-{{ _ror_nonnegative(points) }} / {{ _ror_number(s['engagement_points']) }}))
{%- endmacro %}


{#- Mean sentiment in [-1, 1] (clipped) -> (x + 1) / 2; null stays null (nothing said). -#}
{% macro ror_sentiment(mean_sentiment) -%}
    {{ return(adapter.dispatch('ror_sentiment')(mean_sentiment)) }}
{%- endmacro %}

{% macro default__ror_sentiment(mean_sentiment) -%}
    (case
        when {{ mean_sentiment }} is not null
            then (
                least(greatest(cast({{ mean_sentiment }} as {{ ror_type_double() }}), -1), 1) + 1
            ) / 2
    end)
{%- endmacro %}


{#- Brand actions toward the person: (give + 1) / (give + take + 2); null when none. -#}
{% macro ror_reciprocity(give, take) -%}
    {{ return(adapter.dispatch('ror_reciprocity')(give, take)) }}
{%- endmacro %}

{% macro default__ror_reciprocity(give, take) -%}
    {%- set g = _ror_nonnegative(give) -%}
    {%- set t = _ror_nonnegative(take) -%}
    (case when {{ g }} + {{ t }} > 0 then ({{ g }} + 1) / ({{ g }} + {{ t }} + 2) end)
{%- endmacro %}


{#- Answered share x (1/2 + 1/2 x 0.5 ^ (response minutes / response_half_life_minutes));
    unknown minutes earn 1/2; null when the person sent nothing to answer (inbound = 0). -#}
{% macro ror_listening(inbound, answered, response_minutes, scales=none) -%}
    {{ return(adapter.dispatch('ror_listening')(inbound, answered, response_minutes, scales)) }}
{%- endmacro %}

{% macro default__ror_listening(inbound, answered, response_minutes, scales=none) -%}
    {%- set s = ror_scales(scales) -%}
    {%- set sent = _ror_nonnegative(inbound) -%}
    (case
        when {{ sent }} > 0
            then least({{ _ror_nonnegative(answered) }} / {{ sent }}, 1)
                * (0.5 + (case
                    when {{ response_minutes }} is null then 0
                    else 0.5 * power(
                        0.5,
                        {{ _ror_nonnegative(response_minutes) }}
                        / {{ _ror_number(s['response_half_life_minutes']) }}
                    )
                end))
    end)
{%- endmacro %}


{#- Points = shares + positive mentions and reviews + referral_points x referrals
    + referred revenue / referred_revenue_per_point -> 1 - exp(-points / advocacy_points). -#}
{% macro ror_advocacy(shares, positive_mentions, referrals, referred_revenue, scales=none) -%}
    {{ return(adapter.dispatch('ror_advocacy')(
        shares, positive_mentions, referrals, referred_revenue, scales
    )) }}
{%- endmacro %}

{% macro default__ror_advocacy(
    shares, positive_mentions, referrals, referred_revenue, scales=none
) -%}
    {%- set s = ror_scales(scales) -%}
    (1 - exp(-(
        {{ _ror_nonnegative(shares) }}
        + {{ _ror_nonnegative(positive_mentions) }}
        + {{ _ror_number(s['referral_points']) }} * {{ _ror_nonnegative(referrals) }}
        + {{ _ror_nonnegative(referred_revenue) }}
            / {{ _ror_number(s['referred_revenue_per_point']) }}
    ) / {{ _ror_number(s['advocacy_points']) }}))
{%- endmacro %}


{#- Active periods / observed periods (capped at 1); null when not observed. -#}
{% macro ror_continuity(active_periods, observed_periods) -%}
    {{ return(adapter.dispatch('ror_continuity')(active_periods, observed_periods)) }}
{%- endmacro %}

{% macro default__ror_continuity(active_periods, observed_periods) -%}
    {%- set observed = _ror_nonnegative(observed_periods) -%}
    (case
        when {{ observed }} > 0
            then least({{ _ror_nonnegative(active_periods) }} / {{ observed }}, 1)
    end)
{%- endmacro %}


{#- Net revenue (null or negative = 0) -> 1 - exp(-revenue / realized_value_revenue). -#}
{% macro ror_realized_value(net_revenue, scales=none) -%}
    {{ return(adapter.dispatch('ror_realized_value')(net_revenue, scales)) }}
{%- endmacro %}

{% macro default__ror_realized_value(net_revenue, scales=none) -%}
    {%- set s = ror_scales(scales) -%}
    (1 - exp(-{{ _ror_nonnegative(net_revenue) }} / {{ _ror_number(s['realized_value_revenue']) }}))
{%- endmacro %}
