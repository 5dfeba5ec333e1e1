"""Suite of raw.orders: CRM orders (contracts/landing.md section 4). Amounts may be negative
(refunds); currencies are ISO 4217 (seeds/currencies.csv)."""

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
    "orders",
    (
        # schema
        ColumnsPresent("required_columns_present", None, columns=SOURCES["orders"].required),
        RowsPerFile("rows_per_nonempty_file", None),
        # keys
        NotNull("order_id_not_null", "order_id"),
        UniqueInBatch("order_id_unique_in_batch", "order_id", columns=("order_id",)),
        NotLoadedBefore("order_id_not_loaded_before", "order_id", columns=("order_id",)),
        # required values
        NotNull("customer_id_not_null", "customer_id"),
        NotNull("brand_id_not_null", "brand_id"),
        NotNull("ordered_at_not_null", "ordered_at"),
        NotNull("amount_not_null", "amount"),
        NotNull("currency_not_null", "currency"),
        NotNull("status_not_null", "status"),
        # types and allowed values
        Parseable("ordered_at_parseable", "ordered_at", as_type="timestamp"),
        Parseable("amount_parseable", "amount", as_type="number"),
        InSet("currency_iso_4217", "currency", values="currency", normalise="upper"),
        InSet("status_allowed", "status", values="order_status", normalise="lower"),
        # ranges
        Between("ordered_at_in_range", "ordered_at", as_type="timestamp"),
    ),
)
