"""spaCy's English rule lemmatizer, reading and writing its columns in bulk.

The rule lemmatizer walks the doc token by token: a ``Token`` object per token, then
``rule_lemmatize(token)``, whose answer depends only on the token's text, POS and
morphology, then ``token.lemma_ = …``. spaCy caches that answer on ``(orth, pos,
morph)`` only when it went through the suffix rules, not for base forms, proper nouns or
punctuation, so even on text it has seen the Token objects, attribute accesses and
``is_base_form`` tests cost ~2.8 µs a token (0.31 s per 400 news articles). Here ORTH,
POS, MORPH and LEMMA are read with ``doc.to_array``, the lemma is remembered per
``(orth, pos, morph)`` as a string hash (spaCy's ``rule_lemmatize`` is called once per
new triple, on that token), and the lemmas are written with one ``doc.from_array``.
``overwrite`` keeps its meaning: a lemma already set (by the attribute ruler's
exceptions) is left alone unless it is on.

Tokens without POS are not remembered: spaCy warns about each of them (W108). Like
spaCy's own cache, the memory assumes the lookup tables stay as loaded. The lemmas are
spaCy's: tests/extract/test_lemmaindex.py checks ``overwrite`` and the warnings,
tests/extract/test_attrindex.py the whole pipeline on the corpus.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.errors import Errors
from spacy.lang.en import English
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Model

_MEMO_LIMIT = 100_000  # (orth, pos, morph) triples kept (~25 MB); forgotten all at once beyond
_COLUMNS = [ORTH, POS, MORPH, LEMMA]


class IndexedLemmatizer(EnglishLemmatizer):
    """Drop-in EnglishLemmatizer: same lemmas, without a Token object per token."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._lemma_of: dict[tuple[int, int, int], int] = {}  # (orth, pos, morph) -> lemma hash

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "rule":
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables(Errors.E1004)
        error_handler = self.get_error_handler()
        try:
            if len(doc):
                self._lemmatize_doc(doc)
            return doc
        except Exception as e:
            error_handler(self.name, self, [doc], e)  # as spaCy's: returns None if it doesn't raise

    def _lemmatize_doc(self, doc: Doc) -> None:
        memo, strings, overwrite = self._lemma_of, self.vocab.strings, self.overwrite
        rows = doc.to_array(_COLUMNS).tolist()
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma and not overwrite:
                lemmas.append(lemma)
                continue
            key = (orth, pos, morph)
            found = memo.get(key)
            if found is None:
                found = strings.add(self.lemmatize(doc[i])[0])
                if pos:  # no POS: spaCy warns on every such token, so ask it every time
                    if len(memo) >= _MEMO_LIMIT:
                        memo.clear()
                    memo[key] = found
            lemmas.append(found)
        doc.from_array([LEMMA], np.array(lemmas, dtype=np.uint64).reshape(len(lemmas), 1))


@English.factory(
    "khronika_lemmatizer",
    assigns=["token.lemma"],
    default_config={"model": None, "mode": "rule", "overwrite": False,
                    "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"}},
    default_score_weights={"lemma_acc": 1.0},
)
def make_indexed_lemmatizer(nlp: Language, model: Model | None, name: str, mode: str, overwrite: bool,
                            scorer: Callable | None) -> IndexedLemmatizer:
    return IndexedLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)


def index_lemmatizer(nlp: Language, name: str = "lemmatizer") -> None:
    """Replace the pipeline's English rule lemmatizer by the indexed one, keeping its
    tables and settings; any other lemmatizer is left as it is."""
    if name not in nlp.pipe_names:
        return
    old = nlp.get_pipe(name)
    if type(old) is not EnglishLemmatizer or old.mode != "rule":
        return
    new = nlp.replace_pipe(name, "khronika_lemmatizer", config={"mode": old.mode, "overwrite": old.overwrite})
    new.lookups = old.lookups
    new._validate_tables()
