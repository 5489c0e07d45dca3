"""spaCy's AttributeRuler with an index for its single-token patterns.

The English model's attribute ruler maps fine-grained tags to POS and morphology with
~180 Matcher patterns, nearly all of one token ("TAG == NNP", "LOWER == 'its' and TAG ==
PRP$"). spaCy's Matcher tries every pattern at every token, so on news text this one
component cost as much as the dependency parser (~24 µs per token, measured with
bench/throughput.py's corpus). Single-token patterns made only of equality tests are
really a table lookup: here they become column comparisons on ``doc.to_array``; every
other pattern (several tokens, ``IN``/``NOT_IN``, regexes…) still goes through spaCy's
Matcher. The matches, their order and therefore the annotations are the same as spaCy's
(tests/extract/test_attrindex.py compares both on real articles).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from spacy.attrs import IDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

# token attributes whose Matcher tests can be evaluated on to_array columns
_STRING_ATTRS = {"ORTH", "LOWER", "NORM", "TAG", "POS", "DEP", "LEMMA", "SHAPE", "ENT_TYPE"}
_FLAG_PREFIX = "IS_"
_SET_OPS = {"IN", "NOT_IN"}


def _tests(pattern: list[dict]) -> list[tuple[str, str, object]] | None:
    """The (attribute, op, value) tests of a one-token pattern, op in {"==", "IN",
    "NOT_IN", "REGEX"}; None when the pattern needs the Matcher (several tokens,
    quantifiers, comparisons, fuzzy matching, extensions…)."""
    if len(pattern) != 1:
        return None
    tests = []
    for key, value in pattern[0].items():
        key = str(key).upper()
        string_eq = key in _STRING_ATTRS and isinstance(value, str)
        if string_eq or (key.startswith(_FLAG_PREFIX) and key in IDS and isinstance(value, bool)):
            tests.append((key, "==", value))
        elif key in _STRING_ATTRS and isinstance(value, dict) and len(value) == 1:
            (op, arg), = value.items()
            if op in _SET_OPS and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
                tests.append((key, op, tuple(arg)))
            elif op == "REGEX" and isinstance(arg, str):
                tests.append((key, op, re.compile(arg)))
            else:
                return None
        else:
            return None
    return tests or None


class IndexedAttributeRuler(AttributeRuler):
    """Drop-in AttributeRuler: same patterns, same results, faster ``match``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._index: tuple | None = None

    def add(self, patterns: Iterable, attrs: dict, index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._index = None  # recompiled on the next call

    def _compile(self) -> tuple:
        strings = self.vocab.strings
        columns: list[str] = []

        def col(name: str) -> int:
            if name not in columns:
                columns.append(name)
            return columns.index(name)

        # equality-only patterns: signature (columns tested) -> {values -> [(attr_id, match_id)]}
        tables: dict[tuple[int, ...], dict[tuple[int, ...], list[tuple[int, int]]]] = {}
        # other one-token patterns: (attr_id, match_id, [[(column, op, payload)]])
        masked: list[tuple[int, int, list]] = []
        rest = Matcher(self.vocab, validate=False)
        for attr_id in range(len(self.attrs)):
            match_id = strings.add(str(attr_id))
            patterns = self.matcher.get(match_id)[1]
            parsed = [_tests(p) for p in patterns]
            if any(t is None for t in parsed):
                rest.add(match_id, patterns)
            elif all(op == "==" for t in parsed for _, op, _ in t):
                for tests in parsed:
                    pairs = sorted((col(name), int(v) if isinstance(v, bool) else strings.add(v))
                                   for name, _, v in tests)
                    hits = tables.setdefault(tuple(c for c, _ in pairs), {}).setdefault(
                        tuple(v for _, v in pairs), [])
                    if (attr_id, match_id) not in hits:  # two patterns of one key match a token once
                        hits.append((attr_id, match_id))
            else:
                groups = []
                for tests in parsed:
                    group = []
                    for name, op, v in tests:
                        if op == "==":
                            v = int(v) if isinstance(v, bool) else strings.add(v)
                        elif op in _SET_OPS:
                            v = np.array([strings.add(a) for a in v], dtype=np.uint64)
                        group.append((col(name), op, v))
                    groups.append(group)
                masked.append((attr_id, match_id, groups))
        return [IDS[c] for c in columns], list(tables.items()), masked, rest

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        if self._index is None:
            self._index = self._compile()
        ids, tables, masked, rest = self._index
        strings = self.vocab.strings
        out = [(int(strings[m_id]), m_id, s, e) for m_id, s, e in rest(doc, allow_missing=True, as_spans=False)] \
            if len(rest) else []
        if not len(doc) or not ids:
            out.sort()
            return out
        arr = doc.to_array(ids).reshape(len(doc), len(ids)).astype(np.uint64, copy=False)
        cols = arr.T.tolist()
        seen: set[tuple[int, int]] = set()
        for sig, table in tables:
            keys = zip(*(cols[c] for c in sig), strict=True) if len(sig) > 1 else ((v,) for v in cols[sig[0]])
            for i, key in enumerate(keys):
                for attr_id, match_id in table.get(key, ()):
                    if (attr_id, i) not in seen:
                        seen.add((attr_id, i))
                        out.append((attr_id, match_id, i, i + 1))
        for attr_id, match_id, groups in masked:
            mask = np.zeros(len(doc), dtype=bool)
            for group in groups:
                m = np.ones(len(doc), dtype=bool)
                for c, op, v in group:
                    if op == "==":
                        m &= arr[:, c] == np.uint64(v)
                    elif op == "IN":
                        m &= np.isin(arr[:, c], v)
                    elif op == "NOT_IN":
                        m &= ~np.isin(arr[:, c], v)
                    else:  # REGEX: test each distinct string of the document once
                        values = np.unique(arr[:, c])
                        hits = [h for h in values.tolist() if v.search(strings[h])]
                        m &= np.isin(arr[:, c], np.array(hits, dtype=np.uint64))
                mask |= m
            out.extend((attr_id, match_id, i, i + 1) for i in np.flatnonzero(mask).tolist())
        out.sort()
        return out


@Language.factory("khronika_attribute_ruler", default_config={"validate": False})
def make_indexed_attribute_ruler(nlp: Language, name: str, validate: bool) -> IndexedAttributeRuler:
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate)


def index_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> None:
    """Replace the pipeline's AttributeRuler by the indexed one, keeping its patterns."""
    if name not in nlp.pipe_names:
        return
    patterns = nlp.get_pipe(name).patterns
    new = nlp.replace_pipe(name, "khronika_attribute_ruler")
    new.add_patterns(patterns)
