"""Near-duplicates on the real corpus, the SQL band index, and invariants (Hypothesis)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import create_engine

from khronika import dedupe
from khronika.models import DocumentInfo
from khronika.settings import Settings
from khronika.store.dedupe_tables import SqlBandIndex

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
SETTINGS = Settings()


def need_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def seed_docs() -> list[tuple[DocumentInfo, str]]:
    """Seeds with the metadata the cleaner finds: 000 has title, date and URL, 001 none."""
    need_corpus()
    files = sorted((CORPUS / "seeds").glob("*.txt"))
    out = []
    for f in files:
        text = read(f)
        info = DocumentInfo(id=f.stem[:3], source=str(f))
        if f.stem.startswith("000"):
            info = DocumentInfo(id="000", source=str(f), title="Perm City Lawmaker Flees Russia", outlet="The Moscow Times",
                                url="https://www.themoscowtimes.com/2024/01/18/x", published="2024-01-18",
                                published_stated="2024-01-18")
        out.append((info, text))
    return out


def dev_docs() -> list[tuple[DocumentInfo, str]]:
    need_corpus()
    return [(DocumentInfo(id=f.stem, source=str(f)), read(f)) for f in sorted((CORPUS / "dev").glob("*.txt"))]


def test_seed_rescrape_found_with_metadata_rich_canonical():
    docs = seed_docs()
    canon = dedupe.find_duplicates(docs, dedupe.MemoryBandIndex(), SETTINGS)
    assert canon["001"] == "000" and canon["000"] == "000"
    assert {d for d, c in canon.items() if c != d} == {"001"}  # 002/003/004 are different articles
    infos = {i.id: i for i, _ in docs}
    out = dedupe.apply(infos, canon)["001"]
    assert out.duplicate_of == "000"
    assert (out.title, out.outlet, out.url, out.published) == (
        infos["000"].title, infos["000"].outlet, infos["000"].url, infos["000"].published)


def test_inherit_keeps_own_values():
    canon = DocumentInfo(id="a", source="a", title="T", url="u", published="2022-07-08", outlet="O")
    doc = DocumentInfo(id="b", source="b", title="Own title")
    out = dedupe.inherit(doc, canon)
    assert out.title == "Own title" and out.url == "u" and out.published == "2022-07-08" and out.duplicate_of == "a"
    assert dedupe.inherit(canon, canon) == canon


def test_dev_duplicates():
    canon = dedupe.find_duplicates(dev_docs(), dedupe.MemoryBandIndex(), SETTINGS)
    groups = {}
    for d, c in canon.items():
        groups.setdefault(c, set()).add(d)
    # d037/d038 are one Euro Weekly article scraped twice; nothing else in dev is a copy
    assert [g for g in groups.values() if len(g) > 1] == [{"d037", "d038"}]


@pytest.mark.parametrize("make_index", [dedupe.MemoryBandIndex, lambda: _sql_index()])
def test_incremental_equals_one_shot(make_index):
    docs = dev_docs() + seed_docs()
    one_shot = dedupe.find_duplicates(docs, make_index(), SETTINGS)
    index = make_index()
    half = len(docs) // 2
    # second half first: the canonical (seed 000) may arrive after its copy
    merged = dedupe.find_duplicates(docs[half:], index, SETTINGS)
    merged.update(dedupe.find_duplicates(docs[:half], index, SETTINGS))
    assert merged == one_shot
    # re-ingesting is a no-op
    assert dedupe.find_duplicates(docs, index, SETTINGS) == {}


def _sql_index() -> SqlBandIndex:
    index = SqlBandIndex(create_engine("sqlite://"))
    index.create()
    return index


@pytest.fixture
def sql_index(db_url: str):
    """A SqlBandIndex on each backend (the bands go straight to the driver's executemany)."""
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    index = SqlBandIndex(engine)
    index.create()
    try:
        yield index
    finally:
        engine.dispose()


def test_sql_band_index_round_trip(sql_index):
    index = sql_index
    sig = dedupe.signature("Alexei Gorinov was sentenced to seven years in prison on Friday in Moscow.", SETTINGS)
    keys = dedupe.band_keys(sig, SETTINGS)
    entry = dedupe.IndexEntry("d1", sig, (-2, -70, "d1"), "d1")
    index.put(entry)
    index.add("d1", keys)
    assert index.query(keys) == {"d1"} and index.query(keys[1:2]) == {"d1"} and index.query(["nope"]) == set()
    index.put_many([dedupe.IndexEntry("d2", sig, (-1, -70, "d2"), "d2")])
    index.add_many([("d2", keys[:2])])
    assert index.postings([keys[0], keys[2], "nope"]) == {keys[0]: {"d1", "d2"}, keys[2]: {"d1"}}
    got = index.get(["d1", "missing"])["d1"]
    assert got.rank == entry.rank and got.sig.text_hash == sig.text_hash and (got.sig.values == sig.values).all()
    index.set_canonical({"d1": "d0", "d2": "d0"})
    assert index.group("d0") == {"d1", "d2"} and index.get(["d1"])["d1"].canonical == "d0"


texts = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=0, max_size=400)


