"""Compact sparse vectors over a shared vocabulary (story features at corpus scale).

A story-clustering run keeps a weighted term vector per document for the whole corpus.
As Python dicts of str -> float those cost ~100 bytes a term (~15 KB a news article),
which made the stories stage the largest memory cost of a 100k-document ingest. Here a
vector is three numpy arrays (term ids sorted, their weights, and the insertion order):
16 bytes a term. ``cos`` gives bit-for-bit the value of the dict version
(``sum(x * b.get(k, 0.0) for k, x in a.items())`` over the shorter vector, in its
insertion order), so clustering decisions do not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np


class Vocab:
    """Term <-> integer id, shared by every vector of one run."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []

    def id(self, term: str) -> int:
        i = self.ids.get(term)
        if i is None:
            i = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return i

    def __len__(self) -> int:
        return len(self.terms)


class Vec:
    """One document's vector: weights by term id, remembering insertion order."""

    __slots__ = ("ids", "w", "ins")

    def __init__(self, ids: Iterable[int], weights: Iterable[float]) -> None:
        ids_ins = np.fromiter(ids, dtype=np.int32)
        w_ins = np.fromiter(weights, dtype=np.float64)
        if ids_ins.size != w_ins.size:
            raise ValueError("ids and weights differ in length")
        perm = np.argsort(ids_ins, kind="stable")
        self.ids = ids_ins[perm]  # sorted: binary search
        self.w = w_ins[perm]
        inv = np.empty_like(perm)
        inv[perm] = np.arange(perm.size)
        self.ins = inv.astype(np.int32)  # insertion position -> sorted position

    def __len__(self) -> int:
        return int(self.ids.size)

    def get(self, term_id: int | None, default: float = 0.0) -> float:
        if term_id is None or not self.ids.size:
            return default
        i = int(np.searchsorted(self.ids, term_id))
        return float(self.w[i]) if i < self.ids.size and self.ids[i] == term_id else default

    def items(self) -> Iterator[tuple[int, float]]:
        """(term id, weight) in insertion order."""
        return zip(self.ids[self.ins].tolist(), self.w[self.ins].tolist(), strict=True)


def cos(a: Vec, b: Vec) -> float:
    """Dot product of two unit vectors, summed over the shorter one in its insertion order
    (the dict version's arithmetic, so the same float)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a) or not len(b):
        return 0.0
    ids = a.ids[a.ins]
    idx = np.searchsorted(b.ids, ids)
    idx[idx == b.ids.size] = 0
    hit = b.ids[idx] == ids
    return sum((a.w[a.ins][hit] * b.w[idx[hit]]).tolist())
