"""Clean: RawDocument -> Article (main text, metadata, audit trail of removals).

``clean`` raises ``errors.InputRejected`` for content that cannot become an article:
undecodable bytes, binary data, text over ``max_text_chars``, or less than
``min_text_chars`` left after cleaning.
"""

from __future__ import annotations

import hashlib

from ..errors import InputRejected
from ..ingest.encoding import binary_reason, declared_charset, decode
from ..models import Article, Provenance, RawDocument
from ..settings import Settings
from . import metadata as md
from .html import extract_html
from .patterns import load_patterns
from .text import clean_text

__all__ = ["clean", "VERSION"]

VERSION = "1"


def _decode(raw: RawDocument) -> str:
    if raw.encoding:
        try:
            return raw.data.decode(raw.encoding)
        except (UnicodeDecodeError, LookupError):
            pass  # the reader's guess was wrong; detect again
    why = binary_reason(raw.data)
    if why:
        raise InputRejected(raw.source, "binary", f"{raw.source} is not text: {why}")
    got = decode(raw.data, declared_charset(raw.data) if raw.kind == "html" else None)
    if got is None:
        raise InputRejected(raw.source, "undecodable", f"{raw.source}: no text encoding fits its bytes")
    return got[0]


def clean(raw: RawDocument, settings: Settings) -> Article:
    p = load_patterns()
    if not raw.data:
        raise InputRejected(raw.source, "empty", f"{raw.source} is empty")
    # NUL past the reader's 8 KB binary sniff (or a JSON "\u0000") is no text; PostgreSQL
    # refuses it in text columns, which failed the whole storage batch and the ingest
    text = _decode(raw).replace("\x00", "")
    if len(text) > settings.max_text_chars:
        raise InputRejected(raw.source, "too_large",
                            f"{raw.source}: {len(text):,} characters, over max_text_chars={settings.max_text_chars:,}")
    hints = {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in (raw.hints or {}).items()}
    page_title = page_author = page_site = page_url = page_date = None
    if raw.kind == "html":
        h = extract_html(text, hints.get("url"))
        text = h.text
        page_title, page_author, page_site, page_url, page_date = h.title, h.author, h.sitename, h.url, h.date
    given_title = hints.get("title") or page_title
    res = clean_text(text, {"title": given_title}, p)
    body = "\n\n".join(res.paragraphs)
    if len(body) < settings.min_text_chars:
        raise InputRejected(raw.source, "too_short",
                            f"{raw.source}: only {len(body)} characters of text left after cleaning "
                            f"(min_text_chars={settings.min_text_chars})")

    url = hints.get("url") or page_url or res.url
    site_outlet = md.canonical_outlet(res.site_suffix, p) if res.site_suffix else None
    if site_outlet and not any(o.name == site_outlet for o in p.outlets):
        site_outlet = None  # "| Freedom" is not an outlet we know; don't invent one
    outlet = (md.outlet_from_url(url, p)
              or (md.canonical_outlet(hints["outlet"], p) if hints.get("outlet") else None)
              or (md.canonical_outlet(page_site, p) if page_site else None)
              or res.outlet or site_outlet)
    # what the page states beats the container: a WARC-Date is the crawl time
    published = md.normalise_date(page_date) or res.published or md.normalise_date(hints.get("date"))
    digest = hashlib.sha256(raw.data).hexdigest()
    return Article(
        id=digest[:16],
        source=raw.source,
        content_hash=digest,
        text=body,
        title=res.title or None,
        author=hints.get("author") or page_author or res.author,
        outlet=outlet,
        url=url,
        published_stated=published,
        language=md.language(body),
        removed=tuple(res.removed),
        provenance=Provenance("clean", VERSION),
    )
