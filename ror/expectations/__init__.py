"""The quality gate's suites, one module per raw source (ror/sources.py), as code.

Each module defines `SUITE`, a ror.expectations.base.Suite: the checks (Great Expectations
expectations) that a new batch of raw.<source> must meet. ror/gate_policy.yml says what each
failure does (block or warn) and holds the thresholds and reference values.
"""

from __future__ import annotations

import logging

# GX logs INFO lines on import and while validating; the refresh log wants none of them.
# (Progress bars are switched off in the gate's GX context config.)
logging.getLogger("great_expectations").setLevel(logging.WARNING)

from ror.expectations import (  # noqa: E402
    crm_customers,
    crm_identities,
    engagement_events,
    facebook_post_insights,
    orders,
    twitter_tweets,
)
from ror.expectations.base import Suite  # noqa: E402

SUITES: dict[str, Suite] = {
    module.SUITE.source: module.SUITE
    for module in (
        twitter_tweets,
        facebook_post_insights,
        engagement_events,
        crm_customers,
        crm_identities,
        orders,
    )
}

__all__ = ["SUITES", "Suite"]
