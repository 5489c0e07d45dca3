"""Compact sparse vectors over a shared vocabulary (story features at corpus scale).

A story-clustering run keeps a weighted term vector per document for the whole corpus.
As Python dicts of str -> float those cost ~100 bytes a term (~15 KB a news article),
which made the stories stage the largest memory cost of a 100k-document ingest. Here a
vector is two numpy arrays in insertion order (term ids and their weights): 12 bytes a
term (at corpus scale ``story_features`` keeps them in a temporary file, not in memory;
``Vec.from_arrays`` wraps arrays read back without copying). ``cos`` and
``Lookup.cos_many`` give bit-for-bit the value of the dict version (``sum(x * b.get(k,
0.0) for k, x in a.items())`` over the shorter vector, in its insertion order), so
clustering decisions do not change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

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

    def ids_of(self, terms: Iterable[str]) -> list[int]:
        """``[self.id(t) for t in terms]``, without a method call per term."""
        ids, known = [], self.ids
        for t in terms:
            i = known.get(t)
            if i is None:
                i = known[t] = len(self.terms)
                self.terms.append(t)
            ids.append(i)
        return ids

    def __len__(self) -> int:
        return len(self.terms)


class Vec:
    """One document's vector: term ids and weights, in insertion order."""

    __slots__ = ("ids", "w")

    def __init__(self, ids: Iterable[int], weights: Iterable[float]) -> None:
        self.ids = np.fromiter(ids, dtype=np.int32)
        self.w = np.fromiter(weights, dtype=np.float64)
        if self.ids.size != self.w.size:
            raise ValueError("ids and weights differ in length")

    @classmethod
    def from_arrays(cls, ids: np.ndarray, w: np.ndarray) -> Vec:
        """A vector over ``ids`` (int32) and ``w`` (float64) as they are, not copied (views
        into a record read back from disk, ``story_features``)."""
        if ids.dtype != np.int32 or w.dtype != np.float64 or ids.shape != w.shape or ids.ndim != 1:
            raise ValueError("ids must be int32 and weights float64, one-dimensional, of one length")
        v = cls.__new__(cls)
        v.ids, v.w = ids, w
        return v

    def __len__(self) -> int:
        return int(self.ids.size)

    def get(self, term_id: int | None, default: float = 0.0) -> float:
        if term_id is None:
            return default
        at = np.flatnonzero(self.ids == term_id)
        return float(self.w[at[0]]) if at.size else default

    def items(self) -> Iterator[tuple[int, float]]:
        """(term id, weight) in insertion order."""
        return zip(self.ids.tolist(), self.w.tolist(), strict=True)


def cos(a: Vec, b: Vec) -> float:
    """Dot product of two unit vectors, summed over the shorter one in its insertion order
    (the dict version's arithmetic, so the same float)."""
    if len(a) > len(b):
        a, b = b, a
    weights = dict(b.items())
    return sum(x * weights.get(k, 0.0) for k, x in a.items())


class Lookup:
    """Scores one vector against many at once: ``cos_many(a, bs) == [cos(a, b) for b in bs]``.

    Clustering scores each document against the members of its candidate clusters; one
    ``cos`` per pair cost ~10 small numpy calls. Here ``a`` is spread over the vocabulary
    (two buffers of its size, reused: set and cleared per call), the members' terms are
    looked up in it all at once, and only the shared terms' products are ordered the way
    ``cos`` sums them, then summed per pair with Python's sequential float sum.
    """

    def __init__(self, vocab_size: int) -> None:
        self._w = np.zeros(vocab_size, dtype=np.float64)
        self._rank = np.zeros(vocab_size, dtype=np.int64)

    def cos_many(self, a: Vec, bs: Sequence[Vec]) -> list[float]:
        if not bs:
            return []
        sizes = np.fromiter((b.ids.size for b in bs), dtype=np.int64, count=len(bs))
        ids = np.concatenate([b.ids for b in bs])
        self._w[a.ids] = a.w  # a term whose lookup is 0.0 adds nothing to the sum: not shared
        self._rank[a.ids] = np.arange(a.ids.size)
        try:
            shared = self._w[ids]
            hit = np.flatnonzero(shared)
            starts = np.zeros(len(bs) + 1, dtype=np.int64)
            np.cumsum(sizes, out=starts[1:])
            seg = starts.searchsorted(hit, side="right") - 1  # which pair each hit belongs to
            prod = np.concatenate([b.w for b in bs])[hit] * shared[hit]
            # the shorter vector's insertion order (a's while a is not the longer one)
            rank = np.where(a.ids.size > sizes[seg], hit - starts[seg], self._rank[ids[hit]])
        finally:
            self._w[a.ids] = 0.0
        order = np.lexsort((rank, seg))
        prods = prod[order].tolist()
        bounds = np.searchsorted(seg[order], np.arange(len(bs) + 1)).tolist()
        return [0.0 if not (a.ids.size and sizes[k]) else sum(prods[bounds[k]:bounds[k + 1]])
                for k in range(len(bs))]
