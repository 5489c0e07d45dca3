"""Person resolution and event consolidation on realistic inputs.

The inputs are what extraction produces (DocPerson, EventMention) for the seed and
dev articles, written by hand from the gold annotations and the article sentences.
"""

from __future__ import annotations

from khronika.models import Analysis, DocPerson, DocumentDate, DocumentInfo, EventMention
from khronika.resolve import resolve
from khronika.timeline import timeline


def doc(doc_id, persons, events=(), story=None, dup=None, published=None, outlet=None):
    info = DocumentInfo(doc_id, f"{doc_id}.txt", story=story, duplicate_of=dup, published=published, outlet=outlet)
    return info, Analysis(doc_id, tuple(persons), tuple(events), DocumentDate(published))


def P(doc_id, key, name, *aliases, roles=()):
    return DocPerson(doc_id, key, name, (name, *aliases), roles=tuple(roles))


def E(doc_id, etype, key, name, evidence, span=(0, 50), date=None, details=(), status="reported"):
    return EventMention(doc_id, etype, key, name, evidence, span, date=date, details=tuple(details), status=status)


def thorstrom_items():
    d2 = doc("seed002", [P("seed002", "p0", "Xenia Torstrem", "Torstrem"),
                         P("seed002", "p1", "Dmitry Palyuga", "Palyuga"),
                         P("seed002", "p2", "Vladimir Putin", "Putin")],
             [E("seed002", "appeal", "p0", "Xenia Torstrem",
                "The petition, signed by dozens of officials after it was posted by Xenia Torstrem", date="2022-09")],
             story="s1", published="2022-09-20")
    d4 = doc("seed004", [P("seed004", "p0", "Ksenia Thorstrom", "Thorstrom", roles=["municipal deputy"]),
                         P("seed004", "p1", "Dmitry Palyuga", "Palyuga"),
                         P("seed004", "p2", "Putin")],
             [E("seed004", "appeal", "p0", "Ksenia Thorstrom",
                "Ksenia Thorstrom posted a petition demanding Putin's resignation"),
              E("seed004", "exile", "p0", "Ksenia Thorstrom", "Ksenia Thorstrom is now in Finland.", span=(60, 95))],
             story="s1", published="2022-10-01")
    return [d2, d4]


def test_thorstrom_one_person_both_sources_on_her_appeal():
    res = resolve(thorstrom_items())
    ks = [p for p in res.persons if "Ksenia Thorstrom" in p.aliases or "Xenia Torstrem" in p.aliases]
    assert len(ks) == 1
    k = ks[0]
    assert {"Ksenia Thorstrom", "Xenia Torstrem"} <= set(k.aliases)
    assert k.documents == ("seed002", "seed004") and k.merge_evidence
    appeals = [e for e in res.events if e.type == "appeal" and e.subject == k.id]
    assert len(appeals) == 1
    assert {s.document for s in appeals[0].sources} == {"seed002", "seed004"}
    assert appeals[0].date == "2022-09"
    # the bare "Putin" of seed004 joins the only Putin of the corpus
    putins = [p for p in res.persons if "Putin" in p.aliases]
    assert len(putins) == 1 and putins[0].documents == ("seed002", "seed004")


def test_medvedevs_and_yashins_stay_apart_even_through_a_bare_surname():
    items = [
        doc("a", [P("a", "p0", "Sergei Medvedev", "Medvedev", roles=["Perm City Duma deputy"])], story="s1"),
        doc("b", [P("b", "p0", "Dmitry Medvedev", "Medvedev")], story="s2"),
        doc("c", [P("c", "p0", "Medvedev")], story="s3"),  # which one? nobody can tell
        doc("d", [P("d", "p0", "Ilya Yashin", "Yashin")], story="s4"),
        doc("e", [P("e", "p0", "Oleg Yashin", "Yashin", roles=["hockey player"])], story="s5"),
        doc("f", [P("f", "p0", "Yashin")], story="s5"),  # same story as the hockey player
    ]
    res = resolve(items)
    by_doc = {m: p for p in res.persons for m in p.members}
    assert by_doc[("a", "p0")] is not by_doc[("b", "p0")]
    assert by_doc[("c", "p0")] not in (by_doc[("a", "p0")], by_doc[("b", "p0")])
    assert by_doc[("d", "p0")] is not by_doc[("e", "p0")]
    assert by_doc[("f", "p0")] is by_doc[("e", "p0")]


