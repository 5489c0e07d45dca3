"""Table definitions (SQLAlchemy Core). Alembic migrations in ``migrations/`` create them.

Machine output (documents' derived columns, analyses, persons, events) is rewritten by
the pipeline; human decisions live apart in ``reviews`` and are never touched by it.
Any module that needs a table adds it to ``metadata`` (here or in a module imported
at the bottom of this file), then a migration.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The raw bytes exactly as received, addressed by their sha256. Never altered.
raw_blobs = Table(
    "raw_blobs",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("source", Text, nullable=False),
    Column("content_hash", String(64), ForeignKey("raw_blobs.content_hash"), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("title", Text),
    Column("author", Text),
    Column("outlet", Text),
    Column("url", Text),
    Column("language", String(8)),
    Column("published_stated", String(10)),
    # derived by later stages (extraction's date reasoning, dedupe, stories)
    Column("published", String(10)),
    Column("date_suspect", Boolean, nullable=False, default=False),
    Column("date_evidence", Text),
    Column("duplicate_of", String(32), index=True),
    Column("story", String(40), index=True),
    Column("removed", JSON, nullable=False, default=list),  # [{text, reason}] dropped by the cleaner
    Column("hints", JSON, nullable=False, default=dict),  # metadata the container knew
    Column("clean_version", String(16), nullable=False),
    Column("ingested_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)

rejections = Table(
    "rejections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, default=""),  # "" when unread
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    UniqueConstraint("source", "reason", "content_hash", name="uq_rejections_source_reason_hash"),
)

# Per-document extraction output, stored whole (it is rewritten as a unit when the
# extractor's version changes). Corpus-level tables below are derived from these.
analyses = Table(
    "analyses",
    metadata,
    Column("doc_id", String(32), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("version", String(16), nullable=False),
    Column("persons", JSON, nullable=False),
    Column("events", JSON, nullable=False),
    Column("date", JSON, nullable=False),
)

persons = Table(
    "persons",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", Text, nullable=False),
    Column("aliases", JSON, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("documents", JSON, nullable=False),
    Column("members", JSON, nullable=False),
    Column("merge_evidence", JSON, nullable=False),
)

person_documents = Table(
    "person_documents",
    metadata,
    Column("person_id", String(40), ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
    Column("doc_id", String(32), primary_key=True),
    Index("ix_person_documents_doc", "doc_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("type", String(40), nullable=False, index=True),
    Column("subject", String(40), index=True),
    Column("subject_name", Text, nullable=False),
    Column("agent", Text),
    Column("date", String(10)),
    Column("status", String(16), nullable=False),
    Column("conflicts", JSON, nullable=False),
    Column("confidence", Float, nullable=False, default=1.0),
)

event_sources = Table(
    "event_sources",
    metadata,
    Column("event_id", String(40), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("doc_id", String(32), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("evidence", Text, nullable=False),
    Column("span_start", Integer),
    Column("span_end", Integer),
    Index("ix_event_sources_doc", "doc_id"),
)

# Human decisions. Never written by the pipeline; applied on every page and export.
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target_kind", String(16), nullable=False),  # "event" | "person"
    Column("target_id", String(40), nullable=False, index=True),
    Column("action", String(16), nullable=False),  # confirm | reject | edit | merge | split
    Column("payload", JSON, nullable=False, default=dict),
    Column("reviewer", Text, nullable=False),
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)

# Paragraph keys learned as boilerplate because they recur across one outlet's documents.
learned_boilerplate = Table(
    "learned_boilerplate",
    metadata,
    Column("outlet", Text, primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("doc_count", Integer, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("command", String(32), nullable=False),
    Column("started_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("counts", JSON, nullable=False, default=dict),
)

# Tables owned by other modules register themselves on ``metadata`` when imported.
from . import dedupe_tables as _dedupe_tables  # noqa: E402,F401  (near-duplicate signatures and LSH bands)
