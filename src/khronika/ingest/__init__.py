"""Ingest: read files, directories, globs, stdin, JSONL and WARC into RawDocuments.

``iter_raw`` never raises for a bad input: every problem is a ``Rejection`` whose
``detail`` names the file (and line or record), and iteration continues.

Size limits: ``max_input_bytes`` applies to a single-document file (checked with
stat before reading), to stdin, to each JSONL line and to each WARC record; a WARC
file as a whole is bounded by ``max_warc_bytes`` of decompressed content.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterable, Iterator

from ..models import RawDocument, Rejection
from ..settings import Settings
from .readers import kind_of, read_file, read_stream

__all__ = ["iter_raw", "kind_of", "expand_paths"]

_GLOB_CHARS = set("*?[")


def _walk(directory: str) -> Iterator[str]:
    """Files under ``directory``, sorted, skipping hidden files and hidden directories."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(root, name)


def expand_paths(paths: Iterable[str]) -> Iterator[str | Rejection]:
    """Each argument as concrete file paths ("-" kept), or a Rejection if it matches nothing."""
    for p in paths:
        if p == "-":
            yield p
        elif os.path.isdir(p):
            yield from _walk(p)
        elif os.path.exists(p) or not (_GLOB_CHARS & set(p)):
            if os.path.exists(p):
                yield p
            else:
                yield Rejection(p, "unreadable", f"{p} does not exist")
        else:
            matches = sorted(glob.glob(p, recursive=True))
            if not matches:
                yield Rejection(p, "unreadable", f"the pattern {p} matches no files")
            for m in matches:
                if os.path.isdir(m):
                    yield from _walk(m)
                elif not os.path.basename(m).startswith("."):
                    yield m


def iter_raw(paths: Iterable[str], settings: Settings) -> Iterator[RawDocument | Rejection]:
    for item in expand_paths(paths):
        if isinstance(item, Rejection):
            yield item
            continue
        if item == "-":
            yield from read_stream("<stdin>", sys.stdin.buffer, settings)
            continue
        try:
            yield from read_file(item, settings)
        except Exception as exc:  # noqa: BLE001 - one broken file must not stop the batch
            yield Rejection(item, "parse_error", f"{item} could not be read: {type(exc).__name__}: {exc}")
