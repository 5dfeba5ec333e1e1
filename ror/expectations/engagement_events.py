"""Suite of raw.engagement_events: the event stream of every other channel (section 3).

Unknown event types and channels are loaded and reported, never fatal: the policy makes
`event_type_known` and `channel_known` warnings. Values are compared the way staging compares
them (channel, event type and actor in lower case, currency in upper case).
"""

from __future__ import annotations

from ror.expectations.base import (
    Between,
    ColumnsPresent,
    InSet,
    NotLoadedBefore,
    NotNull,
    Parseable,
    RowsPerFile,
    Suite,
    UniqueInBatch,
)

REQUIRED = ("event_id", "occurred_at", "channel", "event_type", "actor", "brand_id")

SUITE = Suite(
    "engagement_events",
    (
        # schema
        ColumnsPresent("required_columns_present", None, columns=REQUIRED),
        RowsPerFile("rows_per_nonempty_file", None),
        # keys
        NotNull("event_id_not_null", "event_id"),
        UniqueInBatch("event_id_unique_in_batch", "event_id", columns=("event_id",)),
        NotLoadedBefore("event_id_not_loaded_before", "event_id", columns=("event_id",)),
        # required values
        NotNull("occurred_at_not_null", "occurred_at"),
        NotNull("channel_not_null", "channel"),
        NotNull("event_type_not_null", "event_type"),
        NotNull("actor_not_null", "actor"),
        NotNull("brand_id_not_null", "brand_id"),
        # types and allowed values
        Parseable("occurred_at_parseable", "occurred_at", as_type="timestamp"),
        InSet("channel_known", "channel", values="channel", normalise="lower"),
        InSet("event_type_known", "event_type", values="event_type", normalise="lower"),
        InSet("actor_person_or_brand", "actor", values="actor", normalise="lower"),
        Parseable("rating_parseable", "rating", as_type="number"),
        Parseable("amount_parseable", "amount", as_type="number"),
        InSet("currency_iso_4217", "currency", values="currency", normalise="upper"),
        # ranges
        Between("occurred_at_in_range", "occurred_at", as_type="timestamp"),
        Between("rating_1_to_5", "rating", as_type="number", range="rating"),
    ),
)
