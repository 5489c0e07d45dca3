"""Corpus-level learning: paragraphs one outlet prints under many articles.

A sign-off, a donation pitch or a tagline that no pattern knows still gives itself
away by recurring verbatim across an outlet's articles. These are pure functions;
the pipeline persists the learned keys.
"""

from __future__ import annotations

from collections import defaultdict
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

    ``texts`` yields (doc_id, outlet, clean_text). Documents without an outlet are not
    grouped: unrelated sites quoting the same statement must not erase it.
    """
    docs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc_id, outlet, text in texts:
        if not outlet:
            continue
        for k in paragraph_keys(text):
            docs[(outlet, k)].add(doc_id)
    return {k for (_, k), ids in docs.items() if len(ids) >= max(2, min_docs)}


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
