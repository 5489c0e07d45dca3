"""The store behaves the same on SQLite and PostgreSQL (``db_url`` runs each test on both)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from khronika.models import (
    Analysis,
    Article,
    DocPerson,
    DocumentDate,
    DocumentInfo,
    Event,
    EventMention,
    Person,
    Provenance,
    RawDocument,
    Rejection,
    Removal,
    Source,
)
from khronika.store import schema as s
from khronika.store.db import Store


def _doc(text: str, source: str = "a.txt", data: bytes | None = None) -> tuple[RawDocument, Article]:
    data = text.encode("utf-8") if data is None else data
    h = hashlib.sha256(data).hexdigest()
    raw = RawDocument(source, data, "text", {"url": "https://example.org/x", "title": None})
    art = Article(
        id=h[:32], source=source, content_hash=h, text=text, title="Заголовок", author="A. Author",
        outlet="Outlet", url="https://example.org/x", published_stated="2021-03-04", language="ru",
        removed=(Removal("Поддержите нас", "donation_appeal"),),
    )
    return raw, art


def test_migrations_create_every_table_and_are_rerunnable(db_url: str) -> None:
    store = Store(db_url)
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert set(s.metadata.tables) <= tables
        assert "alembic_version" in tables
        store.migrate()  # already at head: a no-op, not an error
        with store.engine.connect() as conn:
            heads = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
        assert len(heads) == 1
    finally:
        store.close()
    again = Store(db_url)  # opening an existing database migrates nothing and loses nothing
    assert again.count("documents") == 0
    again.close()


def test_add_documents_is_idempotent_and_keeps_bytes(store: Store) -> None:
    binary_ish = "Москва, 3 марта. Суд арестовал активиста.".encode("cp1251") + b"\r\n\xff"
    items = [_doc("Первый текст.\n\nВторой абзац."), _doc("Second text", "b.txt"),
             _doc("cp1251 text", "c.txt", data=binary_ish)]
    assert store.add_documents(items) == 3
    assert store.add_documents(items) == 0  # same bytes again: nothing new
    assert store.add_documents(items[:1] + [_doc("Third", "d.txt")]) == 1
    assert store.count("documents") == 4
    assert store.count("raw_blobs") == 4
    _, art = items[2]
    assert store.raw(art.content_hash) == binary_ish
    assert store.known_hashes([a.content_hash for _, a in items] + ["0" * 64]) == {a.content_hash for _, a in items}
    got = {a.id: a for a in store.articles()}
    assert got[items[0][1].id].text == "Первый текст.\n\nВторой абзац."
    row = store.document(items[0][1].id)
    assert row is not None
    assert row["removed"] == [{"text": "Поддержите нас", "reason": "donation_appeal"}]
    assert row["hints"] == {"url": "https://example.org/x"}  # None hints are dropped
    assert row["date_suspect"] is False


def test_rejections_are_recorded_once(store: Store) -> None:
    rej = Rejection("broken.html", "undecodable", "broken.html: no text encoding fits its bytes")
    assert store.record_rejection(rej, "ab" * 32) is True
    assert store.record_rejection(rej, "ab" * 32) is False
    assert store.record_rejection(rej, "cd" * 32) is True  # same file, new bytes: a new rejection
    assert store.record_rejection(Rejection("-", "empty", ""), "") is True
    assert store.record_rejection(Rejection("-", "empty", "other detail"), "") is False
    rows = store.rejections()
    assert [(r["source"], r["reason"]) for r in rows] == [
        ("broken.html", "undecodable"), ("broken.html", "undecodable"), ("-", "empty")]


def test_update_documents_round_trips_derived_columns(store: Store) -> None:
    items = [_doc("one"), _doc("two", "b.txt")]
    store.add_documents(items)
    a, b = (art.id for _, art in items)
    store.update_documents([
        DocumentInfo(a, "a.txt", title="T", outlet="O", published="2021-03-05", date_suspect=True, story="st-1"),
        DocumentInfo(b, "b.txt", duplicate_of=a, story="st-1"),
    ])
    infos = store.document_infos()
    assert infos[a].date_suspect is True and infos[a].published == "2021-03-05"
    assert infos[b].duplicate_of == a and infos[b].date_suspect is False
    assert {i.story for i in infos.values()} == {"st-1"}


@pytest.mark.parametrize("chunk", [None, 1])  # None: as shipped; 1: an id per chunk (a corpus's many)
def test_update_documents_writes_only_changes(store: Store, chunk: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if chunk:
        import khronika.store.db as db

        monkeypatch.setattr(db, "ID_CHUNK", chunk)
    items = [_doc("alpha text"), _doc("beta text", "b.txt"), _doc("gamma text", "c.txt")]
    store.add_documents(items)
    a, b, c = (art.id for _, art in items)
    before = store.document_infos()
    # a: new story only; b: new title; c: as stored (skipped)
    store.update_documents([
        DocumentInfo(a, "a.txt", title="Заголовок", outlet="Outlet", url="https://example.org/x",
                     published="2021-03-04", story="st-9"),
        DocumentInfo(b, "b.txt", title="Renamed headline", outlet="Outlet", url="https://example.org/x",
                     published="2021-03-04"),
        before[c],
    ])
    infos = store.document_infos()
    assert infos[a] == replace(before[a], story="st-9")
    assert infos[b] == replace(before[b], title="Renamed headline")
    assert infos[c] == before[c]
    if store.engine.dialect.name == "sqlite":  # the full-text index follows the new title
        with store.engine.connect() as conn:
            hits = conn.exec_driver_sql("SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'renamed'").all()
            assert len(hits) == 1
            assert conn.exec_driver_sql("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'alpha'").scalar() == 1


# -- analyses: a Hypothesis round-trip ---------------------------------------------------

# Any Unicode a page may hold except surrogates (not encodable) and NUL (PostgreSQL text
# cannot store it; the readers reject NUL-bearing input as binary before it gets here).
_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
_span = st.tuples(st.integers(0, 10**6), st.integers(0, 10**6))
_date = st.one_of(st.none(), st.sampled_from(["2021", "2021-03", "2021-03-04"]))
_version = st.text("abcdef0123456789.", min_size=1, max_size=16)


@st.composite
def analyses(draw: st.DrawFn, doc_id: str) -> Analysis:
    persons = tuple(
        DocPerson(doc_id, f"p{i}", draw(_text), tuple(draw(st.lists(_text, max_size=3))),
                  tuple(draw(st.lists(_text, max_size=2))), draw(st.none() | _text), draw(st.none() | _text),
                  tuple(draw(st.lists(_span, max_size=3))))
        for i in range(draw(st.integers(0, 3)))
    )
    version = draw(_version)
    events = tuple(
        EventMention(
            doc_id, draw(st.sampled_from(["detention", "fine", "sentence", "statement"])),
            draw(st.none() | st.sampled_from([p.key for p in persons] or [None])), draw(_text), draw(_text),
            draw(_span), agent=draw(st.none() | _text), date=draw(_date),
            status=draw(st.sampled_from(["reported", "unconfirmed"])), trigger=draw(st.none() | _text),
            confidence=draw(st.floats(0, 1, allow_nan=False)),
            details=tuple(draw(st.lists(st.tuples(_text, _text), max_size=2))),
            provenance=Provenance("extract", version),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    date = DocumentDate(draw(_date), draw(st.booleans()), draw(st.none() | _text))
    return Analysis(doc_id, persons, events, date, Provenance("extract", version))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_analyses_round_trip(store: Store, data: st.DataObject) -> None:
    items = [_doc("first"), _doc("second", "b.txt")]
    store.add_documents(items)  # idempotent: fine to repeat across examples
    wanted = [data.draw(analyses(art.id)) for _, art in items]
    store.save_analyses(wanted)
    assert store.analyses() == {a.doc_id: a for a in wanted}
    # the corpus stages' load: everything but where each person is named
    spanless = {a.doc_id: replace(a, persons=tuple(replace(p, spans=()) for p in a.persons)) for a in wanted}
    assert store.analyses(person_spans=False) == spanless
    assert store.analyses([wanted[1].doc_id], person_spans=False) == {wanted[1].doc_id: spanless[wanted[1].doc_id]}
    assert store.ids_needing_analysis(wanted[0].provenance.version) == sorted(
        a.doc_id for a in wanted if a.provenance.version != wanted[0].provenance.version)


def test_analyses_by_id_dates_and_lazy_reading_agree(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    items = [_doc(f"doc {i}", f"{i}.txt") for i in range(7)]
    store.add_documents(items)
    wanted = {art.id: Analysis(art.id, (DocPerson(art.id, "p0", f"Name {i}", spans=((i, i + 4),)),), (),
                               DocumentDate(f"2022-0{i + 1}", i % 2 == 0, "why"), Provenance("extract", "t"))
              for i, (_, art) in enumerate(items[:6])}  # the 7th document has no analysis
    store.save_analyses(list(wanted.values()))
    ids = sorted(wanted)
    assert store.analyses(ids[1:4] + ["nope"]) == {i: wanted[i] for i in ids[1:4]}
    assert store.analysis_dates() == {i: a.date for i, a in wanted.items()}

    queries: list[list[str]] = []
    real = store.analyses
    monkeypatch.setattr(store, "analyses", lambda ids=None, **kw: queries.append(list(ids)) or real(ids, **kw))
    lazy = store.lazy_analyses()
    lazy._chunk_size = 4
    assert list(lazy) == ids and len(lazy) == 6
    assert ids[0] in lazy and items[6][1].id not in lazy and "nope" not in lazy and 3 not in lazy
    assert [lazy[i] for i in ids] == [wanted[i] for i in ids]  # in id order: one query per chunk
    assert queries == [ids[:4], ids[4:]]
    assert len(lazy._held) <= 4  # one chunk held, never the corpus
    assert lazy.get(items[6][1].id) is None and lazy.get(ids[1]) == wanted[ids[1]]
    spanless = store.lazy_analyses(person_spans=False)
    assert [spanless[i] for i in ids] == [replace(wanted[i], persons=(replace(wanted[i].persons[0], spans=()),))
                                          for i in ids]
    with pytest.raises(KeyError):
        lazy["nope"]


# -- corpus-level resolution --------------------------------------------------------------


def _resolution(n: int) -> tuple[list[Person], list[Event]]:
    persons = [Person(f"per-{i:036d}", f"Имя {i}", (f"Имя {i}", f"I. {i}"), ("activist",), ("d1", "d2"),
                      members=(("d1", "p0"), ("d2", "p1")), merge_evidence=("same surname and patronymic",))
               for i in range(n)]
    events = [Event(f"ev-{i:037d}", "detention", persons[i].id, persons[i].name,
                    (Source("d1", "Задержан.", (0, 9)), Source("d2", "Detained.", None)),
                    agent="police", date="2021-03-04", conflicts=("date: 2021-03-04 (d1) vs 2021-03-05 (d2)",),
                    confidence=0.75)
              for i in range(n)]
    return persons, events


def test_replace_resolution_swaps_the_whole_set(store: Store) -> None:
    persons, events = _resolution(3)
    store.replace_resolution(persons, events)
    assert store.count("persons") == 3 and store.count("events") == 3 and store.count("event_sources") == 6
    store.replace_resolution(*_resolution(1))
    assert store.count("persons") == 1 and store.count("person_documents") == 2
    (ev,) = store.events()
    assert ev["id"] == events[0].id and ev["confidence"] == 0.75
    assert ev["conflicts"] == ["date: 2021-03-04 (d1) vs 2021-03-05 (d2)"]
    assert ev["sources"] == [{"document": "d1", "evidence": "Задержан.", "span": [0, 9]},
                             {"document": "d2", "evidence": "Detained.", "span": [None, None]}]
    (p,) = store.persons()
    assert p["aliases"] == ["Имя 0", "I. 0"] and p["members"] == [["d1", "p0"], ["d2", "p1"]]
    store.replace_resolution([], [])
    assert store.count("persons") == 0 and store.count("event_sources") == 0


def test_replace_resolution_writes_people_as_they_come_then_asks_for_events(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """People may be an iterator (written a chunk at a time, never listed whole) and
    events a function called only once every person is written; one transaction: a
    failure while making events leaves the previous resolution in place."""
    import khronika.store.db as db

    monkeypatch.setattr(db, "INSERT_CHUNK", 2)
    persons, events = _resolution(5)
    taken: list[str] = []

    def people():
        for p in persons:
            taken.append(p.id)
            yield p

    def make_events():
        assert taken == [p.id for p in persons]  # every person made (and written) first
        return events

    assert store.replace_resolution(people(), make_events) == (5, 5)
    assert store.count("persons") == 5 and store.count("person_documents") == 10
    assert store.count("event_sources") == 10

    def broken():
        raise RuntimeError("consolidation failed")

    with pytest.raises(RuntimeError):
        store.replace_resolution(iter(_resolution(1)[0]), broken)
    assert store.count("persons") == 5 and store.count("events") == 5  # rolled back whole


def test_reviews_survive_replace_resolution(store: Store) -> None:
    store.replace_resolution(*_resolution(2))
    with store.engine.begin() as conn:
        conn.execute(s.reviews.insert().values(target_kind="event", target_id="ev-x", action="reject",
                                               payload={"why": "wrong person"}, reviewer="ed"))
    store.replace_resolution(*_resolution(1))
    with store.engine.connect() as conn:
        (row,) = conn.execute(select(s.reviews)).all()
    assert row.payload == {"why": "wrong person"}


@pytest.mark.parametrize("n", [0, 1])
def test_record_run_and_learned_boilerplate(store: Store, n: int) -> None:
    store.record_run("ingest", {"seen": n, "rejected": {"empty": n}})
    store.save_learned_boilerplate([("Outlet", "k" * 64, 3), ("Outlet", "k" * 64, 3)])
    store.save_learned_boilerplate([("Outlet", "k" * 64, 4)])
    assert store.learned_boilerplate() == {"Outlet": {"k" * 64}}
    assert store.count("runs") == 1


def test_pending_ids_and_outlets_follow_the_analysis_version(store: Store) -> None:
    from dataclasses import replace

    docs = [_doc("first text"), _doc("second text", "b.txt"), _doc("third text", "c.txt")]
    docs[1] = (docs[1][0], replace(docs[1][1], outlet="Other"))
    docs[2] = (docs[2][0], replace(docs[2][1], outlet=None))
    store.add_documents(docs)
    ids = [a.id for _, a in docs]
    assert set(store.ids_needing_analysis("1")) == set(ids)
    assert store.outlets_needing_analysis("1") == {"Outlet", "Other"}  # no None for outlet-less documents
    done = Analysis(ids[1], (), (), DocumentDate(None), Provenance("extract", "1"))
    store.save_analyses([done])
    assert store.outlets_needing_analysis("1") == {"Outlet"}
    assert store.outlets_needing_analysis("2") == {"Outlet", "Other"}  # a new version re-opens it


def test_articles_by_id_beyond_one_in_list(store: Store) -> None:
    # more ids than one IN-list chunk, plus an unknown id: each known article exactly once
    from khronika.store import db as dbmod

    docs = [_doc(f"text number {i}", f"{i:04d}.txt") for i in range(dbmod.ID_CHUNK + 7)]
    store.add_documents(docs)
    ids = [a.id for _, a in docs]
    got = [a.id for a in store.articles(ids + ids[:3] + ["nope"])]
    assert sorted(got) == sorted(ids)
