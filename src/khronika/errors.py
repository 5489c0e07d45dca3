"""Named errors. Library code raises these; only the CLI and HTTP layers turn them
into exit codes or ``{ok, error, status}`` bodies.

A rejected input is never silently dropped: readers and cleaners raise
``InputRejected`` with a short machine code and a human sentence, and the pipeline
records it in the rejections table and moves on to the next input.
"""

from __future__ import annotations


class KhronikaError(Exception):
    """Base class for every error khronika raises on purpose."""

    code = "error"
    exit_code = 1


class InputRejected(KhronikaError):
    """An input cannot become an article. ``reason`` is a short code for counting."""

    code = "rejected"

    def __init__(self, source: str, reason: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.reason = reason
        self.detail = detail


class ConfigError(KhronikaError):
    """Settings, ontology or data files are invalid; raised at start, not mid-run."""

    code = "config"
    exit_code = 2


class StorageError(KhronikaError):
    """The database cannot be opened, migrated or written."""

    code = "storage"
    exit_code = 3


class NotFound(KhronikaError):
    code = "not_found"
    exit_code = 4


class ReviewError(KhronikaError):
    """A review decision is invalid (unknown event, bad action) or unauthorised."""

    code = "review"
    exit_code = 5
