"""Which act of its kind a report is about: the prison term of a sentence ("a seven-year
sentence", "eight and a half years") read from the trigger's own phrase, and the
"repeat"/"first" order words on the trigger ("an additional sentence", "a new case",
"detained again", "his initial sentence"). Synthetic sentences about an invented person."""

from __future__ import annotations

import hashlib

import pytest

from khronika.extract.details import prison_term
from khronika.models import Article


@pytest.mark.parametrize(("text", "want"), [
    ("to seven years in prison", "7 years"),
    ("an 8.5-year sentence", "8.5 years"),
    ("to eight and a half years in a penal colony", "8.5 years"),
    ("to 7 years and 6 months", "7.5 years"),
    ("to 18 months in a settlement colony", "1.5 years"),  # one form: 18 months == one and a half years
    ("to one and a half years", "1.5 years"),
    ("to 10 months of forced labour", "10 months"),
    ("a two-year suspended sentence", "2 years"),
    ("up to 10 years", None),              # a maximum, not a term
    ("seven years or nine years", None),   # two terms say nothing
    ("a 15-day jail sentence", None),      # days: an administrative arrest, not a prison term
])
def test_prison_term(text, want):
    assert prison_term(text) == want


def _details(text: str, etype: str) -> list[dict[str, str]]:
    from khronika.extract import analyse

    art = Article(id="t1", source="t1.txt", content_hash=hashlib.sha256(text.encode()).hexdigest(), text=text)
    return [dict(e.details) for e in analyse(art).events if e.type == etype]


def _only(text: str, etype: str) -> dict[str, str]:
    found = _details(text, etype)
    assert len(found) == 1, found
    return found[0]


def test_the_term_is_the_triggers_own(nlp):
    # the prosecutor's request in the same sentence is not the sentence's term
    d = _only("The prosecutor had asked for nine years, but the court sentenced Ivan Petrov to seven years in prison.",
              "sentence")
    assert d.get("term") == "7 years"
    d = _only("Ivan Petrov, who was detained in March, was sentenced to eight and a half years in prison.", "sentence")
    assert d.get("term") == "8.5 years"


def test_an_additional_sentence_is_a_repeat_with_its_own_term(nlp):
    d = _only("Ivan Petrov has received an additional three-year prison sentence, extending his current seven-year term.",
              "sentence")
    assert d.get("term") == "3 years" and d.get("order") == "repeat"


def test_the_first_sentence_named_in_a_report_of_the_second(nlp):
    text = ("Ivan Petrov has received an additional three-year prison sentence.\n\n"
            "Ivan Petrov's initial seven-year sentence was handed down in July 2022.")
    got = sorted((d.get("term"), d.get("order")) for d in _details(text, "sentence"))
    # two sentences in one document: the different term and order keep them apart
    assert got == [("3 years", "repeat"), ("7 years", "first")]


@pytest.mark.parametrize(("text", "etype"), [
    ("Investigators opened a new criminal case against Ivan Petrov.", "charge"),
    ("The court imposed another fine on Ivan Petrov.", "fine"),
    ("Police detained Ivan Petrov again on Monday.", "detention"),
    ("Ivan Petrov was detained for the second time this month.", "detention"),
])
def test_repeat_words_on_the_trigger(nlp, text, etype):
    assert _only(text, etype).get("order") == "repeat"


@pytest.mark.parametrize(("text", "etype"), [
    # "repeated discrediting" names the offence (art. 280.3), not a second charge
    ("Ivan Petrov was charged with repeated discrediting of the army.", "charge"),
    ("Investigators opened a criminal case against Ivan Petrov for repeated discrediting of the army.", "charge"),
    ("Ivan Petrov was fined for a repeated violation of the rules for holding rallies.", "fine"),
    # "first" on a verb says when, not which act of its kind
    ("Ivan Petrov was first detained and then fined.", "detention"),
    # "new" on something else than the act
    ("Ivan Petrov was sentenced under the new law on fakes.", "sentence"),
])
def test_no_repeat_without_a_word_on_the_act(nlp, text, etype):
    assert "order" not in _only(text, etype)
