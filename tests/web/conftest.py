"""Fixtures for the web tests (data building lives in ``webseed``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from webseed import HOSTILE, PIPELINE, SEEDS, TOKEN, build

from khronika.store.db import Store


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seed corpus not found at {SEEDS} (../shared is absent)")
    d = tmp_path_factory.mktemp("corpus")
    (d / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    return d


@pytest.fixture
def store(tmp_path, corpus_dir) -> Store:
    st = Store(str(tmp_path / "web.db"))
    PIPELINE["mode"] = build(st, [str(SEEDS), str(corpus_dir)])
    yield st
    st.close()


@pytest.fixture
def client(store):
    from fastapi.testclient import TestClient

    from khronika.web import create_app

    with TestClient(create_app(store, token=TOKEN), base_url="http://testserver") as c:
        yield c


def pytest_terminal_summary(terminalreporter):  # noqa: D103 - says which data the web tests ran on
    if PIPELINE.get("mode") == "fallback":
        terminalreporter.write_line(
            f"web tests ran on the real reader+cleaner with a test-built resolution; run_ingest failed: "
            f"{PIPELINE.get('why')}")
