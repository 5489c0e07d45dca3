"""Compiled boilerplate data: the looser pre-tests never hide a match."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from khronika.clean.patterns import Category, load_patterns

_WORDS = sorted({w for c in load_patterns().categories for rx in c.patterns
                 for w in re.findall(r"[a-z]{2,}", rx.pattern)} | {"©", "(c)", "2024", ":", "/", "Reuters", "-"})


@given(st.lists(st.sampled_from(_WORDS), max_size=12), st.sampled_from([" ", "", "_", "-"]))
def test_loose_pretest_matches_wherever_the_pattern_does(words: list[str], sep: str) -> None:
    text = sep.join(words)
    for cat in load_patterns().categories:
        for rx, (loose, search) in zip(cat.patterns, cat.tests, strict=True):
            if search(text):
                assert loose is None or loose(text), (rx.pattern, text)


def test_tests_follow_the_patterns() -> None:
    cat = Category("x", 5, (re.compile(r"\bdonate\b", re.I), re.compile(r"^share$", re.I)))
    (loose, search), (none, _) = cat.tests
    assert none is None and loose is not None
    assert loose("undonate") and not search("undonate")
