"""Corpus-level learning: paragraphs one outlet prints under many articles.

A sign-off, a donation pitch or a tagline that no pattern knows still gives itself
away by recurring verbatim across an outlet's articles. These are pure functions;
the pipeline persists the learned keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace

from ..models import Article, Removal
from .text import key

# short keys ("photo", "share") are already handled by patterns and would collide across texts
MIN_KEY_CHARS = 20


def paragraph_keys(text: str) -> set[str]:
    return {k for k in (key(p) for p in text.split("\n\n")) if len(k) >= MIN_KEY_CHARS}


def recurring_boilerplate(texts: Iterable[tuple[str, str | None, str]], min_docs: int) -> set[str]:
    """Keys of paragraphs found in >= ``min_docs`` distinct documents of the same outlet.

    ``texts`` yields (doc_id, outlet, clean_text), and is read once as a stream (pass a
    generator over the store, not a list of the corpus). Documents without an outlet are
    not grouped: unrelated sites quoting the same statement must not erase it.

    Memory: one 8-byte digest per distinct paragraph; the key text and the set of
    documents are kept only for paragraphs seen in a second document.
    """
    first: dict[bytes, str] = {}  # digest -> first document it was seen in
    docs: dict[bytes, set[str]] = {}  # digest -> documents, once seen in two
    keys: dict[bytes, str] = {}
    for doc_id, outlet, text in texts:
        if not outlet:
            continue
        for k in paragraph_keys(text):
            d = hashlib.blake2b(f"{outlet}\x00{k}".encode(), digest_size=8).digest()
            seen = first.setdefault(d, doc_id)
            if seen != doc_id:
                docs.setdefault(d, {seen}).add(doc_id)
                keys.setdefault(d, k)
    need = max(2, min_docs)
    return {keys[d] for d, ids in docs.items() if len(ids) >= need}


def strip_recurring(article: Article, keys: set[str]) -> Article:
    """The article without paragraphs whose key is in ``keys`` (recorded as "recurring")."""
    if not keys:
        return article
    kept, removed = [], []
    for para in article.text.split("\n\n"):
        if key(para) in keys:
            removed.append(Removal(para, "recurring"))
        else:
            kept.append(para)
    if not removed:
        return article
    return replace(article, text="\n\n".join(kept), removed=article.removed + tuple(removed))
