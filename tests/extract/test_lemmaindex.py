"""The indexed lemmatizer must give spaCy's rule lemmas, with the same ``overwrite``
semantics (the whole pipeline is compared on the corpus in test_attrindex.py)."""

from __future__ import annotations

import warnings

import pytest
from spacy.lang.en.lemmatizer import EnglishLemmatizer

from khronika.extract.lemmaindex import IndexedLemmatizer, index_lemmatizer
from khronika.extract.nlp import _load_model

TEXT = ("I ain't gonna do it, y'all. The courts fined them; she was being detained and had been "
        "questioned twice. Ivanov's lawyers said the rulings were better than expected. \n\n "
        "HE GOT IT. Nothin' changes, 'em's the rules.")


@pytest.fixture(scope="module")
def model():
    return _load_model()


def _pair(model, overwrite: bool):
    stock = model.get_pipe("lemmatizer")
    pair = []
    for cls in (EnglishLemmatizer, IndexedLemmatizer):
        lem = cls(model.vocab, None, "lemmatizer", mode="rule", overwrite=overwrite)
        lem.lookups = stock.lookups
        pair.append(lem)
    return pair


def _lemmas(doc):
    return [t.lemma_ for t in doc]


@pytest.mark.parametrize("overwrite", [False, True])
def test_same_lemmas_as_spacy(model, overwrite):
    with model.select_pipes(enable=["tok2vec", "tagger", "parser", "attribute_ruler"]):
        doc = model(TEXT)
    preset = [t.lemma_ for t in doc if t.lemma]
    assert {"be", "I", "not"} <= set(preset)  # the ruler's exceptions set some lemmas first
    stock, ours = _pair(model, overwrite)
    want = _lemmas(stock(doc.copy()))
    assert _lemmas(ours(doc.copy())) == want
    assert _lemmas(ours(doc.copy())) == want  # answered from memory the second time
    if not overwrite:
        assert [lemma for t, lemma in zip(doc, want, strict=True) if t.lemma] == preset


def test_tokens_without_pos_warn_as_in_spacy(model):
    """No tagger: spaCy warns (W108) for every token and lowercases it."""
    stock, ours = _pair(model, overwrite=False)
    doc = model.make_doc("The Court fined them.")
    with warnings.catch_warnings(record=True) as want_warnings:
        warnings.simplefilter("always")
        want = _lemmas(stock(doc.copy()))
    with warnings.catch_warnings(record=True) as got_warnings:
        warnings.simplefilter("always")
        got = _lemmas(ours(doc.copy()))
    assert got == want == ["the", "court", "fined", "them", "."]
    assert len(got_warnings) == len(want_warnings) == len(doc)


def test_only_the_english_rule_lemmatizer_is_replaced():
    nlp = _load_model()
    index_lemmatizer(nlp)
    assert type(nlp.get_pipe("lemmatizer")) is IndexedLemmatizer
    assert nlp.get_pipe("lemmatizer").lookups.tables == _load_model().get_pipe("lemmatizer").lookups.tables
    lookup = _load_model()
    lookup.replace_pipe("lemmatizer", "lemmatizer", config={"mode": "lookup"})
    index_lemmatizer(lookup)
    assert type(lookup.get_pipe("lemmatizer")) is EnglishLemmatizer
