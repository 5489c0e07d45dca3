"""The indexed attribute ruler must annotate exactly like spaCy's own AttributeRuler."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.pipeline import AttributeRuler

from khronika.extract.attrindex import IndexedAttributeRuler
from khronika.extract.nlp import _load_model, get_nlp

DEMO = Path(__file__).resolve().parents[2] / "demo" / "seeds"


def _token_view(doc):
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]


def test_pipeline_uses_the_indexed_ruler():
    assert isinstance(get_nlp().get_pipe("attribute_ruler"), IndexedAttributeRuler)


def test_same_annotations_as_spacy_on_real_articles():
    stock = _load_model()  # the unmodified model: spaCy's AttributeRuler
    assert type(stock.get_pipe("attribute_ruler")) is AttributeRuler
    ours = _load_model()
    from khronika.extract.attrindex import index_attribute_ruler

    index_attribute_ruler(ours)
    texts = [p.read_text(encoding="utf-8") for p in sorted(DEMO.glob("*.txt"))]
    texts += ["", "   \n\n ", "I ain't gonna do it, y'all. Let's go; c'mon! Nothin' there, is there?"]
    assert len(texts) >= 5
    n = 0
    for a, b in zip(stock.pipe(texts), ours.pipe(texts), strict=True):
        assert _token_view(a) == _token_view(b)
        n += len(a)
    assert n > 1000  # really compared something


@pytest.fixture(scope="module")
def vocab_doc():
    nlp = _load_model()
    with nlp.select_pipes(enable=["tok2vec", "tagger", "parser"]):
        doc = nlp("The court fined him twice. It wasn't fair, and they weren't there; "
                  "the activists gonna appeal it. \n Nothin' changes.")
    return nlp, doc


def test_same_matches_for_every_kind_of_pattern(vocab_doc):
    """Equality, IN, NOT_IN, REGEX, flags, several patterns under one key, several
    tokens and negative indices: the indexed ruler returns spaCy's matches, in order."""
    nlp, doc = vocab_doc
    patterns = [
        {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}},
        {"patterns": [[{"LOWER": "court", "TAG": "NN"}], [{"LOWER": "court"}]], "attrs": {"POS": "PROPN"}},
        {"patterns": [[{"LOWER": {"IN": ["it", "they"]}}]], "attrs": {"POS": "PRON"}},
        {"patterns": [[{"TAG": {"NOT_IN": ["NN", "DT", ""]}, "DEP": {"IN": ["nsubj", "dobj"]}}]], "attrs": {"POS": "X"}},
        {"patterns": [[{"LOWER": {"REGEX": "^n[ou]thin'?$"}}]], "attrs": {"POS": "PRON"}},
        {"patterns": [[{"IS_SPACE": True}]], "attrs": {"POS": "SPACE"}},
        {"patterns": [[{"IS_PUNCT": True, "TAG": "."}]], "attrs": {"POS": "PUNCT"}},
        {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "going"}, "index": 0},
        {"patterns": [[{"LOWER": "were"}, {"LOWER": "n't"}]], "attrs": {"LEMMA": "not"}, "index": -1},
        {"patterns": [[{"TAG": "NN", "OP": "+"}]], "attrs": {"POS": "NOUN"}},  # operator: Matcher path
    ]
    stock = AttributeRuler(nlp.vocab)
    ours = IndexedAttributeRuler(nlp.vocab)
    stock.add_patterns(patterns)
    ours.add_patterns(patterns)
    want = stock.match(doc)
    assert want  # the patterns do match this text
    assert ours.match(doc) == want
    assert {m[0] for m in want} >= set(range(8))  # every simple kind contributed a match


def test_patterns_added_later_are_used(vocab_doc):
    nlp, doc = vocab_doc
    ours = IndexedAttributeRuler(nlp.vocab)
    ours.add_patterns([{"patterns": [[{"LOWER": "court"}]], "attrs": {"POS": "PROPN"}}])
    assert len(ours.match(doc)) == 1
    ours.add_patterns([{"patterns": [[{"LOWER": "fined"}]], "attrs": {"POS": "VERB"}}])
    assert len(ours.match(doc)) == 2
