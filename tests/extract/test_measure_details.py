"""What a sentence says about the measure itself (kind, term, count): the details that
tell two detentions or two fines of one person apart. Synthetic sentences."""

from __future__ import annotations

import hashlib

import pytest

from khronika.extract.details import measure_details
from khronika.models import Article


@pytest.mark.parametrize(("text", "want"), [
    ("He is serving a 15-day jail sentence for a picket.", {"kind": "administrative", "term": "15 days"}),
    ("She had already served 10 days in administrative detention.", {"kind": "administrative", "term": "10 days"}),
    ("A court ordered him detained for 14 days.", {"term": "14 days"}),
    ("He received 14 days of administrative arrest.", {"kind": "administrative", "term": "14 days"}),
    ("She was sent to a pre-trial detention centre on 3 March.", {"kind": "pretrial"}),
    ("The court placed him under house arrest for two months.", {"kind": "house_arrest", "term": "2 months"}),
])
def test_detention_kind_and_term(text, want):
    assert dict(measure_details("detention", text)) == want


def test_a_rate_is_not_a_term():
    # a day in pre-trial detention counts as 1.5 days in a colony: no term of 5 days
    got = dict(measure_details("detention", "Each day he spent in the pre-trial detention centre will count as 1.5 days in the colony."))
    assert got == {"kind": "pretrial"}


def test_two_kinds_or_two_terms_in_one_sentence_say_nothing():
    text = "After 15 days of administrative arrest she was sent to a pre-trial detention centre for two months."
    assert measure_details("detention", text) == ()


def test_counted_acts_and_not_a_comparison():
    assert dict(measure_details("fine", "In 2021 the activist was fined three times.")) == {"count": "3 times"}
    assert dict(measure_details("fine", "She has been fined twice for her posts.")) == {"count": "2 times"}
    assert measure_details("fine", "The fine was three times larger than the first.") == ()


def test_types_without_measures_get_none():
    assert measure_details("statement", "He spoke for 15 days in a row, three times a day.") == ()


def test_extraction_attaches_the_details(nlp):
    from khronika.extract import analyse

    text = ("Opposition politician Ivan Petrov was detained on Monday.\n\n"
            "Ivan Petrov had earlier served 15 days in administrative detention for a picket.")
    art = Article(id="t1", source="t1.txt", content_hash=hashlib.sha256(text.encode()).hexdigest(), text=text)
    dets = [e for e in analyse(art).events if e.type == "detention" and "15 days" in e.evidence]
    assert dets and dict(dets[0].details).get("kind") == "administrative"
    assert dict(dets[0].details).get("term") == "15 days"
