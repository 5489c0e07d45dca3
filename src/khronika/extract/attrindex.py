"""spaCy's AttributeRuler with its patterns indexed and its writes done in bulk.

The English model's attribute ruler maps fine-grained tags to POS and morphology with
~180 Matcher patterns, nearly all of one token ("TAG == NNP", "LOWER == 'its' and TAG ==
PRP$"). spaCy's Matcher tries every pattern at every token, so on news text this one
component cost as much as the dependency parser (~24 µs per token, measured with
bench/throughput.py's corpus). Then, for each of the ~1.2 matches per token, spaCy
builds a Span and sets the attributes one by one.

Here:

* a pattern made only of per-token tests (equality, ``IN``, ``NOT_IN``, ``REGEX``, no
  operators) depends on nothing but the tested attributes of its tokens, so each token
  is reduced to a *row* of those attributes (read with ``doc.to_array``) and a row is
  classified once per process (up to 100,000 rows kept): equality and ``IN`` tests are dictionary lookups, the
  rest are checked on that row only. News text repeats rows (~10 tokens per distinct
  row over 2,000 articles), so the steady cost is one dictionary lookup per token.
  Patterns of several tokens are chained from their per-token classes; every other
  pattern (operators, comparisons, fuzzy matching, extensions…) still goes through
  spaCy's Matcher.
* applying the matches one after another leaves on each token, for each attribute, the
  value of the last match that sets it (matches are sorted by rule); POS, TAG, MORPH,
  LEMMA and DEP are plain token fields (``set_token_attrs`` writes nothing else for
  them), so the final values are resolved first and written with one
  ``doc.from_array``. Anything else (extension attributes, NORM…) or a bad ``index``
  goes through spaCy's own ``set_annotations``.

The matches, their order and the annotations are the same as spaCy's
(tests/extract/test_attrindex.py compares both on real articles).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from operator import itemgetter

import numpy as np
from spacy.attrs import DEP, IDS, LEMMA, MORPH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

# token attributes whose Matcher tests can be evaluated on to_array columns
_STRING_ATTRS = {"ORTH", "LOWER", "NORM", "TAG", "POS", "DEP", "LEMMA", "SHAPE", "ENT_TYPE"}
_FLAG_PREFIX = "IS_"
_SET_OPS = {"IN", "NOT_IN"}
# attributes written in bulk: TokenC fields that set_token_attrs sets on the token only
_BULK_ATTRS = frozenset({TAG, POS, MORPH, LEMMA, DEP})
_MAX_IN_PRODUCT = 64  # an equality-table entry per combination of IN values, up to this
_ROW_MEMO_LIMIT = 100_000  # classified rows kept (~30 MB); forgotten all at once beyond


def _token_tests(spec: dict) -> list[tuple[str, str, object]] | None:
    """The (attribute, op, value) tests of one token spec, op in {"==", "IN", "NOT_IN",
    "REGEX"}; None when the Matcher is needed (quantifiers, comparisons, fuzzy
    matching, extensions, an empty spec…)."""
    tests = []
    for key, value in spec.items():
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


def _tests(pattern: list[dict]) -> list[list[tuple[str, str, object]]] | None:
    """Per-token tests of a fixed-length pattern, or None when it needs the Matcher."""
    per_token = [_token_tests(spec) for spec in pattern]
    return per_token if per_token and all(t is not None for t in per_token) else None


class _Index:
    """The compiled patterns: a classifier of token rows, the multi-token chains, and how
    each class of rows resolves to final attribute values.

    A *unit* is one token spec of a pattern. A row's class is (the (attr_id, match_id)
    of the one-token patterns it matches, once per rule; the units of multi-token
    patterns it satisfies)."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.strings = ruler.vocab.strings
        self.columns: list[str] = []  # the attributes tested, in to_array order
        # columns tested -> {value(s) -> [unit]}; units with NOT_IN/REGEX tests -> [(unit, tests)]
        self.tables: dict[tuple[int, ...], dict[object, list[int]]] = {}
        self.residual: list[tuple[int, list[tuple[int, str, object]]]] = []
        self.unit_hit: list[tuple[int, int] | None] = []  # one-token patterns' (attr_id, match_id)
        self.chains: dict[int, list[tuple[int, int, tuple[int, ...]]]] = {}  # first unit -> rules
        self.rest = Matcher(ruler.vocab, validate=False)
        for attr_id in range(len(ruler.attrs)):
            match_id = self.strings.add(str(attr_id))
            patterns = ruler.matcher.get(match_id)[1]
            parsed = [_tests(p) for p in patterns]
            if any(t is None for t in parsed):
                self.rest.add(match_id, patterns)  # the whole rule: spaCy dedupes within it
                continue
            for per_token in parsed:
                units = []
                for tests in per_token:
                    units.append(len(self.unit_hit))
                    self.unit_hit.append((attr_id, match_id) if len(per_token) == 1 else None)
                    self._index_unit(units[-1], tests)
                if len(units) > 1:
                    self.chains.setdefault(units[0], []).append((attr_id, match_id, tuple(units)))
        self.ids = [IDS[c] for c in self.columns]
        # (row -> key, table): itemgetter gives a value for one column, a tuple for several
        self._lookups = [(itemgetter(*sig), table) for sig, table in self.tables.items()]
        self.memo: dict[tuple[int, ...], int] = {}  # row -> class id
        self.classes: list[tuple[tuple[tuple[int, int], ...], frozenset[int]]] = []
        self._class_ids: dict[tuple, int] = {}
        # bulk writing: each rule's normalized (attribute, value) pairs, when all are bulk
        self.indices = list(ruler.indices)
        self.writes = [tuple(a.items()) if all(k in _BULK_ATTRS for k in a) else None for a in ruler.attrs]
        bulk = all(w is not None for w in self.writes)
        self.attrs = sorted({a for w in self.writes if w for a, _ in w}) if bulk else []  # [] -> spaCy's path
        self._col = {a: c for c, a in enumerate(self.attrs)}
        # per class, per attribute: winning rule (-1: none) and its value; a one-token
        # rule whose index misses its token; multi-token units
        self._resolved: list[list] = [[], [], [], []]
        self._arrays: tuple[np.ndarray, ...] | None = None

    def _column(self, name: str) -> int:
        if name not in self.columns:
            self.columns.append(name)
        return self.columns.index(name)

    def _index_unit(self, unit: int, tests: list[tuple[str, str, object]]) -> None:
        """Equality and IN tests become table entries, one per combination of values;
        a unit with other tests (or too many combinations) is checked row by row."""
        strings = self.strings
        eq = [(self._column(n), [int(v) if n.startswith(_FLAG_PREFIX) else strings.add(v)])
              for n, op, v in tests if op == "=="]
        eq += [(self._column(n), [strings.add(a) for a in v]) for n, op, v in tests if op == "IN"]
        other = [(self._column(n), op, frozenset(strings.add(a) for a in v) if op in _SET_OPS else v)
                 for n, op, v in tests if op not in ("==", "IN")]
        if other or np.prod([len(vs) for _, vs in eq]) > _MAX_IN_PRODUCT:
            self.residual.append((unit, other + [(c, "IN", frozenset(vs)) for c, vs in eq]))
            return
        eq.sort()
        table = self.tables.setdefault(tuple(c for c, _ in eq), {})
        for key in itertools.product(*(vs for _, vs in eq)):
            table.setdefault(key if len(key) > 1 else key[0], []).append(unit)

    def classify(self, row: tuple[int, ...]) -> int:
        found = self.memo.get(row)
        if found is not None:
            return found
        units: set[int] = set()
        for key, table in self._lookups:
            units.update(table.get(key(row), ()))
        for unit, tests in self.residual:
            for c, op, v in tests:
                x = row[c]
                if op == "IN":
                    ok = x in v
                elif op == "NOT_IN":
                    ok = x not in v
                else:  # REGEX
                    ok = v.search(self.strings[x]) is not None
                if not ok:
                    break
            else:
                units.add(unit)
        hits = tuple(sorted({self.unit_hit[u] for u in units} - {None}))
        key = (hits, frozenset(u for u in units if self.unit_hit[u] is None))
        found = self._class_ids.get(key)
        if found is None:
            found = self._class_ids[key] = len(self.classes)
            self.classes.append(key)
        if len(self.memo) >= _ROW_MEMO_LIMIT:
            self.memo.clear()
        self.memo[row] = found
        return found

    def token_classes(self, doc: Doc) -> list[int]:
        n = len(doc)
        if not self.ids:  # every rule is left to the Matcher
            return [self.classify(())] * n
        if not n:
            return []
        cols = doc.to_array(self.ids).reshape(n, len(self.ids)).T.tolist()
        return [self.classify(row) for row in zip(*cols, strict=True)]

    def chained(self, classes: list[int], starts: Iterable[int]) -> set[tuple[int, int, int, int]]:
        """Matches of the multi-token patterns starting at ``starts``, once per rule and span."""
        out = set()
        for i in starts:
            for unit in self.classes[classes[i]][1]:
                for attr_id, match_id, chain in self.chains.get(unit, ()):
                    end = i + len(chain)
                    if end <= len(classes) and all(
                            chain[j] in self.classes[classes[i + j]][1] for j in range(1, len(chain))):
                        out.add((attr_id, match_id, i, end))
        return out

    def unindexed(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """Matches of the rules left to spaCy's Matcher."""
        if not len(self.rest):
            return []
        return [(int(self.strings[m_id]), m_id, s, e)
                for m_id, s, e in self.rest(doc, allow_missing=True, as_spans=False)]

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """spaCy's AttributeRuler.match: (attr_id, match_id, start, end), sorted."""
        out = self.unindexed(doc)
        classes = self.token_classes(doc)
        for i, k in enumerate(classes):
            out.extend((attr_id, match_id, i, i + 1) for attr_id, match_id in self.classes[k][0])
        out.extend(self.chained(classes, range(len(classes))))
        out.sort()
        return out

    def _class_arrays(self) -> tuple[np.ndarray, ...]:
        rule, value, bad, chains = self._resolved
        for hits, units in self.classes[len(bad):]:
            r, v = [-1] * len(self.attrs), [0] * len(self.attrs)
            for attr_id, _match_id in hits:  # by rule: the last one setting an attribute wins
                for attr, x in self.writes[attr_id]:
                    r[self._col[attr]], v[self._col[attr]] = attr_id, x
            rule.append(r)
            value.append(v)
            bad.append(any(self.indices[attr_id] not in (0, -1) for attr_id, _ in hits))
            chains.append(bool(units))
        if self._arrays is None or len(self._arrays[2]) != len(bad):
            self._arrays = (np.array(rule, dtype=np.int64).reshape(len(rule), len(self.attrs)),
                            np.array(value, dtype=np.uint64).reshape(len(value), len(self.attrs)),
                            np.array(bad, dtype=bool), np.array(chains, dtype=bool))
        return self._arrays

    def annotate(self, doc: Doc) -> bool:
        """Set the attributes as spaCy's ``set_annotations(doc, match(doc))`` would;
        False, with the doc untouched, when that path must be taken instead (a rule
        writes something else, or its index misses the matched span)."""
        n = len(doc)
        if not self.attrs or not n:
            return False
        classes = self.token_classes(doc)
        rule_of, value_of, bad_of, chains_of = self._class_arrays()
        cls = np.array(classes, dtype=np.intp)
        if bad_of[cls].any():
            return False
        rule, value = rule_of[cls], value_of[cls]  # (tokens, attributes), copies
        extra = self.unindexed(doc) + list(self.chained(classes, np.flatnonzero(chains_of[cls]).tolist()))
        for attr_id, _match_id, start, end in sorted(extra):
            index = self.indices[attr_id]
            target = start + index if index >= 0 else end + index
            if not start <= target < end:
                return False
            for attr, x in self.writes[attr_id]:
                c = self._col[attr]
                if attr_id >= rule[target, c]:
                    rule[target, c], value[target, c] = attr_id, x
        current = doc.to_array(self.attrs).reshape(n, len(self.attrs))
        doc.from_array(self.attrs, np.where(rule >= 0, value, current))
        return True


class IndexedAttributeRuler(AttributeRuler):
    """Drop-in AttributeRuler: same patterns, same results, faster ``match`` and
    annotation."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._index: _Index | None = None

    def clear(self) -> None:
        super().clear()
        self._index = None

    def add(self, patterns: Iterable, attrs: dict, index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._index = None  # recompiled on the next call

    def _compiled(self) -> _Index:
        if self._index is None:
            self._index = _Index(self)
        return self._index

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            index = self._compiled()
            if not index.annotate(doc):
                self.set_annotations(doc, index.match(doc))  # spaCy's path: applies, or reports
            return doc
        except Exception as e:
            return error_handler(self.name, self, [doc], e)

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        return self._compiled().match(doc)


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
