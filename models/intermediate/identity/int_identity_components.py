"""One row per identity of the person graph (int_identity_edges), with its component: the
smallest identity key that a chain of trusted links joins it to. int_identities_resolved
turns components into persons.

DuckDB numbers the identities and the links; python_udfs.graph.component_numbers (scipy)
finds the components; DuckDB names each by its smallest identity. A dbt Python model,
because SQL needs one recursive step per link of the longest chain, each step copying the
whole table of labels: at 10M events (2.6M identities, chains of up to 47 links),
int_identities_resolved took 15.3 and 17.3 s with a recursive query; this model and
int_identities_resolved now take 7.4 and 8.0 s together (docs/measurements.md).
"""

from typing import Any

import numpy as np
import pyarrow as pa

from python_udfs.graph import component_numbers

# Every identity named by a link, numbered 0 .. n - 1 in no particular order.
NODES = """
create temp table identity_nodes as
select
    identity_key,
    cast(row_number() over () - 1 as integer) as node_number
from (
    select identity_a as identity_key from identity_edges
    union
    select identity_b as identity_key from identity_edges
) as identities
"""

# The links that may merge persons, by number: an untrusted one (a channel user id claimed
# by two or more CRM customers) only makes its two identities nodes.
LINKS = """
select
    identity_a_nodes.node_number as source,
    identity_b_nodes.node_number as target
from identity_edges
inner join identity_nodes as identity_a_nodes
    on identity_edges.identity_a = identity_a_nodes.identity_key
inner join identity_nodes as identity_b_nodes
    on identity_edges.identity_b = identity_b_nodes.identity_key
where
    identity_edges.is_trusted
    and identity_edges.identity_a <> identity_edges.identity_b
"""

COMPONENTS = """
select
    identity_nodes.identity_key,
    min(identity_nodes.identity_key) over (
        partition by identity_component_numbers.component_number
    ) as component_key
from identity_nodes
inner join identity_component_numbers
    on identity_nodes.node_number = identity_component_numbers.node_number
"""


def model(dbt: Any, session: Any) -> Any:
    dbt.config(materialized="table")
    # Temporary views and tables of this model's own connection (dbt-duckdb gives each
    # Python model a cursor of its own, and builds the table from the relation returned).
    dbt.ref("int_identity_edges").create_view("identity_edges")
    # DuckDB 2.0: every execute() result is read to the end before the next statement.
    session.execute(NODES).fetchall()
    ((node_count,),) = session.execute("select count(*) from identity_nodes").fetchall()
    links = session.sql(LINKS).fetchnumpy()
    numbers = component_numbers(node_count, links["source"], links["target"])
    session.register(
        "identity_component_numbers",
        pa.table(
            {
                "node_number": np.arange(node_count, dtype=np.int32),
                "component_number": numbers,
            }
        ),
    )
    return session.sql(COMPONENTS)
