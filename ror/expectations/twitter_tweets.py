"""Suite of raw.twitter_tweets: customer-care tweets (contracts/landing.md section 1)."""

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
from ror.sources import SOURCES

SUITE = Suite(
    "twitter_tweets",
    (
        # schema
        ColumnsPresent(
            "required_columns_present", None, columns=SOURCES["twitter_tweets"].required
        ),
        RowsPerFile("rows_per_nonempty_file", None),
        # keys
        NotNull("tweet_id_not_null", "tweet_id"),
        Parseable("tweet_id_parseable", "tweet_id", as_type="integer"),
        UniqueInBatch("tweet_id_unique_in_batch", "tweet_id", columns=("tweet_id",)),
        NotLoadedBefore("tweet_id_not_loaded_before", "tweet_id", columns=("tweet_id",)),
        # required values
        NotNull("author_id_not_null", "author_id"),
        NotNull("inbound_not_null", "inbound"),
        NotNull("created_at_not_null", "created_at"),
        NotNull("text_not_null", "text"),
        # types and allowed values
        InSet("inbound_true_or_false", "inbound", values="inbound", normalise="lower"),
        Parseable("created_at_parseable", "created_at", as_type="twitter_timestamp"),
        Parseable("response_tweet_id_parseable", "response_tweet_id", as_type="id_list"),
        Parseable(
            "in_response_to_tweet_id_parseable", "in_response_to_tweet_id", as_type="integer"
        ),
        # ranges
        Between("created_at_in_range", "created_at", as_type="twitter_timestamp"),
    ),
)
