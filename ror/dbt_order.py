"""The order in which `ror refresh`'s dbt runs a build's nodes: the longest path to the end first.

dbt (dbt.graph.queue.GraphQueue) ranks a node by its depth in the graph, ties by name, and
hands each node to its thread pool as soon as its parents are done; the pool runs them first
come, first served. On this 2-core machine that lets an early level's short tests, and
models nothing waits on, run before the long chain the rest of the build waits for: in the
bench's 10M nightly (1b6393a), int_relationships_scored started 47.8 s in, though all it
needed was done by 42.4 s.

`run_longest_paths_first`, called in the dbt child of a refresh only (ror.dbt_child; a
`dbt build` by hand keeps dbt's order), changes two things in GraphQueue:
- a node's rank is the time of the longest path from it to the end of the build, its own
  time included (`critical_path_scores`), each node timed by the last refresh whose dbt
  succeeded (`node_seconds`, kept by ror.refresh); a node that run did not have counts the
  median;
- the queue hands a node out only when a thread is free for it, so that the rank decides
  at every free thread, not only among the nodes that became ready at the same moment.
Neither changes what runs or what waits for what: dbt's graph, with its test edges (a model
waits for its parents' tests), is the same. The first refresh of a warehouse has no node
times and keeps dbt's order.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol


class Graph(Protocol):
    """What the ranking reads of dbt's graph (a networkx DiGraph)."""

    def __iter__(self) -> Any: ...

    def successors(self, node: str) -> Iterable[str]: ...


def node_seconds(run_results: Path) -> dict[str, float]:
    """Each node's wall time in a dbt run (from the start of its first timing, compile, to the
    end of its last, execute), by unique id, from its run_results.json; nodes without
    timings (skipped) are left out. Empty when the file is missing or unreadable."""
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError):
        return {}
    seconds = {}
    for result in results:
        timings = [t for t in result.get("timing", []) if t.get("started_at")]
        if timings:
            began = min(_instant(t["started_at"]) for t in timings)
            ended = max(_instant(t["completed_at"]) for t in timings)
            seconds[result["unique_id"]] = round((ended - began).total_seconds(), 3)
    return seconds


def keep_node_seconds(run_results: Path, kept: Path) -> int:
    """Write the node times of a dbt run (`node_seconds`) to `kept`, whole or not at all (a
    temporary file renamed over it); returns how many nodes it holds."""
    seconds = node_seconds(run_results)
    temporary = kept.with_name(kept.name + ".tmp")
    temporary.write_text(json.dumps(seconds, indent=0, sort_keys=True))
    temporary.replace(kept)
    return len(seconds)


def kept_node_seconds(kept: Path) -> dict[str, float]:
    """The node times `keep_node_seconds` wrote; empty when there are none or they cannot
    be read."""
    try:
        seconds = json.loads(kept.read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    if not isinstance(seconds, dict):
        return {}
    return {str(node): float(value) for node, value in seconds.items()}


def _instant(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.removesuffix("Z"))


def critical_path_scores(graph: Graph, seconds: Mapping[str, float]) -> dict[str, float]:
    """Each node's rank for GraphQueue (lower runs first): minus the seconds of the longest
    path from the node to the end of the graph, its own seconds included. A node not in
    `seconds` counts the median of those that are (0 when none are)."""
    default = statistics.median(seconds.values()) if seconds else 0.0
    remaining: dict[str, float] = {}

    def longest(node: str) -> float:  # recursion as deep as the graph (tens of levels)
        if node not in remaining:
            after = max((longest(child) for child in graph.successors(node)), default=0.0)
            remaining[node] = seconds.get(node, default) + after
        return remaining[node]

    return {node: -longest(node) for node in graph}


def run_longest_paths_first(threads: int, seconds: Mapping[str, float]) -> None:
    """Make dbt's GraphQueue, in this process, rank nodes by `critical_path_scores` with
    `seconds` (node times, as `node_seconds` reads them) and hand one out only while fewer
    than `threads` are in progress (dbt's pool has `threads` threads: a node handed out waits
    for none). Call before dbt builds its queue; microbatch models, whose batches dbt
    submits to the pool itself, are not used here."""

    from dbt.graph.queue import GraphQueue

    dbt_get = GraphQueue.get

    def _get_scores(self: GraphQueue, graph: Any) -> dict[str, float]:
        return critical_path_scores(graph, seconds)

    def get(self: GraphQueue, block: bool = True, timeout: float | None = None) -> Any:
        # Only dbt's main thread calls get; the pool's threads only shrink in_progress
        # (mark_done, which notifies some_task_done under the same lock).
        with self.some_task_done:
            while len(self.in_progress) >= threads:
                self.some_task_done.wait()
        return dbt_get(self, block, timeout)

    GraphQueue._get_scores = _get_scores
    GraphQueue.get = get
