"""Pages and JSON API over a database built from the seed corpus (see conftest)."""

from __future__ import annotations

import re

from webseed import TOKEN


def _person_id(client, alias: str) -> str:
    people = client.get("/people.json").json()["persons"]
    return next(p["id"] for p in people if alias in p["aliases"] or p["name"] == alias)


def _doc_id(client, needle: str) -> str:
    return next(d["id"] for d in client.get("/export.json").json()["documents"] if needle in d["text"])


def test_overview_html_and_json(client):
    r = client.get("/")
    assert r.status_code == 200 and "<svg" in r.text and "Events per month" in r.text
    data = client.get("/index.json").json()
    assert data["counts"]["documents"] >= 6
    assert client.get("/", headers={"Accept": "application/json"}).json() == data
    assert client.get("/api/overview").json()["counts"] == data["counts"]


def test_every_page_sends_csp_without_unsafe_inline(client):
    for url in ("/", "/people", "/search?q=deputy", "/review", "/docs", "/nope"):
        csp = client.get(url).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url


def test_person_page_timeline_sources_and_json(client):
    pid = _person_id(client, "Ksenia Thorstrom")
    data = client.get(f"/person/{pid}.json").json()
    assert data == client.get(f"/api/person/{pid}").json()
    dates = [e["date"] or "9999" for e in data["timeline"]]
    assert dates == sorted(dates)
    assert all(s["evidence"] for e in data["timeline"] for s in e["sources"])
    html = client.get(f"/person/{pid}").text
    for e in data["timeline"]:
        for s in e["sources"]:
            assert f'href="/document/{s["document"]}' in html


def test_people_filters(client):
    all_people = client.get("/people.json").json()
    assert all_people["choices"]["type"]
    t = all_people["choices"]["type"][0]
    filtered = client.get("/people.json", params={"type": t}).json()["persons"]
    assert filtered and all(t in p["event_types"] for p in filtered)
    if all_people["choices"]["place"]:
        place = all_people["choices"]["place"][0]
        assert all(place in p["places"] for p in client.get("/people.json", params={"place": place}).json()["persons"])
    assert client.get("/people.json", params={"party": "no such party"}).json()["persons"] == []


def test_document_highlights_evidence_and_escapes_hostile_text(client):
    doc = _doc_id(client, "window.__pwned")
    r = client.get(f"/document/{doc}")
    assert r.status_code == 200
    assert "<script>window" not in r.text and "onerror=\"window" not in r.text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in r.text
    data = client.get(f"/document/{doc}.json").json()
    for ev in data["evidence"]:
        if ev["span"]:
            assert data["text"][ev["span"][0]:ev["span"][1]] == ev["evidence"]
            assert "<mark" in r.text


def test_raw_bytes_are_an_inert_attachment(client):
    doc = _doc_id(client, "window.__pwned")
    r = client.get(f"/document/{doc}/raw")
    assert r.status_code == 200 and b"<script>window.__pwned=1</script>" in r.content
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-disposition"].startswith("attachment")


def test_ids_are_validated_and_nothing_is_served_from_disk(client):
    for url in ("/person/..%2F..%2Fetc%2Fpasswd", "/document/..%2Fpyproject.toml/raw", "/person/%3Cscript%3E",
                "/static/../cli.py", "/static/..%2Fcli.py", "/static/..%2F..%2F..%2Fpyproject.toml",
                "/api/person/%20x"):
        r = client.get(url)
        assert r.status_code in (404, 422), url
        assert "typer" not in r.text and "[project]" not in r.text
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/api/person/nope").json() == {"ok": False, "error": "No such person.", "status": 404}


def test_search_finds_words_and_never_errors_on_syntax(client):
    data = client.get("/search.json", params={"q": "Thorstrom"}).json()
    assert data["results"] and not data["error"]
    assert any(p["mark"] for r in data["results"] for p in r["snippet"])
    for q in ['"', 'NEAR(', '*', 'title:x', 'a AND OR', ")(", "'; DROP TABLE documents; --", "x" * 600]:
        r = client.get("/search", params={"q": q})
        assert r.status_code == 200, q
        assert client.get("/search.json", params={"q": q}).status_code == 200
    assert client.get("/search.json", params={"q": "x" * 600}).json()["error"]
    assert client.get("/index.json").json()["counts"]["documents"] >= 6  # the table survived


def test_review_queue(client):
    data = client.get("/review.json").json()
    assert set(data) >= {"low_confidence", "conflicts", "suspect_dates", "proposed_merges", "recent_decisions"}
    assert all(e["confidence"] < 0.7 for e in data["low_confidence"])
    assert client.get("/review").status_code == 200


def test_exports(client):
    contract = client.get("/export.json").json()
    assert set(contract) >= {"documents", "persons", "events"}
    assert client.get("/export.jsonl").text.count("\n") >= len(contract["documents"])
    assert client.get("/export.csv").text.startswith("event_id,")
    assert client.get("/export.parquet").content[:4] == b"PAR1"
    assert isinstance(client.get("/export.plover.json").json(), list)


def test_openapi_documents_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/person/{person_id}" in paths and "/api/review" in paths and "/export.json" in paths
    assert "/api/review" in client.get("/docs").text
    assert re.search(r"Bearer", client.get("/docs").text)
    assert TOKEN not in client.get("/docs").text
