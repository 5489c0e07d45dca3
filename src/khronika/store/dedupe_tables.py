"""Persistent near-duplicate index: MinHash signatures and LSH band keys in SQL.

Tables (on the shared ``khronika.store.schema.metadata``):

``minhash_signatures``
    one row per indexed document: ``doc_id`` (PK), ``text_hash`` (sha1 of the
    normalised text), ``size`` (distinct shingles), ``signature`` (uint32 little-endian
    bytes), ``meta_count`` / ``text_len`` (canonical ranking without reloading the
    document), ``canonical`` (current canonical of its duplicate group, indexed).
``minhash_bands``
    ``(band_key, doc_id)`` primary key; ``band_key`` is the leading column, so the
    lookup "which documents share this band" is one index range scan.

:class:`SqlBandIndex` implements :class:`khronika.dedupe.BandIndex` over a SQLAlchemy
``Engine`` or ``Connection``; with a Connection the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    String,
    Table,
    bindparam,
    select,
    update,
)

from ..dedupe import IndexEntry, Signature
from .schema import metadata

__all__ = ["minhash_signatures", "minhash_bands", "SqlBandIndex"]

minhash_signatures = Table(
    "minhash_signatures",
    metadata,
    Column("doc_id", String(32), primary_key=True),
    Column("text_hash", String(40), nullable=False, index=True),
    Column("size", Integer, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("meta_count", Integer, nullable=False),
    Column("text_len", Integer, nullable=False),
    Column("canonical", String(32), nullable=False, index=True),
)

minhash_bands = Table(
    "minhash_bands",
    metadata,
    # "<band>:<16 hex>" or "x:<40 hex>" for the exact-text key
    Column("band_key", String(48), primary_key=True),
    Column("doc_id", String(32), primary_key=True, index=True),
)

# SQLite allows 999 bound parameters in old builds; stay well under it.
_CHUNK = 500


class SqlBandIndex:
    """A :class:`~khronika.dedupe.BandIndex` stored in ``minhash_bands``/``minhash_signatures``."""

    def __init__(self, bind: Engine | Connection) -> None:
        self.bind = bind

    @contextmanager
    def _conn(self, write: bool = False) -> Iterator[Connection]:
        if isinstance(self.bind, Connection):
            yield self.bind
        elif write:
            with self.bind.begin() as conn:
                yield conn
        else:
            with self.bind.connect() as conn:
                yield conn

    def create(self) -> None:
        """Create the two tables if missing (tests, scratch databases; production uses Alembic)."""
        with self._conn(write=True) as conn:
            metadata.create_all(conn, tables=[minhash_signatures, minhash_bands])

    def add(self, doc_id: str, bands: Iterable[str]) -> None:
        self.add_many([(doc_id, bands)])

    def add_many(self, items: Iterable[tuple[str, Iterable[str]]]) -> None:
        rows = [(k, doc_id) for doc_id, bands in items for k in dict.fromkeys(bands)]
        if rows:
            with self._conn(write=True) as conn:
                _insert_rows(conn, minhash_bands, ("band_key", "doc_id"), rows)

    def query(self, bands: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for found in self.postings(bands).values():
            out |= found
        return out

    def postings(self, bands: Iterable[str]) -> dict[str, set[str]]:
        keys = list(dict.fromkeys(bands))
        out: dict[str, set[str]] = {}
        with self._conn() as conn:
            for i in range(0, len(keys), _CHUNK):
                q = select(minhash_bands.c.band_key, minhash_bands.c.doc_id).where(
                    minhash_bands.c.band_key.in_(keys[i : i + _CHUNK]))
                for key, doc_id in conn.execute(q):
                    out.setdefault(key, set()).add(doc_id)
        return out

    def put(self, entry: IndexEntry) -> None:
        self.put_many([entry])

    def put_many(self, entries: Iterable[IndexEntry]) -> None:
        rows = [
            {
                "doc_id": entry.doc_id,
                "text_hash": entry.sig.text_hash,
                "size": entry.sig.size,
                "signature": entry.sig.to_bytes(),
                "meta_count": -entry.rank[0],
                "text_len": -entry.rank[1],
                "canonical": entry.canonical,
            }
            for entry in entries
        ]
        if not rows:
            return
        with self._conn(write=True) as conn:
            ids = [r["doc_id"] for r in rows]
            for i in range(0, len(ids), _CHUNK):
                conn.execute(minhash_signatures.delete().where(minhash_signatures.c.doc_id.in_(ids[i : i + _CHUNK])))
            conn.execute(minhash_signatures.insert(), rows)

    def get(self, ids: Iterable[str]) -> dict[str, IndexEntry]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, IndexEntry] = {}
        with self._conn() as conn:
            for i in range(0, len(ids), _CHUNK):
                q = select(minhash_signatures).where(minhash_signatures.c.doc_id.in_(ids[i : i + _CHUNK]))
                for r in conn.execute(q).mappings():
                    out[r["doc_id"]] = _entry(r)
        return out

    def group(self, canonical: str) -> set[str]:
        with self._conn() as conn:
            q = select(minhash_signatures.c.doc_id).where(minhash_signatures.c.canonical == canonical)
            return set(conn.execute(q).scalars())

    def set_canonical(self, mapping: Mapping[str, str]) -> None:
        rows = [{"d": d, "c": c} for d, c in mapping.items()]
        if not rows:
            return
        stmt = (
            update(minhash_signatures)
            .where(minhash_signatures.c.doc_id == bindparam("d"))
            .values(canonical=bindparam("c"))
        )
        with self._conn(write=True) as conn:
            conn.execute(stmt, rows)


def _insert_rows(conn: Connection, table: Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT ``rows`` (tuples in ``columns`` order) with one driver executemany.

    SQLAlchemy's executemany builds and processes a parameter dict per row, which was
    most of the cost of writing a document's ~43 band keys; plain string columns need
    no bind processing, so the rows go to the driver as they are (in its paramstyle:
    positional for SQLite, named for psycopg)."""
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=list(columns))
    if compiled.positional:
        order = [columns.index(name) for name in compiled.positiontup or ()]
        params: list = rows if order == list(range(len(columns))) else [tuple(r[i] for i in order) for r in rows]
    else:
        params = [dict(zip(columns, r, strict=True)) for r in rows]
    conn.exec_driver_sql(str(compiled), params)


def _entry(r: Mapping[str, Any]) -> IndexEntry:
    sig = Signature.from_bytes(r["text_hash"], r["size"], r["signature"])
    return IndexEntry(r["doc_id"], sig, (-r["meta_count"], -r["text_len"], r["doc_id"]), r["canonical"])
