"""Fixtures for extraction tests: real seed/dev articles, analysed once per session."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from khronika.models import Article

SHARED = Path(os.environ.get("KHRONIKA_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
SEEDS = SHARED / "corpus" / "seeds"
DEV = SHARED / "corpus" / "dev"


def _article(path: Path, stated: str | None = None) -> Article:
    data = path.read_bytes()
    return Article(id=path.name, source=str(path), content_hash=hashlib.sha256(data).hexdigest(),
                   text=data.decode("utf-8"), published_stated=stated)


def corpus_file(directory: Path, prefix: str) -> Path:
    if not directory.is_dir():
        pytest.skip(f"shared corpus not found at {directory} (set KHRONIKA_SHARED)")
    found = sorted(directory.glob(f"{prefix}*"))
    if not found:
        pytest.skip(f"{prefix}* not in {directory}")
    return found[0]


@pytest.fixture(scope="session")
def nlp():
    from khronika.extract.nlp import get_nlp

    try:
        return get_nlp()
    except OSError as exc:
        pytest.skip(f"spaCy model not installed: {exc}")


@pytest.fixture(scope="session")
def seed_analyses(nlp):
    """Seeds 000, 002, 003, 004 with the dates their pages state (000: January 18,
    2024; 002: January 22, 2025 - the suspect one)."""
    from khronika.extract import analyse_many

    specs = [("000", "2024-01-18"), ("002", "2025-01-22"), ("003", None), ("004", None)]
    arts = [_article(corpus_file(SEEDS, p), stated) for p, stated in specs]
    return {p: an for (p, _), an in zip(specs, analyse_many(arts), strict=True)}


@pytest.fixture(scope="session")
def article():
    """article(directory_name, prefix, stated=None) -> Article from the shared corpus."""
    dirs = {"seeds": SEEDS, "dev": DEV}

    def make(where: str, prefix: str, stated: str | None = None) -> Article:
        return _article(corpus_file(dirs[where], prefix), stated)

    return make
