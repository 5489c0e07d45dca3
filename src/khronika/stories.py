"""Story clusters: documents reporting the same happening share a story id.

A story is one happening (a sentence handed down, a petition published), told by any
number of outlets. A follow-up weeks later (appeal rejected, a second sentence) is a
new story even though it names the same person, so dates act as a hard limit and
the score mixes *who* (people, places) with *what* (text and event types).

Public API::

    @dataclass(frozen=True)
    class StoryItem:
        doc_id: str
        text: str                       # clean text
        published: str | None = None    # YYYY[-MM[-DD]]
        duplicate_of: str | None = None
        persons: tuple[str, ...] = ()   # names and aliases (DocPerson.name/aliases)
        places: tuple[str, ...] = ()
        events: tuple[tuple[str, str | None], ...] = ()  # (type, date[, offset, subject])
        title: str | None = None
        published_bound: bool = False   # published is an estimate: a lower bound only
        people: tuple[tuple[str, tuple[int, ...]], ...] = ()  # name, mention offsets

    assign_stories(items, existing=None, settings) -> dict[str, str]
        doc_id -> story id for every item. ``existing`` maps already-stored doc ids to
        their story ids: those are kept as they are (never renumbered) and act as the
        clusters new documents may join. Pass the stored documents of recent stories in
        ``items`` too, so new documents can be compared with them.
    pair_score(a, b, features) -> float       (exposed for evaluation and tests)
    story_id(seed_doc_id) -> str              "st-" + 12 hex digits, stable across runs

``StoryItem`` and ``Features`` (the per-document featurisation below: peg, peg date,
term and name vectors, blocking keys) live in ``story_features`` and are re-exported
here; this module scores pairs and clusters.

Without extraction output (``persons`` empty) names are approximated by capitalised
words found mid-sentence; everything degrades to text similarity, never fails.

News peg: a story is the lead happening a document reports (who, which procedural
step, when), found in its headline or opening sentences (cue lexicon in
``data/stories.yaml``), not everything it mentions: background paragraphs recall
earlier steps of the same case ("Gorinov, sentenced in July...") and must not pull a
later follow-up into the earlier story. So:

* *peg*: documents pegged on different steps (prosecutor's request, verdict, appeal
  ruling, a second conviction; dissent act vs prosecution) never share a story;
* *when*: the peg's date (extracted lead events of the peg's kind, else the document
  date) must be within ``settings.story_window_days``. A document date the text only
  implies (latest date it mentions) is a lower bound, not a date;
* *who*: IDF-weighted cosine over transliteration-tolerant surname keys (``names``),
  each person weighted by prominence: headline and lead mentions count fully,
  background mentions fade with distance;
* *what*: IDF-weighted cosine over content words of the lead and of the whole text.
Clustering is sequential average-linkage (documents by date, then id): a document joins
the cluster it scores best with on average if that is at least
``settings.story_threshold``; duplicates always take their canonical's story.

Scale: IDF once per call; each document is scored only against candidate clusters that
share one of its most distinctive terms or surname keys within a date bucket its peg
date can reach (at most ``CANDIDATES``, by shared-key weight), each by its first
``REPRESENTATIVES`` members, so the cost per document does not grow with the corpus.
``assign_stories(..., exhaustive=True)`` is the unblocked reference (tests).
``update_store`` assigns only documents without a story, featurising only the stored
stories dated near them. Memory: texts are read a chunk at a time and dropped once
featurised; the term and name vectors (numpy-backed, ``sparsevec``: 12 bytes a term, the
same floats as dicts) live out of core beyond a few MB, in a temporary file read back on
access with a small cache of recently read documents (``story_features``), so a
100k-document first ingest holds neither the corpus nor its vectors; what stays in
memory per document is its peg, dates, blocking keys and under 100 bytes of index.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from itertools import accumulate, islice, repeat
from operator import mul

from .settings import Settings
from .sparsevec import Lookup
from .sparsevec import cos as vcos
from .story_features import Features, StoryItem, _interval, name_key
from .story_features import _normalise as _normalise  # re-exported: tests import it from here
from .story_features import lead_text as lead_text
from .story_features import news_peg as news_peg

__all__ = ["StoryItem", "assign_stories", "pair_score", "story_id", "name_key", "Features"]

# Weights of the evidence: who and what count equally (the peg and its date are hard
# limits, not evidence to be outweighed).
W_TEXT, W_NAMES = 0.5, 0.5


def story_id(seed_doc_id: str) -> str:
    return "st-" + hashlib.sha1(seed_doc_id.encode()).hexdigest()[:12]


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    # sum(x * b.get(k, 0.0) for k, x in a.items()), the same products in the same order
    return sum(map(mul, a.values(), map(b.get, a, repeat(0.0))))


def _when(peg: str | None, peg_date: tuple[date, date | None] | None) -> tuple[str | None, int | None, int | None]:
    """A document as the hard limits see it: its peg, first and last day (day numbers;
    None: unbounded or unknown)."""
    return (peg, *_days(peg_date))


def _within(a: tuple[str | None, int | None, int | None], b: tuple[str | None, int | None, int | None],
            window: int) -> bool:
    """Hard limits on two ``_when``s: the same news peg (when both have one), and every
    gap between their date intervals (and 0) within the window."""
    pa, lo_a, hi_a = a
    pb, lo_b, hi_b = b
    if pa and pb and pa != pb:
        return False
    if lo_a is None or lo_b is None:
        return True
    return (window >= 0 and (hi_a is None or lo_b - hi_a <= window)
            and (hi_b is None or lo_a - hi_b <= window))


def compatible(a: str, b: str, f: Features, settings: Settings) -> bool:
    """Hard limits: same news peg (when both have one) and peg dates within the window."""
    return _within(_when(f.peg[a], f.peg_date[a]), _when(f.peg[b], f.peg_date[b]), settings.story_window_days)


def pair_score(a: str, b: str, f: Features, settings: Settings | None = None) -> float:
    settings = settings or Settings()
    if not compatible(a, b, f, settings):
        return 0.0
    return _score(vcos(f.lead[a], f.lead[b]), vcos(f.text[a], f.text[b]), _cos(f.names[a], f.names[b]))


def _score(lead: float, text: float, names: float) -> float:
    # Cosines of short news texts are small even for one story (different outlets,
    # different words); scale so two retellings of one happening land around 1. The
    # lead carries the peg's own wording, the whole text the case's vocabulary.
    what = min(1.0, 3.0 * (0.5 * lead + 0.5 * text))
    who = min(1.0, 1.5 * names)
    return W_TEXT * what + W_NAMES * who


class _Scorer:
    """``pair_score`` of one document against many, the same floats: the hard limits
    checked on each document's peg and day numbers, the term cosines of all compatible
    pairs in one pass each (``sparsevec.Lookup``)."""

    def __init__(self, f: Features, settings: Settings) -> None:
        self.f, self.window = f, settings.story_window_days
        self.lookup = Lookup(len(f.vocab))
        shared: dict[tuple, tuple] = {}  # few distinct (peg, days): one copy of each
        self._when = {d: shared.setdefault(w, w) for d, pd in f.peg_date.items() for w in (_when(f.peg[d], pd),)}

    def fits(self, a: str) -> Callable[[str], bool]:
        """``lambda m: compatible(a, m, f, settings)``, each document's ``_when`` made once."""
        wa, when, window = self._when[a], self._when, self.window
        return lambda m: _within(wa, when[m], window)

    def scores(self, a: str, members: Iterable[str], fits: Callable[[str], bool]) -> dict[str, float]:
        """``pair_score(a, m)`` of each member; ``fits``: ``self.fits(a)``."""
        f = self.f
        out = {m: 0.0 for m in members}
        ok = [m for m in out if fits(m)]
        (text_a, lead_a, names), *vs = f.vectors([a, *ok])  # (text, lead, names) each
        lead = self.lookup.cos_many(lead_a, [v[1] for v in vs])
        text = self.lookup.cos_many(text_a, [v[0] for v in vs])
        for m, lc, tc, v in zip(ok, lead, text, vs, strict=True):
            out[m] = _score(lc, tc, _cos(names, v[2]))
        return out


