"""The longest-path-first order of a refresh's dbt (ror.dbt_order): its ranks and node times.
That dbt really runs in that order is tested on a real build in test_refresh."""

from __future__ import annotations

import json

import networkx as nx

from ror.dbt_order import critical_path_scores, keep_node_seconds, kept_node_seconds, node_seconds


def test_a_node_ranks_by_the_longest_path_from_it_to_the_end():
    """a -> b -> c and a -> d: a's path is the longer of its branches, 1 + 10; a node with
    no time counts the median of the known ones."""
    graph = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "d")])
    graph.add_node("new")
    scores = critical_path_scores(graph, {"a": 1.0, "b": 2.0, "c": 3.0, "d": 10.0})
    assert scores == {"a": -11.0, "b": -5.0, "c": -3.0, "d": -10.0, "new": -2.5}
    # lower runs first: of two nodes ready together, the one the longer path waits on
    assert sorted(["b", "d"], key=scores.__getitem__) == ["d", "b"]
    assert critical_path_scores(graph, {}) == dict.fromkeys(graph, -0.0)


def test_node_times_come_from_a_run_s_results_and_are_kept_whole(tmp_path):
    results = tmp_path / "run_results.json"

    def timing(name: str, began: str, ended: str) -> dict[str, str]:
        return {
            "name": name,
            "started_at": f"2026-11-25T{began}Z",
            "completed_at": f"2026-11-25T{ended}Z",
        }

    results.write_text(
        json.dumps(
            {
                "results": [
                    {
                        "unique_id": "model.ror.a",
                        "timing": [
                            timing("compile", "01:00:00.000000", "01:00:00.250000"),
                            timing("execute", "01:00:00.300000", "01:00:02.050000"),
                        ],
                    },
                    {"unique_id": "model.ror.skipped", "timing": []},
                    {
                        "unique_id": "test.ror.t",
                        "timing": [
                            {"name": "compile", "started_at": None, "completed_at": None},
                            timing("execute", "01:00:03.000000", "01:00:03.500000"),
                        ],
                    },
                ]
            }
        )
    )
    assert node_seconds(results) == {"model.ror.a": 2.05, "test.ror.t": 0.5}
    assert node_seconds(tmp_path / "missing.json") == {}

    kept = tmp_path / "node_seconds.json"
    assert keep_node_seconds(results, kept) == 2
    assert kept_node_seconds(kept) == {"model.ror.a": 2.05, "test.ror.t": 0.5}
    assert not list(tmp_path.glob("*.tmp"))
    for unreadable in ("{not json", "[1, 2]"):
        kept.write_text(unreadable)
        assert kept_node_seconds(kept) == {}
    assert kept_node_seconds(tmp_path / "never.json") == {}
