"""A long extraction drops the spaCy pipeline before the corpus stages; nothing it
produces changes, and the next extraction loads the model again."""

from __future__ import annotations

from pathlib import Path

import pytest

from khronika import pipeline
from khronika.export import build
from khronika.extract.nlp import get_nlp
from khronika.pipeline import run_ingest
from khronika.settings import Settings
from khronika.store.db import Store

DEMO = Path(__file__).resolve().parents[1] / "demo" / "seeds"


def _export(tmp_path: Path, name: str) -> dict:
    store = Store(str(tmp_path / name))
    try:
        run_ingest(store, [str(DEMO)], Settings.load())
        return build(store)
    finally:
        store.close()


def test_release_after_a_long_extraction_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _export(tmp_path, "kept.db")
    assert get_nlp.cache_info().currsize == 1  # a short run keeps the model for the next call

    monkeypatch.setattr(pipeline, "RELEASE_MODEL_AFTER", 1)  # every run counts as long
    released = _export(tmp_path, "released.db")
    assert get_nlp.cache_info().currsize == 0  # dropped before the corpus stages ran
    assert released == kept
    assert _export(tmp_path, "again.db") == kept  # loaded afresh, reads the same
    assert get_nlp.cache_info().currsize == 0


def test_no_release_without_extraction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _export(tmp_path, "warm.db")
    monkeypatch.setattr(pipeline, "RELEASE_MODEL_AFTER", 1)
    store = Store(str(tmp_path / "warm.db"))
    try:
        assert run_ingest(store, [str(DEMO)], Settings.load()).analysed == 0  # all stored already
    finally:
        store.close()
    assert get_nlp.cache_info().currsize == 1


def test_model_renewed_through_a_long_extraction_reads_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _export(tmp_path, "kept.db")
    from dataclasses import replace

    from khronika.extract import nlp

    releases: list[int] = []
    real = nlp.release_nlp
    monkeypatch.setattr(nlp, "release_nlp", lambda: releases.append(get_nlp.cache_info().currsize) or real())
    monkeypatch.setattr(pipeline, "RENEW_MODEL_EVERY", 2)  # a fresh model every two documents
    store = Store(str(tmp_path / "renewed.db"))
    try:
        report = run_ingest(store, [str(DEMO)], replace(Settings.load(), batch_size=2))
        assert report.analysed == 5
        assert releases == [1, 1]  # after documents 2 and 4, each time a loaded model; none after the last
        assert build(store) == kept
    finally:
        store.close()
