"""Pass 3 (initials and bare surnames) decides exactly what the reference resolver did,
on generated corpora built to reach every branch: one candidate in the document, two
in one document told apart by the exact surname form (Yeltsin / Yeltsina), several in a
story, one or several in the corpus, names that contradict (Oleg vs Ilya Yashin)."""

from __future__ import annotations

import reference_resolve as ref  # beside this file (rootdir-relative import, no package)
from hypothesis import example, given, settings
from hypothesis import strategies as st

import khronika.resolve as fast
from khronika.models import Analysis, DocPerson, DocumentDate, DocumentInfo

FULL = ["Boris Yeltsin", "Naina Yeltsina", "Tatyana Yeltsina", "Ilya Yashin", "Oleg Yashin",
        "Alexei Gorinov", "Aleksei Gorinov", "Dmitry Medvedev", "Sergei Medvedev"]
SHORT = ["Yeltsin", "Yeltsina", "B. Yeltsin", "N. Yeltsina", "Yashin", "I. Yashin", "O. Yashin",
         "Gorinov", "A. Gorinov", "Medvedev", "D. A. Medvedev", "S. Medvedev"]

person = st.tuples(st.sampled_from(FULL + SHORT), st.lists(st.sampled_from(FULL + SHORT), max_size=1))
doc = st.tuples(st.integers(0, 3), st.lists(person, min_size=1, max_size=4))  # (story, people)


@settings(max_examples=150, deadline=None)
@given(st.lists(doc, min_size=1, max_size=14))
@example([(0, [("Boris Yeltsin", []), ("Naina Yeltsina", []), ("Yeltsina", [])]),  # the exact form decides
          (1, [("N. Yeltsina", [])]), (1, [("Naina Yeltsina", [])]), (2, [("Yashin", [])])])
def test_attach_matches_reference(docs: list) -> None:
    items = []
    for n, (story, people) in enumerate(docs):
        doc_id = f"d{n:03d}"
        persons = tuple(DocPerson(doc_id, f"p{k}", name, tuple(a for a in aliases if a != name))
                        for k, (name, aliases) in enumerate(people))
        info = DocumentInfo(doc_id, f"{doc_id}.txt", story=f"st-{story}" if story else None)
        items.append((info, Analysis(doc_id, persons, (), DocumentDate(None))))
    got, want = fast.resolve(items), ref.resolve(items)
    assert got.persons == want.persons
    assert dict(got.person_of) == dict(want.person_of)
