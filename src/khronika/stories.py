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
        events: tuple[tuple[str, str | None], ...] = ()  # (type, date)

    assign_stories(items, existing=None, settings) -> dict[str, str]
        doc_id -> story id for every item. ``existing`` maps already-stored doc ids to
        their story ids: those are kept as they are (never renumbered) and act as the
        clusters new documents may join. Pass the stored documents of recent stories in
        ``items`` too, so new documents can be compared with them.
    pair_score(a, b, features) -> float       (exposed for evaluation and tests)
    story_id(seed_doc_id) -> str              "st-" + 12 hex digits, stable across runs

Without extraction output (``persons`` empty) names are approximated by capitalised
words found mid-sentence; everything degrades to text similarity, never fails.

Scoring: documents are compared by IDF-weighted cosine over content words (*what*)
and over transliteration-tolerant name keys (*who*; Torstrem and Thorstrom, Gorinov
and Horinov share a key), plus event types when both sides have events. Documents
whose dates are further apart than ``settings.story_window_days`` never share a story.
Clustering is sequential average-linkage (documents by date, then id): a document joins
the cluster it scores best with on average if that is at least
``settings.story_threshold``; duplicates always take their canonical's story.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from spacy.lang.en.stop_words import STOP_WORDS

from .dedupe import normalise
from .settings import Settings

__all__ = ["StoryItem", "assign_stories", "pair_score", "story_id", "name_key", "Features"]

# Weights of the evidence: who and what count equally; event types, when extraction
# supplied them on both sides, take a share from each.
W_TEXT, W_NAMES, W_EVENTS = 0.5, 0.5, 0.25
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
    events: tuple[tuple[str, str | None], ...] = ()


def story_id(seed_doc_id: str) -> str:
    return "st-" + hashlib.sha1(seed_doc_id.encode()).hexdigest()[:12]


# --------------------------------------------------------------------------- names

# Transliteration folds: each pair is a spelling difference between romanisation
# schemas or languages (Ukrainian Г = h, Russian Г = g; x = ks; th in Swedish names).
_FOLDS = (("shch", "s"), ("sch", "s"), ("zh", "z"), ("kh", "h"), ("ch", "c"), ("sh", "s"),
          ("ts", "c"), ("th", "t"), ("ph", "f"), ("x", "ks"), ("h", "g"), ("w", "v"),
          ("j", "i"), ("y", "i"))


def name_key(name: str) -> str:
    """Spelling-tolerant key of a name's last word: first sound plus consonant skeleton."""
    words = normalise(name).split()
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


def _apart(a: str | None, b: str | None, window: int) -> bool:
    ia, ib = _interval(a), _interval(b)
    if ia is None or ib is None:
        return False
    gap = max((ib[0] - ia[1]).days, (ia[0] - ib[1]).days, 0)
    return gap > window


# --------------------------------------------------------------------------- features

_TOKEN = re.compile(r"[a-z]{3,}")


def _terms(text: str) -> Counter[str]:
    # A 6-letter prefix is a crude but language-agnostic stemmer: sentenced/sentence,
    # resignation/resign... enough to compare two outlets' wording of one happening.
    return Counter(t[:6] for t in _TOKEN.findall(normalise(text)) if t not in STOP_WORDS)


def _unit(v: dict[str, float]) -> dict[str, float]:
    z = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {k: x / z for k, x in v.items()}


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(k, 0.0) for k, x in a.items())


class Features:
    """Per-document vectors with IDF over the documents given to one call."""

    def __init__(self, items: Sequence[StoryItem]):
        self.items = {it.doc_id: it for it in items}
        terms = {it.doc_id: _terms(it.text) for it in items}
        names = {it.doc_id: self._names(it) for it in items}
        n = max(len(items), 1)
        df_t: Counter[str] = Counter(k for c in terms.values() for k in c)
        df_n: Counter[str] = Counter(k for c in names.values() for k in c)

        def weigh(c: Counter[str], df: Counter[str]) -> dict[str, float]:
            # Sublinear tf; smoothed idf so a term in every document still weighs a little.
            return _unit({k: (1 + math.log(x)) * math.log((1 + n) / (1 + df[k]) + 1) for k, x in c.items()})

        self.text = {d: weigh(c, df_t) for d, c in terms.items()}
        self.names = {d: weigh(c, df_n) for d, c in names.items()}
        self.events = {it.doc_id: {t for t, _ in it.events} for it in items}

    @staticmethod
    def _names(it: StoryItem) -> Counter[str]:
        raw = list(it.persons) + list(it.places) if it.persons or it.places else _heuristic_names(it.text)
        return Counter(k for k in map(name_key, raw) if len(k) >= 3)

    def block_keys(self, doc_id: str) -> list[str]:
        top = sorted(self.text[doc_id].items(), key=lambda kv: (-kv[1], kv[0]))[:BLOCK_TERMS]
        topn = sorted(self.names[doc_id].items(), key=lambda kv: (-kv[1], kv[0]))[:BLOCK_TERMS]
        return [f"t:{k}" for k, _ in top] + [f"n:{k}" for k, _ in topn]


