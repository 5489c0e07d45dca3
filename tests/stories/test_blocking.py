"""Blocked candidate generation decides exactly as the unblocked reference on real data.

The dev corpus goes through the real pipeline (clean, extract, dates, duplicates); its
story items are then clustered twice: blocked (candidate clusters by shared key and date
bucket, capped, scored by representatives) and exhaustive (every cluster, every member).
Speed is measured in bench/throughput.py, not here.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from khronika.pipeline import apply_document_dates, run_ingest
from khronika.settings import Settings
from khronika.store.db import Store
from khronika.stories import assign_stories, items_from, update_store

DEV = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dev"


@pytest.fixture(scope="module")
def dev_store(tmp_path_factory):
    if not DEV.is_dir():
        pytest.skip(f"shared dev corpus not found at {DEV}")
    store = Store(str(tmp_path_factory.mktemp("blocking") / "dev.db"))
    run_ingest(store, [str(DEV)], Settings.load())
    yield store
    store.close()


@pytest.fixture(scope="module")
def dev_items(dev_store):
    analyses = dev_store.analyses()
    infos = apply_document_dates(dev_store.document_infos(), analyses)
    articles = {a.id: a for a in dev_store.articles()}
    return list(items_from(infos, articles, analyses))


def test_blocked_equals_exhaustive_on_dev(dev_items):
    settings = Settings.load()
    assert len(dev_items) >= 20
    blocked = assign_stories(dev_items, None, settings)
    reference = assign_stories(dev_items, None, settings, exhaustive=True)
    assert blocked == reference


def test_blocked_equals_exhaustive_when_adding_to_stored_stories(dev_items):
    # half the corpus is already stored with its stories; the rest joins them
    settings = Settings.load()
    ids = sorted(it.doc_id for it in dev_items)
    first = assign_stories([it for it in dev_items if it.doc_id in ids[::2]], None, settings)
    blocked = assign_stories(dev_items, first, settings)
    reference = assign_stories(dev_items, first, settings, exhaustive=True)
    assert blocked == reference
    assert all(blocked[d] == s for d, s in first.items())  # never renumbered


def test_update_store_keeps_stored_stories(dev_store):
    # a second run with nothing new leaves every story id as it is
    settings = Settings.load()
    analyses = dev_store.analyses()
    infos = dev_store.document_infos()
    articles = {a.id: a for a in dev_store.articles()}
    again = update_store(dev_store, infos, articles, analyses, settings)
    assert {d: i.story for d, i in again.items()} == {d: i.story for d, i in infos.items()}


def test_update_store_assigns_only_documents_without_a_story(dev_store):
    # as if half the corpus was ingested earlier: those keep their stories, the rest
    # are placed as a full clustering would place them
    settings = Settings.load()
    analyses = dev_store.analyses()
    stored = apply_document_dates(dev_store.document_infos(), analyses)
    articles = {a.id: a for a in dev_store.articles()}
    ids = sorted(stored)
    half = {d: replace(i, story=None) if d not in ids[::2] else i for d, i in stored.items()}
    got = update_store(dev_store, half, articles, analyses, settings)
    assert all(got[d].story == i.story for d, i in half.items() if i.story)
    expected = assign_stories(items_from(half, articles, analyses),
                              {d: i.story for d, i in half.items() if i.story}, settings)
    assert {d: i.story for d, i in got.items()} == expected


def test_fast_normalise_is_dedupe_normalise():
    from khronika.dedupe import normalise
    from khronika.stories import _normalise

    if not DEV.is_dir():
        pytest.skip(f"shared dev corpus not found at {DEV}")
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in sorted(DEV.glob("*.txt"))]
    texts += ["Thorström — «Gorinov» said ‘no’ [link](http://x.org) Łódź Ångström e\u0301"]
    for t in texts:
        assert _normalise(t) == normalise(t)
