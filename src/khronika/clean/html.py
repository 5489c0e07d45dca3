"""HTML pages: trafilatura for the main text and metadata, htmldate for the date.

Malformed markup must not crash a batch: any parser failure falls back to a plain
tag strip, and the result still goes through the text cleaner.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass


@dataclass
class HtmlResult:
    text: str
    title: str | None = None
    author: str | None = None
    sitename: str | None = None
    url: str | None = None
    date: str | None = None


def _get(doc: object, name: str) -> str | None:
    value = doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)
    return str(value).strip() or None if value else None


def _strip_tags(page: str) -> str:
    page = re.sub(r"(?is)<(script|style|noscript|template)\b.*?</\1\s*>", " ", page)
    page = re.sub(r"(?is)<!--.*?-->", " ", page)
    page = re.sub(r"(?i)<\s*(br|/p|/div|/h[1-6]|/li|/tr|/article|/section|/blockquote)\b[^>]*>", "\n\n", page)
    page = re.sub(r"(?s)<[^>]*>", " ", page)
    page = htmllib.unescape(page)
    return "\n\n".join(re.sub(r"[ \t]+", " ", p).strip() for p in page.split("\n\n") if p.strip())


def extract_html(page: str, url: str | None = None) -> HtmlResult:
    import trafilatura

    doc = None
    for precision in (True, False):  # precise first; a tiny or odd page may need recall
        try:
            doc = trafilatura.bare_extraction(
                page, url=url, include_comments=False, favor_precision=precision,
                favor_recall=not precision, with_metadata=True,
            )
        except Exception:  # noqa: BLE001 - lxml/trafilatura raise many types on broken markup
            doc = None
        if doc is not None and _get(doc, "text"):
            break
    res = HtmlResult(text="")
    if doc is not None:
        res = HtmlResult(text=_get(doc, "text") or "", title=_get(doc, "title"), author=_get(doc, "author"),
                         sitename=_get(doc, "sitename"), url=_get(doc, "url"), date=None)
    if not res.text.strip():
        res.text = _strip_tags(page)
        if not res.title:
            m = re.search(r"(?is)<title[^>]*>(.*?)</title>", page)
            res.title = htmllib.unescape(re.sub(r"\s+", " ", m.group(1))).strip() or None if m else None
    else:
        # trafilatura separates paragraphs with one newline; the cleaner wants blank lines
        res.text = "\n\n".join(ln for ln in res.text.split("\n") if ln.strip())
    try:
        from htmldate import find_date

        res.date = find_date(page, outputformat="%Y-%m-%d", original_date=True, extensive_search=False)
    except Exception:  # noqa: BLE001 - htmldate on broken markup
        res.date = None
    return res
