"""Burt's structural holes: constraint and effective size, vectorised with sparse matrices.

With ``W`` the tie weights (``W[u, v]`` the arc u→v) the *mutual weight* is ``M = W + Wᵀ``,
``P = M`` normalised by row sums and ``Pmax = M`` normalised by row maxima (Burt 1992, ch. 2):

* constraint  ``c(u) = Σ_{v ∈ N(u)} (P[u, v] + Σ_w P[u, w] P[w, v])²``
* effective size  ``e(u) = Σ_{v ∈ N(u)} (1 − Σ_w P[u, w] Pmax[v, w])``

where ``N(u)`` are the in- and out-neighbours. Both are undefined (NaN) for isolated actors. These
are networkx's definitions (``networkx.algorithms.structuralholes``), which the tests hold us to
within 1e-9; unlike networkx's all-nodes path they never form a dense N × N matrix: one compiled
pass over each actor's two-paths (:func:`graph.analytics.kernels.burt`) gives both measures.

References
----------
Burt, R. S. (1992). Structural Holes: The Social Structure of Competition. Harvard University Press.
Burt, R. S. (2004). Structural holes and good ideas. American Journal of Sociology 110(2),
349–399. doi:10.1086/421787
Borgatti, S. P. (1997). Structural holes: unpacking Burt's redundancy measures. Connections 20(1).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from coco_atlas.graph.analytics import kernels
from coco_atlas.graph.analytics.network import SparseMatrix, off_diagonal

__all__ = ["constraint", "constraint_and_effective_size", "effective_size"]


def constraint(weights: SparseMatrix) -> np.ndarray:
    """Burt's constraint of every vertex (NaN for isolated vertices).

    Examples
    --------
    A star with centre 0 and three leaves: the centre is constrained 3 × (1/3)² = 1/3.

    >>> import scipy.sparse as sp
    >>> w = sp.csr_matrix(([1.0] * 3, ([0, 0, 0], [1, 2, 3])), shape=(4, 4))
    >>> round(float(constraint(w)[0]), 6)
    0.333333
    """
    return constraint_and_effective_size(weights)[0]


def effective_size(weights: SparseMatrix) -> np.ndarray:
    """Burt's effective size of every vertex (NaN for isolated vertices).

    Examples
    --------
    A triangle 0-1-2 plus a pendant 3 on 0: vertex 0 has three contacts, two of them tied, so its
    effective size is 3 − 2·1/3 = 2.333… (Borgatti 1997: n − 2t/n).

    >>> import scipy.sparse as sp
    >>> w = sp.csr_matrix(([1.0] * 4, ([0, 0, 1, 0], [1, 2, 2, 3])), shape=(4, 4))
    >>> round(float(effective_size(w)[0]), 6)
    2.333333
    """
    return constraint_and_effective_size(weights)[1]


def constraint_and_effective_size(weights: SparseMatrix) -> tuple[np.ndarray, np.ndarray]:
    """Both measures in one pass over the two-paths (they share it; callers wanting both save
    half the work)."""
    m = _mutual(weights)
    return kernels.burt(m.indptr, m.indices, m.data)


def _mutual(weights: SparseMatrix) -> sp.csr_matrix:
    """``M = W + Wᵀ`` without the diagonal and without explicit zeros."""
    w = sp.csr_matrix(weights, dtype=float)
    m = (w + w.T).tocsr()
    m.sum_duplicates()
    return off_diagonal(m)
