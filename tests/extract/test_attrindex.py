"""The indexed attribute ruler and lemmatizer must annotate exactly like spaCy's own
AttributeRuler and EnglishLemmatizer."""

from __future__ import annotations

import random
import re
import warnings

import numpy as np
import pytest
from spacy.attrs import IDS
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.pipeline import AttributeRuler

from conftest import DEV, SEEDS
from khronika.extract.attrindex import IndexedAttributeRuler, index_attribute_ruler
from khronika.extract.lemmaindex import IndexedLemmatizer, index_lemmatizer
from khronika.extract.nlp import _load_model, get_nlp

# every token attribute Doc.to_array reads: tags, morphology, lemmas, parse, entities…
ALL_ATTRS = sorted(name for name in IDS if name)

# the English ruler's exceptions and chains: contractions, dialect, "there is", pronouns
ODDITIES = [
    "I ain't gonna do it, y'all. Let's go; c'mon! Nothin' there, is there?",
    "We gotta tell 'em, she said. They're doin' fine, ain't they? Ol' Ivanov's goin' home.",
    "There are two courts. There was a fine. It wasn't him; it was us, and you'd better know it.",
    "HE SAID THE COURT HAD FINED HIM. i told them myself. 'Nuff said, somethin' happened.",
    "She gets it; he got it. Being detained, they had been questioned. Does it matter? Did they?",
    "Суд оштрафовал Иванова.   Tabs\there\n\n\nand   spaces  \n - dashes -- and \u2019quotes\u2019 n\u2019t",
]


def _corpus_texts() -> list[str]:
    files = sorted([*SEEDS.glob("*.txt"), *DEV.glob("*.txt")])
    if not files:
        pytest.skip(f"shared corpus not found under {SEEDS.parent} (set KHRONIKA_SHARED)")
    return [f.read_text(encoding="utf-8") for f in files]


def _generated(texts: list[str], n: int = 60, seed: int = 7) -> list[str]:
    """Corpus sentences shuffled, recased and mixed with the oddities: rows and word
    sequences the articles alone don't have."""
    rng = random.Random(seed)
    sentences = [s for t in texts for s in re.split(r"(?<=[.!?])\s+|\n+", t) if s.strip()]
    out = []
    for _ in range(n):
        picked = rng.sample(sentences, k=min(len(sentences), rng.randint(3, 12))) + rng.sample(ODDITIES, k=2)
        rng.shuffle(picked)
        recase = [str.upper, str.lower, str.title, str]
        out.append(rng.choice(["\n", " ", "\n\n", "  "]).join(rng.choice(recase)(s) for s in picked))
    return out


def _assert_same_docs(want, got) -> int:
    n = 0
    for a, b in zip(want, got, strict=True):
        assert len(a) == len(b)
        wa, wb = a.to_array(ALL_ATTRS), b.to_array(ALL_ATTRS)
        if not np.array_equal(wa, wb):
            col = int(np.flatnonzero((wa != wb).any(axis=0))[0])
            row = int(np.flatnonzero(wa[:, col] != wb[:, col])[0])
            pytest.fail(f"{ALL_ATTRS[col]} differs at token {row} {a[row].text!r}: "
                        f"{a.vocab.strings[int(wa[row, col])]!r} != {b.vocab.strings[int(wb[row, col])]!r}")
        n += len(a)
    return n


def test_pipeline_uses_the_indexed_components():
    nlp = get_nlp()
    assert isinstance(nlp.get_pipe("attribute_ruler"), IndexedAttributeRuler)
    assert isinstance(nlp.get_pipe("lemmatizer"), IndexedLemmatizer)


