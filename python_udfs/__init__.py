"""Pure, type-annotated Python functions that the warehouse registers as DuckDB UDFs.

- python_udfs.scoring: the ROR score formula (FORMULA_VERSION), its components, decay, stages;
- python_udfs.sentiment: VADER sentiment of texts;
- python_udfs.plugin: the dbt-duckdb plugin (UDFS, the one mapping of what SQL can call);
- python_udfs.bench: ``python -m python_udfs.bench``, UDF vs plain-SQL timings.

Only python_udfs.plugin imports dbt.
"""
