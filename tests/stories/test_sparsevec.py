"""Compact story vectors: the same floats as the dict arithmetic they replace."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from khronika import stories
from khronika.sparsevec import Lookup, Vec, Vocab, cos


def dict_cos(a: dict[str, float], b: dict[str, float]) -> float:  # the replaced code
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(k, 0.0) for k, x in a.items())


def unit(v: dict[str, float]) -> dict[str, float]:
    z = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {k: x / z for k, x in v.items()}


terms = st.sampled_from([f"t{i}" for i in range(40)])
vectors = st.dictionaries(terms, st.floats(min_value=1e-3, max_value=50.0), max_size=25).map(unit)


def as_vec(vocab: Vocab, d: dict[str, float]) -> Vec:
    return Vec([vocab.id(k) for k in d], list(d.values()))


@hsettings(max_examples=300, deadline=None)
@given(vectors, vectors)
def test_cos_is_bit_identical_to_the_dict_version(a, b):
    vocab = Vocab()
    va, vb = as_vec(vocab, a), as_vec(vocab, b)
    assert cos(va, vb) == dict_cos(a, b)
    assert cos(vb, va) == dict_cos(b, a)


@hsettings(max_examples=300, deadline=None)
@given(vectors, st.lists(vectors, max_size=8))
def test_cos_many_is_cos_per_pair(a, bs):
    vocab = Vocab()
    va, vbs = as_vec(vocab, a), [as_vec(vocab, b) for b in bs]
    lookup = Lookup(len(vocab))
    assert lookup.cos_many(va, vbs) == [dict_cos(a, b) for b in bs]
    assert lookup.cos_many(va, vbs[::-1]) == [dict_cos(a, b) for b in bs[::-1]]  # buffers left clean


@given(vectors)
def test_get_and_items_keep_weights_and_insertion_order(a):
    vocab = Vocab()
    v = as_vec(vocab, a)
    assert [(vocab.terms[i], w) for i, w in v.items()] == list(a.items())
    for k, w in a.items():
        assert v.get(vocab.ids[k]) == w
    assert v.get(None) == 0.0 and v.get(vocab.id("absent")) == 0.0


def test_features_read_items_once_and_keep_no_text():
    texts = {
        "a": "Moscow deputy Alexei Gorinov was sentenced to seven years for criticising the war.",
        "b": "A Moscow court sentenced municipal deputy Alexei Gorinov to seven years in prison.",
        "c": "Petersburg deputies called on the Duma to charge the president with treason.",
    }
    items = (stories.StoryItem(d, t, published="2022-07-08") for d, t in texts.items())  # one pass only
    f = stories.Features(items)
    assert set(f.items) == set(texts) and all(it.text == "" for it in f.items.values())
    assert stories.pair_score("a", "b", f) > stories.pair_score("a", "c", f)


def test_scorer_gives_pair_score():
    texts = {
        "a": "Moscow deputy Alexei Gorinov was sentenced to seven years for criticising the war.",
        "b": "A Moscow court sentenced municipal deputy Alexei Gorinov to seven years in prison.",
        "c": "Petersburg deputies called on the Duma to charge the president with treason.",
        "d": "Gorinov's appeal was rejected by the Moscow City Court in September.",
    }
    f = stories.Features(stories.StoryItem(d, t, published="2022-07-08") for d, t in texts.items())
    scorer = stories._Scorer(f, stories.Settings())
    for a in texts:
        others = [m for m in texts if m != a]
        assert scorer.scores(a, others, scorer.fits(a)) == {m: stories.pair_score(a, m, f) for m in others}


@pytest.mark.parametrize("window", [0, 3, 14, -1])
def test_scorer_fits_is_compatible(window):
    # pegs (verdict, appeal, request, none) x dates (day, month, year, lower bound, none)
    texts = ["Gorinov was sentenced to seven years.", "His appeal was rejected.",
             "The prosecutor asked for seven years.", "Gorinov spoke to reporters."]
    dates = [("2022-07-08", False), ("2022-07-20", False), ("2022-07", False), ("2022", False),
             ("2022-07-01", True), ("2022-09-30", True), (None, False)]
    items = [stories.StoryItem(f"{i}-{j}", t, published=d, published_bound=b)
             for i, t in enumerate(texts) for j, (d, b) in enumerate(dates)]
    f = stories.Features(items)
    settings = stories.Settings(story_window_days=window)
    scorer = stories._Scorer(f, settings)

    def reference(a, b):  # the hard limits as first written: on dates, gaps max()ed against the window
        pa, pb = f.peg[a], f.peg[b]
        if pa and pb and pa != pb:
            return False
        x, y = f.peg_date[a], f.peg_date[b]
        if x is None or y is None:
            return True
        gaps = [0] + ([(y[0] - x[1]).days] if x[1] is not None else []) + ([(x[0] - y[1]).days] if y[1] is not None else [])
        return max(gaps) <= window

    for a in f.items:
        fits = scorer.fits(a)
        assert [fits(m) for m in f.items] == [stories.compatible(a, m, f, settings) for m in f.items]
        assert [fits(m) for m in f.items] == [reference(a, m) for m in f.items]


@given(st.dictionaries(st.text("abcdefg", min_size=1, max_size=3), st.floats(0, 1), max_size=12),
       st.dictionaries(st.text("abcdefg", min_size=1, max_size=3), st.floats(0, 1), max_size=12))
def test_name_cos_is_the_dict_arithmetic(a, b):
    def reference(a, b):
        if len(a) > len(b):
            a, b = b, a
        return sum(x * b.get(k, 0.0) for k, x in a.items())

    assert stories._cos(a, b) == reference(a, b) and stories._cos(b, a) == reference(b, a)
