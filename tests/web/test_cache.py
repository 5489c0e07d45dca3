"""The snapshot cache (khronika.web.cache): reused while the data generation holds,
rebuilt after an ingest run or a review, and invisible in every answer."""

from __future__ import annotations

import re
import threading
from urllib.parse import quote

from fastapi.testclient import TestClient
from webseed import PIPELINE, TOKEN

from khronika import review
from khronika.store.db import Store
from khronika.web import create_app, queries
from khronika.web.cache import SnapshotCache


def _count_calls(monkeypatch, store: Store, *names: str) -> dict[str, int]:
    calls = dict.fromkeys(names, 0)
    for name in names:
        original = getattr(store, name)

        def counted(*a, _name=name, _original=original, **kw):
            calls[_name] += 1
            return _original(*a, **kw)

        monkeypatch.setattr(store, name, counted)
    return calls


def _urls(client) -> list[str]:
    people = client.get("/api/people").json()["persons"]
    events = client.get("/export.json").json()["events"]
    docs = [d["id"] for d in client.get("/export.json").json()["documents"]]
    urls = ["/", "/index.json", "/people", "/people.json", "/review", "/review.json", "/api/overview",
            "/api/people", "/api/review/queue", "/api/reviews", "/search.json?q=detained"]
    choices = client.get("/people.json").json()["choices"]
    for key in ("type", "place", "party"):
        urls += [f"/people.json?{key}={quote(v)}" for v in choices[key]] + [f"/people?{key}={quote(v)}"
                                                                          for v in choices[key][:1]]
    for p in people:
        urls += [f"/person/{p['id']}", f"/person/{p['id']}.json", f"/api/person/{p['id']}"]
    for e in events:
        urls += [f"/event/{e['id']}", f"/event/{e['id']}.json", f"/api/event/{e['id']}"]
    for d in docs:
        urls += [f"/document/{d}", f"/document/{d}.json", f"/api/document/{d}"]
    return urls


def _answer(client, url: str) -> tuple[int, str | None, str]:
    r = client.get(url, follow_redirects=False)
    # the CSRF field is an HMAC with each app's own secret: the one thing allowed to differ
    return r.status_code, r.headers.get("location"), re.sub(r'name="csrf_token" value="[0-9a-f]+"', "", r.text)


def test_snapshot_is_reused_while_nothing_changes(client, store, monkeypatch):
    calls = _count_calls(monkeypatch, store, "persons", "events", "document_infos", "analyses")
    pid = client.get("/api/people").json()["persons"][0]["id"]
    for _ in range(3):
        for url in ("/", "/people", f"/person/{pid}", "/api/overview", "/review.json", f"/api/person/{pid}"):
            assert client.get(url).status_code == 200, url
    assert calls == {"persons": 1, "events": 1, "document_infos": 1, "analyses": 1}
    assert client.app.state.snapshots.builds == 1


