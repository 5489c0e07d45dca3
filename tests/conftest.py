"""Shared fixtures: database backends and the shared corpus.

``db_url`` runs a test once per backend: a SQLite file in ``tmp_path`` and a fresh
database on a throwaway PostgreSQL server (``pg_server``, started once per session
by ``scripts/pg_test_server.py``). Set ``KHRONIKA_TEST_PG_URL`` to a maintenance
URL (``postgresql://user@host:port/postgres``) to use an existing server instead.

When PostgreSQL cannot run here (no server binaries, not root and no postgres
user...), the postgresql parameters skip and say why. They fail instead when
``KHRONIKA_REQUIRE_PG=1`` or when running as root with the binaries installed
(that is CI after ``make sysdeps``): a broken backend must not pass as skipped.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Hypothesis: CI runs a fixed, derandomised set of examples so a run is reproducible;
# local runs keep exploring new examples (and found real bugs that way).
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")


ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KHRONIKA_SHARED", ROOT.parent / "shared"))
DEV_CORPUS = SHARED / "corpus" / "dev"
BACKENDS = ("sqlite", "postgresql")


def _pg_module() -> Any:
    name = "khronika_pg_test_server"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "pg_test_server.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


class _External:
    """An already-running server given by KHRONIKA_TEST_PG_URL."""

    def __init__(self, url: str) -> None:
        self.url = url

    def url_for(self, dbname: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + dbname

    def stop(self) -> None:
        pass


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: needs a PostgreSQL server (started by the pg_server fixture)")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A PostgreSQL server for the session: ``.url`` (maintenance db) and ``.url_for(name)``."""
    external = os.environ.get("KHRONIKA_TEST_PG_URL")
    if external:
        yield _External(external)
        return
    mod = _pg_module()
    require = os.environ.get("KHRONIKA_REQUIRE_PG") == "1" or (
        hasattr(os, "geteuid") and os.geteuid() == 0 and mod.find_bindir() is not None
    )
    try:
        server = mod.start()
    except mod.PgUnavailable as exc:
        msg = f"PostgreSQL backend unavailable: {exc}"
        if require:
            pytest.fail(msg + " (required: running as root with the server installed, or KHRONIKA_REQUIRE_PG=1)")
        pytest.skip(msg + " - run `make sysdeps` as root, or set KHRONIKA_TEST_PG_URL")
    try:
        yield server
    finally:
        server.stop()


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def pg_database(pg_server: Any) -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the session server; dropped afterwards."""
    name = "t_" + uuid.uuid4().hex[:16]
    _admin(pg_server.url, f'CREATE DATABASE "{name}"')
    try:
        yield pg_server.url_for(name)
    finally:
        _admin(pg_server.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS, ids=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'khronika.db'}"
    request.applymarker(pytest.mark.postgresql)
    return request.getfixturevalue("pg_database")


@pytest.fixture
def store(db_url: str) -> Iterator[Any]:
    """A migrated ``Store`` on each backend, closed after the test."""
    from khronika.store.db import Store

    s = Store(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session")
def dev_corpus() -> Path:
    """The shared dev articles (``../shared/corpus/dev``); skips when ../shared is absent."""
    if not DEV_CORPUS.is_dir() or not any(DEV_CORPUS.iterdir()):
        pytest.skip(f"shared dev corpus not found at {DEV_CORPUS} (clone ../shared beside the repo)")
    return DEV_CORPUS