def _reference_normalise(text: str) -> str:
    """normalise as first written: a Python pass over every character."""
    import unicodedata

    text = dedupe._URL.sub(" ", dedupe._LINK.sub(r"\1", text))
    text = unicodedata.normalize("NFKD", text.translate(dedupe._QUOTES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(dedupe._WORD.findall(text.lower().replace("'", "")))


@hsettings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "M", "N", "P", "Zs", "S")), max_size=200)
       | st.text(alphabet="aé\u0301 «»‘’“”'[]()http://x.org Łö", max_size=60))
def test_normalise_equals_the_per_character_reference(text):
    assert dedupe.normalise(text) == _reference_normalise(text)


@hsettings(max_examples=60, deadline=None)
@given(texts)
def test_signature_is_deterministic(text):
    a, b = dedupe.signature(text, SETTINGS), dedupe.signature(text, SETTINGS)
    assert a.text_hash == b.text_hash and a.size == b.size and (a.values == b.values).all()


@hsettings(max_examples=60, deadline=None)
@given(texts, st.text(alphabet="abc ", max_size=5))
def test_exact_copy_is_always_a_duplicate(text, suffix):
    index = dedupe.MemoryBandIndex()
    a = DocumentInfo(id="a", source="a", title="t")
    b = DocumentInfo(id="b", source="b")
    canon = dedupe.find_duplicates([(a, text), (b, text)], index, SETTINGS)
    assert canon == {"a": "a", "b": "a"}


def test_update_store_in_chunks_equals_one_shot(tmp_path, monkeypatch):
    """The pipeline signs a first ingest a chunk of texts at a time: same duplicates and
    canonicals as signing everything at once, even when each copy is in another chunk."""
    from types import SimpleNamespace

    from khronika.store.db import Store

    docs = dev_docs() + seed_docs()
    infos = {i.id: i for i, _ in docs}
    texts = {i.id: SimpleNamespace(text=t) for i, t in docs}
    one_shot = dedupe.update_store(Store(str(tmp_path / "a.db")), infos, texts, SETTINGS)
    monkeypatch.setattr(dedupe, "SIGN_CHUNK", 1)
    chunked = dedupe.update_store(Store(str(tmp_path / "b.db")), infos, texts, SETTINGS)
    assert chunked == one_shot
    assert {i for i, info in one_shot.items() if info.duplicate_of} == {"001", "d038"}


@given(st.lists(st.sampled_from(["a", "b", "deputy", "x1", "sentenced"]), max_size=30), st.integers(1, 6))
def test_shingles_are_every_run_of_words(words, size):
    if len(words) <= size:
        expected = {" ".join(words).encode()} if words else set()
    else:
        expected = {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}
    assert dedupe.shingles(" ".join(words), size) == expected
