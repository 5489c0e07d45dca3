"""The corpus stages never hold a corpus's analyses at once: stories, date context and
resolution read them from the store a chunk at a time, and the result is what reading
them whole gave (bench/corpus_stages.py measures the memory this saves)."""

from __future__ import annotations

from pathlib import Path

import pytest

from khronika.export import build
from khronika.pipeline import run_ingest
from khronika.settings import Settings
from khronika.store.db import Store

DEMO = Path(__file__).resolve().parents[1] / "demo" / "seeds"


def _ingest(path: Path) -> Store:
    store = Store(str(path))
    run_ingest(store, [str(DEMO)], Settings.load())
    return store


def test_corpus_stages_read_analyses_a_chunk_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _ingest(tmp_path / "whole.db")
    want = build(whole)
    whole.close()

    reads: list[int | None] = []  # analyses per query; None: every one at once
    real_analyses, real_lazy = Store.analyses, Store.lazy_analyses

    def analyses(self, ids=None, **kw):
        ids = None if ids is None else list(ids)
        reads.append(None if ids is None else len(ids))
        return real_analyses(self, ids, **kw)

    def lazy(self, **kw):
        view = real_lazy(self, **kw)
        view._chunk_size = 2  # the five seeds take three chunks
        return view

    monkeypatch.setattr(Store, "analyses", analyses)
    monkeypatch.setattr(Store, "lazy_analyses", lazy)
    chunked = _ingest(tmp_path / "chunked.db")
    monkeypatch.undo()
    try:
        assert reads and None not in reads and max(reads) <= 2
        assert build(chunked) == want
    finally:
        chunked.close()
