"""Per-document token columns, read once, for the extractors' document-wide loops.

spaCy builds a new ``Token`` on every ``doc[i]``, every step of an iteration and every
child walked to. The person and event extractors look at every token of a document
several times (pronouns, quotations, trigger lemmas, rule windows), and reading one
attribute at a time through Tokens cost more than the checks themselves (issue 7:
1.1M ``Doc.__getitem__`` calls for 400 documents). ``DocView`` reads the columns those
loops need with one ``doc.to_array``; code that looks at a few tokens (a trigger's
clause, a name's roles) keeps using spaCy's Tokens and Spans.

Every method answers exactly what the spaCy expression in its docstring would.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

import numpy as np
from spacy.attrs import DEP, HEAD, IDX, LEMMA, LOWER, ORTH, POS, SPACY, TAG
from spacy.strings import StringStore
from spacy.tokens import Doc, Span

_COLUMNS = (ORTH, LOWER, LEMMA, POS, TAG, DEP, IDX, SPACY)
_DECODED_MAX = 100_000  # strings kept decoded (past it, start afresh: bounded memory)


class _Decoded(dict):
    """hash -> string (``transform``ed). StringStore decodes a new str on every lookup;
    this hands back the one already made. A hash is its string's own, so one table
    serves every vocabulary; ``store`` answers the misses."""

    def __init__(self, transform=None):
        super().__init__()
        self.transform = transform
        self.store: StringStore | None = None

    def using(self, store: StringStore):
        if len(self) > _DECODED_MAX:
            self.clear()
        self.store = store
        return self.__getitem__

    def __missing__(self, h: int) -> str:
        s = self.store[h]
        s = self[h] = self.transform(s) if self.transform else s
        return s


_STRINGS, _LOWERED = _Decoded(), _Decoded(str.lower)


def forget() -> None:
    """Drop the decoded strings and the string store they were read from (with the
    pipeline, ``nlp.release_nlp``): the store is the model's, and would outlive it here."""
    for table in (_STRINGS, _LOWERED):
        table.clear()
        table.store = None


def decoder(store: StringStore):
    """hash -> string for ``store``'s hashes, handing back strings already decoded."""
    return _STRINGS.using(store)


class DocView:
    """Columns of one parsed Doc: ``text``, ``lower``, ``lemma`` (lowercased, as every
    rule compares it), ``pos``, ``tag``, ``dep``, ``head`` (index), ``idx`` (character
    offset), ``spacy`` (a space follows); its sentences, each token's sentence number,
    each token's children and ancestors."""

    def __init__(self, doc: Doc):
        self.doc = doc
        n = len(doc)
        text, lower, lemma, pos, tag, dep, self.idx, self.spacy = doc.to_array(_COLUMNS).T.tolist()
        decode = _STRINGS.using(doc.vocab.strings)
        self.text, self.lower, self.pos, self.tag, self.dep = (
            list(map(decode, col)) for col in (text, lower, pos, tag, dep))
        self.lemma = list(map(_LOWERED.using(doc.vocab.strings), lemma))
        # HEAD is stored relative to the token, in an unsigned column
        heads = doc.to_array(HEAD).astype(np.int64) + np.arange(n)
        self.head: list[int] = heads.tolist()
        # children: the tokens ordered by head (stably, so in token order), each head's in
        # one run; not a list per token (a hundred thousand small lists wake the GC)
        order = np.argsort(heads, kind="stable")
        self._by_head: list[int] = order.tolist()
        self._run_start: list[int] = np.searchsorted(heads[order], np.arange(n + 1)).tolist()
        self.sents: list[Span] = list(doc.sents)
        self.sent_of = [0] * n
        for k, s in enumerate(self.sents):
            self.sent_of[s.start:s.end] = [k] * (s.end - s.start)
        self._ents: tuple[Span, ...] | None = None
        # values the extractors derive from these columns once per token (a trigger's
        # window and argument words, asked by each of its rules): key -> value
        self.memo: dict[tuple, object] = {}

    def __len__(self) -> int:
        return len(self.text)

    def end_char(self, i: int) -> int:
        """``doc[i].idx + len(doc[i])``"""
        return self.idx[i] + len(self.text[i])

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text``"""
        if end <= start:
            return ""
        return self.doc_text[self.idx[start]:self.end_char(end - 1)]

    @cached_property
    def doc_text(self) -> str:
        """``doc.text`` (which spaCy joins from new Tokens on every access)."""
        return "".join(t + " " if sp else t for t, sp in zip(self.text, self.spacy, strict=True))

    def children(self, i: int) -> list[int]:
        """``[c.i for c in doc[i].children]``"""
        return [c for c in self._by_head[self._run_start[i]:self._run_start[i + 1]] if c != i]

    def ancestors(self, i: int) -> Iterator[int]:
        """``(a.i for a in doc[i].ancestors)``"""
        for _ in range(len(self.head)):
            if self.head[i] == i:
                return
            i = self.head[i]
            yield i

    def sent(self, i: int) -> Span:
        """``doc[i].sent``"""
        return self.sents[self.sent_of[i]]

    @property
    def ents(self) -> tuple[Span, ...]:
        """``doc.ents`` (spaCy builds the tuple anew on every access)."""
        if self._ents is None:
            self._ents = self.doc.ents
        return self._ents

    def ents_in(self, start: int, end: int) -> list[Span]:
        """``doc[start:end].ents``: the entities wholly inside the tokens."""
        return [e for e in self.ents if e.start >= start and e.end <= end]
