"""Exact and near-duplicate detection, canonical choice and metadata inheritance.

Real news streams are mostly syndicated copies, re-scrapes and light rewrites. This
stage finds them incrementally: each document gets a MinHash signature over word
shingles; signatures are cut into LSH bands kept in a :class:`BandIndex` (in memory,
or persisted in SQL by :mod:`khronika.store.dedupe_tables`), so a new batch is compared
with everything seen before without recomputing the corpus.

Public API::

    signature(text, settings) -> Signature
        Normalised-text hash, shingle count and MinHash values (uint32[minhash_perm]).
    band_keys(sig, settings) -> list[str]
        LSH band keys, plus one exact key "x:<text hash>" so exact copies always meet.
    class BandIndex(Protocol)
        add(doc_id, bands); add_many(items); query(bands) -> set[str];
        postings(bands) -> dict[band, set[doc id]];
        put(entry: IndexEntry); put_many(entries); get(ids) -> dict[str, IndexEntry];
        group(canonical) -> set[str]; set_canonical(mapping: dict[str, str])
    class MemoryBandIndex -- in-process implementation
    find_duplicates(docs: Sequence[tuple[DocumentInfo, str]], index, settings) -> dict[str, str]
        Adds ``docs`` (info, clean text) to ``index`` and returns doc_id -> canonical id
        for every document of each duplicate group the batch touched (old members
        included when the canonical changed). A canonical maps to itself.
    is_duplicate(a: Signature, b: Signature, settings) -> bool
    canonical_rank(info, text_len) -> tuple   (smaller is better)
    inherit(doc: DocumentInfo, canonical: DocumentInfo) -> DocumentInfo

Verification: a candidate pair is a duplicate when its estimated Jaccard similarity is
at least ``settings.minhash_threshold``, or when the smaller document is almost wholly
contained in the larger one (a re-scrape with a donation appeal or a comment thread
glued on). Groups are connected components of verified pairs, so the result does not
depend on the order in which documents arrive.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

import numpy as np
from datasketch import MinHash

from .models import DocumentInfo
from .settings import Settings

__all__ = [
    "Signature",
    "IndexEntry",
    "BandIndex",
    "MemoryBandIndex",
    "normalise",
    "shingles",
    "signature",
    "band_keys",
    "lsh_params",
    "is_duplicate",
    "canonical_rank",
    "find_duplicates",
    "inherit",
]

# A smaller text whose shingles are at least this share inside a larger one is a copy
# of it with extra material glued on (donation appeal, comments, related links).
CONTAINMENT = 0.8
# ...but only when the two are of comparable size: a 3-paragraph wire item quoted
# inside a long feature is a quotation, not a duplicate. Estimated Jaccard floor.
CONTAINMENT_MIN_JACCARD = 0.45
# LSH candidates are generated for pairs down to this Jaccard so the containment rule
# can see them; verification then applies the real thresholds.
CANDIDATE_JACCARD = 0.4
# Below this many shingles a text is too short to judge near-duplication by shingles;
# only exact (normalised) matches count.
MIN_SHINGLES = 8


# --------------------------------------------------------------------------- text

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # markdown [text](url) -> text
_URL = re.compile(r"(?:https?://|www\.)\S+")
_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"'})


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_QUOTE_PAIRS = tuple((chr(a), b) for a, b in _QUOTES.items())


def _strip_marks(m: re.Match) -> str:
    return "".join(c for c in m.group() if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Lower-case word sequence: markup, URLs, accents, punctuation and spacing removed.

    Two scrapes of one article differ in exactly these things (curly vs straight quotes,
    markdown links, line breaks), so they must not change the hash or the shingles.
    Accents are combining marks after NFKD; only runs of non-ASCII characters can hold
    them, so ASCII text is never walked character by character in Python (that walk
    was most of this function's cost on long texts).
    """
    text = _URL.sub(" ", _LINK.sub(r"\1", text))
    if not text.isascii():
        for a, b in _QUOTE_PAIRS:  # str.translate with a dict is slow on long texts
            text = text.replace(a, b)
        text = _NON_ASCII.sub(_strip_marks, unicodedata.normalize("NFKD", text))
    return " ".join(_WORD.findall(text.lower().replace("'", "")))


