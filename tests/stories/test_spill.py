"""Story features out of core: the vectors read back from the temporary file are the
ones kept in memory, bit for bit, and clustering on them decides the same.

``story_features.SPILL_BYTES`` decides when the records move to a temporary file
(beyond a few MB: a corpus of some thousand documents); here it is forced either way.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from khronika import story_features as sf
from khronika.settings import Settings
from khronika.sparsevec import Vec
from khronika.stories import StoryItem, assign_stories

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_PERSON = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]{2,}\b")


def _people(text: str) -> tuple[tuple[str, tuple[int, ...]], ...]:
    found: dict[str, list[int]] = {}
    for m in _PERSON.finditer(text):
        found.setdefault(m.group(), []).append(m.start())
    return tuple((k, tuple(v)) for k, v in found.items())


def _items(n: int, seed: int, people: bool) -> list[StoryItem]:
    from bench.corpus import generate

    try:
        docs = list(generate(n, seed))
    except FileNotFoundError as e:
        pytest.skip(str(e))
    return [StoryItem(d.id, d.text, d.published, None if d.kind in ("base", "rewrite") else d.group + "-0",
                      title=d.title, published_bound=i % 7 == 3, people=_people(d.text) if people else ())
            for i, d in enumerate(docs)]


@pytest.fixture(scope="module", params=[False, True], ids=["heuristic-names", "people"])
def items(request) -> list[StoryItem]:
    its = _items(300, 5, request.param)
    # a repeated id replaces the earlier item (as the dicts Features kept did)
    return [*its, StoryItem(its[10].doc_id, its[20].text, its[20].published, title="Repeated")]


def _features(monkeypatch, items, spill: bool) -> sf.Features:
    monkeypatch.setattr(sf, "SPILL_BYTES", 0 if spill else 1 << 40)
    f = sf.Features(iter(items))
    assert f._vectors.records.on_disk is spill
    return f


def _same_vec(a: Vec, b: Vec) -> None:
    assert a.ids.dtype == b.ids.dtype == np.int32 and a.w.dtype == b.w.dtype == np.float64
    assert np.array_equal(a.ids, b.ids) and np.array_equal(a.w, b.w)


def _reference(items: list[StoryItem], f: sf.Features) -> dict[str, tuple[list, list, list]]:
    """The dict arithmetic Features did in memory before its vectors moved out of core:
    per document, (term, weight) of text and lead and (key, weight) of names, in order."""
    last = {it.doc_id: it for it in items}
    n = len(last)
    text = {d: sf._terms(it.text) for d, it in last.items()}
    lead = {d: sf._terms((it.title or "") + " " + sf.lead_text(it)) for d, it in last.items()}
    names = {d: f._names(it, sf._lead_end(it, sf.lead_text(it))) for d, it in last.items()}
    df = Counter(k for c in text.values() for k in c)
    df_n = Counter(k for c in names.values() for k in c)
    extracted = any(it.people for it in items)

    def idf(x: int) -> float:
        return math.log((1 + n) / (1 + x) + 1)

    def weigh(c: dict[str, int]) -> list:
        w = {k: (1 + math.log(x)) * idf(df[k]) for k, x in c.items()}
        return list(sf._unit(w).items())

    def name_idf(k: str) -> float:
        return math.log((1 + n) / (1 + df_n[k])) if extracted else idf(df_n[k])

    return {d: (weigh(text[d]), weigh(lead[d]), list(sf._unit({k: w * name_idf(k) for k, w in names[d].items()}).items()))
            for d in last}


def test_spilled_vectors_are_the_in_memory_ones_bit_for_bit(monkeypatch, items):
    monkeypatch.setattr(sf, "WRITE_CHUNK", 4096)  # many writes; reads from the file and from the unwritten tail
    on, off = _features(monkeypatch, items, True), _features(monkeypatch, items, False)
    ref = _reference(items, on)
    try:
        assert list(on.text) == list(off.text) == list(on.items) and len(on.names) == len(off.names) == len(ref)
        terms = on.vocab.terms
        for d in reversed(list(on.items)):  # against the order written
            _same_vec(on.text[d], off.text[d])
            _same_vec(on.lead[d], off.lead[d])
            assert list(on.names[d].items()) == list(off.names[d].items())
            assert on.block_keys(d) == off.block_keys(d)
            assert on.weighted_block_keys(d) == off.weighted_block_keys(d)
            t, ld, nm = ref[d]
            assert [(terms[i], w) for i, w in on.text[d].items()] == t
            assert [(terms[i], w) for i, w in on.lead[d].items()] == ld
            assert list(on.names[d].items()) == nm
        assert "absent" not in on.text and on.names.get("absent") is None
        with pytest.raises(KeyError):
            on.lead["absent"]
    finally:
        on.close()
        off.close()
    assert on._vectors.records._file.closed


@pytest.mark.parametrize("exhaustive", [False, True])
def test_assign_stories_is_the_same_spilled_or_not(monkeypatch, items, exhaustive):
    settings = Settings(story_window_days=60)
    runs = []
    for spill, cache in ((False, sf.CACHE_DOCS), (True, sf.CACHE_DOCS), (True, 5)):
        monkeypatch.setattr(sf, "SPILL_BYTES", 0 if spill else 1 << 40)
        monkeypatch.setattr(sf, "CACHE_DOCS", cache)
        runs.append(assign_stories(iter(items), settings=settings, exhaustive=exhaustive))
    assert runs[0] == runs[1] == runs[2]
    assert len(set(runs[0].values())) < len(runs[0])  # some documents do share stories


def test_cache_stays_within_its_bound(monkeypatch, items):
    monkeypatch.setattr(sf, "CACHE_DOCS", 7)
    seen = []
    load = sf._Vectors.load  # the only place the cache grows

    def checked(self, doc_id):
        out = load(self, doc_id)
        seen.append(len(self.cache))
        assert len(self.cache) <= self.cache_size == 7
        return out

    monkeypatch.setattr(sf._Vectors, "load", checked)
    with _features(monkeypatch, items, True) as f:
        ids = list(f.items)
        for d in ids[:20] + ids[:5] + ids[::-1]:
            assert f.lead[d] is f.lead[d] and list(f.names[d]) == list(f.names[d])
    assign_stories(iter(items), settings=Settings(story_window_days=60))
    assert max(seen) == 7


def test_no_file_is_left_open(monkeypatch, items):
    monkeypatch.setattr(sf, "SPILL_BYTES", 0)
    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    for _ in range(30):
        assign_stories(iter(items[:40]))
        sf.Features(iter(items[:40]))  # not closed: the file goes with the object
    if fds is not None:
        assert len(os.listdir("/proc/self/fd")) <= fds


def test_small_corpora_stay_in_memory(items):
    with sf.Features(iter(items[:50])) as f:
        assert not f._vectors.records.on_disk and len(f.text) == 50
