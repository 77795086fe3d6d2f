"""The arithmetic of next-best offering, on arrays only (no ORM): testable and benchable.

Input is the binary matrix ``X`` (people × offerings, 1 where the person took the offering:
ordered, registered, checked in, completed, downloaded — any activity linked to it). Two
signals, each scaled to [0, 1] per person, are blended:

* **taken together** (item-item): ``S[j, i]``, the share of the people who took j who
  also took i (``C = Xᵀ X``, ``S = C[j, i] / C[j, j]``) — the very figure the reason
  quotes ("38% of people who took X also took this"); a person's score for offering i is
  ``Σ_j X[u, j] S[j, i]``. This keeps popularity in (unlike a cosine, which divides it
  out): on the demo's catalogue of 16 offerings the share scored a little better on the
  held-out check (``evaluation``), within its noise;
* **similar members** (user-based neighbours on the same matrix): the ``K`` members whose
  offerings are most like the person's (cosine of rows), and the share of them who took i.
  People with the same set of offerings have the same neighbours, so the rows are deduped
  into *patterns* first (a catalogue of a few dozen offerings has far fewer patterns than
  members) and neighbours are searched among the most common ``REFERENCE_MAX`` patterns.

What the person already has is never suggested; inactive offerings neither. Ties (and
people whose signals are all zero for an offering) fall back to popularity, by a small
weight. Everything runs in row chunks, so memory stays bounded on 100,000 people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

TOP = 5
NEIGHBOURS = 40
BLEND = 0.5  # weight of "taken together"; the rest is "similar members"
POPULARITY = 1e-3  # breaks ties towards what many take; never outweighs a real signal
REFERENCE_MAX = 20_000
CHUNK = 2_000


@dataclass
class Suggestions:
    """Per person (rows of X): the top offerings (column indices, -1 for none), scores,
    which signal carried each, the owned offering that supports it most, the share of that
    offering's takers who also took it, and how many of the person's neighbours took it."""

    items: np.ndarray  # int32, n × top
    scores: np.ndarray  # float32
    by_items: np.ndarray  # bool: "taken together" outweighed "similar members"
    because: np.ndarray  # int32 column, -1 when the person owns nothing related
    because_share: np.ndarray  # float32
    neighbours: np.ndarray  # int32: members in the neighbourhood
    neighbours_took: np.ndarray  # int32


def binary_matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """People × offerings, 1 where a (row, col) pair occurs (duplicates count once)."""
    import scipy.sparse as sp  # here: scipy costs every CLI start ~0.3 s, only this needs it

    data = np.ones(len(rows), dtype=np.float32)
    X = sp.csr_matrix((data, (rows, cols)), shape=shape, dtype=np.float32)
    X.data[:] = 1.0
    return X


def columns_of(ids: np.ndarray, catalogue: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask of ``ids`` found in the sorted ``catalogue``, their column indices), vectorised."""
    if not len(catalogue):
        return np.zeros(len(ids), dtype=bool), np.zeros(0, dtype=np.int64)
    at = np.searchsorted(catalogue, ids)
    found = (at < len(catalogue)) & (catalogue[np.minimum(at, len(catalogue) - 1)] == ids)
    return found, at[found].astype(np.int64)


def popularity(X: sp.csr_matrix) -> np.ndarray:
    """People per offering."""
    return np.asarray(X.sum(axis=0)).ravel().astype(np.float64)


