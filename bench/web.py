"""Web read path: requests/s with the snapshot rebuilt per request vs cached per data generation.

    python bench/web.py                          # 20k documents (~1-2 min)
    python bench/web.py --docs 100000 --requests 5 --uncached-requests 1
    python bench/web.py --db postgresql://user@host/empty_db   # PostgreSQL instead of SQLite

1. A store is filled directly through ``Store`` (no NLP: extraction would take hours
   at these sizes): the texts of ``bench/corpus.py`` ``generate(n)`` (real sentences
   recombined, planted copies become ``duplicate_of``, rewrites share a ``story``),
   one evidence sentence per document about one or two of ~n/4 people (most in a few
   reports, a Zipf-like few in many: long timelines), their per-document analyses (place, party), events
   consolidated across documents, a few dozen review decisions, one recorded run.
2. In a fresh child process per mode (so peak RSS is the mode's own), the FastAPI app
   is driven with ``TestClient``: one first request (which builds the snapshot), then
   K requests to each of /, /people, the busiest person's page, a typical (median)
   person's page, a document page and /api/overview. ``uncached`` is ``create_app(cache=False)``: the snapshot is rebuilt
   on every request, as before the cache; ``cached`` reuses it while
   ``Store.data_generation()`` is unchanged.
3. Then, cached: the request right after a review is written (the rebuild it costs).

Printed: a table of requests/s and ms/request per route and mode, the first-request
and after-review times, and peak RSS per mode.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FIRST = ["Anna", "Boris", "Daria", "Yegor", "Ilya", "Kira", "Lev", "Maria", "Nikita", "Olga", "Pavel", "Sofia",
         "Timur", "Vera", "Zakhar", "Alexei", "Galina", "Oleg", "Rustam", "Yulia"]
LAST = ["Aksenov", "Belova", "Chirkov", "Davydova", "Fomin", "Gromova", "Ilyin", "Kuznetsova", "Lebedev",
        "Morozova", "Nesterov", "Orlova", "Petrov", "Rybakova", "Sokolov", "Tarasova", "Ulyanov", "Volkova",
        "Zhukov", "Yakovleva", "Antonov", "Borisova", "Vasiliev", "Egorova", "Frolov"]
PLACES = ["Omsk", "Perm", "Kazan", "Tomsk", "Samara", "Ufa", "Saint Petersburg", "Moscow", "Irkutsk", "Tver"]
PARTIES = [None, None, "Yabloko", "Communist Party", "Party of Growth"]
TYPES = [("detention", "was detained in {place}"), ("fine", "was fined by a court in {place}"),
         ("search", "had their home searched in {place}"), ("arrest", "was arrested in {place}"),
         ("protest", "held a single-person picket in {place}")]
ROUTES = ["/", "/people", "/person/{busiest}", "/person/{typical}", "/document/{doc}", "/api/overview"]


def _name(i: int) -> str:
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    n = i // (len(FIRST) * len(LAST))
    return f"{first} {last}" + (f" {_roman(n)}" if n else "")


def _roman(n: int) -> str:
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                 (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out, n = out + s, n - v
    return out


def build_store(db: str, n: int, seed: int = 1) -> dict[str, Any]:
    """Fill ``db`` with ``n`` documents and their persons/events; returns ids to request."""
    from bench.corpus import generate

    from khronika import review
    from khronika.models import (
        Analysis,
        Article,
        DocPerson,
        DocumentDate,
        DocumentInfo,
        Event,
        EventMention,
        Person,
        RawDocument,
        Source,
    )
    from khronika.store.db import Store

    rng = random.Random(seed)
    store = Store(db)
    n_people = max(4, n // 4)
    persons: dict[str, dict[str, Any]] = {}
    events: dict[str, dict[str, Any]] = {}
    infos: list[DocumentInfo] = []
    batch: list[tuple[RawDocument, Article]] = []
    analyses: list[Analysis] = []
    group_head: dict[str, str] = {}

    def flush() -> None:
        store.add_documents(batch)
        store.save_analyses(analyses)
        batch.clear()
        analyses.clear()

    for doc in generate(n, seed=seed):
        people_here = []
        for _ in range(1 + (rng.random() < 0.3)):
            # a few people in many reports (Zipf-like tail: person 0 is the busiest), most in a few
            idx = min(int(rng.paretovariate(1.2)) - 1, n_people - 1) if rng.random() < 0.2 else rng.randrange(n_people)
            if idx not in people_here:
                people_here.append(idx)
        date = doc.published or f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        sentences = []
        doc_persons: list[DocPerson] = []
        mentions: list[EventMention] = []
        text = doc.text
        for key_no, idx in enumerate(people_here):
            pid, name = f"p-{idx:06d}", _name(idx)
            place = PLACES[idx % len(PLACES)]
            etype, phrase = TYPES[(idx + len(text)) % len(TYPES)]
            sentence = f"{name} {phrase.format(place=place)} on {date}."
            start = len(text) + 2
            text = f"{text}\n\n{sentence}"
            span = (start, start + len(sentence))
            key = f"p{key_no}"
            sentences.append(sentence)
            doc_persons.append(DocPerson(doc.id, key, name, (name,), ("activist",), PARTIES[idx % len(PARTIES)],
                                         place, (span,)))
            mentions.append(EventMention(doc.id, etype, key, name, sentence, span, None, date))
            p = persons.setdefault(pid, {"name": name, "docs": [], "members": []})
            p["docs"].append(doc.id)
            p["members"].append((doc.id, key))
            eid = "e-" + hashlib.sha1(f"{pid}|{etype}|{date[:7]}".encode()).hexdigest()[:16]
            ev = events.setdefault(eid, {"type": etype, "subject": pid, "name": name, "date": date, "sources": [],
                                         "confidence": round(rng.uniform(0.5, 1.0), 2)})
            ev["sources"].append(Source(doc.id, sentence, span))
        data = text.encode()
        chash = hashlib.sha256(data).hexdigest()
        raw = RawDocument(f"bench/{doc.id}.txt", data, "text")
        batch.append((raw, Article(doc.id, raw.source, chash, text, title=doc.title, outlet=f"outlet{rng.randrange(6)}",
                                   url=f"https://example.org/{doc.id}", published_stated=date, language="en")))
        analyses.append(Analysis(doc.id, tuple(doc_persons), tuple(mentions), DocumentDate(date)))
        head = group_head.setdefault(doc.group, doc.id)
        infos.append(DocumentInfo(doc.id, raw.source, doc.title, batch[-1][1].outlet, batch[-1][1].url, date, date,
                                  duplicate_of=head if head != doc.id else None, story=f"s-{doc.story}"))
        if len(batch) >= 2000:
            flush()
    flush()
    store.update_documents(infos)
    store.replace_resolution(
        [Person(pid, p["name"], (p["name"],), ("activist",), tuple(dict.fromkeys(p["docs"])), tuple(p["members"]))
         for pid, p in persons.items()],
        [Event(eid, e["type"], e["subject"], e["name"], tuple(e["sources"]), None, e["date"], confidence=e["confidence"])
         for eid, e in events.items()])
    eids = sorted(events)
    for i in range(30):  # review decisions to apply on every snapshot
        review.record(store, "event", eids[i * 7 % len(eids)], ("reject", "confirm", "edit")[i % 3], "bench",
                      {"date": "2024-01-01"} if i % 3 == 2 else {})
    pids = sorted(persons)
    for i in range(5):
        review.record(store, "person", pids[-1 - 2 * i], "merge", "bench", {"into": pids[-2 - 2 * i]})
    store.record_run("ingest", {"bench": n})
    by_size = sorted(persons, key=lambda pid: (len(persons[pid]["docs"]), pid))
    busiest, typical = by_size[-1], by_size[len(by_size) // 2]
    out = {"busiest": busiest, "typical": typical, "doc": persons[busiest]["docs"][0], "documents": n,
           "persons": len(persons), "busiest_docs": len(persons[busiest]["docs"]),
           "typical_docs": len(persons[typical]["docs"]),
           "events": len(events), "event": eids[1]}
    store.close()
    return out


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_mode(db: str, ids: dict[str, Any], cached: bool, k: int) -> dict[str, Any]:
    """In a fresh process: time the routes with the cache on or off."""
    from fastapi.testclient import TestClient

    from khronika import review
    from khronika.store.db import Store
    from khronika.web import create_app

    store = Store(db)
    app = create_app(store, cache=cached)
    urls = [r.format(busiest=ids["busiest"], typical=ids["typical"], doc=ids["doc"]) for r in ROUTES]
    out: dict[str, Any] = {"routes": {}}
    with TestClient(app) as client:
        t = time.perf_counter()
        assert client.get("/api/overview").status_code == 200
        out["first_ms"] = (time.perf_counter() - t) * 1000
        for url, route in zip(urls, ROUTES, strict=True):
            client.get(url)  # per-snapshot indexes this route uses are built here
            t = time.perf_counter()
            for _ in range(k):
                r = client.get(url)
                assert r.status_code == 200, (url, r.status_code)
            out["routes"][route] = (time.perf_counter() - t) / k
        if cached:
            review.record(store, "event", ids["event"], "confirm", "bench")
            t = time.perf_counter()
            assert client.get("/api/overview").json()["counts"]["reviews"] == 36
            out["after_review_ms"] = (time.perf_counter() - t) * 1000
        out["builds"] = app.state.snapshots.builds
    out["peak_rss_mb"] = _peak_rss_mb()
    store.close()
    return out


def _child(db: str, ids: dict[str, Any], cached: bool, k: int, q: Any) -> None:
    q.put(run_mode(db, ids, cached, k))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20_000, help="documents in the store (default 20,000)")
    ap.add_argument("--requests", type=int, default=20, help="timed requests per route, cached (default 20)")
    ap.add_argument("--uncached-requests", type=int, default=3,
                    help="timed requests per route, uncached (default 3: each costs a full snapshot)")
    ap.add_argument("--db", help="an empty PostgreSQL database URL (default: a temporary SQLite file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "web.db")
        t = time.perf_counter()
        ids = build_store(db, args.docs)
        print(f"store: {ids['documents']:,} documents, {ids['persons']:,} persons, {ids['events']:,} events, "
              f"35 reviews; built in {time.perf_counter() - t:.0f} s; person pages: the busiest "
              f"({ids['busiest_docs']:,} documents), a typical one ({ids['typical_docs']})", flush=True)
        ctx = mp.get_context("spawn")  # a clean interpreter per mode: its peak RSS is its own
        results = {}
        for cached, k in ((False, args.uncached_requests), (True, args.requests)):
            q = ctx.Queue()
            proc = ctx.Process(target=_child, args=(db, ids, cached, k, q))
            proc.start()
            results[cached] = q.get()
            proc.join()
    before, after = results[False], results[True]
    print(f"\n{'route':<20} {'uncached req/s':>15} {'ms/req':>9} {'cached req/s':>13} {'ms/req':>9} {'speed-up':>9}")
    for route in ROUTES:
        b, a = before["routes"][route], after["routes"][route]
        print(f"{route:<20} {1 / b:>15.2f} {b * 1000:>9.1f} {1 / a:>13.1f} {a * 1000:>9.1f} {b / a:>8.0f}x")
    print(f"\nfirst request (builds the snapshot): uncached {before['first_ms']:.0f} ms, cached {after['first_ms']:.0f} ms")
    print(f"cached, first request after a review is written (rebuild): {after['after_review_ms']:.0f} ms")
    print(f"snapshots built: uncached {before['builds']}, cached {after['builds']}")
    print(f"peak RSS: uncached {before['peak_rss_mb']:.0f} MB, cached {after['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