def test_review_is_seen_on_the_next_request(client, store):
    before = client.get("/api/overview").json()
    ev = before["latest_events"][0]
    review.record(store, "event", ev["id"], "reject", "Ana")  # as another process or the CLI would
    after = client.get("/api/overview").json()
    assert after["counts"]["reviews"] == before["counts"]["reviews"] + 1
    assert after["counts"]["events"] == before["counts"]["events"] - 1
    assert client.get(f"/api/event/{ev['id']}").status_code == 404
    r = client.post("/api/review", json={"kind": "event", "target": ev["id"], "action": "confirm", "reviewer": "Bo"},
                    headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201
    assert client.get(f"/api/event/{ev['id']}").json()["reviewed"] == "confirmed"
    assert client.app.state.snapshots.builds == 3


def test_rebuilt_after_an_ingest_run_and_only_then(client, store, tmp_path):
    before = client.get("/api/overview").json()["counts"]
    if PIPELINE.get("mode") == "pipeline":
        from khronika.pipeline import run_ingest

        extra = tmp_path / "extra.txt"
        extra.write_text(
            "Court in Tomsk fines activist over anti-war post\n\n"
            "The Kirovsky district court in Tomsk fined the local activist Pavel Orlov 30,000 rubles on "
            "4 May 2024 for a post that criticised the war, his lawyer said.\n\n"
            "Orlov, who had been detained at a picket in March, said he would appeal the ruling. "
            "Prosecutors had asked for a larger fine, according to the court's press service.\n",
            encoding="utf-8")
        run_ingest(store, [str(extra)])
        assert client.get("/api/overview").json()["counts"]["documents"] == before["documents"] + 1
        before = client.get("/api/overview").json()["counts"]
    assert before["persons"] > 0
    # the generation moves with recorded runs: writes of a run still in progress are not
    # shown half-done; they appear, all at once, when the run is recorded
    store.replace_resolution([], [])
    assert client.get("/api/overview").json()["counts"]["persons"] == before["persons"]
    with TestClient(create_app(store, cache=False)) as uncached:
        assert uncached.get("/api/overview").json()["counts"]["persons"] == 0
    store.record_run("ingest", {})
    now = client.get("/api/overview").json()["counts"]
    assert (now["persons"], now["events"]) == (0, 0)


def test_answers_identical_with_and_without_cache(client, store):
    with TestClient(create_app(store, token=TOKEN, cache=False)) as uncached:
        urls = _urls(client)
        assert len(urls) > 30
        for url in urls:
            assert _answer(client, url) == _answer(uncached, url), url
        # again over reviewed data: a merge, a split, a reject and an edit change every index
        people = client.get("/api/people").json()["persons"]
        multi = next((p for p in people if p["documents"] > 1), None)
        if multi is not None:
            docs = [d["id"] for d in client.get(f"/api/person/{multi['id']}").json()["documents"]]
            review.record(store, "person", multi["id"], "split", "Ana", {"documents": docs[-1:], "name": "Split Off"})
        if len(people) > 2:
            review.record(store, "person", people[2]["id"], "merge", "Ana", {"into": people[1]["id"]})
        events = client.get("/export.json").json()["events"]
        review.record(store, "event", events[0]["id"], "reject", "Ana")
        review.record(store, "event", events[-1]["id"], "edit", "Ana", {"date": "2020-01-02"})
        for url in _urls(client) + urls:  # old urls too: merged-away and rejected ids
            assert _answer(client, url) == _answer(uncached, url), url


def test_indexes_agree_with_a_scan(store):
    """The per-snapshot indexes give what a pass over the snapshot gives."""
    snap = queries.snapshot(store)
    assert snap.events and snap.docs
    for e in snap.events:
        assert queries.event(snap, e["id"])["id"] == e["id"]
    for pid in snap.persons:
        got = [e["id"] for e in queries.person(store, snap, pid)["timeline"]]
        assert sorted(got) == sorted(e["id"] for e in snap.events if e.get("subject") == pid)
        stem = queries._name_parts(snap.persons[pid]["name"])[0]  # same surname stem: always offered
        same = {p["id"] for p in snap.persons.values() if p["id"] != pid and queries._name_parts(p["name"])[0] == stem}
        got = queries.merge_candidates(snap, pid)
        assert same <= {c for c, _ in got} and pid not in {c for c, _ in got}
    for doc_id in snap.docs:
        got = queries.document(store, snap, doc_id)
        row = store.document(doc_id)
        assert got["duplicates"] == sorted(d.id for d in snap.docs.values() if d.duplicate_of == doc_id)
        assert got["same_story"] == sorted(d.id for d in snap.docs.values()
                                           if row["story"] and d.story == row["story"] and d.id != doc_id)
        assert [(p["id"], p["name"]) for p in got["persons"]] == sorted(
            (p["id"], p["name"]) for p in snap.persons.values() if doc_id in p["documents"])
        assert sorted(x["event"] for x in got["evidence"]) == sorted(
            e["id"] for e in snap.events for s in e["sources"] if s["document"] == doc_id)


def test_concurrent_requests_build_one_snapshot(tmp_path):
    store = Store(str(tmp_path / "empty.db"))
    cache = SnapshotCache(store)
    start = threading.Barrier(8)
    got: list[queries.Snapshot] = []

    def request() -> None:
        start.wait()
        got.append(cache.get())

    threads = [threading.Thread(target=request) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and all(s is got[0] for s in got)
    assert cache.builds == 1
    store.record_run("ingest", {})
    assert cache.get() is not got[0] and cache.builds == 2
    store.close()


def test_generation_changes_with_runs_and_reviews_only(db_url):
    """On SQLite and PostgreSQL: the generation is stable between writes and moves with each."""
    store = Store(db_url)
    on, off = SnapshotCache(store), SnapshotCache(store, enabled=False)
    g0 = store.data_generation()
    for _ in range(2):
        on.get(), off.get()
    assert store.data_generation() == g0
    assert (on.builds, off.builds) == (1, 2)
    store.record_run("ingest", {})
    g1 = store.data_generation()
    review.record(store, "event", "e-1", "reject", "Ana")
    g2 = store.data_generation()
    assert len({g0, g1, g2}) == 3
    on.get()
    assert on.builds == 2
    store.close()
