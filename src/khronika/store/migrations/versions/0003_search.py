"""full-text search over documents

SQLite: an FTS5 external-content table over documents(title, text), kept in step by
triggers (no copy of the text is stored). PostgreSQL: a GIN index on the tsvector the
web search queries with plainto_tsquery.

If the documents table is ever rebuilt (a batch ALTER on SQLite copies it and drops its
triggers), the migration doing that must re-run this one's ``_sqlite_up``; a plain
``INSERT INTO documents_fts(documents_fts) VALUES('rebuild')`` re-syncs the index.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PG_EXPR = "to_tsvector('simple', coalesce(title, '') || ' ' || text)"


def _sqlite_up() -> None:
    op.execute("DROP TABLE IF EXISTS documents_fts")
    op.execute(
        "CREATE VIRTUAL TABLE documents_fts USING fts5("
        "title, text, content='documents', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute("""
        CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN
          INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END""")
    op.execute("""
        CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN
          INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
        END""")
    op.execute("""
        CREATE TRIGGER documents_fts_au AFTER UPDATE OF title, text ON documents BEGIN
          INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
          INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END""")
    op.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_up()
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_documents_fts ON documents USING gin ({PG_EXPR})")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trig in ("documents_fts_ai", "documents_fts_ad", "documents_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trig}")
        op.execute("DROP TABLE IF EXISTS documents_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_documents_fts")
