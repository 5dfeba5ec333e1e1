"""Shared test helpers: where the real exports are, and a loader fixture on a real DuckDB file."""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import TypeVar

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ROR_SHARED", REPO.parent / "shared"))
REAL = SHARED / "data" / "real"
REAL_TWEETS = REAL / "twcs_head_sample" / "twcs_head.csv"
REAL_POSTS = REAL / "uci_facebook_metrics" / "dataset_Facebook.csv"


N = TypeVar("N", bound=Hashable)


def union_find_groups(nodes: Iterable[N], links: Iterable[tuple[N, N]]) -> set[frozenset[N]]:
    """The connected groups of `nodes` joined by `links`, by a plain union-find: the test
    oracle for python_udfs.graph and int_identity_components."""
    parent: dict[N, N] = {node: node for node in nodes}

    def root(node: N) -> N:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in links:
        parent[root(a)] = root(b)
    groups: dict[N, set[N]] = {}
    for node in parent:
        groups.setdefault(root(node), set()).add(node)
    return {frozenset(group) for group in groups.values()}


def require_real_data() -> None:
    if not (REAL_TWEETS.exists() and REAL_POSTS.exists()):
        pytest.skip(f"../shared/data/real not found at {REAL}: the real exports are not here")


@pytest.fixture
def real_landing(tmp_path: Path) -> Path:
    """A landing folder holding the real exports as they are (symlinked, never copied)."""
    require_real_data()
    landing = tmp_path / "landing"
    for source, batch, real in (
        ("twitter_tweets", "2017-10-31", REAL_TWEETS),
        ("facebook_post_insights", "2014-12-31", REAL_POSTS),
    ):
        folder = landing / source / batch
        folder.mkdir(parents=True)
        (folder / real.name).symlink_to(real)
    return landing
