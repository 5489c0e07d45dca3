"""Stage registry and the ingest runner.

Stages are registered by name and declare what they need and what they add; the
order comes from configuration and is checked before any work starts, so a missing
prerequisite is a ``ConfigError`` at launch rather than a crash mid-batch.

Per-document stages (read, clean, extract) are functions over streams of records and
can be driven by a local loop or a Dask bag (``khronika.distributed``). Corpus stages
(dates, dedupe, stories, resolve) read what the store holds and write derived tables.

Nothing here crashes a batch on bad input: a reader or cleaner rejection is recorded
with its reason; an unexpected exception on one document is recorded as
``internal_error`` with the exception text, and the batch goes on.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import ConfigError, InputRejected
from .models import Analysis, Article, DocumentDate, DocumentInfo, RawDocument, Rejection
from .settings import Settings
from .store.db import Store

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int | None], None]  # (phase, advance, total)


@dataclass(frozen=True)
class Stage:
    name: str
    needs: frozenset[str]
    adds: frozenset[str]
    help: str


STAGES: dict[str, Stage] = {}


def register(name: str, needs: Iterable[str], adds: Iterable[str], help: str) -> None:
    STAGES[name] = Stage(name, frozenset(needs), frozenset(adds), help)


register("read", [], ["raw"], "Read files, directories, globs, stdin, JSONL and WARC into raw documents.")
register("clean", ["raw"], ["text", "metadata"], "Decode, strip boilerplate, move title/byline/date into metadata.")
register("extract", ["text"], ["persons", "event_mentions", "document_date"], "spaCy + gazetteer + trigger lexicons.")
register("dedupe", ["text", "metadata"], ["duplicate_of"], "Exact and MinHash-LSH near-duplicates; canonical copy lends metadata.")
register("stories", ["text", "metadata", "duplicate_of", "persons", "event_mentions", "document_date"], ["story"],
         "Group documents reporting the same happening (news peg: lead case step, subject and date).")
register("resolve", ["persons", "event_mentions", "duplicate_of", "story"], ["people", "events"],
         "One person, one event, every source.")

DEFAULT_ORDER = ("read", "clean", "extract", "dedupe", "stories", "resolve")


def check_order(order: Sequence[str]) -> None:
    """Every stage's needs must be added by an earlier stage."""
    have: set[str] = set()
    for name in order:
        stage = STAGES.get(name)
        if stage is None:
            raise ConfigError(f"unknown stage {name!r}; known: {', '.join(STAGES)}")
        missing = stage.needs - have
        if missing:
            raise ConfigError(f"stage {name!r} needs {', '.join(sorted(missing))}, which no earlier stage adds")
        have |= stage.adds


@dataclass
class IngestReport:
    seen: int = 0
    ingested: int = 0
    duplicates_skipped: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    analysed: int = 0
    persons: int = 0
    events: int = 0
    documents_total: int = 0
    relearned: int = 0  # documents re-cleaned because a recurring paragraph was learned

    def as_dict(self) -> dict[str, Any]:
        return {
            "seen": self.seen,
            "ingested": self.ingested,
            "duplicates_skipped": self.duplicates_skipped,
            "rejected": dict(self.rejected),
            "analysed": self.analysed,
            "persons": self.persons,
            "events": self.events,
            "documents_total": self.documents_total,
            "relearned": self.relearned,
        }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- per-document stages ----------------------------------------------------------


def clean_one(raw: RawDocument, settings: Settings) -> Article | Rejection:
    """Clean one raw document; any failure becomes a Rejection naming the source."""
    from .clean import clean

    try:
        return clean(raw, settings)
    except InputRejected as exc:
        return Rejection(raw.source, exc.reason, exc.detail)
    except Exception as exc:  # a bug must not take the batch down with it
        log.exception("cleaning %s failed", raw.source)
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return Rejection(raw.source, "internal_error", f"{raw.source}: cleaner failed: {tb}")


def read_and_clean(paths: Iterable[str], settings: Settings) -> Iterator[tuple[RawDocument | None, Article | Rejection]]:
    from .ingest import iter_raw

    for item in iter_raw(paths, settings):
        if isinstance(item, Rejection):
            yield None, item
        else:
            yield item, clean_one(item, settings)


def ingest_documents(
    store: Store,
    paths: Iterable[str],
    settings: Settings,
    report: IngestReport,
    progress: Progress | None = None,
) -> None:
    """Read, clean and store; counts go to ``report`` (``report.ingested`` new documents)."""
    batch: list[tuple[RawDocument, Article]] = []
    pending_hashes: set[str] = set()

    def flush() -> None:
        if not batch:
            return
        known = store.known_hashes(a.content_hash for _, a in batch)
        fresh = [(r, a) for r, a in batch if a.content_hash not in known]
        report.duplicates_skipped += len(batch) - len(fresh)
        store.add_documents(fresh)
        report.ingested += len(fresh)
        batch.clear()
        pending_hashes.clear()

    for raw, result in read_and_clean(paths, settings):
        report.seen += 1
        if progress:
            progress("read", 1, None)
        if isinstance(result, Rejection):
            report.rejected[result.reason] += 1
            store.record_rejection(result, sha256(raw.data) if raw is not None else "")
            continue
        if result.content_hash in pending_hashes:  # same bytes twice in one batch
            report.duplicates_skipped += 1
            continue
        pending_hashes.add(result.content_hash)
        batch.append((raw, result))  # type: ignore[arg-type]
        if len(batch) >= settings.batch_size:
            flush()
    flush()


