"""A second or repeated act is its own event: an undated report of another prison term, or
of an act its text calls additional/new, does not join the first act just because it is
about the same person and type. Synthetic mentions of an invented person."""

from __future__ import annotations

from test_consolidate_details import E, doc, sources  # beside this file

from khronika.resolve import resolve


def _first_sentence():
    # the first sentence, reported by two outlets with its date and term
    return [
        doc("a", [E("a", "sentence", "sentenced to seven years in prison on July 8, 2022", date="2022-07-08",
                    details=[("term", "7 years")])], story="s1"),
        doc("b", [E("b", "sentence", "sentenced to seven years in prison", details=[("term", "7 years")])],
            story="s1"),
    ]


def test_an_additional_sentence_is_a_second_event():
    items = _first_sentence() + [
        doc("c", [E("c", "sentence", "received an additional three-year prison sentence",
                    details=[("term", "3 years"), ("order", "repeat")]),
                  E("c", "sentence", "his initial seven-year sentence stemmed from his criticism", span=(60, 120),
                    details=[("term", "7 years"), ("order", "first")])], story="s1"),
    ]
    res = resolve(items)
    # the recap of the first sentence joins it; the additional one stands alone
    assert sources(res, "sentence") == [("a", "b", "c"), ("c",)]
    assert not any(e.conflicts for e in res.events)


def test_another_term_in_the_same_story_is_another_sentence_unless_dated_alike():
    undated = _first_sentence() + [
        doc("c", [E("c", "sentence", "was sentenced to nine years", details=[("term", "9 years")])], story="s1")]
    assert sources(resolve(undated), "sentence") == [("a", "b"), ("c",)]
    # the same month on both sides: one verdict reported with two terms (a typo), kept as a conflict
    dated = _first_sentence() + [
        doc("c", [E("c", "sentence", "was sentenced to nine years in July 2022", date="2022-07",
                    details=[("term", "9 years")])], story="s1")]
    res = resolve(dated)
    assert sources(res, "sentence") == [("a", "b", "c")]
    assert any(c.startswith("term:") for e in res.events for c in e.conflicts)


def test_a_repeat_needs_a_tie_to_join_an_unmarked_event():
    base = [doc("a", [E("a", "charge", "charged with discrediting the army in March 2023", date="2023-03")],
                story="s1")]
    # "a new criminal case", undated, nothing else shared: a new event
    new_case = doc("b", [E("b", "charge", "investigators opened a new criminal case against him",
                           details=[("order", "repeat")])], story="s1")
    assert sources(resolve(base + [new_case]), "charge") == [("a",), ("b",)]
    # the same report without the word joins (nothing says it is another one)
    plain = doc("b", [E("b", "charge", "investigators opened a criminal case against him")], story="s1")
    assert sources(resolve(base + [plain]), "charge") == [("a", "b")]
    # dated to the same month, the repeat is that event
    dated = doc("b", [E("b", "charge", "in March 2023 a new criminal case was opened", date="2023-03",
                        details=[("order", "repeat")])], story="s1")
    assert sources(resolve(base + [dated]), "charge") == [("a", "b")]


def test_reports_of_the_repeat_join_each_other_and_plain_reports_may_join_it():
    items = [
        doc("a", [E("a", "fine", "fined 30,000 rubles in May 2022", date="2022-05",
                    details=[("amount", "30,000 rubles")])], story="s1"),
        doc("b", [E("b", "fine", "the court imposed another fine of 50,000 rubles",
                    details=[("amount", "50,000 rubles"), ("order", "repeat")])], story="s1"),
        doc("c", [E("c", "fine", "he was fined again", details=[("order", "repeat")])], story="s2"),
        doc("d", [E("d", "fine", "a fine of 50 thousand rubles", details=[("amount", "50 thousand rubles")])],
            story="s3"),
    ]
    assert sources(resolve(items), "fine") == [("a",), ("b", "c", "d")]


def test_a_repeat_offence_charge_is_not_a_repeat():
    # "repeated discrediting" is the offence's name: extraction gives no order, so reports
    # of one charge under that article merge as any others
    items = [
        doc("a", [E("a", "charge", "charged with repeated discrediting of the army on May 3, 2023",
                    date="2023-05-03")], story="s1"),
        doc("b", [E("b", "charge", "a criminal case of repeated discrediting was opened against him")],
            story="s2"),
    ]
    assert sources(resolve(items), "charge") == [("a", "b")]
