"""Suite of raw.facebook_post_insights: a page's post-level Insights export (section 2).

Any metric may be empty (the real export has 6 empty cells), so the policy makes the metrics'
not-null expectations warnings; a metric that is present must be a count (integer, >= 0).
"""

from __future__ import annotations

from ror.expectations.base import (
    Between,
    Check,
    ColumnsPresent,
    InSet,
    NotLoadedBefore,
    NotNull,
    Parseable,
    RowsPerFile,
    Suite,
    UniqueInBatch,
    slug,
)
from ror.sources import SOURCES

SOURCE = SOURCES["facebook_post_insights"]

# The count metrics: every required column but the post's attributes.
ATTRIBUTES = ("Type", "Category", "Post Month", "Post Weekday", "Post Hour", "Paid")
COUNTS = tuple(c for c in SOURCE.required if c not in ATTRIBUTES)
# Post attributes that are small integers in a fixed range: (column, policy range).
CALENDAR = (
    ("Post Month", "post_month"),
    ("Post Weekday", "post_weekday"),
    ("Post Hour", "post_hour"),
)


def _count_checks(column: str) -> tuple[Check, ...]:
    name = slug(column)
    return (
        NotNull(f"{name}_not_null", column),
        Parseable(f"{name}_parseable", column, as_type="integer"),
        Between(f"{name}_not_negative", column, as_type="integer", range="count"),
    )


def _calendar_checks(column: str, range_name: str) -> tuple[Check, ...]:
    name = slug(column)
    return (
        NotNull(f"{name}_not_null", column),
        Parseable(f"{name}_parseable", column, as_type="integer"),
        Between(f"{name}_in_range", column, as_type="integer", range=range_name),
    )


SUITE = Suite(
    "facebook_post_insights",
    (
        # schema
        ColumnsPresent("required_columns_present", None, columns=SOURCE.required),
        RowsPerFile("rows_per_nonempty_file", None),
        # keys: only exports that carry the optional Post ID have one
        UniqueInBatch("post_id_unique_in_batch", "Post ID", columns=("Post ID",)),
        NotLoadedBefore("post_id_not_loaded_before", "Post ID", columns=("Post ID",)),
        # post attributes
        NotNull("type_not_null", "Type"),
        InSet("type_allowed", "Type", values="facebook_type"),
        NotNull("category_not_null", "Category"),
        InSet("category_allowed", "Category", values="facebook_category"),
        NotNull("paid_not_null", "Paid"),
        InSet("paid_allowed", "Paid", values="facebook_paid"),
        *(check for column, rng in CALENDAR for check in _calendar_checks(column, rng)),
        Parseable("posted_parseable", "Posted", as_type="timestamp"),
        Between("posted_in_range", "Posted", as_type="timestamp"),
        # metrics
        *(check for column in COUNTS for check in _count_checks(column)),
    ),
)