# After extracting this many documents in one run, the spaCy pipeline is dropped before
# the corpus stages (reloading it costs ~1 s; what it gathered over a long read -
# strings of every new word, memo tables - is memory those stages can use). Small runs
# keep it loaded for the next call in the same process.
RELEASE_MODEL_AFTER = 2_000
# The same gathering grows through one long extraction (every new word of a million
# documents): the model is renewed after this many, so what it holds is at most this
# many documents' worth however long the run (a reload and re-warm, a few seconds per
# 20k documents; what it reads is unchanged).
RENEW_MODEL_EVERY = 20_000


def analyse_batch(store: Store, ids: Sequence[str], settings: Settings) -> int:
    """Extract and store one batch of documents (one transaction: a crash loses at most
    this batch's work; a re-run replaces the same rows); returns how many. Counts them
    against the shared model, which is renewed every ``RENEW_MODEL_EVERY`` documents."""
    from .extract import analyse_many
    from .extract.nlp import renew_nlp_after

    done = list(analyse_many(list(store.articles(ids)), batch_size=min(32, settings.batch_size)))
    store.save_analyses(done)
    renew_nlp_after(len(done), RENEW_MODEL_EVERY)  # the next batch loads it afresh when renewed
    return len(done)


def analyse_pending(store: Store, settings: Settings, report: IngestReport, progress: Progress | None = None) -> None:
    """Run extraction on every document without a current analysis (new or outdated)."""
    from .extract import EXTRACT_VERSION

    ids = store.ids_needing_analysis(EXTRACT_VERSION)
    if not ids:
        return
    if progress:
        progress("extract-start", 0, len(ids))
    for start in range(0, len(ids), settings.batch_size):
        n = analyse_batch(store, ids[start : start + settings.batch_size], settings)
        report.analysed += n
        if progress:
            progress("extract", n, len(ids))


# -- corpus stages -----------------------------------------------------------------


def apply_document_dates(infos: dict[str, DocumentInfo],
                         dates: Mapping[str, Analysis] | Mapping[str, DocumentDate]) -> dict[str, DocumentInfo]:
    """Each document's date as extraction estimated it (``dates``: analyses, or their
    ``DocumentDate`` alone, by doc id); a document without one keeps the stated date."""
    out = {}
    for doc_id, info in infos.items():
        a = dates.get(doc_id)
        if a is None:
            out[doc_id] = replace(info, published=info.published_stated, date_suspect=False)
        else:
            d = a.date if isinstance(a, Analysis) else a
            out[doc_id] = replace(
                info,
                published=d.published or info.published_stated,
                date_suspect=d.suspect,
            )
    return out


def learn_boilerplate(store: Store, settings: Settings, outlets: set[str] | None = None) -> int:
    """Learn paragraphs that recur across one outlet's articles and strip them everywhere.

    Copies of one article (near-duplicates) count once: three re-scrapes of the same
    story must not turn the story itself into "boilerplate". Returns how many documents
    were re-cleaned (their analyses are dropped and redone).
    """
    from . import dedupe
    from .clean.corpus import paragraph_keys, recurring_boilerplate, strip_recurring
    from .store.serde import removals_to_json

    by_outlet = store.outlet_document_ids()
    if outlets is not None:
        by_outlet = {o: docs for o, docs in by_outlet.items() if o in outlets}
    by_outlet = {o: docs for o, docs in by_outlet.items() if len(docs) >= settings.recurring_min_docs}
    if not by_outlet:
        return 0
    infos = store.document_infos()
    ids = {i for docs in by_outlet.values() for i in docs}
    # Texts are streamed from the store, never held for a whole outlet: dedupe signs the
    # documents not yet indexed a chunk at a time; the outlet's texts are read once to
    # count paragraphs and once more to find the documents that carry a learned one.
    unsigned = store.unsigned_ids() & ids
    canon = dedupe.update_store(store, {i: infos[i] for i in ids}, store.lazy_articles(unsigned), settings)
    del infos
    articles = store.lazy_articles(ids)
    known = store.learned_boilerplate()
    changed = 0
    for outlet in by_outlet:
        groups = (((canon[i].duplicate_of or i), outlet, text) for i, text in store.outlet_texts(outlet))
        keys = recurring_boilerplate(groups, settings.recurring_min_docs) | known.get(outlet, set())
        if not keys:
            continue
        store.save_learned_boilerplate((outlet, k, settings.recurring_min_docs) for k in keys)
        carriers = [i for i, text in store.outlet_texts(outlet) if paragraph_keys(text) & keys]
        for article in articles.many(carriers):
            stripped = strip_recurring(article, keys)
            if stripped.text != article.text:
                removed = list(store.document(article.id)["removed"]) + removals_to_json(
                    tuple(r for r in stripped.removed if r.reason == "recurring"))
                store.replace_text(article.id, stripped.text, removed)
                changed += 1
    return changed