def shingles(norm: str, size: int) -> set[bytes]:
    words = norm.split()
    if len(words) <= size:
        return {" ".join(words).encode()} if words else set()
    # each run of ``size`` consecutive words (the shorter tails end the zip), no Python loop
    return set(map(str.encode, map(" ".join, zip(*[words[i:] for i in range(size)], strict=False))))


@dataclass(frozen=True)
class Signature:
    text_hash: str  # sha1 of the normalised text (exact duplicates)
    size: int  # number of distinct shingles (for containment estimates)
    values: np.ndarray  # uint32 MinHash values, length settings.minhash_perm

    def to_bytes(self) -> bytes:
        return self.values.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, text_hash: str, size: int, data: bytes) -> Signature:
        return cls(text_hash, size, np.frombuffer(data, dtype="<u4").astype(np.uint32))


@lru_cache(maxsize=8)
def _template(num_perm: int) -> MinHash:
    # Building the permutations is the costly part of a MinHash; reuse them. Seed 1 and
    # crc32 are fixed so stored signatures stay comparable across runs and machines.
    return MinHash(num_perm=num_perm, seed=1, hashfunc=zlib.crc32)


def signature(text: str, settings: Settings) -> Signature:
    norm = normalise(text)
    sh = shingles(norm, settings.shingle_size)
    tpl = _template(settings.minhash_perm)
    m = MinHash(num_perm=settings.minhash_perm, seed=1, hashfunc=zlib.crc32, permutations=tpl.permutations, scheme=tpl.scheme)
    m.update_batch(sh)
    return Signature(hashlib.sha1(norm.encode()).hexdigest(), len(sh), np.asarray(m.hashvalues, dtype=np.uint32))


@lru_cache(maxsize=32)
def lsh_params(num_perm: int, threshold: float) -> tuple[int, int]:
    """(bands, rows) whose S-curve (1/bands)**(1/rows) sits just below ``threshold``.

    Missing a true duplicate cannot be repaired later, a spurious candidate costs one
    vectorised comparison, so we pick the largest rows-per-band whose curve midpoint is
    at or under the threshold (fewest candidates among recall-safe choices).
    """
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if (1 / bands) ** (1 / rows) <= threshold:
            best = (bands, rows)
    return best


def band_keys(sig: Signature, settings: Settings) -> list[str]:
    keys = [f"x:{sig.text_hash}"]
    if sig.size < MIN_SHINGLES:
        return keys
    bands, rows = lsh_params(settings.minhash_perm, min(CANDIDATE_JACCARD, settings.minhash_threshold))
    raw = sig.values.astype("<u4").tobytes()
    step = rows * 4
    for b in range(bands):
        digest = hashlib.blake2b(raw[b * step : (b + 1) * step], digest_size=8).hexdigest()
        keys.append(f"{b}:{digest}")
    return keys


def jaccard(a: Signature, b: Signature) -> float:
    if a.text_hash == b.text_hash:
        return 1.0
    return float(np.count_nonzero(a.values == b.values)) / len(a.values)


def is_duplicate(a: Signature, b: Signature, settings: Settings) -> bool:
    if a.text_hash == b.text_hash:
        return True
    if min(a.size, b.size) < MIN_SHINGLES:
        return False
    j = jaccard(a, b)
    if j >= settings.minhash_threshold:
        return True
    if j < CONTAINMENT_MIN_JACCARD:
        return False
    # |A∩B| = J(|A|+|B|)/(1+J); containment of the smaller set in the larger.
    inter = j * (a.size + b.size) / (1 + j)
    return inter / min(a.size, b.size) >= CONTAINMENT


# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class IndexEntry:
    """What the index keeps per document so later batches never need the old texts."""

    doc_id: str
    sig: Signature
    rank: tuple  # canonical_rank(): smaller is a better canonical
    canonical: str  # current canonical of its duplicate group (itself if none)


