"""The repository: every read and write the pipeline, CLI and web make.

One ``Store`` wraps one SQLAlchemy engine: a SQLite file (WAL, so readers never block
the writer) or a PostgreSQL URL. Writes are transactional per batch and idempotent:
documents are keyed by the sha256 of their raw bytes, rejections by (source, reason,
hash), so re-running an ingest adds nothing.
"""

from __future__ import annotations

import sys
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..errors import StorageError
from ..models import (
    Analysis,
    Article,
    DocumentDate,
    DocumentInfo,
    Event,
    Person,
    RawDocument,
    Rejection,
)
from . import schema as s
from .serde import analysis_from_row, analysis_to_row, removals_to_json

MIGRATIONS = Path(__file__).with_name("migrations")
ID_CHUNK = 500  # ids per IN-list (SQLite allows 32,766 bound variables, older builds 999)


def database_url(db: str) -> str:
    """A path (``khronika.db``) becomes a SQLite URL; URLs pass through."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


class Store:
    def __init__(self, db: str, *, migrate: bool = True) -> None:
        self.url = database_url(db)
        try:
            url = make_url(self.url)
        except Exception as exc:  # sqlalchemy raises ArgumentError for junk
            raise StorageError(f"not a database path or URL: {db!r}") from exc
        self.dialect = url.get_backend_name()
        if self.dialect == "postgresql" and url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is the one we ship
        kwargs: dict[str, Any] = {}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": 60, "check_same_thread": False}
        self.engine: Engine = create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate:
            self.migrate()

    # -- schema -------------------------------------------------------------------
    def migrate(self) -> None:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except (OperationalError, SQLAlchemyError) as exc:
            raise StorageError(f"cannot open or migrate {self.url}: {exc.__class__.__name__}: {exc}") from exc

    def close(self) -> None:
        self.engine.dispose()

    def _insert_ignore(self, table: Any) -> Any:
        """INSERT … ON CONFLICT DO NOTHING on both backends (idempotent re-runs)."""
        # preserve_rowcount: without it psycopg reports rowcount -1 for INSERTs, so
        # "how many were new" read 0 on PostgreSQL (SQLite happened to keep it).
        if self.dialect == "postgresql":
            stmt = postgresql.insert(table).on_conflict_do_nothing()
        else:
            stmt = sqlite.insert(table).on_conflict_do_nothing()
        return stmt.execution_options(preserve_rowcount=True)

    # -- documents ----------------------------------------------------------------
    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        hashes = list(hashes)
        if not hashes:
            return set()
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.documents.c.content_hash).where(s.documents.c.content_hash.in_(hashes)))
            return {r[0] for r in rows}

    def add_documents(self, items: Sequence[tuple[RawDocument, Article]]) -> int:
        """Store raw bytes and clean articles in one transaction; returns how many were new."""
        if not items:
            return 0
        with self.engine.begin() as conn:
            conn.execute(
                self._insert_ignore(s.raw_blobs),
                [{"content_hash": a.content_hash, "data": r.data, "size": len(r.data)} for r, a in items],
            )
            result = conn.execute(
                self._insert_ignore(s.documents),
                [
                    {
                        "id": a.id,
                        "source": a.source,
                        "content_hash": a.content_hash,
                        "kind": r.kind,
                        "text": a.text,
                        "title": a.title,
                        "author": a.author,
                        "outlet": a.outlet,
                        "url": a.url,
                        "language": a.language,
                        "published_stated": a.published_stated,
                        "published": a.published_stated,
                        "date_suspect": False,
                        "removed": removals_to_json(a.removed),
                        "hints": {k: v for k, v in r.hints.items() if v is not None},
                        "clean_version": a.provenance.version,
                    }
                    for r, a in items
                ],
            )
            return max(result.rowcount, 0)

    def record_rejection(self, rej: Rejection, content_hash: str = "") -> bool:
        with self.engine.begin() as conn:
            result = conn.execute(
                self._insert_ignore(s.rejections),
                {"source": rej.source, "reason": rej.reason, "detail": rej.detail, "content_hash": content_hash},
            )
            return result.rowcount > 0

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(s.metadata.tables[table])).scalar_one()

    def rejections(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.rejections).order_by(s.rejections.c.id))
            return [dict(r._mapping) for r in rows]

    def articles(self, ids: Iterable[str] | None = None) -> Iterator[Article]:
        """All articles in (source, id) order, or the given ids in chunks (each chunk in that
        order): one IN-list of a whole corpus's ids would exceed SQLite's bound-variable limit."""
        q = select(s.documents).order_by(s.documents.c.source, s.documents.c.id)
        if ids is None:
            yield from self._articles(q)
            return
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), ID_CHUNK):
            yield from self._articles(q.where(s.documents.c.id.in_(wanted[start : start + ID_CHUNK])))

    def _articles(self, q: Any) -> Iterator[Article]:
        with self.engine.connect() as conn:
            for r in conn.execute(q):
                yield Article(
                    id=r.id,
                    source=r.source,
                    content_hash=r.content_hash,
                    text=r.text,
                    title=r.title,
                    author=r.author,
                    outlet=r.outlet,
                    url=r.url,
                    published_stated=r.published_stated,
                    language=r.language,
                )

    def unsigned_ids(self) -> set[str]:
        """Documents not yet in the near-duplicate index (no MinHash signature): the
        only ones ``dedupe.update_store`` reads the text of."""
        from .dedupe_tables import minhash_signatures

        d = s.documents
        q = select(d.c.id).where(~select(minhash_signatures.c.doc_id)
                                 .where(minhash_signatures.c.doc_id == d.c.id).exists())
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(q)}

    def lazy_articles(self, ids: Iterable[str] | None = None) -> LazyArticles:
        """A read-only mapping doc id -> Article that reads each text when asked for
        it, so a stage that needs a few texts does not hold the whole corpus."""
        if ids is None:
            with self.engine.connect() as conn:
                ids = [r[0] for r in conn.execute(select(s.documents.c.id))]
        return LazyArticles(self, ids)

    def document_infos(self) -> dict[str, DocumentInfo]:
        c = s.documents.c
        # the columns DocumentInfo holds, not the texts and JSON audit trails beside them
        q = select(*(c[k] for k in _INFO_COLUMNS)).order_by(c.source, c.id)
        with self.engine.connect() as conn:
            return {r.id: _info(r) for r in conn.execute(q)}

    def document_rows(self, columns: Sequence[str]) -> list[dict[str, Any]]:
        """Every document's named columns, in (source, id) order, in one query."""
        q = select(*(s.documents.c[c] for c in columns)).order_by(s.documents.c.source, s.documents.c.id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def document(self, doc_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(s.documents).where(s.documents.c.id == doc_id)).first()
            return dict(r._mapping) if r else None

    def raw(self, content_hash: str) -> bytes | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(s.raw_blobs.c.data).where(s.raw_blobs.c.content_hash == content_hash)
            ).scalar_one_or_none()

    def update_documents(self, infos: Iterable[DocumentInfo]) -> None:
        """Write the derived document columns (dates, duplicates, stories, inherited metadata).

        Only changes are written: an unchanged row is skipped, and ``title`` is set only
        where it differs - on SQLite any SET of title fires the full-text trigger, which
        deletes and re-indexes the document's whole text.
        """
        new = {i.id: (i.title, i.outlet, i.url, i.published, i.date_suspect, i.duplicate_of, i.story) for i in infos}
        if not new:
            return
        from sqlalchemy import bindparam

        c = s.documents.c
        ids = sorted(new)
        stmt = update(s.documents).where(c.id == bindparam("b_id"))
        with self.engine.begin() as conn:
            # a chunk of ids at a time: the stored values and the rows to write of a
            # whole corpus (every row changes when stories are assigned afresh) were the
            # corpus stages' peak at 100k documents
            for start in range(0, len(ids), ID_CHUNK):
                part = ids[start : start + ID_CHUNK]
                stored = {r[0]: tuple(r[1:]) for r in conn.execute(
                    select(c.id, *(c[k] for k in _DERIVED_COLUMNS)).where(c.id.in_(part)))}
                retitled: list[dict[str, Any]] = []
                rest: list[dict[str, Any]] = []
                for doc_id in part:
                    values = new[doc_id]
                    old = stored.get(doc_id)
                    if old == values:
                        continue
                    row = {"b_id": doc_id, **dict(zip(_DERIVED_COLUMNS, values, strict=True))}
                    if old is not None and old[0] == values[0]:
                        del row["title"]
                        rest.append(row)
                    else:
                        retitled.append(row)
                for rows, columns in ((retitled, _DERIVED_COLUMNS), (rest, _DERIVED_COLUMNS[1:])):
                    if rows:
                        conn.execute(stmt.values({k: bindparam(k) for k in columns}), rows)

    def outlet_document_ids(self) -> dict[str, list[str]]:
        """outlet -> ids of its documents (no texts), for documents whose outlet is known."""
        out: dict[str, list[str]] = {}
        q = select(s.documents.c.id, s.documents.c.outlet).where(s.documents.c.outlet.is_not(None))
        with self.engine.connect() as conn:
            for r in conn.execute(q.order_by(s.documents.c.id)):
                out.setdefault(r.outlet, []).append(r.id)
        return out

    def outlet_texts(self, outlet: str, chunk: int = ID_CHUNK) -> Iterator[tuple[str, str]]:
        """(doc_id, clean text) of one outlet's documents in id order, read ``chunk`` rows
        at a time (keyset pagination: no cursor stays open while the caller writes)."""
        d = s.documents
        after = ""
        while True:
            q = (select(d.c.id, d.c.text).where((d.c.outlet == outlet) & (d.c.id > after))
                 .order_by(d.c.id).limit(chunk))
            with self.engine.connect() as conn:
                rows = conn.execute(q).all()
            if not rows:
                return
            for r in rows:
                yield r.id, r.text
            after = rows[-1].id

    def replace_text(self, doc_id: str, text: str, removed: list[dict[str, str]]) -> None:
        """Re-cleaned text (e.g. learned boilerplate stripped). Its analysis is dropped so
        extraction runs again: spans point into the text and would otherwise be stale."""
        with self.engine.begin() as conn:
            conn.execute(update(s.documents).where(s.documents.c.id == doc_id).values(text=text, removed=removed))
            conn.execute(delete(s.analyses).where(s.analyses.c.doc_id == doc_id))

    # -- analyses -----------------------------------------------------------------
    def _needing_analysis(self, version: str, column: Any) -> Any:
        d, a = s.documents, s.analyses
        return (select(column).select_from(d.outerjoin(a, a.c.doc_id == d.c.id))
                .where((a.c.doc_id.is_(None)) | (a.c.version != version)))

    def ids_needing_analysis(self, version: str) -> list[str]:
        q = self._needing_analysis(version, s.documents.c.id).order_by(s.documents.c.source, s.documents.c.id)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def outlets_needing_analysis(self, version: str) -> set[str]:
        """Outlets of documents without a current analysis (one query, no texts loaded)."""
        q = self._needing_analysis(version, s.documents.c.outlet).where(s.documents.c.outlet.is_not(None)).distinct()
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(q)}

    def save_analyses(self, items: Sequence[Analysis]) -> None:
        if not items:
            return
        rows = [analysis_to_row(a) for a in items]
        with self.engine.begin() as conn:
            conn.execute(delete(s.analyses).where(s.analyses.c.doc_id.in_([r["doc_id"] for r in rows])))
            conn.execute(insert(s.analyses), rows)

    def analyses(self, ids: Iterable[str] | None = None, *, person_spans: bool = True) -> dict[str, Analysis]:
        """Every stored analysis by doc id, or those of ``ids`` (chunked IN-lists).

        ``person_spans=False`` leaves out where in its text each person is named (every
        ``DocPerson.spans`` is empty): a third of a loaded corpus's persons, which the
        stages working across documents (date context, resolution) never read. Such
        analyses are for reading only, never for saving back.
        """
        q = select(s.analyses)
        with self.engine.connect() as conn:
            if ids is None:
                return {r.doc_id: analysis_from_row(r, person_spans) for r in conn.execute(q)}
            wanted = sorted(set(ids))
            return {r.doc_id: analysis_from_row(r, person_spans)
                    for start in range(0, len(wanted), ID_CHUNK)
                    for r in conn.execute(q.where(s.analyses.c.doc_id.in_(wanted[start : start + ID_CHUNK])))}

    def analysis_dates(self) -> dict[str, DocumentDate]:
        """Each analysis's document date alone (what dating the documents reads), without
        decoding the persons and events beside it."""
        c = s.analyses.c
        with self.engine.connect() as conn:
            return {r.doc_id: DocumentDate(**r.date) for r in conn.execute(select(c.doc_id, c.date))}

    def lazy_analyses(self, *, person_spans: bool = True) -> LazyAnalyses:
        """A read-only mapping doc id -> Analysis that reads analyses a chunk at a time
        when asked for them (a stage reading them in id order holds one chunk);
        ``person_spans`` as for ``analyses``."""
        with self.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(select(s.analyses.c.doc_id))]
        return LazyAnalyses(self, ids, person_spans=person_spans)

    # -- corpus-level results -----------------------------------------------------
    def replace_resolution(self, persons: Iterable[Person],
                           events: Iterable[Event] | Callable[[], Iterable[Event]]) -> tuple[int, int]:
        """Swap in a new persons/events set atomically (machine output only; reviews
        untouched); returns how many persons and events were written.

        Both are consumed lazily, a chunk of rows at a time (one transaction still), so a
        caller can make them as they are written: ``persons`` may be an iterator, and
        ``events`` a function called only once every person is written (events are
        consolidated from the people; see ``resolve.resolve_stream``)."""
        n_persons = n_events = 0
        with self.engine.begin() as conn:
            conn.execute(delete(s.event_sources))
            conn.execute(delete(s.events))
            conn.execute(delete(s.person_documents))
            conn.execute(delete(s.persons))
            for chunk in _chunks(persons, INSERT_CHUNK):
                n_persons += len(chunk)
                conn.execute(insert(s.persons), [
                    {
                        "id": p.id,
                        "name": p.name,
                        "aliases": list(p.aliases),
                        "roles": list(p.roles),
                        "documents": list(p.documents),
                        "members": [list(m) for m in p.members],
                        "merge_evidence": list(p.merge_evidence),
                    }
                    for p in chunk
                ])
                # person ids are unique, so a chunk's (person, document) pairs are its own
                pd = sorted({(p.id, d) for p in chunk for d in p.documents})
                _insert_chunked(conn, s.person_documents, ({"person_id": a, "doc_id": b} for a, b in pd))
            for ev_chunk in _chunks(events() if callable(events) else events, INSERT_CHUNK):
                n_events += len(ev_chunk)
                conn.execute(insert(s.events), [
                    {
                        "id": e.id,
                        "type": e.type,
                        "subject": e.subject,
                        "subject_name": e.subject_name,
                        "agent": e.agent,
                        "date": e.date,
                        "status": e.status,
                        "conflicts": list(e.conflicts),
                        "confidence": e.confidence,
                    }
                    for e in ev_chunk
                ])
                _insert_chunked(conn, s.event_sources, (
                    {
                        "event_id": e.id,
                        "doc_id": src.document,
                        "seq": i,
                        "evidence": src.evidence,
                        "span_start": src.span[0] if src.span else None,
                        "span_end": src.span[1] if src.span else None,
                    }
                    for e in ev_chunk
                    for i, src in enumerate(e.sources)
                ))
        return n_persons, n_events

    def persons(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(s.persons).order_by(s.persons.c.name))]

    def events(self) -> list[dict[str, Any]]:
        """Events with their sources, machine output only (reviews are applied by callers)."""
        with self.engine.connect() as conn:
            evs = [dict(r._mapping) for r in conn.execute(select(s.events).order_by(s.events.c.id))]
            srcs: dict[str, list[dict[str, Any]]] = {}
            q = select(s.event_sources).order_by(s.event_sources.c.event_id, s.event_sources.c.seq)
            for r in conn.execute(q):
                srcs.setdefault(r.event_id, []).append(
                    {"document": r.doc_id, "evidence": r.evidence, "span": [r.span_start, r.span_end]}
                )
        for e in evs:
            e["sources"] = srcs.get(e["id"], [])
        return evs

    # -- learned boilerplate ------------------------------------------------------
    def learned_boilerplate(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(select(s.learned_boilerplate)):
                out.setdefault(r.outlet, set()).add(r.key)
        return out

    def save_learned_boilerplate(self, rows: Iterable[tuple[str, str, int]]) -> None:
        rows = [{"outlet": o, "key": k, "doc_count": n} for o, k, n in rows]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(self._insert_ignore(s.learned_boilerplate), rows)

    # -- runs -----------------------------------------------------------------------
    def record_run(self, command_name: str, counts: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(s.runs).values(command=command_name, counts=counts, finished_at=func.now()))

    # -- change detection ---------------------------------------------------------
    def data_generation(self) -> tuple[Any, ...]:
        """A cheap fingerprint of what readers see, for caches (the web snapshot).

        It changes when an ingest run is recorded or a review decision is written:
        the pipeline rewrites persons, events and documents only inside a run that
        ends with ``record_run``, and reviews are append-only. One query over two
        small tables (max of a primary key, counts of runs and reviews), on SQLite
        and PostgreSQL alike. Writes of a run still in progress, or of one killed
        before its record, are not seen until a run is recorded.
        """
        runs, reviews = s.runs, s.reviews
        q = select(
            select(func.max(runs.c.id)).scalar_subquery(),
            select(func.max(runs.c.finished_at)).scalar_subquery(),
            select(func.count()).select_from(runs).scalar_subquery(),
            select(func.max(reviews.c.id)).scalar_subquery(),
            select(func.count()).select_from(reviews).scalar_subquery(),
        )
        with self.engine.connect() as conn:
            return tuple(conn.execute(q).one())


INSERT_CHUNK = 5000  # rows per executemany when replacing the resolution


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` (an iterable, consumed lazily) as lists of ``size``."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _insert_chunked(conn: Any, table: Any, rows: Iterable[dict[str, Any]], size: int = INSERT_CHUNK) -> None:
    """Insert ``rows`` (an iterable, consumed lazily) ``size`` at a time."""
    for chunk in _chunks(rows, size):
        conn.execute(insert(table), chunk)


def article_chunks(articles: Mapping[str, Article], ids: Sequence[str],
                   size: int = ID_CHUNK) -> Iterator[tuple[Sequence[str], dict[str, Article]]]:
    """``ids`` ``size`` at a time, each chunk with its Articles by id (those the mapping
    has): one query per chunk from a :class:`LazyArticles`, plain lookups otherwise. For
    stages that must not hold a corpus's texts at once."""
    lazy = articles if isinstance(articles, LazyArticles) else None
    for start in range(0, len(ids), size):
        part = ids[start : start + size]
        yield part, ({a.id: a for a in lazy.many(part)} if lazy is not None
                     else {i: articles[i] for i in part if i in articles})


class LazyArticles(Mapping[str, Article]):
    """Articles by id, each read from the store on access (nothing is kept)."""

    def __init__(self, store: Store, ids: Iterable[str]) -> None:
        self._store = store
        self._ids = frozenset(ids)

    def __getitem__(self, doc_id: str) -> Article:
        if doc_id in self._ids:
            for a in self._store.articles([doc_id]):
                return a
        raise KeyError(doc_id)

    def many(self, ids: Iterable[str]) -> Iterator[Article]:
        """The Articles of ``ids`` (those in this mapping), fetched in chunked queries."""
        return self._store.articles([i for i in ids if i in self._ids])

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._ids))

    def __len__(self) -> int:
        return len(self._ids)


class LazyAnalyses(Mapping[str, Analysis]):
    """Analyses by id, read from the store on access a chunk at a time: a miss loads the
    asked id and the ``chunk - 1`` ids after it in id order, replacing the chunk held.
    Read in id order, the whole corpus costs one query per chunk and holds one chunk;
    read at random, one query per access. Never stale within one stage: analyses do not
    change while the corpus stages run."""

    def __init__(self, store: Store, ids: Iterable[str], chunk: int = ID_CHUNK, *, person_spans: bool = True) -> None:
        self._store, self._chunk_size, self._spans = store, max(1, chunk), person_spans
        self._order = sorted(set(ids))
        self._held: dict[str, Analysis] = {}

    def _index(self, doc_id: object) -> int | None:
        i = bisect_left(self._order, doc_id) if isinstance(doc_id, str) else len(self._order)
        return i if i < len(self._order) and self._order[i] == doc_id else None

    def __getitem__(self, doc_id: str) -> Analysis:
        got = self._held.get(doc_id)
        if got is None:
            i = self._index(doc_id)
            if i is None:
                raise KeyError(doc_id)
            self._held = {}  # the old chunk goes before the next one comes
            self._held = self._store.analyses(self._order[i : i + self._chunk_size], person_spans=self._spans)
            got = self._held.get(doc_id)
            if got is None:  # deleted since this mapping was made
                raise KeyError(doc_id)
        return got

    def __contains__(self, doc_id: object) -> bool:
        return self._index(doc_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


# what update_documents writes, title first (a changed title re-indexes the text for search)
_DERIVED_COLUMNS = ("title", "outlet", "url", "published", "date_suspect", "duplicate_of", "story")
_INFO_COLUMNS = ("id", "source", "title", "outlet", "url", "published", "published_stated", "date_suspect",
                 "duplicate_of", "story", "language")


def _shared(v: str | None) -> str | None:
    return None if v is None else sys.intern(v)


def _info(r: Any) -> DocumentInfo:
    # outlets, languages, dates and story ids repeat across a corpus's documents: one
    # copy of each is kept (a corpus's infos are all held by the corpus stages)
    return DocumentInfo(
        id=r.id,
        source=r.source,
        title=r.title,
        outlet=_shared(r.outlet),
        url=r.url,
        published=_shared(r.published),
        published_stated=_shared(r.published_stated),
        date_suspect=bool(r.date_suspect),
        duplicate_of=r.duplicate_of,
        story=_shared(r.story),
        language=_shared(r.language),
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers (web UI) never block the ingest writer
    cur.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; WAL keeps commits atomic
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()
