"""recurring_boilerplate reads its input once, as a stream, and counts like the plain
dict-of-sets definition (copies of one document count once via their group id)."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from khronika.clean.corpus import paragraph_keys, recurring_boilerplate


def reference(texts, min_docs):
    docs = defaultdict(set)
    for doc_id, outlet, text in texts:
        if outlet:
            for k in paragraph_keys(text):
                docs[(outlet, k)].add(doc_id)
    return {k for (_, k), ids in docs.items() if len(ids) >= max(2, min_docs)}


PARAS = [
    "Support independent journalism: donate to keep our newsroom running today.",
    "Subscribe to our Telegram channel for the latest updates from the region.",
    "The court sentenced the municipal deputy to seven years in a penal colony.",
    "Police detained at least twenty protesters near the monument on Saturday.",
    "short",
]
docs = st.lists(
    st.tuples(st.sampled_from(["g1", "g2", "g3", "g4", "g5"]), st.sampled_from(["A", "B", None]),
              st.lists(st.sampled_from(PARAS), min_size=1, max_size=4).map("\n\n".join)),
    max_size=25)


@hsettings(max_examples=150, deadline=None)
@given(docs, st.integers(min_value=1, max_value=4))
def test_stream_equals_reference(items, min_docs):
    once = iter(items)  # a generator: read a second time, it would be empty
    assert recurring_boilerplate(once, min_docs) == reference(items, min_docs)


def test_outlets_are_counted_apart():
    p = PARAS[0]
    items = [("a", "X", p), ("b", "Y", p), ("c", "Y", p)]
    assert recurring_boilerplate(iter(items), 3) == set()
    assert recurring_boilerplate(iter(items), 2) == set(paragraph_keys(p))