def _days(pd: tuple[date, date | None] | None) -> tuple[int | None, int | None]:
    if pd is None:
        return None, None
    return pd[0].toordinal(), None if pd[1] is None else pd[1].toordinal()


# --------------------------------------------------------------------------- clusters

# Candidate generation (blocking): a document is scored only against clusters that share
# one of its most distinctive terms or surname keys *and* a date bucket its peg date can
# reach within the window; at most CANDIDATES of them (by shared-key weight), each by
# its first REPRESENTATIVES members. Real stories are a handful of reports, so on real
# data this is the exhaustive average linkage (tests/stories/test_blocking.py); on a
# stream it keeps the cost per document constant.
CANDIDATES = 64
REPRESENTATIVES = 16
# A document whose peg date is imprecise (a month, a year, only a lower bound) or
# missing cannot be bucketed: it is looked up among the most recent clusters per key.
RECENT_PER_KEY = 256
SCAN_PER_POSTING = 128
# Buckets this far behind the newest one are dropped (documents arrive in date order;
# a peg date from a lead event may precede the publication date by some weeks).
EVICT_DAYS = 180


class _Blocks:
    """Clusters by (blocking key, date bucket), bounded in memory."""

    def __init__(self, f: Features, window: int):
        self.f, self.window = f, window
        self.width = max(1, window)
        self.dated: dict[int, dict[str, dict[str, None]]] = {}
        self.loose: dict[str, dict[str, None]] = {}  # undatable members, per key
        self.recent: dict[str, dict[str, None]] = {}  # any member, most recent last
        self.newest = self.horizon = -(10 ** 9)

    def _span(self, doc_id: str) -> tuple[int, int] | None:
        pd = self.f.peg_date[doc_id]
        if pd is None or pd[1] is None or (pd[1] - pd[0]).days > 3 * self.width:
            return None
        return pd[0].toordinal() // self.width, pd[1].toordinal() // self.width

    @staticmethod
    def _touch(posting: dict[str, None], story: str, cap: int | None = None) -> None:
        posting.pop(story, None)
        posting[story] = None
        if cap and len(posting) > 2 * cap:
            for s in list(posting)[: len(posting) - cap]:
                del posting[s]

    def add(self, doc_id: str, story: str) -> None:
        keys = self.f.block_keys(doc_id, last=True)  # a document is added once, its keys read no more
        span = self._span(doc_id)
        for k in keys:
            self._touch(self.recent.setdefault(k, {}), story, RECENT_PER_KEY)
        if span is None:
            for k in keys:
                self._touch(self.loose.setdefault(k, {}), story, RECENT_PER_KEY)
            return
        for b in range(span[0], span[1] + 1):
            bucket = self.dated.setdefault(b, {})
            for k in keys:
                self._touch(bucket.setdefault(k, {}), story)
        if span[1] > self.newest:
            self.newest = span[1]
            self.horizon = horizon = self.newest - (EVICT_DAYS + self.window) // self.width
            for b in [b for b in self.dated if b < horizon]:
                del self.dated[b]

    def candidates(self, doc_id: str) -> list[str]:
        span = self._span(doc_id)
        if span is not None and span[0] - self.window // self.width - 1 < self.horizon:
            span = None  # its buckets were dropped (an old peg date reported late)
        if span is None:
            buckets = []
        else:
            reach = self.window // self.width + 1
            buckets = [self.dated[b] for b in range(span[0] - reach, span[1] + reach + 1) if b in self.dated]
        score: dict[str, float] = {}
        keys, weights = self.f.weighted_block_keys(doc_id)
        for k, w in zip(keys, weights, strict=True):
            w = w or 1e-9
            if span is None:
                postings = [self.recent.get(k, {})]
            else:
                postings = [p for bucket in buckets if (p := bucket.get(k))]
                postings.append(self.loose.get(k, {}))
            # a cluster counts once per key: the clusters most recently joined first; a
            # crowded key in a crowded bucket (a wave of reports on one trial) is only
            # read so far
            seen: set[str] = set()
            for posting in postings:
                seen.update(posting if len(posting) <= SCAN_PER_POSTING
                            else islice(reversed(posting), SCAN_PER_POSTING))
            for story in seen:
                score[story] = score.get(story, 0.0) + w
        ranked = sorted(score)  # ties in id order: the sort by weight below is stable
        ranked.sort(key=score.__getitem__, reverse=True)
        return ranked


