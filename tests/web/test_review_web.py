"""Review writes: token, CSRF, effect on pages and exports, survival across re-ingest."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from webseed import SEEDS, TOKEN, build

from khronika.web import create_app


def _csrf(client, url: str) -> str:
    html = client.get(url).text
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


def _event(client, etype: str | None = None) -> dict:
    events = client.get("/export.json").json()["events"]
    return next(e for e in events if etype is None or e["type"] == etype)


def test_reject_via_form_hides_event_everywhere_and_survives_reingest(client, store, corpus_dir):
    ev = _event(client)
    csrf = _csrf(client, f"/event/{ev['id']}")
    r = client.post(f"/review/event/{ev['id']}", data={
        "action": "reject", "reviewer": "Ana", "token": TOKEN, "csrf_token": csrf, "note": "misread",
        "next": "/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert ev["id"] not in {e["id"] for e in client.get("/export.json").json()["events"]}
    if ev["subject"]:
        assert f"/event/{ev['id']}" not in client.get(f"/person/{ev['subject']}").text
    assert client.get(f"/event/{ev['id']}").status_code == 404
    [d] = client.get("/api/reviews").json()
    assert (d["reviewer"], d["action"], d["note"]) == ("Ana", "reject", "misread") and d["created_at"]
    build(store, [str(SEEDS), str(corpus_dir)])  # the pipeline rewrites persons and events
    assert ev["id"] not in {e["id"] for e in client.get("/export.json").json()["events"]}


def test_edit_and_confirm_apply_on_read(client):
    ev = _event(client)
    csrf = _csrf(client, f"/event/{ev['id']}")
    r = client.post(f"/review/event/{ev['id']}", data={"action": "edit", "reviewer": "Ana", "token": TOKEN,
                                                       "csrf_token": csrf, "date": "2021-02-03"})
    assert r.status_code == 200  # followed the redirect to the event page
    got = client.get(f"/event/{ev['id']}.json").json()
    assert got["date"] == "2021-02-03" and got["reviewed"] == "edited"
    bad = client.post(f"/review/event/{ev['id']}", data={"action": "edit", "reviewer": "Ana", "token": TOKEN,
                                                         "csrf_token": csrf, "date": "<b>soon</b>"})
    assert bad.status_code == 400 and "<b>soon" not in bad.text


def test_writes_without_token_are_refused(client, store):
    ev = _event(client)
    csrf = _csrf(client, f"/event/{ev['id']}")
    form = {"action": "reject", "reviewer": "Mallory", "csrf_token": csrf}
    assert client.post(f"/review/event/{ev['id']}", data=form).status_code == 401
    assert client.post(f"/review/event/{ev['id']}", data={**form, "token": "wrong"}).status_code == 401
    body = {"kind": "event", "target": ev["id"], "action": "reject", "reviewer": "Mallory"}
    r = client.post("/api/review", json=body)
    assert r.status_code == 401 and r.json()["ok"] is False and "Bearer" in r.headers["www-authenticate"]
    assert client.post("/api/review", json=body, headers={"Authorization": "Bearer nope"}).status_code == 401
    with TestClient(create_app(store, token=None)) as readonly:
        assert readonly.post("/api/review", json=body, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 403
        csrf2 = _csrf(readonly, f"/event/{ev['id']}")
        assert readonly.post(f"/review/event/{ev['id']}", data={**form, "csrf_token": csrf2,
                                                                "token": TOKEN}).status_code == 403
    assert client.get("/api/reviews").json() == []
    ok = client.post("/api/review", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 201 and ok.json()["ok"] is True


def test_forms_need_csrf_and_same_origin(client):
    ev = _event(client)
    form = {"action": "reject", "reviewer": "Mallory", "token": TOKEN}
    assert client.post(f"/review/event/{ev['id']}", data=form).status_code == 403  # no csrf field
    assert client.post(f"/review/event/{ev['id']}", data={**form, "csrf_token": "0" * 64}).status_code == 403
    csrf = _csrf(client, f"/event/{ev['id']}")
    r = client.post(f"/review/event/{ev['id']}", data={**form, "csrf_token": csrf},
                    headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    cookie = client.cookies.get("khronika_csrf")
    assert cookie
    with TestClient(client.app) as fresh:
        assert "samesite=strict" in fresh.get("/").headers["set-cookie"].lower()
    assert client.get("/api/reviews").json() == []


def test_open_redirect_refused(client):
    ev = _event(client)
    csrf = _csrf(client, f"/event/{ev['id']}")
    r = client.post(f"/review/event/{ev['id']}", data={"action": "confirm", "reviewer": "Ana", "token": TOKEN,
                                                       "csrf_token": csrf, "next": "//evil.example/x"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/event/{ev['id']}"


def test_merge_and_split_people(client):
    people = client.get("/people.json").json()["persons"]
    if len(people) < 2:
        pytest.skip("needs two people in the seed database")
    a, b = people[0], people[1]
    csrf = _csrf(client, f"/person/{b['id']}")
    r = client.post(f"/review/person/{b['id']}", data={"action": "merge", "into": a["id"], "reviewer": "Ana",
                                                       "token": TOKEN, "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    merged = client.get(f"/person/{a['id']}.json").json()
    assert b["name"] in merged["aliases"] and b["id"] in merged["merged_from"]
    assert client.get(f"/person/{b['id']}", follow_redirects=False).status_code == 307
    assert b["id"] not in {p["id"] for p in client.get("/export.json").json()["persons"]}
    r = client.post(f"/review/person/{b['id']}", data={"action": "split", "from": a["id"], "reviewer": "Ana",
                                                       "token": TOKEN, "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert b["id"] in {p["id"] for p in client.get("/export.json").json()["persons"]}
    multi = next((p for p in client.get("/people.json").json()["persons"] if p["documents"] > 1), None)
    if multi is None:
        return
    full = client.get(f"/person/{multi['id']}.json").json()
    moved = full["documents"][-1]["id"]
    r = client.post(f"/review/person/{multi['id']}", data={"action": "split", "documents": moved, "name": "Someone Else",
                                                           "reviewer": "Ana", "token": TOKEN, "csrf_token": csrf})
    assert r.status_code == 200
    after = {p["name"]: p for p in client.get("/export.json").json()["persons"]}
    assert after["Someone Else"]["documents"] == [moved]
    assert moved not in after[multi["name"]]["documents"]


def test_api_edit_values_are_validated_like_the_form(client):
    # the JSON API once stored any date/status/type an edit carried; review.record checks them now
    ev = _event(client)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for payload in ({"date": "last May"}, {"status": "maybe"}, {"type": "picnic"}, {}):
        body = {"kind": "event", "target": ev["id"], "action": "edit", "reviewer": "Ana", "payload": payload}
        r = client.post("/api/review", json=body, headers=auth)
        assert r.status_code == 400 and r.json()["ok"] is False, (payload, r.status_code)
    assert client.get("/api/reviews").json() == []


def _merge(client, pid: str, csrf: str, **fields):
    return client.post(f"/review/person/{pid}", data={"action": "merge", "reviewer": "Ana", "token": TOKEN,
                                                      "csrf_token": csrf, **fields}, follow_redirects=False,
                       headers={"Accept": "text/html,*/*"})  # as a browser's form post


def test_merge_into_any_person_by_id(client):
    people = client.get("/people.json").json()["persons"]
    a, b, c = people[0], people[1], people[2]
    csrf = _csrf(client, f"/person/{b['id']}")
    # into_other wins over the list's choice
    r = _merge(client, b["id"], csrf, into=c["id"], into_other=f"  {a['id']} ")
    assert r.status_code == 303 and r.headers["location"] == f"/person/{a['id']}"
    merged = client.get(f"/person/{a['id']}.json").json()
    assert b["id"] in merged["merged_from"]
    assert b["id"] not in client.get(f"/person/{c['id']}.json").json()["merged_from"]
    # a pasted person page address means its id
    r = _merge(client, c["id"], csrf, into_other=f"http://testserver/person/{a['id']}")
    assert r.status_code == 303 and c["id"] in client.get(f"/person/{a['id']}.json").json()["merged_from"]
    [d] = [x for x in client.get("/api/reviews").json() if x["target"] == c["id"]]
    assert d["payload"] == {"into": a["id"]}


def test_merge_into_unknown_id_is_refused_clearly(client):
    people = client.get("/people.json").json()["persons"]
    b = people[1]
    csrf = _csrf(client, f"/person/{b['id']}")
    for fields in ({"into_other": "p-nosuchperson"}, {"into": "p-nosuchperson"},
                   {"into": people[0]["id"], "into_other": "p-nosuchperson"}, {"into_other": "<b>x</b>"}):
        r = _merge(client, b["id"], csrf, **fields)
        assert r.status_code == 400, fields
        assert "No person with id" in r.text and "to merge into" in r.text and "<b>x" not in r.text
        assert r.headers["content-type"].startswith("text/html")
    r = _merge(client, b["id"], csrf, into="", into_other=" ")
    assert r.status_code == 400 and "Choose the person to merge into" in r.text
    assert client.get("/api/reviews").json() == []
    assert client.get(f"/person/{b['id']}.json").status_code == 200


def test_api_merge_into_unknown_id_is_refused_like_the_form(client):
    people = client.get("/people.json").json()["persons"]
    a, b, c = people[0], people[1], people[2]
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def merge(target: str, into, headers=auth):
        body = {"kind": "person", "target": target, "action": "merge", "reviewer": "Ana", "payload": {"into": into}}
        return client.post("/api/review", json=body, headers=headers)

    for into in ("p-nosuchperson", "<b>x</b>", f"/person/{a['id']}", " " + a["id"], 5, ["p-x"], {"id": a["id"]}):
        r = merge(b["id"], into)
        assert r.status_code == 400, into
        assert r.json() == {"ok": False, "status": 400,
                            "error": f"No person with id {str(into)[:80]!r} to merge into."}, into
    assert client.get("/api/reviews").json() == []
    # the token is checked first: no answer says whether an id exists
    assert merge(b["id"], "p-nosuchperson", headers={}).status_code == 401
    # a missing into is review.record's refusal, as before
    r = client.post("/api/review", headers=auth, json={"kind": "person", "target": b["id"], "action": "merge",
                                                        "reviewer": "Ana", "payload": {}})
    assert r.status_code == 400 and "merge needs payload" in r.json()["error"]
    assert client.get("/api/reviews").json() == []
    # a known person is stored; an id merged away means its survivor
    r = merge(b["id"], a["id"])
    assert r.status_code == 201 and r.json()["ok"] is True
    r = merge(c["id"], b["id"])
    assert r.status_code == 201
    merged = client.get(f"/api/person/{a['id']}").json()
    assert {b["id"], c["id"]} <= set(merged["merged_from"])
    assert [d["payload"] for d in client.get("/api/reviews").json()] == [{"into": a["id"]}, {"into": b["id"]}]


def test_review_of_an_unknown_target_is_refused_not_stored(client):
    # a typo or an id from another database was stored as a decision about nothing
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for kind, action in (("event", "confirm"), ("person", "split")):
        body = {"kind": kind, "target": "no-such-id", "action": action, "reviewer": "Ana", "payload": {"from": "x"}}
        r = client.post("/api/review", json=body, headers=auth)
        assert r.status_code == 400 and "No " + kind in r.json()["error"], r.text
    ev = _event(client)
    csrf = _csrf(client, f"/event/{ev['id']}")
    r = client.post("/review/event/no-such-id", data={"action": "confirm", "reviewer": "Ana", "token": TOKEN,
                                                      "csrf_token": csrf})
    assert r.status_code == 400
    r = client.post("/review/person/no-such-id", data={"action": "split", "from": "x", "reviewer": "Ana",
                                                       "token": TOKEN, "csrf_token": csrf})
    assert r.status_code == 400
    assert client.get("/api/reviews").json() == []
    # a rejected event is gone from the data but may still be reviewed (confirmed again)
    for action in ("reject", "confirm"):
        body = {"kind": "event", "target": ev["id"], "action": action, "reviewer": "Ana"}
        assert client.post("/api/review", json=body, headers=auth).status_code == 201
    assert ev["id"] in {e["id"] for e in client.get("/export.json").json()["events"]}
