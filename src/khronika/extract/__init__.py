"""Extraction: people, roles, places, dates and typed events with evidence.

Public API (called by the pipeline)::

    analyse_many(articles, batch_size=32) -> Iterator[Analysis]   # nlp.pipe, same order
    analyse(article) -> Analysis
    load_ontology() -> dict[str, dict]
    EXTRACT_VERSION

Domain knowledge is in ``khronika/data``: ontology.yaml, triggers.yaml, gazetteer.yaml,
roles.yaml, anchors.yaml.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..models import Analysis, Article, Provenance
from .docdate import anchor, document_date
from .events import EventFinder
from .nlp import get_nlp
from .persons import PersonTable
from .resources import load_ontology

EXTRACT_VERSION = "0.4.9"

__all__ = ["EXTRACT_VERSION", "analyse", "analyse_many", "load_ontology"]


def _analysis(article: Article, doc) -> Analysis:
    ddate = document_date(article.text, article.published_stated)
    table = PersonTable(doc, article.id)
    events = EventFinder(doc, table, article.id, anchor(ddate), EXTRACT_VERSION).events()
    if article.title:  # after events: the headline only adds names, never evidence
        table.add_title(get_nlp()(article.title))
    return Analysis(doc_id=article.id, persons=table.doc_persons(), events=tuple(events), date=ddate,
                    provenance=Provenance("extract", EXTRACT_VERSION))


def analyse_many(articles: Iterable[Article], batch_size: int = 32) -> Iterator[Analysis]:
    """One Analysis per Article, in input order (streams: articles are consumed lazily)."""
    nlp = get_nlp()
    pairs = nlp.pipe(((a.text, a) for a in articles), as_tuples=True, batch_size=batch_size)
    for doc, article in pairs:
        yield _analysis(article, doc)


def analyse(article: Article) -> Analysis:
    return next(analyse_many([article], batch_size=1))
