"""Per-document story features: what ``stories`` clusters on.

``StoryItem`` is a document as story clustering sees it; ``Features`` reads a stream of
them once and keeps, per document, the news peg (``news_peg``: the happening it reports,
from cue patterns in ``data/stories.yaml``) and the peg's date, IDF-weighted term vectors
of the lead and of the whole text (``sparsevec``), prominence-weighted surname keys
(``name_key`` without extraction output), and the blocking keys candidate clusters are
looked up by. Scores, hard limits and clustering are in ``stories``.

Memory: the term and name vectors are most of a corpus's features (kilobytes a
document), so they are not kept in memory. Each document's counts go to a byte record
as it is read; once the idf is known they are weighed (the same arithmetic, the same
order, so the same floats as the dicts and ``Vec``s once kept) into a second record of
float64 weights and int32 term / surname-key ids. Records stay in memory up to
``SPILL_BYTES`` (a small run, an incremental update), beyond that they go to an
anonymous temporary file (``tempfile.TemporaryFile``, deleted on ``Features.close`` or
when the object goes) and are read back with ``os.preadv`` (not mmap, whose pages count
as resident). ``Features.text`` / ``lead`` / ``names`` are mappings that read a
document's vectors on access; the ``CACHE_DOCS`` documents read last stay decoded
(clustering runs in date order: recent stories' representatives are read again and
again). Resident per document: its row in a dict, record offset and three lengths
(~90 bytes), beside its peg, peg date, event kinds, blocking keys and the vocabularies.
"""

from __future__ import annotations

import heapq
import math
import os
import re
import sys
import tempfile
import weakref
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources

import numpy as np
import yaml
from spacy.lang.en.stop_words import STOP_WORDS

from .dedupe import normalise as _normalise
from .names import parse_name, surname_stem
from .sparsevec import Vec, Vocab

# Candidate clusters are those sharing one of a document's most distinctive terms.
BLOCK_TERMS = 12


@dataclass(frozen=True)
class StoryItem:
    doc_id: str
    text: str
    published: str | None = None
    duplicate_of: str | None = None
    persons: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    events: tuple[tuple, ...] = ()  # (type, date) or (type, date, offset, subject name)
    title: str | None = None
    published_bound: bool = False
    people: tuple[tuple[str, tuple[int, ...]], ...] = ()


# --------------------------------------------------------------------------- names

# Transliteration folds: each pair is a spelling difference between romanisation
# schemas or languages (Ukrainian Г = h, Russian Г = g; x = ks; th in Swedish names).
_FOLDS = (("shch", "s"), ("sch", "s"), ("zh", "z"), ("kh", "h"), ("ch", "c"), ("sh", "s"),
          ("ts", "c"), ("th", "t"), ("ph", "f"), ("x", "ks"), ("h", "g"), ("w", "v"),
          ("j", "i"), ("y", "i"))


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Spelling-tolerant key of a name's last word: first sound plus consonant skeleton."""
    words = _normalise(name).split()
    if not words:
        return ""
    w = words[-1]
    for a, b in _FOLDS:
        w = w.replace(a, b)
    head, rest = w[0], re.sub(r"[aeiou]", "", w[1:])
    if head in "aeiou":
        head = "a"  # initial vowels vary freely (Aleksey/Oleksiy, Ilya/Ilia, Yevgeny/Evgeny)
    return head + re.sub(r"(.)\1+", r"\1", rest)


_CAP = re.compile(r"(?<![.!?\n]\s)(?<!^)\b([A-Z][a-z\u00e0-\u024f]{2,}(?:-[A-Z][a-z]+)?)", re.MULTILINE)


def _heuristic_names(text: str) -> list[str]:
    # Capitalised words not opening a sentence: people, places and organisations. IDF
    # weighting later makes the ubiquitous ones (Putin, Russia) count for little.
    return [m.group(1) for m in _CAP.finditer(text) if m.group(1).lower() not in STOP_WORDS]


# --------------------------------------------------------------------------- dates


