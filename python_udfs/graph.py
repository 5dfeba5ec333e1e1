"""Connected components of an undirected graph whose nodes are numbered 0 to n - 1.

The person graph (dbt model int_identity_components) is resolved here rather than in SQL:
DuckDB's recursive CTE needs one step per link of the longest chain (48 at 10M events),
and every step copies the whole table of labels, where scipy's breadth-first search visits
each node and link once. Nothing here imports dbt.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["component_numbers"]


def component_numbers(node_count: int, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The component of each node 0 .. node_count - 1, as an int32 array: two nodes get the
    same number exactly when a chain of links joins them.

    Link i joins ``sources[i]`` and ``targets[i]`` (either direction; repeated links and
    links of a node to itself are allowed). A node in no link is a component of its own.
    The numbers themselves are arbitrary (0 .. components - 1).
    """
    sources = np.asarray(sources)
    targets = np.asarray(targets)
    if sources.shape != targets.shape or sources.ndim != 1:
        raise ValueError(
            f"sources and targets must be 1-D arrays of one length, got {sources.shape} "
            f"and {targets.shape}"
        )
    if node_count < 0:
        raise ValueError(f"node_count must be >= 0, got {node_count}")
    if len(sources) and (
        min(sources.min(), targets.min()) < 0 or max(sources.max(), targets.max()) >= node_count
    ):
        raise ValueError(f"a link names a node outside 0 .. {node_count - 1}")
    if node_count == 0:
        return np.empty(0, dtype=np.int32)
    # scipy reads only which cells hold a value; int32 ones keep the sums of repeated
    # links positive all the same.
    links = coo_matrix(
        (np.ones(len(sources), dtype=np.int32), (sources, targets)),
        shape=(node_count, node_count),
    )
    _count, numbers = connected_components(links, directed=False)
    return numbers.astype(np.int32, copy=False)
