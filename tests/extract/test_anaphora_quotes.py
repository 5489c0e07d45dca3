"""Plural anaphora, quoted first person, state-of-detention verbs, small clauses and
media statements, each checked on real corpus sentences (dev). The model is loaded
once per session (conftest ``nlp``); documents are skipped when /work/shared is absent."""

from __future__ import annotations

import pytest

from conftest import DEV, _article, corpus_file
from khronika.extract import analyse


def _events(prefix: str, etype: str) -> set[str]:
    an = analyse(_article(corpus_file(DEV, prefix)))
    return {e.subject_name for e in an.events if e.type == etype}


@pytest.fixture(scope="module", autouse=True)
def _model(nlp):
    return nlp


def test_counted_plural_takes_the_enumerated_set_of_that_size():
    # "... Palyuga ... was fined ... Yuferev was fined ..., while deputies Baltrukov, Chebotar,
    # and Kiseleva were fined ..." then "... where five of them were charged"
    charged = _events("d031", "charge")
    assert {"Dmitry Palyuga", "Nikita Yuferev", "Dmitry Baltrukov", "Ivan Chebotar", "Anna Kiseleva"} <= charged


def test_counted_plural_without_a_set_of_that_size_is_nobody():
    # seven deputies called on the Duma: no enumerated set of seven, no appeal by a named person
    assert not any("Putin" in n for n in _events("d031", "charge"))


def test_first_person_in_attributed_quote_is_the_speaker():
    # "We decided to make our appeal so short ...," Thorstrom said.
    assert any("Thorstrom" in n for n in _events("d036", "appeal"))


def test_state_of_detention_takes_the_subject():
    # "Gorinov has been in jail since April."
    assert any("Gorinov" in n for n in _events("d001", "detention"))


def test_ordered_detained_small_clause_and_case_against_x():
    # "... the Leninsky District Court ... ordered Roizman detained for 14 days ..."
    assert any("Roizman" in n for n in _events("d013", "detention"))
    # "The criminal case against Roizman ... was initiated last summer."
    assert any("Roizman" in n for n in _events("d015", "charge"))


def test_days_of_administrative_arrest_received():
    # "then he received 14 days of administrative arrest as a punishment ..."
    assert any("Roizman" in n for n in _events("d018", "detention"))


def test_statement_through_a_published_video():
    # "the trial was opened after a video published by Roizman, where he ... made remarks"
    assert any("Roizman" in n for n in _events("d018", "statement"))
    # "the video published by "YouTube" ..., in which Roizman spoke about the war in Ukraine"
    assert any("Roizman" in n for n in _events("d015", "statement"))