def test_gorinov_spellings_initials_and_official_order_merge():
    items = [
        doc("d001", [P("d001", "p0", "Aleksey Gorinov", "Oleksiy Gorinov", "Gorinov")], story="s1"),
        doc("d002", [P("d002", "p0", "Gorinov Aleksey Alexandrovich", "Gorinov")], story="s1"),
        doc("d003", [P("d003", "p0", "Aleksei Horinov", "Horinov")], story="s1"),
        doc("d010", [P("d010", "p0", "V.V. Putin")], story="s2"),
        doc("d011", [P("d011", "p0", "Vladimir Putin", "Putin")], story="s3"),
        doc("d012", [P("d012", "p0", "Palyuga D.S.")], story="s4"),
        doc("d013", [P("d013", "p0", "Dmytro Palyuga")], story="s4"),
        doc("d014", [P("d014", "p0", "Васильев Денис Борисович")], story="s5"),
    ]
    res = resolve(items)
    names = {p.name: p for p in res.persons}
    assert len(res.persons) == 4, [p.name for p in res.persons]
    assert names["Aleksey Gorinov"].documents == ("d001", "d002", "d003")
    assert names["Vladimir Putin"].documents == ("d010", "d011")
    assert names["Dmytro Palyuga"].documents == ("d012", "d013")
    # a Cyrillic-only person gets a Latin display name, the original kept as alias
    vas = next(p for p in res.persons if "Васильев Денис Борисович" in p.aliases)
    assert vas.name == "Denis Vasilyev"


def test_conflicting_fine_amounts_flagged_not_overwritten():
    items = [
        doc("a", [P("a", "p0", "Yevgeny Roizman")],
            [E("a", "fine", "p0", "Yevgeny Roizman", "fined 260,000 rubles", date="2023-05-19",
               details=[("amount", "260,000 rubles")])], story="s1"),
        doc("b", [P("b", "p0", "Yevgenii Roizman")],
            [E("b", "fine", "p0", "Yevgenii Roizman", "a fine of 280,000 roubles", date="2023-05-19",
               details=[("amount", "280,000 roubles")])], story="s2"),
    ]
    res = resolve(items)
    fines = [e for e in res.events if e.type == "fine"]
    assert len(fines) == 1
    assert {s.document for s in fines[0].sources} == {"a", "b"}
    assert fines[0].conflicts and "260,000 rubles (a)" in fines[0].conflicts[0] and "280,000 roubles (b)" in fines[0].conflicts[0]


def test_different_amount_without_a_shared_date_is_another_fine():
    items = [
        doc("a", [P("a", "p0", "Yevgeny Roizman")],
            [E("a", "fine", "p0", "Yevgeny Roizman", "fined 260,000 rubles", date="2023-05-19",
               details=[("amount", "260,000 rubles")])], story="s1"),
        doc("b", [P("b", "p0", "Yevgeny Roizman")],
            [E("b", "fine", "p0", "Yevgeny Roizman", "three fines, 150,000 rubles in total",
               details=[("amount", "150,000 rubles")])], story="s2"),
    ]
    assert len([e for e in resolve(items).events if e.type == "fine"]) == 2


def test_two_sentences_with_different_dates_kept_apart():
    items = [
        doc("d002", [P("d002", "p0", "Alexei Gorinov")],
            [E("d002", "sentence", "p0", "Alexei Gorinov", "sentenced to seven years", date="2022-07-08")], story="s1"),
        doc("d005", [P("d005", "p0", "Aleksei Gorinov")],
            [E("d005", "sentence", "p0", "Aleksei Gorinov", "was sentenced to seven years in July 2022",
               date="2022-07", span=(0, 40)),
             E("d005", "sentence", "p0", "Aleksei Gorinov", "added three more years", date="2023-11",
               span=(100, 130))], story="s2"),
        doc("d006", [P("d006", "p0", "Gorinov Aleksey Alexandrovich")],
            [E("d006", "sentence", "p0", "Gorinov", "the court sentenced Gorinov")], story="s1"),
    ]
    res = resolve(items)
    sent = sorted((e for e in res.events if e.type == "sentence"), key=lambda e: e.date)
    assert [e.date for e in sent] == ["2022-07-08", "2023-11"]
    assert {s.document for s in sent[0].sources} == {"d002", "d005", "d006"}
    assert {s.document for s in sent[1].sources} == {"d005"}


