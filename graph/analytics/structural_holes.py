"""Burt's structural holes: constraint and effective size, vectorised with sparse matrices.

With ``W`` the tie weights (``W[u, v]`` the arc u→v) the *mutual weight* is ``M = W + Wᵀ``,
``P = M`` normalised by row sums and ``Pmax = M`` normalised by row maxima (Burt 1992, ch. 2):

* constraint  ``c(u) = Σ_{v ∈ N(u)} (P[u, v] + Σ_w P[u, w] P[w, v])²``
* effective size  ``e(u) = Σ_{v ∈ N(u)} (1 − Σ_w P[u, w] Pmax[v, w])``

where ``N(u)`` are the in- and out-neighbours. Both are undefined (NaN) for isolated actors. These
are networkx's definitions (``networkx.algorithms.structuralholes``), which the tests hold us to
within 1e-9; unlike networkx's all-nodes path they never form a dense N × N matrix: the two-step
products are computed in row blocks and kept only where ``M`` has a tie.

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

__all__ = ["constraint", "effective_size"]

BLOCK_NNZ = 20_000_000  # two-step entries computed at once (bounds memory to a few hundred MiB)


def constraint(weights: sp.spmatrix) -> np.ndarray:
    """Burt's constraint of every vertex (NaN for isolated vertices).

    Examples
    --------
    A star with centre 0 and three leaves: the centre is constrained 3 × (1/3)² = 1/3.

    >>> import scipy.sparse as sp
    >>> w = sp.csr_matrix(([1.0] * 3, ([0, 0, 0], [1, 2, 3])), shape=(4, 4))
    >>> round(float(constraint(w)[0]), 6)
    0.333333
    """
    m = _mutual(weights)
    p = _normalise(m, np.asarray(m.sum(axis=1)).ravel())
    two_step = _masked_product(p, p, m)
    local = p + two_step
    local.data **= 2
    return _undefined_if_isolated(np.asarray(local.sum(axis=1)).ravel(), m)


def effective_size(weights: sp.spmatrix) -> np.ndarray:
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
    m = _mutual(weights)
    p = _normalise(m, np.asarray(m.sum(axis=1)).ravel())
    pmax = _normalise(m, m.max(axis=1).toarray().ravel())
    binary = m.copy()
    binary.data = np.ones_like(binary.data)
    # Σ_{v ∈ N(u)} Σ_w P[u, w] Pmax[v, w] = Σ_w P[u, w] (B Pmax)[u, w], w ∈ N(u)
    redundancy = _masked_product(binary, pmax, m).multiply(p)
    degree = np.diff(m.indptr).astype(float)
    es = degree - np.asarray(redundancy.sum(axis=1)).ravel()
    return _undefined_if_isolated(es, m)


def _mutual(weights: sp.spmatrix) -> sp.csr_matrix:
    w = sp.csr_matrix(weights, dtype=float, copy=True)
    w.setdiag(0)
    w.eliminate_zeros()
    m = (w + w.T).tocsr()
    m.sort_indices()
    return m


def _normalise(m: sp.csr_matrix, by: np.ndarray) -> sp.csr_matrix:
    """Divide each row by ``by[row]`` (rows with 0 stay 0)."""
    scale = np.zeros_like(by, dtype=float)
    np.divide(1.0, by, out=scale, where=by != 0)
    return sp.csr_matrix(sp.diags(scale) @ m)


def _masked_product(x: sp.csr_matrix, y: sp.csr_matrix, mask: sp.csr_matrix) -> sp.csr_matrix:
    """``(x @ y)`` kept only where ``mask`` is non-zero, computed in row blocks."""
    n = x.shape[0]
    # Estimated two-step entries per row: Σ over row's contacts of their degrees.
    y_deg = np.diff(y.indptr).astype(np.int64)
    per_row = _row_work(x, y_deg)
    blocks = []
    start = 0
    while start < n:
        cum = np.cumsum(per_row[start:])
        stop = start + max(1, int(np.searchsorted(cum, BLOCK_NNZ, side="right")))
        part = (x[start:stop] @ y).tocsr()
        blocks.append(part.multiply(mask[start:stop].astype(bool)).tocsr())
        start = stop
    return sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix(x.shape)


def _row_work(x: sp.csr_matrix, y_deg: np.ndarray) -> np.ndarray:
    """Σ_{k: x[i,k] ≠ 0} deg_y(k) per row i: an upper bound on the row's product entries."""
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    return np.bincount(rows, weights=y_deg[x.indices], minlength=x.shape[0]).astype(np.int64)


def _undefined_if_isolated(values: np.ndarray, m: sp.csr_matrix) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    values[np.diff(m.indptr) == 0] = np.nan
    return values
