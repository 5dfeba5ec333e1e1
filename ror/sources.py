"""The six landing sources of contracts/landing.md: how each is read and what it must hold.

This is the loader's single description of the landing contract. The raw tables are
``raw.<name>``; every column arrives as VARCHAR exactly as delivered (CSV header text,
or the JSON field), plus the load metadata columns in ``METADATA_COLUMNS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Added to every raw row by the loader.
METADATA_COLUMNS: dict[str, str] = {
    "_batch": "VARCHAR",  # landing/<source>/<batch>/
    "_file": "VARCHAR",  # path relative to the landing root
    "_file_hash": "VARCHAR",  # sha256 of the file's bytes
    "_line_number": "BIGINT",  # the record's line in the file (header is line 1)
    "_loaded_at": "TIMESTAMP",  # UTC
    "_load_id": "VARCHAR",  # the refresh run that loaded it
}


@dataclass(frozen=True)
class Source:
    name: str
    kind: str  # "csv" or "jsonl"
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    delimiter: str = ","
    # JSON Lines only: nested fields flattened into raw columns, {raw column: json path}.
    json_paths: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def extensions(self) -> tuple[str, ...]:
        if self.kind == "jsonl":
            return (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
        return (".csv", ".csv.gz", ".txt")


FACEBOOK_METRICS = (
    "Page total likes",
    "Type",
    "Category",
    "Post Month",
    "Post Weekday",
    "Post Hour",
    "Paid",
    "Lifetime Post Total Reach",
    "Lifetime Post Total Impressions",
    "Lifetime Engaged Users",
    "Lifetime Post Consumers",
    "Lifetime Post Consumptions",
    "Lifetime Post Impressions by people who have liked your Page",
    "Lifetime Post reach by people who like your Page",
    "Lifetime People who have liked your Page and engaged with your post",
    "comment",
    "like",
    "share",
    "Total Interactions",
)

EVENT_FIELDS = {
    "event_id": "$.event_id",
    "occurred_at": "$.occurred_at",
    "channel": "$.channel",
    "event_type": "$.event_type",
    "actor": "$.actor",
    "brand_id": "$.brand_id",
    "person_channel_user_id": "$.person.channel_user_id",
    "person_handle": "$.person.handle",
    "person_email": "$.person.email",
    "object_id": "$.object_id",
    "in_reply_to": "$.in_reply_to",
    "text": "$.text",
    "rating": "$.rating",
    "amount": "$.amount",
    "currency": "$.currency",
    "referred_channel_user_id": "$.referred.channel_user_id",
    "properties": "$.properties",
}
# Top-level JSON keys the contract knows; any other key is schema drift (kept, reported).
EVENT_KNOWN_KEYS = frozenset(
    {
        "event_id", "occurred_at", "channel", "event_type", "actor", "brand_id", "person",
        "object_id", "in_reply_to", "text", "rating", "amount", "currency", "referred",
        "properties",
    }
)  # fmt: skip

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "twitter_tweets",
            "csv",
            required=("tweet_id", "author_id", "inbound", "created_at", "text"),
            optional=("response_tweet_id", "in_response_to_tweet_id"),
        ),
        Source(
            "facebook_post_insights",
            "csv",
            required=FACEBOOK_METRICS,
            optional=("Post ID", "Page ID", "Posted"),
            delimiter=";",
        ),
        Source(
            "engagement_events",
            "jsonl",
            required=(),
            optional=tuple(EVENT_FIELDS) + ("_record",),
            json_paths=EVENT_FIELDS,
        ),
        Source(
            "crm_customers",
            "csv",
            required=("customer_id", "brand_id", "email", "created_at", "country"),
            optional=("first_name",),
        ),
        Source("crm_identities", "csv", required=("customer_id", "channel", "channel_user_id")),
        Source(
            "orders",
            "csv",
            required=(
                "order_id", "customer_id", "brand_id", "ordered_at", "amount", "currency",
                "status",
            ),
            optional=("referrer_customer_id",),
        ),
    )
}  # fmt: skip
