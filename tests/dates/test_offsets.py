"""Dates counted from another happening ("two days after the statement was issued",
"within a week", "the next day"), resolved against the narrative's reference date in
the same document - by extraction when the document is dated, else by datectx once the
document has borrowed a date context. Real dev-corpus passages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khronika.datectx import _sentence_date
from khronika.extract import dates as D
from khronika.extract.nlp import get_nlp
from khronika.models import EventMention

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "dev"


def _passage(doc_id: str, first: str, last: str) -> str:
    """The dev document's text from the paragraph containing ``first`` through the one
    containing ``last``."""
    path = DEV / f"{doc_id}.txt"
    if not path.exists():
        pytest.skip(f"dev corpus not found at {DEV} (needs ../shared next to the repo)")
    text = path.read_text(encoding="utf-8")
    start = text.rfind("\n", 0, text.index(first)) + 1
    end = text.index("\n", text.index(last))
    return text[start:end]


def _attach(passage: str, trigger: str, doc_date: str | None) -> D.EventDate:
    doc = get_nlp()(passage)
    sent = list(doc.sents)[-1]
    tok = next(t for t in sent if t.text == trigger)
    return D.attach(tok, sent, doc_date, report_ok=False)


@pytest.mark.parametrize("text, want", [
    ("Two days after", D.Offset(2, True, False)),
    ("three days after", D.Offset(3, True, False)),
    ("a week later", D.Offset(7, False, False)),
    ("two weeks before", D.Offset(-14, False, False)),
    ("within a week", D.Offset(7, False, True)),
    ("the next day", D.Offset(1, True, False)),
    ("the day before", D.Offset(-1, True, False)),
    ("two days", None),  # a duration
    ("in two days", None),  # counted from the report
    ("two days ago", None),
])
def test_offset_expressions(text, want):
    assert D.offset(text) == want


def test_shift_keeps_only_the_precision_the_offset_supports():
    assert D.shift("2022-09-07", D.offset("Two days after")) == "2022-09-09"
    assert D.shift("2022-09-30", D.offset("the next day")) == "2022-10-01"
    assert D.shift("2022-09-07", D.offset("a week later")) == "2022-09"  # approximate
    assert D.shift("2022-09-07", D.offset("within a week")) == "2022-09"  # an upper bound
    assert D.shift("2022-09-28", D.offset("within a week")) == "2022"  # window crosses a month
    assert D.shift("2022-09", D.offset("Two days after")) is None  # day unknown
    assert D.shift(None, D.offset("Two days after")) is None


@given(st.dates(), st.sampled_from(["Two days after", "a week later", "within a month", "the day before"]))
def test_shift_is_a_valid_date_at_most_as_precise_as_its_base(base, text):
    got = D.shift(base.isoformat(), D.offset(text))
    assert got is None or D.normalise(got) == got


def test_days_after_a_statement_count_from_the_statements_date():
    s = _passage("d031", "On September 7, seven deputies", "Two days after the statement was issued")
    got = _attach(s, "charged", "2022-09-20")  # dated: resolved by extraction
    assert (got.date, got.basis, got.text, got.ref) == ("2022-09-09", "text", "Two days after", "On September 7")


def test_undated_offset_keeps_its_reference_for_datectx():
    s = _passage("d031", "On September 7, seven deputies", "Two days after the statement was issued")
    got = _attach(s, "charged", None)
    assert (got.date, got.text, got.ref) == (None, "Two days after", "On September 7")
    m = EventMention(doc_id="d031", type="charge", subject_key=None, subject_name="x", evidence=s,
                     span=(0, len(s)), agent=None, date=None, status="reported", trigger="charged",
                     confidence=1.0, details=got.details())
    # d031 borrows September 2022 from related reports: the statement is 2022-09-07
    assert _sentence_date(m, "2022-09", None) == "2022-09-09"


def test_within_a_week_is_at_most_the_reference_month():
    s = _passage("d033", "In early September, the deputies", "Within a week, the deputies were accused")
    got = _attach(s, "accused", "2022-11-14")
    assert (got.date, got.text) == ("2022-09", "within a week")


# -- another occurrence in the same document ---------------------------------------------

def test_also_fined_in_another_month_is_another_fine():
    s = _passage("d016", "In 2022, the politician was fined three times", "In 2022, the politician was fined three times")
    times, also = s.split(". ")[0] + ".", s[s.index("In May 2022"):s.index("In total")].strip()
    lede = _passage("d016", "Russian opposition politician", "Russian opposition politician")
    text = (("date_basis", "text"),)
    assert not D.same_occurrence(None, (), lede, "2022-05", text, also)  # the news fine is another
    assert not D.same_occurrence("2022", text, times, "2022-05", text, also)  # three fines vs one
    assert D.same_occurrence("2022-05", text, also, "2022-05", text, also)
    # without such a word, a dated and an undated mention of one type are one event
    assert D.same_occurrence(None, (), lede, "2023-05-19", text, "On May 19, the court fined Roizman.")


# -- embedded posts ------------------------------------------------------------------------

def test_embedded_post_signature_dates_its_quoted_translation_and_its_publication():
    text = _passage("d038", "The news of municipal deputies", "(@kseniathorstrom) September 12, 2022")
    doc = get_nlp()(text)
    sents = list(doc.sents)
    quoted = next(s for s in sents if "Vasiliev has signed" in s.text)
    assert D.embed_date(quoted) == ("2022-09-12", "September 12, 2022")
    published = next(s for s in sents if "published the statement on Twitter" in s.text)
    assert D.embed_date(published)[0] == "2022-09-12"
    plain = next(s for s in sents if s.text.startswith("She urged"))
    assert D.embed_date(plain) is None
