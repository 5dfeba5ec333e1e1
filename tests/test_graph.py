"""python_udfs.graph.component_numbers against a plain union-find, and its edge cases."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from python_udfs.graph import component_numbers
from tests.conftest import union_find_groups


def partition(numbers: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for node, number in enumerate(numbers.tolist()):
        groups.setdefault(number, set()).add(node)
    return {frozenset(group) for group in groups.values()}


def numbers_of(node_count: int, links: list[tuple[int, int]]) -> np.ndarray:
    sources = np.array([a for a, _ in links], dtype=np.int32)
    targets = np.array([b for _, b in links], dtype=np.int32)
    return component_numbers(node_count, sources, targets)


def test_a_long_chain_in_shuffled_numbers_is_one_component() -> None:
    # The shape that made the recursive SQL slow: one step per link of the chain.
    order = list(range(5_000))
    random.Random(7).shuffle(order)
    links = list(zip(order, order[1:], strict=False))
    numbers = numbers_of(5_000, links)
    assert numbers.dtype == np.int32
    assert len(set(numbers.tolist())) == 1


def test_isolated_nodes_self_links_and_repeated_links() -> None:
    # 0-1-2 (1-2 repeated 300 times), 3 alone, 4 linked to itself only, 5-6 both ways.
    links = [(0, 1)] + [(1, 2)] * 300 + [(4, 4), (5, 6), (6, 5)]
    numbers = numbers_of(7, links)
    assert partition(numbers) == {
        frozenset({0, 1, 2}),
        frozenset({3}),
        frozenset({4}),
        frozenset({5, 6}),
    }


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=40).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60),
        )
    )
)
def test_components_are_those_of_a_union_find(graph: tuple[int, list[tuple[int, int]]]) -> None:
    node_count, links = graph
    assert partition(numbers_of(node_count, links)) == union_find_groups(range(node_count), links)


def test_no_nodes() -> None:
    assert numbers_of(0, []).tolist() == []


@pytest.mark.parametrize(
    ("node_count", "sources", "targets", "message"),
    [
        (3, [0, 1], [1], "one length"),
        (3, [0], [3], "outside 0 .. 2"),
        (3, [-1], [0], "outside 0 .. 2"),
        (-1, [], [], "node_count must be >= 0"),
    ],
)
def test_bad_input_is_refused(
    node_count: int, sources: list[int], targets: list[int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        component_numbers(node_count, np.array(sources), np.array(targets))
