"""Date normaliser, yearless-date resolution, document dates and cross-document date
context, on real corpus sentences and documents."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khronika import datectx
from khronika.extract import dates as D
from khronika.extract.docdate import document_date
from khronika.models import Analysis, DocPerson, DocumentDate, DocumentInfo, EventMention

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "dev"
WAR = date(2022, 2, 24)
VALID = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _valid(value: str | None) -> bool:
    if value is None:
        return True
    if not VALID.match(value):
        return False
    p = D.parse(value)
    return p[1] is None or (1 <= p[1] <= 12 and (p[2] is None or D._safe(*p) is not None))


def _dev(name: str) -> str:
    path = DEV / name
    if not path.exists():
        pytest.skip(f"dev corpus not found at {DEV} (needs ../shared next to the repo)")
    return path.read_text(encoding="utf-8")


# -- normaliser ---------------------------------------------------------------------

@given(st.text(max_size=40))
def test_normalise_never_raises_and_is_a_calendar_date(s):
    assert _valid(D.normalise(s))


@given(st.integers(1, 9999), st.integers(-5, 20), st.integers(-5, 40))
def test_normalise_keeps_valid_precision(y, m, d):
    got = D.normalise(f"{y:04d}-{m:02d}-{d:02d}" if m >= 0 and d >= 0 else f"{y:04d}")
    assert _valid(got) and got.startswith(f"{y:04d}")


_words = st.sampled_from(["on", "Friday,", "this", "last", "July", "May", "8", "19", "September", "13,", "2022",
                          "in", "March", "week", "year", "yesterday", "the", "day", "before", "summer", "31", "Feb", "29"])


@settings(max_examples=300)
@given(st.lists(_words, max_size=6).map(" ".join),
       st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(str),
                 st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(lambda d: str(d)[:7])),
       st.one_of(st.none(), st.just(WAR)))
def test_resolve_never_raises_and_returns_valid_dates(text, anchor, floor):
    assert _valid(D.resolve(text, anchor, floor))


# -- yearless dates -------------------------------------------------------------------

@pytest.mark.parametrize("text,anchor,want", [
    ("On May 19", "2023-05", "2023-05-19"),               # d015/d017: the verdict day
    ("since July 13", "2022-12-09", "2022-07-13"),        # d011: custody since July 13
    ("on September 7", "2022-11-14", "2022-09-07"),       # earlier in the year of the report
    ("on December 20", "2023-01-10", "2022-12-20"),       # after the report's day: last year's
    ("Friday, July 8", "2023-07", "2022-07-08"),          # only 2022 makes it a Friday
    ("last April", "2022-07", "2022-04"),
    ("last summer", "2023-05", "2022"),                   # d015: case initiated last summer
])
def test_yearless_dates_take_the_most_recent_year(text, anchor, want):
    assert D.resolve(text, anchor) == want


def test_weekday_picks_the_year_without_a_document_date():
    assert D.resolve("on Friday, July 8", None, WAR) == "2022-07-08"
    assert D.resolve("this Tuesday, September 13", None, WAR) == "2022-09-13"
    assert D.resolve("on July 8", None, WAR) is None  # no weekday: no guess
    assert D.resolve("on Friday, July 8", None, None) is None  # no floor: no guess


# -- document dates ---------------------------------------------------------------------

@pytest.mark.parametrize("name,want", [
    ("d004.txt", "2022-07"),     # 'on Friday, July 8' + the war: a Friday in 2022
    ("d011.txt", "2022-12-09"),  # TASS dateline 'December 9' + 'on Friday'
    ("d015.txt", "2023-05"),     # lede 'On May 19' after the dated July 1, 2022 video
    ("d025.txt", "2022-09"),     # 'this Tuesday, September 13'
])
def test_document_date_from_the_text(name, want):
    got = document_date(_dev(name), None)
    assert got.published == want and not got.suspect and got.evidence


def test_undated_text_without_evidence_stays_undated():
    assert document_date(_dev("d031.txt"), None).published is None  # yearless 'September 7' only


def test_stated_date_is_kept_when_the_text_agrees():
    got = document_date(_dev("d004.txt"), "2022-07-08")
    assert got.published == "2022-07-08" and not got.suspect


# -- cross-document context -------------------------------------------------------------

def _info(i, published=None, story="s1"):
    return DocumentInfo(id=i, source=i, published=published, published_stated=published, story=story)


def _mention(doc, evidence, trigger, start=0, date_=None):
    return EventMention(doc_id=doc, type="fine", subject_key="p0", subject_name="Dmitry Palyuga", evidence=evidence,
                        span=(start, start + len(evidence)), date=date_, trigger=trigger)


def _an(doc, *events, date_=None):
    return Analysis(doc_id=doc, persons=(DocPerson(doc, "p0", "Dmitry Palyuga"),), events=events,
                    date=DocumentDate(published=date_))


def test_story_context_dates_an_undated_report():
    infos = {"a": _info("a", "2022-09-12"), "b": _info("b")}
    ev = _mention("b", "On September 7, seven deputies called on the Duma to charge Putin.", "called")
    lede = _mention("b", "A court has fined five of the municipal deputies.", "fined")
    out = datectx.propagate(infos, {"a": _an("a", date_="2022-09-12"), "b": _an("b", ev, lede)}, {"a": "", "b": ""})
    got = {m.trigger: m for m in out["b"].events}
    assert got["called"].date == "2022-09-07" and ("date_basis", "text") in got["called"].details
    assert got["fined"].date == "2022-09" and ("date_basis", "document") in got["fined"].details
    assert all(any(k == "date_context" for k, _ in m.details) for m in out["b"].events)


def test_same_yearless_day_in_a_related_report_gives_the_year():
    # different stories, shared person, both write 'September 7'; one is dated 2022
    infos = {"a": _info("a", "2022-09-13", story="s1"), "b": _info("b", story="s2")}
    texts = {"a": "He signed on September 7 an appeal.", "b": "On September 7, seven deputies called on the Duma."}
    ev = _mention("b", "Dmitry Palyuga was fined 47,000 rubles.", "fined", start=0)
    out = datectx.propagate(infos, {"a": _an("a", date_="2022-09-13"), "b": _an("b", ev)}, texts)
    assert out["b"].events[0].date == "2022-09"


def test_dated_mentions_and_dated_documents_are_left_alone():
    infos = {"a": _info("a", "2022-09-12"), "b": _info("b", "2022-07-08")}
    ev = _mention("b", "He was fined on Friday.", "fined", date_="2022-07-08")
    undated = _mention("b", "He was fined again.", "fined", start=900)
    assert datectx.propagate(infos, {"a": _an("a"), "b": _an("b", ev, undated)}, {}) == {}


def test_no_context_no_guess():
    infos = {"b": _info("b")}
    ev = _mention("b", "On September 7, deputies called on the Duma.", "called")
    assert datectx.propagate(infos, {"b": _an("b", ev)}, {"b": ev.evidence}) == {}


class _InIdOrder(Mapping):
    """Analyses that may only be read as the store's lazy view reads cheaply: in id
    order, one pass after another (each access out of order would be a query)."""

    def __init__(self, analyses):
        self._a, self.reads = analyses, []

    def __getitem__(self, doc_id):
        self.reads.append(doc_id)
        return self._a[doc_id]

    def __iter__(self):
        return iter(sorted(self._a))

    def __len__(self):
        return len(self._a)


def test_date_context_reads_analyses_in_id_order_at_most_twice():
    infos = {"a": _info("a", "2022-09-12"), "b": _info("b"), "c": _info("c", story="s2"), "d": _info("d", story="s2")}
    ev = _mention("b", "On September 7, seven deputies called on the Duma to charge Putin.", "called")
    lone = _mention("c", "On September 7, deputies called on the Duma.", "called")
    plain = {"a": _an("a", date_="2022-09-12"), "b": _an("b", ev), "c": _an("c", lone), "d": _an("d")}
    texts = {"b": ev.evidence, "c": lone.evidence}
    lazy = _InIdOrder(plain)
    assert datectx.propagate(infos, lazy, texts) == datectx.propagate(infos, plain, texts)
    assert set(datectx.propagate(infos, plain, texts)) == {"b"}  # c has nothing to borrow from
    runs = 1 + sum(later < earlier for earlier, later in zip(lazy.reads, lazy.reads[1:], strict=False))
    assert runs <= 2 and lazy.reads == sorted(plain) + ["b", "c"]  # every one, then those waiting for a date