def assign_stories(items: Iterable[StoryItem], existing: Mapping[str, str] | None = None,
                   settings: Settings | None = None, *, exhaustive: bool = False) -> dict[str, str]:
    """``exhaustive``: score every cluster by all its members (the unblocked reference,
    quadratic: for tests and evaluation only)."""
    settings = settings or Settings()
    with Features(items) as f:  # closing deletes its vectors' temporary file
        return _cluster(f, dict(existing or {}), settings, exhaustive)


def _cluster(f: Features, existing: dict[str, str], settings: Settings, exhaustive: bool) -> dict[str, str]:
    by_id = f.items
    out: dict[str, str] = {d: s for d, s in existing.items() if d in by_id}
    members: dict[str, dict[str, None]] = {}  # ordered sets
    reps: dict[str, list[str]] = {}
    blocks = _Blocks(f, settings.story_window_days)
    scorer = _Scorer(f, settings)

    def order(it: StoryItem) -> tuple:
        # Canonicals before their duplicates; then by date so clusters grow forward in time.
        return (it.duplicate_of is not None and it.duplicate_of in by_id, it.published or "9999", it.doc_id)

    def join(doc_id: str, story: str) -> None:
        out[doc_id] = story
        ms = members.setdefault(story, {})
        ms[doc_id] = None
        # a copy of a member says nothing new about the story: it is not a representative
        if len(reps.setdefault(story, [])) < REPRESENTATIVES and by_id[doc_id].duplicate_of not in ms:
            reps[story].append(doc_id)
        blocks.add(doc_id, story)

    stored = sorted((by_id[d] for d in out), key=order)
    for it in stored:
        members.setdefault(out[it.doc_id], {})[it.doc_id] = None
    for it in stored:
        story, ms = out[it.doc_id], members[out[it.doc_id]]
        if len(reps.setdefault(story, [])) < REPRESENTATIVES and it.duplicate_of not in ms:
            reps[story].append(it.doc_id)
        blocks.add(it.doc_id, story)

    for it in sorted((it for it in by_id.values() if it.doc_id not in out), key=order):
        canon = it.duplicate_of
        if canon and canon in out:
            join(it.doc_id, out[canon])
            continue
        best, best_score = None, settings.story_threshold
        fits = scorer.fits(it.doc_id)
        if exhaustive:
            pool = {s: [m for m in ms if by_id[m].duplicate_of not in ms] for s, ms in members.items()}
        else:
            # the peg and its date are hard limits: a cluster none of whose representatives
            # passes them cannot win, so it does not take a candidate's place
            pool = dict(islice(((s, reps[s]) for s in blocks.candidates(it.doc_id)
                                if any(map(fits, reps[s]))), CANDIDATES))
        scores = scorer.scores(it.doc_id, (m for ms in pool.values() for m in ms), fits)
        for story in sorted(pool):
            ms = pool[story]
            if not ms:
                continue
            s = sum(scores[m] for m in ms) / len(ms)
            if s >= best_score:
                best, best_score = story, s
        join(it.doc_id, best or story_id(it.doc_id))
    return out