class BandIndex(Protocol):
    def add(self, doc_id: str, bands: Iterable[str]) -> None: ...
    def add_many(self, items: Iterable[tuple[str, Iterable[str]]]) -> None: ...
    def query(self, bands: Iterable[str]) -> set[str]: ...
    def postings(self, bands: Iterable[str]) -> dict[str, set[str]]: ...
    def put(self, entry: IndexEntry) -> None: ...
    def put_many(self, entries: Iterable[IndexEntry]) -> None: ...
    def get(self, ids: Iterable[str]) -> dict[str, IndexEntry]: ...
    def group(self, canonical: str) -> set[str]: ...
    def set_canonical(self, mapping: Mapping[str, str]) -> None: ...


class MemoryBandIndex:
    """Dict-backed :class:`BandIndex` (benchmarks, tests, one-shot CLI runs)."""

    def __init__(self) -> None:
        # band hash -> doc id, or list of ids once shared. Most bands belong to one
        # document, and a str-per-key dict dominated memory (~8 KB/doc) before this.
        self._bands: dict[int, str | list[str]] = {}
        self._entries: dict[str, IndexEntry] = {}
        self._groups: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, doc_id: str, bands: Iterable[str]) -> None:
        for key in bands:
            h = hash(key)  # in-process only, so per-process hash seeds do not matter
            cur = self._bands.get(h)
            if cur is None:
                self._bands[h] = doc_id
            elif isinstance(cur, str):
                self._bands[h] = [cur, doc_id]
            else:
                cur.append(doc_id)

    def add_many(self, items: Iterable[tuple[str, Iterable[str]]]) -> None:
        for doc_id, bands in items:
            self.add(doc_id, bands)

    def query(self, bands: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for found in self.postings(bands).values():
            out |= found
        return out

    def postings(self, bands: Iterable[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for key in bands:
            cur = self._bands.get(hash(key))
            if cur is not None:
                out[key] = {cur} if isinstance(cur, str) else set(cur)
        return out

    def put(self, entry: IndexEntry) -> None:
        old = self._entries.get(entry.doc_id)
        if old is not None and old.canonical != old.doc_id:
            self._groups.get(old.canonical, set()).discard(entry.doc_id)
        self._entries[entry.doc_id] = entry
        if entry.canonical != entry.doc_id:  # singletons need no set (most documents)
            self._groups.setdefault(entry.canonical, set()).add(entry.doc_id)

    def put_many(self, entries: Iterable[IndexEntry]) -> None:
        for entry in entries:
            self.put(entry)

    def get(self, ids: Iterable[str]) -> dict[str, IndexEntry]:
        return {i: self._entries[i] for i in ids if i in self._entries}

    def group(self, canonical: str) -> set[str]:
        out = set(self._groups.get(canonical, ()))
        e = self._entries.get(canonical)
        if e is not None and e.canonical == canonical:
            out.add(canonical)
        return out

    def set_canonical(self, mapping: Mapping[str, str]) -> None:
        for doc_id, canon in mapping.items():
            e = self._entries[doc_id]
            if e.canonical != canon:
                self.put(replace(e, canonical=canon))


# --------------------------------------------------------------------------- groups

_META_FIELDS = ("title", "published", "url", "outlet")


def canonical_rank(info: DocumentInfo, text_len: int) -> tuple:
    """Richest metadata first, then the fullest clean text, then the smallest id."""
    present = sum(bool(getattr(info, f) or (f == "published" and info.published_stated)) for f in _META_FIELDS)
    return (-present, -text_len, info.id)


def find_duplicates(docs: Sequence[tuple[DocumentInfo, str]], index: BandIndex, settings: Settings) -> dict[str, str]:
    """Index ``docs`` and return doc_id -> canonical id for every touched group.

    Documents already in the index are skipped (re-ingesting is idempotent). Each new
    document is compared with every earlier one sharing a band (old or from this batch);
    verified pairs are merged with union-find over current groups, so the groups equal
    those of a one-shot run over the whole corpus.

    The index is read and written in bulk (one lookup of the batch's band keys, one
    write of its entries and bands): this batch's own documents are matched against
    each other in memory, exactly as if each had been added before the next.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def load_group(canon: str) -> None:
        # An old group joins the union-find whole, so its canonical can be re-chosen.
        if canon in parent:
            return
        parent[canon] = canon
        for m in index.group(canon):
            parent.setdefault(m, canon)

    indexed = index.get(info.id for info, _ in docs)
    fresh: dict[str, tuple[DocumentInfo, str]] = {}
    for info, text in docs:
        if info.id not in indexed:
            fresh.setdefault(info.id, (info, text))
    signed = {}
    for doc_id, (info, text) in fresh.items():
        sig = signature(text, settings)
        signed[doc_id] = (IndexEntry(doc_id, sig, canonical_rank(info, len(text)), doc_id), band_keys(sig, settings))
    old = index.postings(k for _, keys in signed.values() for k in keys)
    entries = index.get({d for found in old.values() for d in found})
    batch: dict[str, list[str]] = {}  # band key -> this batch's documents indexed so far
    for doc_id, (entry, keys) in signed.items():
        parent[doc_id] = doc_id
        shared: set[str] = set()
        for k in keys:
            shared.update(old.get(k, ()))
            shared.update(batch.get(k, ()))
        for other in shared:
            e = entries.get(other)  # (a band without its signature row is no candidate)
            if e is None or not is_duplicate(entry.sig, e.sig, settings):
                continue
            if other not in parent:
                load_group(e.canonical)
            parent[find(other)] = find(doc_id)
        entries[doc_id] = entry
        for k in dict.fromkeys(keys):
            batch.setdefault(k, []).append(doc_id)
    index.put_many(entry for entry, _ in signed.values())
    index.add_many((doc_id, keys) for doc_id, (_, keys) in signed.items())

    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    ranks = index.get(parent)
    result: dict[str, str] = {}
    for members in groups.values():
        best = min(members, key=lambda m: ranks[m].rank)
        for m in members:
            result[m] = best
    index.set_canonical(result)
    return result


def inherit(doc: DocumentInfo, canonical: DocumentInfo) -> DocumentInfo:
    """``doc`` marked as a duplicate of ``canonical``, its missing metadata filled in.

    A re-scrape often lost its title, date and URL; they are the same article, so what
    the canonical knows is true of the copy too. Values the copy has are kept.
    """
    if doc.id == canonical.id:
        return doc
    filled = {
        f: getattr(canonical, f)
        for f in ("title", "outlet", "url", "published_stated", "language", "story")
        if getattr(doc, f) is None and getattr(canonical, f) is not None
    }
    if doc.published is None and canonical.published is not None:
        filled["published"] = canonical.published
        filled["date_suspect"] = canonical.date_suspect
    return replace(doc, duplicate_of=canonical.id, **filled)


def apply(infos: Mapping[str, DocumentInfo], canon: Mapping[str, str]) -> dict[str, DocumentInfo]:
    """``infos`` with duplicate_of set from ``canon`` (doc -> canonical) and metadata inherited."""
    out = dict(infos)
    for doc_id, c in canon.items():
        if doc_id not in out:
            continue
        info = out[doc_id]
        if c == doc_id or c not in infos:
            out[doc_id] = replace(info, duplicate_of=None)
        else:
            out[doc_id] = inherit(replace(info, duplicate_of=None), infos[c])
    return out


SIGN_CHUNK = 1000  # documents whose texts update_store holds at once


def update_store(store, infos: Mapping[str, DocumentInfo], articles: Mapping, settings: Settings) -> dict[str, DocumentInfo]:
    """Pipeline stage: index documents not yet in the store's band index, mark duplicates.

    Only new documents are signed and looked up; old ones are touched only when a new
    document joins their group (and may become its canonical).
    """
    from .store.db import article_chunks  # the store imports us; avoid a cycle
    from .store.dedupe_tables import SqlBandIndex

    ids = [i for i in sorted(infos) if i in articles]
    canon: dict[str, str] = {}
    with store.engine.begin() as conn:
        index = SqlBandIndex(conn)
        # Texts a chunk at a time (a first ingest signs the whole corpus). find_duplicates
        # is incremental: a later chunk finds earlier documents in the index and reloads
        # their whole group, so its answer for a group supersedes an earlier chunk's.
        for part, arts in article_chunks(articles, ids, SIGN_CHUNK):
            canon.update(find_duplicates([(infos[i], arts[i].text) for i in part], index, settings))
    return apply(infos, canon)