def _interval(d: str | None) -> tuple[date, date] | None:
    if not d:
        return None
    try:
        parts = [int(p) for p in d[:10].split("-")]
        if len(parts) == 3:
            x = date(*parts)
            return x, x
        if len(parts) == 2:
            start = date(parts[0], parts[1], 1)
            end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            return start, end
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    except ValueError:
        return None


# --------------------------------------------------------------------------- features

_TOKEN = re.compile(r"[a-z]{3,}")
def _terms(text: str) -> dict[str, int]:
    # A 6-letter prefix is a crude but language-agnostic stemmer: sentenced/sentence,
    # resignation/resign... enough to compare two outlets' wording of one happening.
    # (counted per distinct word first: most words recur; prefixes keep first-seen order;
    # a plain dict: Counter's missing-key hook was a Python call per new prefix)
    out: dict[str, int] = {}
    get = out.get
    for t, n in Counter(_TOKEN.findall(_normalise(text))).items():
        if t not in STOP_WORDS:
            p = t[:6]
            out[p] = get(p, 0) + n
    return out


def _unit(v: dict[str, float]) -> dict[str, float]:
    z = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {k: x / z for k, x in v.items()}


# --------------------------------------------------------------------------- pegs


@lru_cache(maxsize=1)
def _peg_data() -> dict:
    text = resources.files("khronika.data").joinpath("stories.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    data["compiled"] = [(c.get("kind"), int(c.get("rank", 0)), bool(c.get("mask")), re.compile(c["pattern"], re.I))
                        for c in data["pegs"]]
    return data


_SENT_END = re.compile(r"[.!?](?=\s+[A-Z\u201c\"\u2018'(])|\n")
_CLAUSE_END = re.compile(r"[,;:\u2013\u2014]|\s-\s|$")


def _cues(text: str) -> list[tuple[int, str, int]]:
    """(rank, kind, position) of every peg cue in ``text``, masked clauses skipped."""
    out: list[tuple[int, str, int]] = []
    start = 0
    for end in [m.start() for m in _SENT_END.finditer(text)] + [len(text)]:
        sent = text[start:end + 1]
        found = [(m.start(), kind, rank, mask) for kind, rank, mask, rx in _peg_data()["compiled"]
                 for m in rx.finditer(sent)]
        # A masking cue governs the rest of its clause; the cue itself counts (a request,
        # a demand), what it governs does not.
        masked = [(pos, _CLAUSE_END.search(sent, pos).start()) for pos, _, _, mask in found if mask]
        for pos, kind, rank, _mask in found:
            if kind and not any(a < pos < b for a, b in masked):
                out.append((rank, kind, start + pos))
        start = end + 1
    return out


def _lead_end(it: StoryItem, lead: str) -> int:
    """Where the lead (``lead_text``) ends in the item's text: its length after the
    whitespace the text starts with."""
    return len(lead) + (len(it.text) - len(it.text.lstrip()))


def lead_text(it: StoryItem, chars: int | None = None) -> str:
    """Opening of the body: the first sentences up to about ``chars`` characters."""
    chars = chars or int(_peg_data()["lead_chars"])
    body = it.text.lstrip()
    m = _SENT_END.search(body, chars)
    return body[: m.start() + 1] if m else body


def news_peg(it: StoryItem) -> str | None:
    """Kind of the happening a document reports as news (None when no cue is found).

    The headline decides when it names a step; otherwise the lead sentences. Among
    several steps the most advanced wins (earlier ones are background), ties going to
    the first mentioned."""
    for text in (it.title or "", lead_text(it)):
        cues = _cues(text)
        if cues:
            return max(cues, key=lambda c: (c[0], -c[2]))[1]
    return None


# --------------------------------------------------------------------------- features

# Lead mentions (headline, opening sentences) name the protagonists of the peg; later
# mentions fade with distance because background paragraphs recall other cases.
TITLE_WEIGHT, FADE_CHARS = 2.0, 1500.0


