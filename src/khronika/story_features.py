"""Per-document story features: what ``stories`` clusters on.

``StoryItem`` is a document as story clustering sees it; ``Features`` reads a stream of
them once and keeps, per document, the news peg (``news_peg``: the happening it reports,
from cue patterns in ``data/stories.yaml``) and the peg's date, IDF-weighted term vectors
of the lead and of the whole text (``sparsevec``), prominence-weighted surname keys
(``name_key`` without extraction output), and the blocking keys candidate clusters are
looked up by. Scores, hard limits and clustering are in ``stories``.
"""

from __future__ import annotations

import heapq
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable
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


class Features:
    """Per-document vectors with IDF over the documents given to one call.

    ``items`` is read once (it may be a generator over the store): each item's text is
    featurised and dropped, so the texts of a corpus are never held together; term
    vectors are compact (``sparsevec``)."""

    def __init__(self, items: Iterable[StoryItem]):
        self.items: dict[str, StoryItem] = {}
        self._keys: dict[str, list[str]] = {}
        self.lead_end: dict[str, int] = {}
        self.peg: dict[str, str | None] = {}
        self.events: dict[str, set[str]] = {}
        self.peg_date: dict[str, tuple[date, date | None] | None] = {}
        self.vocab = vocab = Vocab()
        raw_text: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        raw_lead: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        names: dict[str, Counter[str]] = {}
        extracted = False

        def ids_counts(c: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
            # until the idf is known: 8 bytes a term, in the counter's (insertion) order
            return (np.array(vocab.ids_of(c), dtype=np.int32),
                    np.fromiter(c.values(), dtype=np.int32, count=len(c)))

        for it in items:
            d = it.doc_id
            lead = lead_text(it)
            self.lead_end[d] = len(lead) + (len(it.text) - len(it.text.lstrip()))
            self.peg[d] = news_peg(it)
            raw_text[d] = ids_counts(_terms(it.text))
            raw_lead[d] = ids_counts(_terms((it.title or "") + " " + lead))
            names[d] = self._names(it)
            self.events[d] = {_event(e)[0] for e in it.events}
            self.peg_date[d] = self._peg_date(it)
            extracted = extracted or bool(it.people)
            # featurised: only what clustering reads later (id, date, duplicate_of) is kept
            self.items[d] = StoryItem(d, "", it.published, it.duplicate_of, published_bound=it.published_bound)
        n = max(len(self.items), 1)
        df = np.zeros(len(vocab), dtype=np.int64)
        for ids, _ in raw_text.values():
            df[ids] += 1  # a term appears once per document's counter
        df_t = df.tolist()
        df_n: Counter[str] = Counter(k for c in names.values() for k in c)

        def idf(df: int) -> float:
            # Smoothed idf so a term in every document still weighs a little.
            return math.log((1 + n) / (1 + df) + 1)

        idf_t = [idf(x) for x in df_t]

        def weigh(raw: tuple[np.ndarray, np.ndarray]) -> Vec:
            ids, counts = raw[0].tolist(), raw[1].tolist()
            w = [(1 + math.log(x)) * idf_t[i] for i, x in zip(ids, counts, strict=True)]
            z = math.sqrt(sum(x * x for x in w)) or 1.0
            return Vec(ids, [x / z for x in w])

        self.text = {d: weigh(r) for d, r in raw_text.items()}
        del raw_text
        self.lead = {d: weigh(r) for d, r in raw_lead.items()}
        del raw_lead
        # Name weights are prominence scores already (not counts): no log damping. A name
        # in most documents (the head of state every item addresses) says nothing about
        # which happening this is, so names use unsmoothed idf, near zero at ubiquity.
        # Without extraction the "names" are every capitalised word (places, bodies):
        # there the shared place names are the who-signal, so keep the smoothed idf.

        def name_idf(k: str) -> float:
            return math.log((1 + n) / (1 + df_n[k])) if extracted else idf(df_n[k])

        self.names = {d: _unit({k: w * name_idf(k) for k, w in c.items()}) for d, c in names.items()}

    def _names(self, it: StoryItem) -> Counter[str]:
        out: Counter[str] = Counter()
        lead_end = self.lead_end[it.doc_id]
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

    def _peg_date(self, it: StoryItem) -> tuple[date, date | None] | None:
        """When the peg happened: dated lead events of the peg's kind, else the document
        date (an upper end of None: an estimated document date is only a lower bound)."""
        kinds = _peg_data()["event_kinds"]
        peg, lead_end = self.peg[it.doc_id], self.lead_end[it.doc_id]
        for e in map(_event, it.events):
            if e[1] and e[2] is not None and e[2] < lead_end and peg and kinds.get(e[0]) == peg:
                iv = _interval(e[1])
                if iv:
                    return iv
        iv = _interval(it.published)
        if iv is None:
            return None
        return (iv[0], None) if it.published_bound else iv

    def block_keys(self, doc_id: str) -> list[str]:
        keys = self._keys.get(doc_id)
        if keys is None:
            keys = self._keys[doc_id] = self._block_keys(doc_id)[0]
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