def learn_for_pending(store: Store, settings: Settings) -> int:
    """Learn boilerplate for the outlets of every document not yet analysed.

    That is this run's new documents plus anything a killed earlier run stored but
    never finished, so a resumed run ends in the same state as an uninterrupted one.
    """
    from .extract import EXTRACT_VERSION

    outlets = store.outlets_needing_analysis(EXTRACT_VERSION)
    return learn_boilerplate(store, settings, outlets) if outlets else 0


class _Texts(Mapping[str, str]):
    """Article texts by id, read on access (datectx reads the few it needs)."""

    def __init__(self, articles: Mapping[str, Article]) -> None:
        self._a = articles

    def __getitem__(self, doc_id: str) -> str:
        return self._a[doc_id].text

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._a

    def __iter__(self) -> Iterator[str]:
        return iter(self._a)

    def __len__(self) -> int:
        return len(self._a)


class _Reports:
    """(info, analysis) of each analysed document, in id order, read again from the store
    on every iteration (``analyses`` is lazy), with date context's changes laid over."""

    def __init__(self, infos: Mapping[str, DocumentInfo], analyses: Mapping[str, Analysis],
                 changed: Mapping[str, Analysis]) -> None:
        self._infos, self._analyses, self._changed = infos, analyses, changed

    def __iter__(self) -> Iterator[tuple[DocumentInfo, Analysis]]:
        for doc_id in self._analyses:
            info = self._infos.get(doc_id)
            if info is not None:
                got = self._changed.get(doc_id)
                yield info, got if got is not None else self._analyses[doc_id]


def run_corpus_stages(store: Store, settings: Settings, report: IngestReport) -> None:
    """Dates, duplicates (with metadata inheritance), stories, date context, then people and events."""
    from . import datectx, dedupe, stories
    from .resolve import resolve_stream

    infos = apply_document_dates(store.document_infos(), store.analysis_dates())
    # Texts are read on demand, not all held at once (memory flat in the corpus size):
    # dedupe signs only documents not yet indexed, so it gets only their texts; stories
    # and datectx read the texts they need through a lazy mapping.
    infos = dedupe.update_store(store, infos, store.lazy_articles(store.unsigned_ids()), settings)  # new only
    articles = store.lazy_articles(infos)
    # every copy re-inherits from its canonical: dates were just re-derived from analyses
    infos = dedupe.apply(infos, {d: i.duplicate_of or d for d, i in infos.items()})
    # stories read analyses in id order a chunk at a time, with the texts: the corpus's
    # analyses are not held beside its story features (the stage's peak)
    infos = stories.update_store(store, infos, articles, store.lazy_analyses(), settings)
    store.update_documents(infos.values())
    # what remains reads a document's dates, duplicate and story only: its source, title
    # and URL (unique strings, a third of a corpus's infos) are stored and let go
    infos = {d: replace(i, source="", title=None, url=None) for d, i in infos.items()}
    # date context and resolution read every analysis in id order, a chunk at a time (the
    # corpus's analyses are never all held), and never where a name was written
    analyses = store.lazy_analyses(person_spans=False)
    # undated reports borrow their story's (or related reports') date context; only the
    # in-memory analyses change, so stored extraction stays what the document alone says
    dated = datectx.propagate(infos, analyses, _Texts(articles))
    # people are written as they are made, and let go (with the members they were made
    # from) before events are consolidated: a corpus's people and its event mentions
    # are never held together
    persons, events = resolve_stream(_Reports(infos, analyses, dated))
    report.persons, report.events = store.replace_resolution(persons, events)


def run_ingest(
    store: Store,
    paths: Iterable[str],
    settings: Settings | None = None,
    *,
    order: Sequence[str] = DEFAULT_ORDER,
    progress: Progress | None = None,
) -> IngestReport:
    """The main job: ingest ``paths`` into ``store`` and bring every derived table up to date."""
    settings = settings or Settings.load()
    check_order(order)
    report = IngestReport()
    ingest_documents(store, paths, settings, report, progress)
    report.relearned = learn_for_pending(store, settings)
    if "extract" in order:
        analyse_pending(store, settings, report, progress)
    if "resolve" in order:
        if report.analysed >= RELEASE_MODEL_AFTER:
            from .extract.nlp import release_nlp

            release_nlp()  # the corpus stages get the memory the model gathered while reading
        run_corpus_stages(store, settings, report)
    report.documents_total = store.count("documents")
    store.record_run("ingest", report.as_dict())
    return report