def test_near_duplicates_list_both_copies_and_status_needs_all_hedged():
    items = [
        doc("x", [P("x", "p0", "Sergei Medvedev")],
            [E("x", "wanted_list", "p0", "Sergei Medvedev", "reportedly placed on the wanted list",
               date="2024-01", status="unconfirmed")], story="s1"),
        doc("y", [P("y", "p0", "Sergei Medvedev")],
            [E("y", "wanted_list", "p0", "Sergei Medvedev", "reportedly placed on the wanted list",
               date="2024-01", status="unconfirmed")], story="s1", dup="x"),
        doc("z", [P("z", "p0", "Sergey Medvedev")],
            [E("z", "wanted_list", "p0", "Sergey Medvedev", "was put on the wanted list")], story="s1"),
    ]
    res = resolve(items)
    (ev,) = [e for e in res.events if e.type == "wanted_list"]
    assert [s.document for s in ev.sources] == ["x", "y", "z"]
    assert ev.status == "reported"
    res2 = resolve(items[:2])
    assert res2.events[0].status == "unconfirmed"


def test_ids_stable_across_runs_and_input_order():
    items = thorstrom_items()
    a, b = resolve(items), resolve(list(reversed(items)))
    assert [p.id for p in a.persons] == [p.id for p in b.persons]
    assert [e.id for e in a.events] == [e.id for e in b.events]
    assert a.persons == b.persons and a.events == b.events


def test_timeline_acts_then_responses_with_sources():
    items = [
        doc("a", [P("a", "p0", "Ilya Yashin")],
            [E("a", "sentence", "p0", "Ilya Yashin", "sentenced to 8.5 years", date="2022-12-09"),
             E("a", "statement", "p0", "Ilya Yashin", "spoke about Bucha on YouTube", date="2022-04-07",
               span=(60, 90)),
             E("a", "charge", "p0", "Ilya Yashin", "charged under the fakes law", date="2022-07", span=(100, 130))],
            story="s1", published="2022-12-09", outlet="Meduza"),
    ]
    res = resolve(items)
    pid = res.persons[0].id
    tl = timeline(pid, res, {i.id: i for i, _ in items})
    assert [t.event.type for t in tl] == ["statement", "charge", "sentence"]
    assert tl[0].sources[0].outlet == "Meduza" and tl[0].sources[0].evidence.startswith("spoke")


def test_report_date_estimate_is_a_bound_not_a_date():
    """Extraction dates an undated report by its publication month (date_basis=document):
    that must not split it from the event whose date another source states."""
    est = (("date_basis", "document"),)
    items = [
        doc("a", [P("a", "p0", "Alexei Gorinov")],
            [E("a", "sentence", "p0", "Alexei Gorinov", "sentenced to seven years", date="2022-07-08")], story="s1"),
        doc("b", [P("b", "p0", "Alexei Gorinov")],
            [E("b", "sentence", "p0", "Alexei Gorinov", "was sentenced to seven years", date="2022-09", details=est)],
            story="s2", published="2022-09-15"),
        # reported in June: cannot be about a July sentence
        doc("c", [P("c", "p0", "Alexei Gorinov")],
            [E("c", "sentence", "p0", "Alexei Gorinov", "was sentenced", date="2022-06", details=est)],
            story="s3", published="2022-06-01"),
    ]
    sent = sorted((e for e in resolve(items).events if e.type == "sentence"), key=lambda e: e.date)
    assert [(e.date, [s.document for s in e.sources]) for e in sent] == [("2022-06", ["c"]), ("2022-07-08", ["a", "b"])]
    assert all(not e.conflicts for e in sent)
