"""Suite of raw.crm_identities: a person's handle on a channel linked to a CRM customer
(contracts/landing.md section 4). An identity that points at two customers is a data-quality
finding (`channel_user_id_one_customer`, a warning in the policy)."""

from __future__ import annotations

from ror.expectations.base import (
    ColumnsPresent,
    InSet,
    NotNull,
    RowsPerFile,
    Suite,
    UniqueInBatch,
)
from ror.sources import SOURCES

SUITE = Suite(
    "crm_identities",
    (
        # schema
        ColumnsPresent(
            "required_columns_present", None, columns=SOURCES["crm_identities"].required
        ),
        RowsPerFile("rows_per_nonempty_file", None),
        # keys: the row is (customer, channel, handle); exact repeats are collapsed
        NotNull("customer_id_not_null", "customer_id"),
        NotNull("channel_not_null", "channel"),
        NotNull("channel_user_id_not_null", "channel_user_id"),
        UniqueInBatch(
            "channel_user_id_one_customer",
            "channel_user_id",
            columns=("channel", "channel_user_id"),
        ),
        # allowed values
        InSet("channel_known", "channel", values="channel", normalise="lower"),
    ),
)
