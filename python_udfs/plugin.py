"""dbt-duckdb plugin: registers the python_udfs functions on every dbt connection."""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

# name in SQL -> (function, kwargs for DuckDBPyConnection.create_function)
UDFS: dict[str, tuple[Any, dict[str, Any]]] = {}


class Plugin(BasePlugin):
    def configure_connection(self, conn: Any) -> None:
        for name, (function, options) in UDFS.items():
            conn.create_function(name, function, **options)