def test_same_annotations_as_spacy_on_real_and_generated_articles():
    stock = _load_model()  # the unmodified model: spaCy's AttributeRuler and lemmatizer
    assert type(stock.get_pipe("attribute_ruler")) is AttributeRuler
    assert type(stock.get_pipe("lemmatizer")) is EnglishLemmatizer
    ours = _load_model()
    index_attribute_ruler(ours)
    index_lemmatizer(ours)
    texts = _corpus_texts()
    texts += _generated(texts) + ODDITIES + ["", "   \n\n ", "x"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n = _assert_same_docs(stock.pipe(texts), ours.pipe(texts))
    assert n > 20_000  # really compared something


@pytest.fixture(scope="module")
def vocab_doc():
    nlp = _load_model()
    with nlp.select_pipes(enable=["tok2vec", "tagger", "parser"]):
        doc = nlp("The court fined him twice. It wasn't fair, and they weren't there; "
                  "the activists gonna appeal it. \n Nothin' changes. A court? It fined them.")
    return nlp, doc


KINDS = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN"}},
    {"patterns": [[{"LOWER": "court", "TAG": "NN"}], [{"LOWER": "court"}]], "attrs": {"POS": "PROPN"}},
    {"patterns": [[{"LOWER": {"IN": ["it", "they"]}}]], "attrs": {"POS": "PRON"}},
    {"patterns": [[{"TAG": {"NOT_IN": ["NN", "DT", ""]}, "DEP": {"IN": ["nsubj", "dobj"]}}]], "attrs": {"POS": "X"}},
    {"patterns": [[{"LOWER": {"REGEX": "^n[ou]thin'?$"}}]], "attrs": {"POS": "PRON"}},
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"POS": "SPACE", "TAG": "_SP", "MORPH": "_"}},
    {"patterns": [[{"IS_PUNCT": True, "TAG": "."}]], "attrs": {"POS": "PUNCT"}},
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "going"}, "index": 0},
    {"patterns": [[{"LOWER": "were"}, {"LOWER": "n't"}]], "attrs": {"LEMMA": "not"}, "index": -1},
    {"patterns": [[{"TAG": "NN", "OP": "+"}]], "attrs": {"POS": "NOUN"}},  # operator: Matcher path
    # the same chain twice under one rule, and overlapping chains of other rules
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]] * 2, "attrs": {"POS": "VERB", "MORPH": "VerbForm=Fin"}},
    {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}, {}]], "attrs": {"POS": "AUX"}, "index": 1},  # {}: Matcher
    {"patterns": [[{"DEP": "nsubj"}, {"TAG": {"IN": ["VBD", "VBZ"]}}]], "attrs": {"MORPH": "Tense=Past", "DEP": "dep"}, "index": 1},
    # later rules win over earlier ones on the same token, one token or chained
    {"patterns": [[{"LOWER": "court"}]], "attrs": {"POS": "NOUN", "LEMMA": "tribunal", "MORPH": "Number=Sing"}},
    {"patterns": [[{"TAG": "DT"}, {"LOWER": "court"}]], "attrs": {"POS": "X", "TAG": "XX"}, "index": -1},
    # IN lists too long to expand into table entries
    {"patterns": [[{"LOWER": {"IN": [f"w{i}" for i in range(9)] + ["it", "fined"]},
                    "TAG": {"IN": [f"T{i}" for i in range(9)] + ["PRP", "VBD"]}}]], "attrs": {"LEMMA": "IT"}},
]


def _annotated(ruler, doc):
    return ruler(doc.copy())


def test_same_matches_for_every_kind_of_pattern(vocab_doc):
    """Equality, IN, NOT_IN, REGEX, flags, several patterns under one key, several
    tokens and negative indices: the indexed ruler returns spaCy's matches, in order,
    and leaves the same annotations."""
    nlp, doc = vocab_doc
    stock = AttributeRuler(nlp.vocab)
    ours = IndexedAttributeRuler(nlp.vocab)
    stock.add_patterns(KINDS)
    ours.add_patterns(KINDS)
    want = stock.match(doc)
    assert want  # the patterns do match this text
    assert ours.match(doc) == want
    assert {m[0] for m in want} >= set(range(len(KINDS))) - {9, 11}  # every kind contributed a match
    _assert_same_docs([_annotated(stock, doc)], [_annotated(ours, doc)])
    empty = nlp.make_doc("")
    assert ours.match(empty) == stock.match(empty) == []
    assert len(_annotated(ours, empty)) == 0


@pytest.mark.parametrize("rule", [
    {"patterns": [[{"LOWER": "court"}]], "attrs": {"NORM": "tribunal"}},  # not a plain token field
    {"patterns": [[{"LOWER": "court"}]], "attrs": {"_": {"note": "court"}}},  # extension
])
def test_other_attributes_go_through_spacy(vocab_doc, rule):
    from spacy.tokens import Token

    Token.set_extension("note", default=None, force=True)
    nlp, doc = vocab_doc
    stock, ours = AttributeRuler(nlp.vocab), IndexedAttributeRuler(nlp.vocab)
    stock.add_patterns(KINDS + [rule])
    ours.add_patterns(KINDS + [rule])
    want, got = _annotated(stock, doc), _annotated(ours, doc)
    _assert_same_docs([want], [got])
    assert [t._.note for t in want] == [t._.note for t in got]
    assert [t.norm_ for t in want] == [t.norm_ for t in got]


def test_an_index_outside_the_match_fails_as_in_spacy(vocab_doc):
    nlp, doc = vocab_doc
    bad = [{"patterns": [[{"LOWER": "court"}]], "attrs": {"POS": "NOUN"}, "index": 1}]
    stock, ours = AttributeRuler(nlp.vocab), IndexedAttributeRuler(nlp.vocab)
    stock.add_patterns(KINDS + bad)
    ours.add_patterns(KINDS + bad)
    with pytest.raises(ValueError) as want:
        stock(doc.copy())
    with pytest.raises(ValueError) as got:
        ours(doc.copy())
    assert str(got.value) == str(want.value)


def test_patterns_added_later_are_used(vocab_doc):
    nlp, doc = vocab_doc
    ours = IndexedAttributeRuler(nlp.vocab)
    ours.add_patterns([{"patterns": [[{"LOWER": "court"}]], "attrs": {"POS": "PROPN"}}])
    assert len(ours.match(doc)) == 2  # "court" twice
    assert [t.pos_ for t in ours(doc.copy()) if t.lower_ == "court"] == ["PROPN", "PROPN"]
    ours.add_patterns([{"patterns": [[{"LOWER": "fined"}]], "attrs": {"POS": "VERB"}}])
    assert len(ours.match(doc)) == 4
    ours.clear()
    assert ours.match(doc) == []
