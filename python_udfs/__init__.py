"""Pure, type-annotated Python functions that the warehouse calls: as DuckDB UDFs, and from
the dbt Python model int_identity_components.

- python_udfs.scoring: the ROR score formula (FORMULA_VERSION), its components, decay, stages;
- python_udfs.sentiment: VADER sentiment of texts;
- python_udfs.graph: connected components (scipy), the person graph's resolution;
- python_udfs.plugin: the dbt-duckdb plugin (UDFS, the one mapping of what SQL can call);
- python_udfs.bench: ``python -m python_udfs.bench``, UDF vs plain-SQL timings.

Only python_udfs.plugin imports dbt.
"""
