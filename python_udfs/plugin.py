"""dbt-duckdb plugin: registers the python_udfs functions on every dbt connection.

Configured in the profile (profiles.example.yml)::

    plugins:
      - module: python_udfs.plugin

``UDFS`` is the one list of what SQL can call: name in SQL -> (function, keyword arguments
of ``DuckDBPyConnection.create_function``). It is also what tests and scripts use to register
the same functions on a plain DuckDB connection (:func:`register`). Models call these only
through the macros in macros/udfs/ (adapter.dispatch), and only in models built as tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb.sqltypes import DOUBLE, VARCHAR

from python_udfs.scoring import decay_weight_arrow, formula_version, ror_score_arrow
from python_udfs.sentiment import sentiment_compound_arrow

_ARROW_PURE: dict[str, Any] = {"type": "arrow", "side_effects": False}

# name in SQL -> (function, kwargs for DuckDBPyConnection.create_function)
UDFS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    # ror_score(engagement, sentiment, reciprocity, listening, advocacy, continuity,
    #           realized_value, weights) -> 0-100, where weights is ONE text holding the seven
    # weights in component order, e.g. '0.2,0.15,0.1,0.1,0.2,0.15,0.1'
    # (python_udfs.scoring.weights_text; the macro duckdb__ror_score writes it from the var
    # ror_weights). One constant text instead of seven DOUBLE columns: DuckDB converts every
    # argument to Arrow on each call while holding the GIL, and the UDF parses the text once.
    # 'special' null handling: a null component is "not applicable", not "null score".
    "ror_score": (
        ror_score_arrow,
        {"parameters": [DOUBLE] * 7 + [VARCHAR], "return_type": DOUBLE, "null_handling": "special"}
        | _ARROW_PURE,
    ),
    # sentiment_compound(text) -> VADER compound in [-1, 1]; null text -> null.
    "sentiment_compound": (
        sentiment_compound_arrow,
        {"parameters": [VARCHAR], "return_type": DOUBLE, "null_handling": "special"} | _ARROW_PURE,
    ),
    # decay_weight(age_days, half_life_days) -> 0.5 ** (age / half_life). The models use the
    # pure-SQL macro decay_weight() (per interaction row); this one is the reference.
    "decay_weight": (
        decay_weight_arrow,
        {"parameters": [DOUBLE, DOUBLE], "return_type": DOUBLE, "null_handling": "special"}
        | _ARROW_PURE,
    ),
    # ror_formula_version() -> the FORMULA_VERSION of the installed python_udfs.scoring.
    "ror_formula_version": (
        formula_version,
        {
            "parameters": [],
            "return_type": VARCHAR,
            "type": "native",
            "null_handling": "default",
            "side_effects": False,
        },
    ),
}


def register(conn: duckdb.DuckDBPyConnection) -> None:
    """Create every function of :data:`UDFS` on ``conn``."""
    for name, (function, options) in UDFS.items():
        conn.create_function(name, function, **options)


class Plugin(BasePlugin):
    def configure_connection(self, conn: Any) -> None:
        register(conn)
