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
from itertools import islice

from ..models import Analysis, Article, Provenance
from .docdate import anchor, document_date
from .events import EventFinder
from .nlp import get_nlp, ner_pipes
from .persons import PersonTable
from .resources import load_ontology

EXTRACT_VERSION = "0.5.1"

__all__ = ["EXTRACT_VERSION", "analyse", "analyse_many", "load_ontology"]


def _analysis(article: Article, doc, title_doc=None) -> Analysis:
    ddate = document_date(article.text, article.published_stated)
    table = PersonTable(doc, article.id)
    events = EventFinder(doc, table, article.id, anchor(ddate), EXTRACT_VERSION).events()
    if title_doc is not None:  # after events: the headline only adds names, never evidence
        table.add_title(title_doc)
    return Analysis(doc_id=article.id, persons=table.doc_persons(), events=tuple(events), date=ddate,
                    provenance=Provenance("extract", EXTRACT_VERSION))


# A headline only contributes names (PersonTable.add_title reads its entities), so it
# goes through the entity components alone (and any embedding layer NER listens to):
# no tagger, parser or lemmatizer, and the same entities as the full pipeline.
TITLE_PIPES = ("khronika_gazetteer", "khronika_names")  # after ner_pipes(nlp)


def _title_pipes(nlp) -> list[str]:
    return [*ner_pipes(nlp), *TITLE_PIPES]


def _title_docs(nlp, titles: list[str], batch_size: int) -> list:
    docs = (nlp.make_doc(t) for t in titles)
    for name in _title_pipes(nlp):
        proc = nlp.get_pipe(name)
        docs = proc.pipe(docs, batch_size=batch_size) if hasattr(proc, "pipe") else map(proc, docs)
    return list(docs)


def analyse_many(articles: Iterable[Article], batch_size: int = 32) -> Iterator[Analysis]:
    """One Analysis per Article, in input order (streams: articles are consumed lazily)."""
    nlp = get_nlp()
    it = iter(articles)
    # Chunked so headlines go through nlp.pipe in batches too: one nlp() call per short
    # title cost ~5% of extraction in per-call overhead.
    while chunk := list(islice(it, batch_size)):
        docs = nlp.pipe([a.text for a in chunk], batch_size=batch_size)
        titles = iter(_title_docs(nlp, [a.title for a in chunk if a.title], batch_size))
        for article, doc in zip(chunk, docs, strict=True):
            yield _analysis(article, doc, next(titles) if article.title else None)


def analyse(article: Article) -> Analysis:
    return next(analyse_many([article], batch_size=1))
