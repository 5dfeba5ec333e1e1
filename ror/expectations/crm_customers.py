"""Suite of raw.crm_customers: CRM customers (contracts/landing.md section 4)."""

from __future__ import annotations

from ror.expectations.base import (
    Between,
    ColumnsPresent,
    Matches,
    NotLoadedBefore,
    NotNull,
    Parseable,
    RowsPerFile,
    Suite,
    UniqueInBatch,
)
from ror.sources import SOURCES

SUITE = Suite(
    "crm_customers",
    (
        # schema
        ColumnsPresent("required_columns_present", None, columns=SOURCES["crm_customers"].required),
        RowsPerFile("rows_per_nonempty_file", None),
        # keys
        NotNull("customer_id_not_null", "customer_id"),
        UniqueInBatch("customer_id_unique_in_batch", "customer_id", columns=("customer_id",)),
        NotLoadedBefore("customer_id_not_loaded_before", "customer_id", columns=("customer_id",)),
        # required values
        NotNull("brand_id_not_null", "brand_id"),
        # types and allowed values
        Parseable("created_at_parseable", "created_at", as_type="timestamp"),
        Between("created_at_in_range", "created_at", as_type="timestamp"),
        Matches("country_iso_3166_alpha_2", "country", pattern="country_code"),
        Matches("email_well_formed", "email", pattern="email"),
    ),
)
