"""Event consolidation reading a measure's details (amount, kind, term, count): which
event an undated report joins. Synthetic mentions of an invented person."""

from __future__ import annotations

from khronika.consolidate import _norm_value
from khronika.models import Analysis, DocPerson, DocumentDate, DocumentInfo, EventMention
from khronika.resolve import resolve

NAME = "Ivan Petrov"


def doc(doc_id, events, story=None, published=None):
    info = DocumentInfo(doc_id, f"{doc_id}.txt", story=story, published=published)
    person = DocPerson(doc_id, "p0", NAME, (NAME,))
    return info, Analysis(doc_id, (person,), tuple(events), DocumentDate(published))


def E(doc_id, etype, evidence, date=None, details=(), span=(0, 50)):
    return EventMention(doc_id, etype, "p0", NAME, evidence, span, date=date, details=tuple(details))


def sources(res, etype):
    return sorted(tuple(sorted(s.document for s in e.sources)) for e in res.events if e.type == etype)


def test_amounts_written_with_a_scale_word_are_the_same_amount():
    assert _norm_value("260 thousand rubles") == _norm_value("260,000 rubles") == _norm_value("260 000 roubles")
    assert _norm_value("1.5 million rubles") == _norm_value("1,500,000 rubles")
    assert _norm_value("15 days") != _norm_value("15 months")
    # the fine of 260 thousand joins the 260,000 fine, not an unpriced fine of another year
    items = [
        doc("a", [E("a", "fine", "fined 260,000 rubles on May 19, 2023", date="2023-05-19",
                    details=[("amount", "260,000 rubles")])], story="s1"),
        doc("b", [E("b", "fine", "In May 2022 he was also fined", date="2022-05")], story="s1"),
        doc("c", [E("c", "fine", "The court fined him 260 thousand rubles", details=[("amount", "260 thousand rubles")])],
            story="s1"),
    ]
    res = resolve(items)
    assert sources(res, "fine") == [("a", "c"), ("b",)]
    assert not any(e.conflicts for e in res.events)


def test_administrative_arrest_and_pretrial_detention_never_merge():
    items = [
        doc("a", [E("a", "detention", "sent to a pre-trial detention centre on July 13", date="2022-07-13",
                    details=[("kind", "pretrial")])], story="s1", published="2022-12-09"),
        doc("b", [E("b", "detention", "he had served 15 days in administrative detention",
                    details=[("kind", "administrative"), ("term", "15 days")])], story="s1", published="2022-12-09"),
        doc("c", [E("c", "detention", "he was held in a pre-trial detention centre", details=[("kind", "pretrial")])],
            story="s1", published="2022-12-10"),
    ]
    # without its kind, b would join the one dated event of its own story
    assert sources(resolve(items), "detention") == [("a", "c"), ("b",)]


def test_an_undated_report_joins_the_detention_with_its_term():
    # d's 14-day arrest shares no story with either: the term, not the bigger event, decides
    items = [
        doc("a", [E("a", "detention", "detained in August 2022 and banned from public events", date="2022-08")],
            story="s1"),
        doc("b", [E("b", "detention", "pre-trial detention from August 24 to 25, 2022", date="2022-08-24",
                    details=[("kind", "pretrial")])], story="s1"),
        doc("c", [E("c", "detention", "arrested for 14 days in March 2023", date="2023-03",
                    details=[("term", "14 days")])], story="s1"),
        doc("d", [E("d", "detention", "a court ordered him detained for 14 days", details=[("term", "14 days")])],
            story="s2"),
    ]
    assert sources(resolve(items), "detention") == [("a", "b"), ("c", "d")]


def test_a_sum_of_fines_joins_the_report_of_that_sum():
    items = [
        doc("a", [E("a", "fine", "In 2022, he was fined three times", date="2022", details=[("count", "3 times")]),
                  E("a", "fine", "In May 2022, he was also fined for disrespecting the authorities", date="2022-05",
                    span=(60, 120))], story="s1"),
        doc("b", [E("b", "fine", "protocols were issued three times, a fine of 150,000 rubles in total",
                    details=[("count", "3 times"), ("amount", "150,000 rubles")])], story="s1"),
    ]
    res = resolve(items)
    assert ("a", "b") in sources(res, "fine")
    may = next(e for e in res.events if e.type == "fine" and e.date == "2022-05")
    assert {s.document for s in may.sources} == {"a"}
