"""Readers for every format, on small saved inputs (tests/corpus) and generated bad files."""

from __future__ import annotations

import gzip
import io
import os
import sys
from pathlib import Path

import pytest

from khronika.clean import clean
from khronika.errors import InputRejected
from khronika.ingest import iter_raw
from khronika.models import Article, RawDocument, Rejection
from khronika.settings import Settings

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
S = Settings()


def by_name(items):
    return {Path(i.source).name: i for i in items}


def test_jsonl_line_per_document_and_broken_line_rejected():
    items = list(iter_raw([str(CORPUS / "articles.jsonl")], S))
    assert [type(i).__name__ for i in items] == ["RawDocument", "Rejection", "RawDocument"]
    first, broken, html = items
    assert first.source.endswith("articles.jsonl#L1") and first.kind == "text"
    assert first.hints["url"].startswith("https://meduza.io/") and first.hints["date"] == "2022-09-13"
    assert broken.reason == "parse_error" and "articles.jsonl line 2" in broken.detail
    assert html.kind == "html" and html.hints["outlet"] == "The Insider"
    art = clean(first, S)
    assert art.outlet == "Meduza" and art.title == "Court moves to dissolve Smolninskoye council"


def test_warc_yields_html_responses_only_with_uri_and_date_hints():
    items = list(iter_raw([str(CORPUS / "tiny.warc.gz")], S))
    assert len(items) == 1 and isinstance(items[0], RawDocument)
    raw = items[0]
    assert raw.hints["url"] == "https://news.example.org/2022/09/14/deputies-fined"
    assert raw.hints["date"].startswith("2024-03-01")
    art = clean(raw, S)
    # the page's own date wins over the crawl date in WARC-Date
    assert art.published_stated == "2022-09-14"
    assert "fined five municipal deputies" in art.text


def test_warc_decompression_guard_stops_the_file():
    items = list(iter_raw([str(CORPUS / "tiny.warc.gz")], Settings(max_warc_bytes=200)))
    assert len(items) == 1 and items[0].reason == "too_large" and "tiny.warc.gz" in items[0].detail


def test_cp1251_text_is_detected_and_decoded():
    (raw,) = iter_raw([str(CORPUS / "ru_cp1251.txt")], S)
    assert raw.encoding == "cp1251"
    art = clean(raw, S)
    assert "Мещанский районный суд" in art.text and art.language == "ru"


def test_directory_is_recursive_sorted_and_skips_hidden(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    body = "A court in Moscow sentenced an activist to a fine for an anti-war post on social media.\n"
    for rel in ("z.txt", "b/a.md", ".hidden/x.txt", ".dot.txt"):
        (tmp_path / rel).write_text(body, encoding="utf-8")
    names = [Path(i.source).relative_to(tmp_path).as_posix() for i in iter_raw([str(tmp_path)], S)]
    # files of a directory in name order, then its subdirectories in name order
    assert names == ["z.txt", "b/a.md"]
    kinds = {Path(i.source).name: i.kind for i in iter_raw([str(tmp_path / "**" / "*.md")], S)}
    assert kinds == {"a.md": "markdown"}


def test_stdin_is_sniffed(monkeypatch):
    page = b"<html><body><p>" + b"Deputies demanded the resignation of the president in a petition. " * 3 + b"</p></body></html>"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(page)))
    (raw,) = iter_raw(["-"], S)
    assert raw.source == "<stdin>" and raw.kind == "html"


def test_bad_input_directory(tmp_path):
    """Every good file becomes an Article, every bad one a readable Rejection; nothing stops the batch."""
    good_text = "A municipal deputy in St. Petersburg was fined 47,000 rubles for discrediting the army.\n"
    (tmp_path / "a_good.txt").write_text(good_text, encoding="utf-8")
    (tmp_path / "b_binary.txt").write_bytes(b"\x00\x01\x02PK\x00" * 50)
    (tmp_path / "c_empty.txt").write_bytes(b"")
    (tmp_path / "d_invalid_utf8.txt").write_bytes(bytes(range(128, 256)) * 8)
    with open(tmp_path / "e_huge.txt", "wb") as fh:  # 30 MB, over the 20 MB default
        fh.truncate(30 * 1024 * 1024)
    (tmp_path / "f_malformed.html").write_bytes((CORPUS / "malformed.html").read_bytes())
    (tmp_path / "g_photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(200))
    (tmp_path / "h_short.txt").write_text("Share\n\nRead more\n", encoding="utf-8")
    (tmp_path / "i_logs.gz").write_bytes(gzip.compress(b"not an article"))
    (tmp_path / "j_good.md").write_text("# Headline about a court\n\n" + good_text, encoding="utf-8")

    outcome = {}
    for item in iter_raw([str(tmp_path)], S):
        if isinstance(item, Rejection):
            outcome[Path(item.source).name] = item
            continue
        try:
            outcome[Path(item.source).name] = clean(item, S)
        except InputRejected as exc:
            outcome[Path(item.source).name] = Rejection(exc.source, exc.reason, exc.detail)

    expected = {"a_good.txt": None, "b_binary.txt": "binary", "c_empty.txt": "empty",
                "d_invalid_utf8.txt": "undecodable", "e_huge.txt": "too_large", "f_malformed.html": None,
                "g_photo.jpg": "unsupported", "h_short.txt": "too_short", "i_logs.gz": "unsupported",
                "j_good.md": None}
    assert set(outcome) == set(expected)
    for name, reason in expected.items():
        got = outcome[name]
        if reason is None:
            assert isinstance(got, Article), (name, got)
        else:
            assert isinstance(got, Rejection) and got.reason == reason, (name, got)
            assert name in got.detail, got.detail  # the reader names the file
    assert "detained an activist" in outcome["f_malformed.html"].text
    assert outcome["j_good.md"].title == "Headline about a court"


def test_too_large_is_decided_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(2048)
    (item,) = iter_raw([str(big)], Settings(max_input_bytes=1024))
    assert item.reason == "too_large" and "2,048 bytes" in item.detail


def test_missing_path_and_empty_glob_are_rejections(tmp_path):
    items = list(iter_raw([str(tmp_path / "nope.txt"), str(tmp_path / "*.none")], S))
    assert [i.reason for i in items] == ["unreadable", "unreadable"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without permission bits")
def test_unreadable_file(tmp_path):
    f = tmp_path / "locked.txt"
    f.write_text("text", encoding="utf-8")
    f.chmod(0)
    (item,) = iter_raw([str(f)], S)
    assert item.reason == "unreadable" and "locked.txt" in item.detail
