"""Attaching dates to event triggers and combining mention dates, on real dev-corpus
sentences: a date belongs to the event of its own clause."""

from __future__ import annotations

from pathlib import Path

import pytest

from khronika.extract import dates as D
from khronika.extract.docdate import anchor, document_date
from khronika.extract.nlp import get_nlp

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "dev"
pytestmark = pytest.mark.skipif(not DEV.is_dir(), reason="../shared/corpus/dev is absent")


def _sentence(doc_id: str, starts: str) -> str:
    for para in (DEV / f"{doc_id}.txt").read_text(encoding="utf-8").splitlines():
        if starts in para:
            return para[para.index(starts):]
    raise AssertionError(f"{starts!r} not in {doc_id}")


def _date(sentence: str, trigger: str, doc_date: str | None = None, report_ok: bool = False) -> D.EventDate:
    doc = get_nlp()(sentence)
    first = next(iter(doc.sents))
    tok = next(t for t in first if t.text == trigger)
    return D.attach(tok, first, doc_date, report_ok)


def test_date_after_an_anchor_preposition_dates_that_noun_not_the_verb():
    s = _sentence("d012", "The Russian Investigative Committee opened a criminal case")
    assert _date(s, "opened", "2023-04-19").date is None  # April 7 is the live stream's


def test_date_of_the_trigger_clause_not_a_subordinate_one():
    s = _sentence("d003", "Moscow Councilor Alexei Gorinov was arrested last April")
    got = _date(s, "arrested", "2022-07")
    assert (got.date, got.basis, got.text) == ("2022-04", "text", "last April")
    assert _date(s, "criticized", "2022-07").date is None


def test_fronted_date_shared_by_a_conjunct_without_its_own_subject():
    s = _sentence("d013", "Earlier, on May 19, 2023")
    assert _date(s, "fine").date == "2023-05-19"


def test_relative_clause_on_a_date_takes_that_date():
    s = _sentence("d015", "The basis for initiating the criminal case")
    assert _date(s, "spoke", "2023-05").date == "2022-07-01"


def test_report_date_is_month_precision_and_says_so():
    s = _sentence("d006", "In court, Gorinov held up")
    got = _date(s, "held", "2022-07-08", report_ok=True)
    assert (got.date, got.basis) == ("2022-07", "document")


def test_unresolved_expression_is_kept_for_the_corpus_stages():
    s = _sentence("d031", "On September 7, seven deputies")
    got = _date(s, "called", None)
    assert got.date is None and got.text == "On September 7"
    assert D.resolve(got.text, "2022-09") == "2022-09-07"


def test_range_dates_its_start():
    assert D.absolute("pre-trial detention from August 24 to August 25, 2022") == "2022-08-24"
    assert D.absolute("24-25 August 2022") == "2022-08-24"


def test_latest_date_written_is_no_anchor():
    text = (DEV / "d026.txt").read_text(encoding="utf-8")
    dd = document_date(text, None)
    assert dd.published == "2022-02" and anchor(dd) is None  # "From February 24, 2022 to this day"


def test_report_date_is_an_upper_bound_when_combining():
    doc = (("date_basis", "document"),)
    text = (("date_basis", "text"), ("date_text", "March 15"))
    assert D.compatible("2022-07", doc, "2022-03-15", text)
    assert not D.compatible("2022-07", doc, "2022-09-01", text)
    assert D.combine("2022-07", doc, "2022-03-15", text) == ("2022-03-15", text)
    assert not D.compatible("2022-07-08", text, "2022-03-15", text)