def _own_date(e) -> str | None:
    """The event's date when its own sentence states it. A date extraction estimated from
    the document date, or borrowed from another sentence, is no evidence of when."""
    details = dict(e.details)
    if details.get("date_basis") == "document":
        return None
    said = details.get("date_text")
    if said and said.lower() not in e.evidence.lower():
        return None
    return e.date


def items_from(infos: Mapping, articles: Mapping, analyses: Mapping) -> Iterator[StoryItem]:
    """StoryItems from pipeline records (DocumentInfo, Article, Analysis by doc id), in id
    order, lazily: texts are read a chunk at a time (one query per chunk from the store's
    lazy mapping) and only one chunk is held."""
    from .store.db import article_chunks

    ids = [d for d in sorted(infos) if d in articles]
    for part, arts in article_chunks(articles, ids, ITEM_CHUNK):
        for doc_id in part:
            if (art := arts.get(doc_id)) is not None:
                yield _item(infos[doc_id], art, analyses.get(doc_id))


ITEM_CHUNK = 500


def _item(info, art, an) -> StoryItem:
    persons: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    events: tuple[tuple, ...] = ()
    people: tuple[tuple[str, tuple[int, ...]], ...] = ()
    if an is not None:
        persons = tuple(n for p in an.persons for n in (p.name, *p.aliases))
        places = tuple(p.place for p in an.persons if p.place)
        events = tuple((e.type, _own_date(e), e.span[0], e.subject_name) for e in an.events)
        people = tuple((p.name, tuple(s for s, _ in p.spans)) for p in an.persons)
    # Only a date the page states (and the text does not contradict) is the date of
    # the document; one estimated from the text (the latest date it mentions) says
    # the article was written then or later.
    bound = info.published is not None and (not info.published_stated or info.date_suspect)
    return StoryItem(info.id, art.text, info.published, info.duplicate_of, persons, places, events,
                     title=info.title or art.title, published_bound=bound, people=people)