@lru_cache(maxsize=65536)
def _surname(name: str) -> str:
    p = parse_name(name)
    return surname_stem(p.surname) if p and p.surname else ""


@lru_cache(maxsize=1)
def _background() -> frozenset[str]:
    return frozenset(_surname(n) for n in _peg_data().get("background_persons") or ())


def _event(e: tuple) -> tuple[str, str | None, int | None, str | None]:
    return (e[0], e[1], e[2] if len(e) > 2 else None, e[3] if len(e) > 3 else None)


# --------------------------------------------------------------------------- out of core

# A corpus's per-document vectors (raw counts until the idf is known, then the weighted
# text, lead and name vectors) are byte records: in memory while they total at most
# SPILL_BYTES, beyond that in an anonymous temporary file (deleted when closed), read
# back with os.preadv (not mmap: mapped pages would count as resident). The CACHE_DOCS
# documents read last are kept decoded (clustering runs in date order, so the
# representatives of recent stories are read again and again).
SPILL_BYTES = 8 << 20
WRITE_CHUNK = 1 << 20
CACHE_DOCS = 4096


class _Records:
    """Append-only byte records, in memory up to ``SPILL_BYTES``, then in a temporary file.

    A record is never split between the file and the in-memory tail, and ``read``
    returns it in a fresh aligned buffer (float64 arrays first, int32 after, in every
    record: each array's view is aligned)."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._file = None
        self._close: weakref.finalize | None = None
        self._base = 0  # bytes in the file; _buf holds what follows

    @property
    def on_disk(self) -> bool:
        return self._file is not None

    def append(self, *arrays: np.ndarray) -> int:
        at = self._base + len(self._buf)
        for a in arrays:
            self._buf += a.data
        if len(self._buf) > (WRITE_CHUNK if self._file is not None else SPILL_BYTES):
            self.flush()
        return at

    def flush(self) -> None:
        """Move the in-memory records to the file (creating it)."""
        if not self._buf:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close() or the finalizer)
            self._close = weakref.finalize(self, self._file.close)  # closed at GC too, never leaked
        fd = self._file.fileno()
        view = memoryview(self._buf)
        while view:
            written = os.pwrite(fd, view, self._base)
            self._base += written
            view = view[written:]
        self._buf = bytearray()

    def read(self, at: int, n: int) -> np.ndarray:
        out = np.empty(n, dtype=np.uint8)
        if n == 0:
            return out
        if at >= self._base:
            out[:] = np.frombuffer(self._buf, dtype=np.uint8, count=n, offset=at - self._base)
        elif os.preadv(self._file.fileno(), [out], at) != n:  # type: ignore[union-attr]
            raise OSError(f"short read of a story-features record at {at}")
        return out

    def close(self) -> None:
        self._buf = bytearray()
        if self._close is not None:
            self._close()


class _Vectors:
    """Each document's weighted text, lead and name vectors, out of core (``_Records``):
    resident per document are its row (``rows``), record offset and three lengths."""

    def __init__(self, rows: dict[str, int], name_keys: list[str]) -> None:
        self.rows, self.name_keys = rows, name_keys
        self.records = _Records()
        self.at = array("q", bytes(8 * len(rows)))
        self.sizes = array("i", bytes(12 * len(rows)))  # text, lead, names lengths per row
        self.cache: OrderedDict[str, tuple[Vec, Vec, dict[str, float]]] = OrderedDict()
        self.cache_size = CACHE_DOCS

    def put(self, row: int, text: tuple[np.ndarray, np.ndarray], lead: tuple[np.ndarray, np.ndarray],
            names: tuple[np.ndarray, np.ndarray]) -> None:
        self.at[row] = self.records.append(text[1], lead[1], names[1], text[0], lead[0], names[0])
        self.sizes[3 * row:3 * row + 3] = array("i", (text[0].size, lead[0].size, names[0].size))

    def get(self, doc_id: str) -> tuple[Vec, Vec, dict[str, float]]:
        """(text, lead, names) of a document, from the cache or read back."""
        hit = self.cache.get(doc_id)
        if hit is None:
            return self.load(doc_id)
        self.cache.move_to_end(doc_id)
        return hit

    def many(self, doc_ids: Iterable[str]) -> list[tuple[Vec, Vec, dict[str, float]]]:
        """``[self.get(d) for d in doc_ids]`` in one call."""
        out, get, touch = [], self.cache.get, self.cache.move_to_end
        for d in doc_ids:
            hit = get(d)
            if hit is None:
                hit = self.load(d)
            else:
                touch(d)
            out.append(hit)
        return out

    def load(self, doc_id: str) -> tuple[Vec, Vec, dict[str, float]]:
        cache = self.cache
        row = self.rows[doc_id]
        a, b, k = self.sizes[3 * row:3 * row + 3]
        n = a + b + k
        buf = self.records.read(self.at[row], 12 * n)
        w, ids = buf[:8 * n].view(np.float64), buf[8 * n:].view(np.int32)
        keys = self.name_keys
        hit = cache[doc_id] = (Vec.from_arrays(ids[:a], w[:a]), Vec.from_arrays(ids[a:a + b], w[a:a + b]),
                               dict(zip(map(keys.__getitem__, ids[a + b:].tolist()), w[a + b:].tolist(),
                                        strict=True)))
        if len(cache) > self.cache_size:
            cache.popitem(last=False)
        return hit

    def close(self) -> None:
        self.cache.clear()
        self.records.close()


class _Column(Mapping):
    """``Features.text`` / ``lead`` / ``names``: doc id -> that vector (read on access)."""

    __slots__ = ("_v", "_k")

    def __init__(self, vectors: _Vectors, k: int) -> None:
        self._v, self._k = vectors, k

    def __getitem__(self, doc_id: str):
        return self._v.get(doc_id)[self._k]

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._v.rows

    def __len__(self) -> int:
        return len(self._v.rows)

    def __iter__(self) -> Iterator[str]:
        return iter(self._v.rows)


class Features:
    """Per-document vectors with IDF over the documents given to one call.

    ``items`` is read once (it may be a generator over the store): each item's text is
    featurised and dropped, so the texts of a corpus are never held together. The term
    and name vectors (``text``, ``lead``: ``sparsevec.Vec``; ``names``: dicts) are read
    from records out of core on access (``_Records``: a temporary file beyond
    ``SPILL_BYTES``; ``close`` deletes it), the ``CACHE_DOCS`` read last kept decoded;
    the counts they are weighed from are spilled the same way until the idf is known.
    Peg, peg date, events and blocking keys stay in memory."""

    text: Mapping[str, Vec]
    lead: Mapping[str, Vec]
    names: Mapping[str, dict[str, float]]

    def __init__(self, items: Iterable[StoryItem]):
        self.items: dict[str, StoryItem] = {}
        self._keys: dict[str, list[str]] = {}
        self.peg: dict[str, str | None] = {}
        self.peg_date: dict[str, tuple[date, date | None] | None] = {}
        shared_dates: dict[tuple[date, date | None] | None, tuple[date, date | None] | None] = {}
        self.vocab = vocab = Vocab()
        name_vocab = Vocab()  # surname keys
        rows: dict[str, int] = {}
        # until the idf is known, per row: raw counts [names weights f64, text ids, text
        # counts, lead ids, lead counts, names ids: int32], in each counter's (insertion) order
        raw, raw_at, sizes = _Records(), array("q"), array("i")
        df, df_n = np.zeros(1024, dtype=np.int64), np.zeros(256, dtype=np.int64)
        extracted = False

        def ids_counts(c: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
            return (np.array(vocab.ids_of(c), dtype=np.int32),
                    np.fromiter(c.values(), dtype=np.int32, count=len(c)))

        def grown(a: np.ndarray, size: int) -> np.ndarray:
            return a if size <= a.size else np.concatenate([a, np.zeros(max(a.size, size - a.size), dtype=a.dtype)])

        def read_raw(row: int) -> tuple[np.ndarray, ...]:
            a, b, k = sizes[3 * row:3 * row + 3]
            buf = raw.read(raw_at[row], 8 * (a + b + k) + 4 * k)
            ints = buf[8 * k:].view(np.int32)
            return (ints[:a], ints[a:2 * a], ints[2 * a:2 * a + b], ints[2 * a + b:2 * (a + b)],
                    ints[2 * (a + b):], buf[:8 * k].view(np.float64))

        for it in items:
            d = it.doc_id
            lead = lead_text(it)
            lead_end = _lead_end(it, lead)
            self.peg[d] = news_peg(it)
            t_ids, t_counts = ids_counts(_terms(it.text))
            l_ids, l_counts = ids_counts(_terms((it.title or "") + " " + lead))
            c = self._names(it, lead_end)
            n_ids = np.array(name_vocab.ids_of(c), dtype=np.int32)
            n_w = np.fromiter(c.values(), dtype=np.float64, count=len(c))
            if (row := rows.get(d)) is not None:  # a repeated id replaces the earlier item
                old = read_raw(row)
                df[old[0]] -= 1
                df_n[old[4]] -= 1
            rows[d] = len(raw_at)
            raw_at.append(raw.append(n_w, t_ids, t_counts, l_ids, l_counts, n_ids))
            sizes.extend((t_ids.size, l_ids.size, n_ids.size))
            df = grown(df, len(vocab))
            df[t_ids] += 1  # a term appears once per document's counter
            df_n = grown(df_n, len(name_vocab))
            df_n[n_ids] += 1
            pd = self._peg_date(it, lead_end)
            self.peg_date[d] = shared_dates.setdefault(pd, pd)  # one copy of each date span
            extracted = extracted or bool(it.people)
            # featurised: only what clustering reads later (id, date, duplicate_of) is kept
            self.items[d] = StoryItem(d, "", it.published, it.duplicate_of, published_bound=it.published_bound)
        n = max(len(self.items), 1)

        def idf(df: int) -> float:
            # Smoothed idf so a term in every document still weighs a little.
            return math.log((1 + n) / (1 + df) + 1)

        idf_t = [idf(x) for x in df[:len(vocab)].tolist()]
        # Name weights are prominence scores already (not counts): no log damping. A name
        # in most documents (the head of state every item addresses) says nothing about
        # which happening this is, so names use unsmoothed idf, near zero at ubiquity.
        # Without extraction the "names" are every capitalised word (places, bodies):
        # there the shared place names are the who-signal, so keep the smoothed idf.
        idf_n = [math.log((1 + n) / (1 + x)) if extracted else idf(x) for x in df_n[:len(name_vocab)].tolist()]
        del df, df_n

        def weigh(ids: np.ndarray, counts: np.ndarray) -> np.ndarray:
            w = [(1 + math.log(x)) * idf_t[i] for i, x in zip(ids.tolist(), counts.tolist(), strict=True)]
            z = math.sqrt(sum(x * x for x in w)) or 1.0
            return np.array([x / z for x in w], dtype=np.float64)

        def weigh_names(ids: np.ndarray, ws: np.ndarray) -> np.ndarray:  # _unit of the idf-weighted dict
            v = [w * idf_n[k] for k, w in zip(ids.tolist(), ws.tolist(), strict=True)]
            z = math.sqrt(sum(x * x for x in v)) or 1.0
            return np.array([x / z for x in v], dtype=np.float64)

        self._vectors = vectors = _Vectors(rows, name_vocab.terms)
        try:
            for i, row in enumerate(rows.values()):
                t_ids, t_counts, l_ids, l_counts, n_ids, n_w = read_raw(row)
                vectors.put(i, (t_ids, weigh(t_ids, t_counts)), (l_ids, weigh(l_ids, l_counts)),
                            (n_ids, weigh_names(n_ids, n_w)))
        finally:
            raw.close()
        for i, d in enumerate(rows):
            rows[d] = i  # rows of the weighted records: in document order, repeated ids once
        if vectors.records.on_disk:
            vectors.records.flush()
        self.text, self.lead, self.names = _Column(vectors, 0), _Column(vectors, 1), _Column(vectors, 2)

    def vectors(self, doc_ids: Iterable[str]) -> list[tuple[Vec, Vec, dict[str, float]]]:
        """``[(self.text[d], self.lead[d], self.names[d]) for d in doc_ids]``, one call
        for the many members clustering scores a document against."""
        return self._vectors.many(doc_ids)

    def close(self) -> None:
        """Delete the vectors' temporary file (if any); the vectors are unreadable after."""
        self._vectors.close()

    def __enter__(self) -> Features:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _names(self, it: StoryItem, lead_end: int) -> Counter[str]:
        out: Counter[str] = Counter()
        title = _normalise(it.title or "")
        if it.people:
            for name, offsets in it.people:
                k = _surname(name)
                if len(k) < 3:
                    continue
                w = sum(1.0 if o < lead_end else math.exp(-(o - lead_end) / FADE_CHARS) for o in offsets)
                if title and any(k == _surname(t) for t in title.split()):
                    w += TITLE_WEIGHT
                if k in _background():
                    w *= float(_peg_data()["background_weight"])
                out[k] = max(out[k], w)
            return out
        raw = list(it.persons) + list(it.places) if it.persons or it.places else _heuristic_names(it.text)
        out.update(k for k in map(name_key, raw) if len(k) >= 3)
        return Counter({k: 1 + math.log(x) for k, x in out.items()})  # type: ignore[misc]

    def _peg_date(self, it: StoryItem, lead_end: int) -> tuple[date, date | None] | None:
        """When the peg happened: dated lead events of the peg's kind, else the document
        date (an upper end of None: an estimated document date is only a lower bound)."""
        kinds = _peg_data()["event_kinds"]
        peg = self.peg[it.doc_id]
        for e in map(_event, it.events):
            if e[1] and e[2] is not None and e[2] < lead_end and peg and kinds.get(e[0]) == peg:
                iv = _interval(e[1])
                if iv:
                    return iv
        iv = _interval(it.published)
        if iv is None:
            return None
        return (iv[0], None) if it.published_bound else iv

    def block_keys(self, doc_id: str, *, last: bool = False) -> list[str]:
        """The document's blocking keys (made once, kept until asked for the ``last``
        time: a corpus's keys are never all held)."""
        keys = self._keys.pop(doc_id, None) if last else self._keys.get(doc_id)
        if keys is None:
            keys = self._block_keys(doc_id)[0]
            if not last:
                self._keys[doc_id] = keys
        return keys

    def weighted_block_keys(self, doc_id: str) -> tuple[list[str], list[float]]:
        """``block_keys`` and each key's weight in the document (its term's weight in
        ``text``, its surname key's in ``names``); only the keys are kept."""
        keys, weights = self._block_keys(doc_id)
        self._keys.setdefault(doc_id, keys)
        return self._keys[doc_id], weights

    def _block_keys(self, doc_id: str) -> tuple[list[str], list[float]]:
        terms = self.vocab.terms
        v = self.text[doc_id]
        ids, ws = v.ids, v.w
        if ws.size > BLOCK_TERMS:  # only terms weighing at least the 12th largest weight can be in the top 12
            keep = ws >= np.partition(ws, -BLOCK_TERMS)[-BLOCK_TERMS]
            ids, ws = ids[keep], ws[keep]
        top = heapq.nsmallest(BLOCK_TERMS, zip(map(terms.__getitem__, ids.tolist()), ws.tolist(), strict=True),
                              key=lambda kv: (-kv[1], kv[0]))
        topn = heapq.nsmallest(BLOCK_TERMS, self.names[doc_id].items(), key=lambda kv: (-kv[1], kv[0]))
        # interned: the same key string is shared by every document that has it
        keys = [sys.intern(f"t:{k}") for k, _ in top] + [sys.intern(f"n:{k}") for k, _ in topn]
        return keys, [w for _, w in top] + [w for _, w in topn]
