"""Aggregation: one node per region, country, sector group or community when there are too many
actors to draw one by one.

Ties between groups are counted with one sparse product ``Pᵀ U P`` (``P`` the actor × group
indicator matrix, ``U`` the tied actor pairs), so aggregating 500,000 actors is a matter of
milliseconds. Communities are found with the Leiden algorithm on the weighted actor network
(igraph's C implementation, modularity objective).

References
----------
Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing
well-connected communities. Scientific Reports 9, 5233. doi:10.1038/s41598-019-41695-z
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import igraph as ig
import numpy as np
import scipy.sparse as sp

from coco_atlas.viz.layout import seeded

STRONGEST = 6  # ties drawn per group node: its strongest links (the rest is clutter)


@dataclass(frozen=True)
class Groups:
    """Actors folded into groups: group ``g`` is ``keys[g]``."""

    keys: list[str]
    member: np.ndarray  # group of each actor
    counts: np.ndarray  # actors per group
    internal: np.ndarray  # tied actor pairs inside each group
    edges: np.ndarray  # (m, 2) group pairs g < h with at least one tie
    ties: np.ndarray  # tied actor pairs between the two groups


def fold(weights: sp.csr_matrix, keys: Sequence[str]) -> Groups:
    """Fold the symmetric actor network ``weights`` into the groups named by ``keys``.

    A tie is a tied pair of actors (counted once, whatever its weight): the number of ties
    between two regions is how many of their actors work together.
    """
    names, member = np.unique(np.asarray(keys, dtype=object).astype(str), return_inverse=True)
    n, k = len(member), len(names)
    p = sp.csr_matrix((np.ones(n), (np.arange(n), member)), shape=(n, k))
    upper = sp.triu(weights, k=1).tocsr()
    upper.data = np.ones_like(upper.data)
    m = (p.T @ upper @ p).tocoo()
    internal = np.zeros(k)
    np.add.at(internal, m.row[m.row == m.col], m.data[m.row == m.col])
    off = m.row != m.col
    lo, hi = np.minimum(m.row, m.col)[off], np.maximum(m.row, m.col)[off]
    # (g, h) and (h, g) are one pair: converting to CSR sums the duplicates.
    between = sp.coo_matrix((m.data[off], (lo, hi)), shape=(k, k)).tocsr().tocoo()
    return Groups(keys=[str(x) for x in names], member=member.astype(np.int64),
                  counts=np.bincount(member, minlength=k), internal=internal,
                  edges=np.column_stack((between.row, between.col)).astype(np.int64),
                  ties=between.data.astype(np.int64))


def strongest(edges: np.ndarray, ties: np.ndarray, n: int, per_node: int = STRONGEST
              ) -> np.ndarray:
    """A mask over ``edges`` keeping, for every node, its ``per_node`` strongest ties."""
    keep = np.zeros(len(edges), dtype=bool)
    if len(edges) == 0:
        return keep
    for end in (0, 1):
        order = np.lexsort((-ties, edges[:, end]))  # by node, strongest first
        nodes = edges[order, end]
        first = np.searchsorted(nodes, np.arange(n))
        rank = np.arange(len(order)) - first[nodes]
        keep[order[rank < per_node]] = True
    return keep


def communities(weights: sp.csr_matrix, *, seed: int = 7) -> np.ndarray:
    """Community of each actor: Leiden on the weighted network, maximising modularity
    (repeatable: igraph's random choices are seeded)."""
    n = weights.shape[0]
    upper = sp.triu(weights, k=1).tocoo()
    g = ig.Graph(n=n, edges=np.column_stack((upper.row, upper.col)).tolist())
    with seeded(seed):
        parts = g.community_leiden(objective_function="modularity",
                                   weights=upper.data.tolist(), n_iterations=-1)
    return np.asarray(parts.membership, dtype=np.int64)