def pair_score(a: str, b: str, f: Features, settings: Settings | None = None) -> float:
    settings = settings or Settings()
    ia, ib = f.items[a], f.items[b]
    if _apart(ia.published, ib.published, settings.story_window_days):
        return 0.0
    # Cosines of short news texts are small even for one story (different outlets,
    # different words); scale so two retellings of one happening land around 1.
    text = min(1.0, 3.0 * _cos(f.text[a], f.text[b]))
    names = min(1.0, 1.5 * _cos(f.names[a], f.names[b]))
    score = W_TEXT * text + W_NAMES * names
    ea, eb = f.events[a], f.events[b]
    if ea and eb:
        ev = len(ea & eb) / len(ea | eb)
        score = (1 - W_EVENTS) * score + W_EVENTS * ev
        if _event_dates_apart(ia, ib, settings.story_window_days):
            return 0.0
    return score


def _event_dates_apart(a: StoryItem, b: StoryItem, window: int) -> bool:
    # Same event type reported with dates far apart: a follow-up, not a retelling.
    da = {t: d for t, d in a.events if d}
    db = {t: d for t, d in b.events if d}
    shared = set(da) & set(db)
    return bool(shared) and all(_apart(da[t], db[t], window) for t in shared)


# --------------------------------------------------------------------------- clusters


def assign_stories(items: Sequence[StoryItem], existing: Mapping[str, str] | None = None,
                   settings: Settings | None = None) -> dict[str, str]:
    settings = settings or Settings()
    existing = dict(existing or {})
    f = Features(items)
    by_id = f.items
    out: dict[str, str] = {d: s for d, s in existing.items() if d in by_id}
    members: dict[str, list[str]] = {}
    blocks: dict[str, set[str]] = {}

    def join(doc_id: str, story: str) -> None:
        out[doc_id] = story
        members.setdefault(story, []).append(doc_id)
        for k in f.block_keys(doc_id):
            blocks.setdefault(k, set()).add(story)

    for d in sorted(out):
        members.setdefault(out[d], []).append(d)
        for k in f.block_keys(d):
            blocks.setdefault(k, set()).add(out[d])

    def order(it: StoryItem) -> tuple:
        # Canonicals before their duplicates; then by date so clusters grow forward in time.
        return (it.duplicate_of is not None and it.duplicate_of in by_id, it.published or "9999", it.doc_id)

    for it in sorted((it for it in items if it.doc_id not in out), key=order):
        canon = it.duplicate_of
        if canon and canon in out:
            join(it.doc_id, out[canon])
            continue
        cands = set().union(*(blocks.get(k, set()) for k in f.block_keys(it.doc_id)))
        best, best_score = None, settings.story_threshold
        for story in sorted(cands):
            ms = [m for m in members[story] if by_id[m].duplicate_of not in members[story]]
            s = sum(pair_score(it.doc_id, m, f, settings) for m in ms) / len(ms)
            if s >= best_score:
                best, best_score = story, s
        join(it.doc_id, best or story_id(it.doc_id))
    return out


def items_from(infos: Mapping, articles: Mapping, analyses: Mapping) -> list[StoryItem]:
    """StoryItems from pipeline records (DocumentInfo, Article, Analysis by doc id)."""
    out = []
    for doc_id in sorted(infos):
        info, art, an = infos[doc_id], articles.get(doc_id), analyses.get(doc_id)
        if art is None:
            continue
        persons: tuple[str, ...] = ()
        places: tuple[str, ...] = ()
        events: tuple[tuple[str, str | None], ...] = ()
        if an is not None:
            persons = tuple(n for p in an.persons for n in (p.name, *p.aliases))
            places = tuple(p.place for p in an.persons if p.place)
            events = tuple((e.type, e.date) for e in an.events)
        out.append(StoryItem(doc_id, art.text, info.published, info.duplicate_of, persons, places, events))
    return out


def update_store(store, infos: Mapping, articles: Mapping, analyses: Mapping, settings: Settings) -> dict:
    """Pipeline stage: documents without a story join an existing one or start their own."""
    from dataclasses import replace

    existing = {d: i.story for d, i in infos.items() if i.story}
    stories = assign_stories(items_from(infos, articles, analyses), existing, settings)
    return {d: replace(i, story=stories.get(d, i.story)) for d, i in infos.items()}
