{#- The six landing sources (ror/sources.py) and the staging model of each, with the
    column that identifies a landed row. ops.quarantine and ops.reconciliation union them. -#}
{% macro ror_staged_sources() -%}
    {{ return([
        {"source": "twitter_tweets", "model": "stg_twitter__tweets", "row_id": "tweet_row_id"},
        {"source": "facebook_post_insights", "model": "stg_facebook__post_insights", "row_id": "post_row_id"},
        {"source": "engagement_events", "model": "stg_events__engagement_events", "row_id": "event_row_id"},
        {"source": "crm_customers", "model": "stg_crm__customers", "row_id": "customer_row_id"},
        {"source": "crm_identities", "model": "stg_crm__identities", "row_id": "identity_row_id"},
        {"source": "orders", "model": "stg_crm__orders", "row_id": "order_row_id"},
    ]) }}
{%- endmacro %}