def update_store(store, infos: Mapping, articles: Mapping, analyses: Mapping, settings: Settings) -> dict:
    """Pipeline stage: documents without a story join an existing one or start their own.

    Only documents without a story are assigned; stored stories are never recomputed.
    Of the stored documents only those dated near the new ones (or undated) are
    featurised, as the clusters the new documents may join."""
    new = [d for d, i in infos.items() if not i.story and d in articles]
    if not new:
        return dict(infos)
    existing = {d: i.story for d, i in infos.items() if i.story}
    near = _near(infos, new, settings.story_window_days + EVICT_DAYS)
    # a nearby story comes whole, so its representatives are what they always were
    stories_near = {existing[d] for d in near if d in existing}
    new_ids = set(new)
    keep = {d for d in infos if d in new_ids or existing.get(d) in stories_near}
    stories = assign_stories(items_from({d: infos[d] for d in keep}, articles, analyses),
                             {d: s for d, s in existing.items() if d in keep}, settings)
    return {d: replace(i, story=stories[d]) if d in stories and not i.story else i for d, i in infos.items()}


def _near(infos: Mapping, new: Sequence[str], days: int) -> set[str]:
    """Stored documents whose date is within ``days`` of some new document's, or unknown."""
    spans = sorted(iv for iv in (_interval(infos[d].published) for d in new) if iv)
    if len(spans) < len(new):  # an undated new document may join any story
        return {d for d, i in infos.items() if i.story}
    starts = [s for s, _ in spans]
    latest_end = list(accumulate((e for _, e in spans), max))  # over spans starting up to here
    out = set()
    for d, info in infos.items():
        if not info.story:
            continue
        iv = _interval(info.published)
        i = bisect_right(starts, iv[1] + timedelta(days=days)) if iv else 0
        if iv is None or (i and latest_end[i - 1] >= iv[0] - timedelta(days=days)):
            out.add(d)
    return out
