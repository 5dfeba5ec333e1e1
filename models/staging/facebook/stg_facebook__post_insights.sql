{#- One row per landed Facebook post row: renamed, cast, parsed and flagged, never
    filtered. Any metric may be empty (null), which is not a broken rule. -#}

{#- Count metrics: raw header text -> staged column. -#}
{%- set counts = {
    "Page total likes": "page_total_likes",
    "Lifetime Post Total Reach": "lifetime_post_total_reach",
    "Lifetime Post Total Impressions": "lifetime_post_total_impressions",
    "Lifetime Engaged Users": "lifetime_engaged_users",
    "Lifetime Post Consumers": "lifetime_post_consumers",
    "Lifetime Post Consumptions": "lifetime_post_consumptions",
    "Lifetime Post Impressions by people who have liked your Page":
        "lifetime_post_impressions_by_people_who_have_liked_your_page",
    "Lifetime Post reach by people who like your Page":
        "lifetime_post_reach_by_people_who_like_your_page",
    "Lifetime People who have liked your Page and engaged with your post":
        "lifetime_people_who_have_liked_your_page_and_engaged_with_your_post",
    "comment": "comment_count",
    "like": "like_count",
    "share": "share_count",
    "Total Interactions": "total_interactions",
} -%}

{#- Without a Post ID a row is its own post (its key is derived from file and line), so
    it can only repeat another row that has a Post ID. -#}
{%- set contract_columns = [
    "Type", "Category", "Post Month", "Post Weekday", "Post Hour", "Paid",
    "Post ID", "Page ID", "Posted", "derived_post_key",
] + (counts.keys() | list) -%}

{%- set rules = [
    {"name": "unparseable_post_month", "when": "post_month_text is not null and coalesce(post_month not between 1 and 12, true)", "detail": "post_month_text"},
    {"name": "unparseable_post_weekday", "when": "post_weekday_text is not null and coalesce(post_weekday not between 1 and 7, true)", "detail": "post_weekday_text"},
    {"name": "unparseable_post_hour", "when": "post_hour_text is not null and coalesce(post_hour not between 0 and 23, true)", "detail": "post_hour_text"},
    {"name": "missing_posted_at", "when": "posted_text is null and (post_month is null or post_weekday is null or post_hour is null)", "detail": "null"},
    {"name": "unparseable_posted_at", "when": "posted_text is not null and posted_at is null", "detail": "posted_text"},
    {"name": "posted_at_in_future", "when": ror_is_in_future("posted_at"), "detail": dbt.cast("posted_at", api.Column.translate_type("string"))},
    {"name": "posted_at_before_" ~ (var("earliest_valid_at") | string)[:4], "when": ror_is_before_earliest_valid("posted_at"), "detail": dbt.cast("posted_at", api.Column.translate_type("string"))},
    {"name": "unparseable_category", "when": "post_category_text is not null and post_category is null", "detail": "post_category_text"},
    {"name": "unparseable_paid", "when": "paid_text is not null and is_paid is null", "detail": "paid_text"},
] -%}
{%- for raw, column in counts.items() -%}
    {%- do rules.append({
        "name": "unparseable_count",
        "when": column ~ "_text is not null and " ~ column ~ " is null",
        "detail": dbt.concat(["'" ~ raw ~ "='", column ~ "_text"]),
    }) -%}
{%- endfor -%}
{%- for raw, column in counts.items() -%}
    {%- do rules.append({
        "name": "negative_count",
        "when": column ~ " < 0",
        "detail": dbt.concat(["'" ~ raw ~ "='", column ~ "_text"]),
    }) -%}
{%- endfor -%}

with

source as (

    select * from {{ source('facebook', 'post_insights') }}

),

keyed as (

    select
        *,
        case
            when nullif(trim("Post ID"), '') is null
                then {{ dbt.concat([
                    "'derived-'",
                    "left(_file_hash, 16)",
                    "'-'",
                    dbt.cast("_line_number", api.Column.translate_type("string")),
                ]) }}
        end as derived_post_key
    from source

),

exact_repeats as (

    select
        *,
        {{ ror_is_exact_repeat(contract_columns) }} as is_duplicate
    from keyed

),

renamed as (

    select
        {{ ror_surrogate_key(["_file_hash", "_line_number"]) }} as post_row_id,
        coalesce(nullif(trim("Post ID"), ''), derived_post_key) as post_id,
        derived_post_key is not null as is_post_id_derived,
        nullif(trim("Page ID"), '') as page_id,
        nullif(trim("Posted"), '') as posted_text,
        nullif(trim("Type"), '') as post_type,
        nullif(trim("Category"), '') as post_category_text,
        nullif(trim("Post Month"), '') as post_month_text,
        nullif(trim("Post Weekday"), '') as post_weekday_text,
        nullif(trim("Post Hour"), '') as post_hour_text,
        nullif(trim("Paid"), '') as paid_text,
        {%- for raw, column in counts.items() %}
            nullif(trim({{ adapter.quote(raw) }}), '') as {{ column }}_text,
        {%- endfor %}
        is_duplicate,
        _batch,
        _file,
        _file_hash,
        _line_number,
        _loaded_at,
        _load_id
    from exact_repeats

),

parsed as (

    select
        *,
        {{ ror_parse_integer("post_category_text") }} as post_category,
        {{ ror_parse_integer("post_month_text") }} as post_month,
        {{ ror_parse_integer("post_weekday_text") }} as post_weekday,
        {{ ror_parse_integer("post_hour_text") }} as post_hour,
        case lower(paid_text)
            when '1' then true
            when '1.0' then true
            when 'true' then true
            when '0' then false
            when '0.0' then false
            when 'false' then false
        end as is_paid,
        {%- for column in counts.values() %}
            {{ ror_parse_integer(column ~ "_text") }} as {{ column }},
        {%- endfor %}
        {{ ror_parse_iso_timestamp_utc("posted_text") }} as posted_at_exact
    from renamed

),

{# Without `Posted`: the first day of Post Month (in var facebook_default_year) that
    falls on Post Weekday, at Post Hour. Post Weekday follows the UCI file: 1 = Sunday ...
    7 = Saturday (its oldest post, weekday 4, is Wednesday 1 January 2014). #}

month_starts as (

    select
        *,
        case
            when post_month between 1 and 12
                then make_date(
                    {{ var("facebook_default_year") }}, cast(post_month as integer), 1
                )
        end as month_start
    from parsed

),

approximated as (

    select
        *,
        {{ dbt.dateadd(
            "day",
            "(post_weekday - (" ~ ror_iso_weekday("month_start") ~ " % 7 + 1) + 7) % 7",
            "month_start",
        ) }} as approximate_post_day
    from month_starts

),

posted as (

    select
        *,
        case
            when posted_text is not null then posted_at_exact
            when post_weekday between 1 and 7 and post_hour between 0 and 23
                then {{ dbt.dateadd(
                    "hour",
                    "post_hour",
                    dbt.cast("approximate_post_day", api.Column.translate_type("timestamp")),
                ) }}
        end as posted_at,
        posted_text is null as is_posted_at_approximate
    from approximated

),

row_rules as (

    select
        *,
        {{ ror_first_broken_rule(rules) }} as row_rule,
        {{ ror_first_broken_rule_detail(rules) }} as row_rule_detail
    from posted

),

id_conflicts as (

    select
        *,
        {{ ror_id_conflict_columns(["post_id"], "not is_duplicate and row_rule is null") }}
    from row_rules

),

final as (

    select
        post_row_id,
        post_id,
        is_post_id_derived,
        page_id,
        posted_at,
        is_posted_at_approximate,
        post_type,
        post_category,
        post_month,
        post_weekday,
        post_hour,
        is_paid,
        {%- for column in counts.values() %}
            {{ column }},
        {%- endfor %}
        {{ ror_outcome_columns("post_id") }},
        _batch,
        _file,
        _file_hash,
        _line_number,
        _loaded_at,
        _load_id
    from id_conflicts

)

select * from final
