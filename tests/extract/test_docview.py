"""DocView answers exactly what the spaCy expressions it stands for answer, on real articles."""

from __future__ import annotations

from conftest import DEV, SEEDS, corpus_file
from khronika.extract.docview import DocView


def _docs(nlp):
    paths = [corpus_file(SEEDS, p) for p in ("000", "001")]
    paths += [corpus_file(DEV, f"d{n:03}") for n in range(1, 19)]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    return list(nlp.pipe(texts + ["“We will appeal,” she said.  \n\nNo.", "x"]))


def test_columns_and_structure_match_spacy(nlp):
    compared = 0
    for doc in _docs(nlp):
        v = DocView(doc)
        assert len(v) == len(doc)
        assert v.doc_text == doc.text
        assert [s.start for s in v.sents] == [s.start for s in doc.sents]
        for t in doc:
            i = t.i
            assert (v.text[i], v.lower[i], v.lemma[i]) == (t.text, t.lower_, t.lemma_.lower())
            assert (v.pos[i], v.tag[i], v.dep[i], v.head[i], v.idx[i]) == (t.pos_, t.tag_, t.dep_, t.head.i, t.idx)
            assert v.end_char(i) == t.idx + len(t)
            assert v.sent(i) == t.sent
            assert v.children(i) == [c.i for c in t.children]
            assert list(v.ancestors(i)) == [a.i for a in t.ancestors]
            compared += 1
        assert v.ents == doc.ents
        for s in [*doc.sents, doc[2:9], doc[0:0]]:
            assert v.span_text(s.start, s.end) == s.text
            assert v.ents_in(s.start, s.end) == list(s.ents)
    assert compared > 5000  # really compared something
