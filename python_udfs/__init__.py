"""Pure, type-annotated Python functions that the warehouse registers as DuckDB UDFs."""