def item_similarity(X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """(``S[j, i]``: share of j's takers who also took i, zero diagonal; co-occurrence
    counts) of the columns."""
    C = (X.T @ X).toarray().astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        S = C / np.diag(C)[:, None]
    S[~np.isfinite(S)] = 0.0
    np.fill_diagonal(S, 0.0)
    return S, C


def _scaled(M: np.ndarray) -> np.ndarray:
    peak = M.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(peak > 0, M / peak, 0.0)
    return out


class _Neighbours:
    """User-based neighbours over deduplicated patterns of offerings."""

    def __init__(self, X: sp.csr_matrix, k: int) -> None:
        dense = X.toarray().astype(np.uint8)
        self.patterns, self.inverse, counts = np.unique(dense, axis=0, return_inverse=True,
                                                        return_counts=True)
        self.inverse = self.inverse.ravel()
        order = np.argsort(-counts, kind="stable")[:REFERENCE_MAX]
        self.ref = self.patterns[order].astype(np.float32)
        self.ref_index = np.full(len(self.patterns), -1)
        self.ref_index[order] = np.arange(len(order))
        self.ref_counts = counts[order].astype(np.float32)
        self.ref_norms = np.sqrt(self.ref.sum(axis=1))
        self.k = k

    def pattern_scores(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per pattern: share of its neighbours who took each offering, neighbourhood size
        (members), and members in it who took each offering."""
        P = self.patterns.astype(np.float32)
        n_pat, n_items = P.shape
        share = np.zeros((n_pat, n_items), dtype=np.float32)
        took = np.zeros((n_pat, n_items), dtype=np.int32)
        size = np.zeros(n_pat, dtype=np.int32)
        norms = np.sqrt(P.sum(axis=1))
        for start in range(0, n_pat, CHUNK):
            stop = min(start + CHUNK, n_pat)
            with np.errstate(divide="ignore", invalid="ignore"):
                sim = (P[start:stop] @ self.ref.T) / np.outer(norms[start:stop], self.ref_norms)
            sim[~np.isfinite(sim)] = 0.0
            # Members with exactly these offerings have nothing new to show: not neighbours.
            own = self.ref_index[start:stop]
            hit = own >= 0
            sim[np.flatnonzero(hit), own[hit]] = 0.0
            k = min(self.k, sim.shape[1])
            top = np.argpartition(-sim, k - 1, axis=1)[:, :k] if k else np.zeros((stop - start, 0), int)
            top_sim = np.take_along_axis(sim, top, axis=1)
            weight = top_sim * self.ref_counts[top]  # a pattern stands for its members
            weight[top_sim <= 0] = 0.0
            mass = weight.sum(axis=1, keepdims=True)
            taken = self.ref[top]  # chunk × k × items
            with np.errstate(divide="ignore", invalid="ignore"):
                share[start:stop] = np.where(mass > 0, np.einsum("ck,cki->ci", weight, taken) / mass, 0)
            members = self.ref_counts[top] * (top_sim > 0)
            size[start:stop] = members.sum(axis=1)
            took[start:stop] = np.einsum("ck,cki->ci", members, taken).astype(np.int32)
        return share, size, took


def suggest(X: sp.csr_matrix, *, active: np.ndarray | None = None, top: int = TOP,
            blend: float = BLEND, neighbours: int = NEIGHBOURS) -> Suggestions:
    """The top offerings for every row of ``X`` (see the module's docstring).

    ``blend`` 1.0 is "taken together" alone, 0.0 "similar members" alone. ``active`` masks
    the offerings that may be suggested (all when None)."""
    n, n_items = X.shape
    top = min(top, n_items)
    S, _C = item_similarity(X)
    pop = popularity(X)
    pop_scaled = pop / pop.max() if n_items and pop.max() > 0 else np.zeros(n_items)
    allowed = np.ones(n_items, dtype=bool) if active is None else active.astype(bool)
    if blend < 1.0 and n:
        nb = _Neighbours(X, neighbours)
        share_p, size_p, took_p = nb.pattern_scores()
    out = Suggestions(items=np.full((n, top), -1, dtype=np.int32),
                      scores=np.zeros((n, top), dtype=np.float32),
                      by_items=np.zeros((n, top), dtype=bool),
                      because=np.full((n, top), -1, dtype=np.int32),
                      because_share=np.zeros((n, top), dtype=np.float32),
                      neighbours=np.zeros((n, top), dtype=np.int32),
                      neighbours_took=np.zeros((n, top), dtype=np.int32))
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        owned = X[start:stop].toarray() > 0
        item_part = _scaled(owned.astype(np.float64) @ S)
        if blend < 1.0:
            pat = nb.inverse[start:stop]
            user_part = _scaled(share_p[pat].astype(np.float64))
        else:
            user_part = np.zeros_like(item_part)
        score = blend * item_part + (1 - blend) * user_part
        score = score + POPULARITY * pop_scaled
        score[owned | ~allowed] = -np.inf
        if top:
            idx = np.argsort(-score, axis=1, kind="stable")[:, :top]
        else:
            idx = np.zeros((stop - start, 0), dtype=int)
        best = np.take_along_axis(score, idx, axis=1)
        ok = np.isfinite(best)
        out.items[start:stop] = np.where(ok, idx, -1)
        out.scores[start:stop] = np.where(ok, best, 0)
        rows = np.arange(stop - start)[:, None]
        out.by_items[start:stop] = blend * item_part[rows, idx] >= (1 - blend) * user_part[rows, idx]
        # The owned offering most similar to each suggestion, and its takers' share.
        # chunk × owned-candidate j × suggestion: S[j, suggestion], -1 where j is not owned
        support = np.where(owned[:, :, None], S[:, idx].transpose(1, 0, 2), -1.0)
        j = support.argmax(axis=1)
        has = np.take_along_axis(support, j[:, None, :], axis=1)[:, 0, :] > 0
        out.because[start:stop] = np.where(ok & has, j, -1)
        out.because_share[start:stop] = np.where(ok & has, S[j, idx], 0)
        if blend < 1.0:
            out.neighbours[start:stop] = np.where(ok, size_p[pat][:, None], 0)
            out.neighbours_took[start:stop] = np.where(ok, took_p[pat][rows, idx], 0)
    return out


def most_popular(X: sp.csr_matrix, *, active: np.ndarray | None = None, top: int = TOP) -> np.ndarray:
    """The baseline: the most taken offerings each person does not have yet (n × top)."""
    n, n_items = X.shape
    top = min(top, n_items)
    pop = popularity(X)
    allowed = np.ones(n_items, dtype=bool) if active is None else active.astype(bool)
    out = np.full((n, top), -1, dtype=np.int32)
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        owned = X[start:stop].toarray() > 0
        score = np.broadcast_to(pop, owned.shape).copy()
        score[owned | ~allowed] = -np.inf
        idx = np.argsort(-score, axis=1, kind="stable")[:, :top]
        best = np.take_along_axis(score, idx, axis=1)
        out[start:stop] = np.where(np.isfinite(best), idx, -1)
    return out
