"""Readers: turn one file (or stdin) into RawDocuments, or Rejections naming it.

Each reader is a generator that never raises for a bad input; an unexpected
exception inside one file becomes a ``parse_error`` Rejection for that file only.
Containers (JSONL, WARC) yield one item per line/record so one broken record does
not lose its neighbours.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import IO

from ..models import RawDocument, Rejection
from ..settings import Settings
from .encoding import binary_reason, declared_charset, decode, looks_like_html

Item = RawDocument | Rejection

TEXT_EXT = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
            ".html": "html", ".htm": "html", ".xhtml": "html"}
JSONL_EXT = (".jsonl", ".ndjson")
WARC_EXT = (".warc", ".warc.gz")
HINT_KEYS = ("url", "title", "date", "outlet", "author")


def kind_of(path: str) -> str:
    """'text' | 'markdown' | 'html' | 'jsonl' | 'warc' | 'unknown' from the file name."""
    low = path.lower()
    if low.endswith(WARC_EXT):
        return "warc"
    if low.endswith(JSONL_EXT):
        return "jsonl"
    return TEXT_EXT.get(os.path.splitext(low)[1], "unknown")


def document_from_bytes(source: str, data: bytes, kind: str, settings: Settings,
                        hints: dict[str, str | None] | None = None, declared: str | None = None) -> Item:
    """Checks shared by files, stdin and container records: size, binary, encoding."""
    if not data:
        return Rejection(source, "empty", f"{source} is empty (0 bytes)")
    if len(data) > settings.max_input_bytes:
        return Rejection(source, "too_large",
                         f"{source} is {len(data):,} bytes, over max_input_bytes={settings.max_input_bytes:,}")
    why = binary_reason(data)
    if why:
        if kind == "unknown":
            return Rejection(source, "unsupported", f"{source} has an unknown extension and is not text ({why})")
        return Rejection(source, "binary", f"{source} is not text: {why}")
    if kind == "unknown":
        kind = "html" if looks_like_html(data) else "text"
    if kind == "html":
        declared = declared_charset(data) or declared
    decoded = decode(data, declared)
    if decoded is None:
        if kind == "unknown":
            return Rejection(source, "unsupported", f"{source} has an unknown extension and is not readable text")
        return Rejection(source, "undecodable", f"{source}: no text encoding (UTF-8, cp1251, ...) fits its bytes")
    return RawDocument(source=source, data=data, kind=kind, hints=dict(hints or {}), encoding=decoded[1])


def read_file(path: str, settings: Settings) -> Iterator[Item]:
    kind = kind_of(path)
    try:
        if kind in ("jsonl", "warc"):
            n = 0
            for item in read_jsonl(path, settings) if kind == "jsonl" else read_warc(path, settings):
                n += 1
                yield item
            if n == 0:  # a container that yields nothing must still end with a reason, never silently
                what = "no non-blank lines" if kind == "jsonl" else "no HTML response records"
                yield Rejection(path, "empty", f"{path} has {what}")
            return
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            # check the size before reading: a 30 GB file must not be pulled into memory
            if size > settings.max_input_bytes:
                yield Rejection(path, "too_large",
                                f"{path} is {size:,} bytes, over max_input_bytes={settings.max_input_bytes:,}")
                return
            data = fh.read(settings.max_input_bytes + 1)
    except OSError as exc:
        yield Rejection(path, "unreadable", f"cannot read {path}: {exc.strerror or exc}")
        return
    yield document_from_bytes(path, data, kind, settings)


def read_stream(source: str, stream: IO[bytes], settings: Settings) -> Iterator[Item]:
    """stdin: kind is sniffed, since there is no file name."""
    try:
        data = stream.read(settings.max_input_bytes + 1)
    except OSError as exc:
        yield Rejection(source, "unreadable", f"cannot read {source}: {exc}")
        return
    yield document_from_bytes(source, data, "unknown", settings)


def _hint(value: object) -> str | None:
    if value is None:
        return None
    # a JSON "\ud800" escape parses to a lone surrogate no database or encoder accepts;
    # a broken title must not cost the record, so it becomes U+FFFD
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    return text.strip() or None


def read_jsonl(path: str, settings: Settings) -> Iterator[Item]:
    """One document per line: fields url/title/date/outlet/author and text or html."""
    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            source = f"{path}#L{lineno}"
            if not line.strip():
                continue
            if len(line) > settings.max_input_bytes:
                yield Rejection(source, "too_large", f"{path} line {lineno} is {len(line):,} bytes, over max_input_bytes")
                continue
            try:
                rec = json.loads(line.decode("utf-8-sig"))
            except UnicodeDecodeError:
                yield Rejection(source, "undecodable", f"{path} line {lineno} is not UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield Rejection(source, "parse_error", f"{path} line {lineno} is not valid JSON: {exc.msg}")
                continue
            except RecursionError:  # [[[[... 100k deep: this line only, not the rest of the file
                yield Rejection(source, "parse_error", f"{path} line {lineno} is JSON nested too deeply to read")
                continue
            if not isinstance(rec, dict):
                yield Rejection(source, "parse_error", f"{path} line {lineno} is JSON but not an object")
                continue
            hints = {k: _hint(rec.get(k)) for k in HINT_KEYS}
            if not hints["date"]:
                hints["date"] = _hint(rec.get("published") or rec.get("published_at"))
            body, kind = rec.get("html"), "html"
            if not isinstance(body, str) or not body.strip():
                body, kind = rec.get("text") or rec.get("content"), "text"
            if not isinstance(body, str) or not body.strip():
                yield Rejection(source, "empty", f"{path} line {lineno} has no text or html field")
                continue
            # the record is already decoded; re-encode so RawDocument.data stays bytes we hash
            try:
                data = body.encode("utf-8")
            except UnicodeEncodeError:  # "\ud800" escapes: valid JSON, not text
                yield Rejection(source, "undecodable",
                                f"{path} line {lineno}: its {kind} field contains a lone surrogate escape (not text)")
                continue
            yield RawDocument(source=source, data=data, kind=kind, hints=hints, encoding="utf-8")


def read_warc(path: str, settings: Settings) -> Iterator[Item]:
    """One document per HTML response record; the decompressed total is capped."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    total = 0
    n = 0
    with open(path, "rb") as fh:
        try:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    continue
                n += 1
                source = f"{path}#{n}"
                ctype = (record.http_headers.get_header("Content-Type") if record.http_headers else "") or ""
                if "html" not in ctype.lower():
                    continue
                stream = record.content_stream()
                chunks: list[bytes] = []
                size = 0
                while True:
                    chunk = stream.read(65536)
                    if not chunk:
                        break
                    size += len(chunk)
                    total += len(chunk)
                    if total > settings.max_warc_bytes:
                        # a compression bomb or a giant crawl: stop this file, keep the batch going
                        yield Rejection(path, "too_large",
                                        f"{path}: more than max_warc_bytes={settings.max_warc_bytes:,} decompressed; stopped at record {n}")
                        return
                    if size <= settings.max_input_bytes:
                        chunks.append(chunk)
                hints = {"url": record.rec_headers.get_header("WARC-Target-URI"),
                         "date": record.rec_headers.get_header("WARC-Date")}
                if size > settings.max_input_bytes:
                    yield Rejection(source, "too_large", f"{path} record {n} is {size:,} bytes, over max_input_bytes")
                    continue
                charset = None
                if "charset=" in ctype.lower():
                    charset = ctype.lower().split("charset=", 1)[1].split(";")[0].strip()
                yield document_from_bytes(source, b"".join(chunks), "html", settings, hints, charset)
        except ArchiveLoadFailed as exc:
            yield Rejection(path, "parse_error", f"{path} is not a readable WARC file: {exc}")
