"""The UI in real headless Chromium (Debian's /usr/bin/chromium; no downloaded browsers)."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from webseed import SEEDS, TOKEN, build

from khronika.store.db import Store

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium; "
                                                     "make test installs it via scripts/sysdeps.sh)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    import uvicorn

    from khronika.web import create_app

    if not SEEDS.is_dir():
        pytest.skip(f"seed corpus not found at {SEEDS} (../shared is absent)")
    tmp = tmp_path_factory.mktemp("browser")
    corpus = tmp / "extra"
    corpus.mkdir()
    from webseed import HOSTILE

    (corpus / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    store = Store(str(tmp / "b.db"))
    paths = [str(SEEDS), str(corpus)]
    mode = build(store, paths)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store, token=TOKEN), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield {"base": f"http://127.0.0.1:{port}", "store": store, "paths": paths, "mode": mode}
    server.should_exit = True
    thread.join(5)
    store.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield ctx
        ctx.close()


def _json(url: str):
    with urllib.request.urlopen(url) as r:  # noqa: S310 - loopback test server
        return json.loads(r.read())


def _thorstrom(base: str) -> dict:
    people = _json(f"{base}/people.json")["persons"]
    return next(p for p in people if "Thorstrom" in p["name"] or "Ksenia Thorstrom" in p["aliases"])


def test_person_page_shows_both_spellings_and_sources(served, browser):
    base = served["base"]
    p = _thorstrom(base)
    page = browser.new_page()
    page.goto(f"{base}/person/{p['id']}")
    aliases = page.locator(".aliases").inner_text()
    assert "Ksenia Thorstrom" in aliases
    assert "Xenia Torstrem" in aliases, ("resolution has not merged the two spellings yet: "
                                         f"person {p['id']} has aliases {p['aliases']}")
    detail = _json(f"{base}/person/{p['id']}.json")
    assert len(detail["documents"]) >= 2
    for d in detail["documents"]:
        assert page.locator(f'.documents a[href="/document/{d["id"]}"]').count() == 1
    assert page.locator(".timeline li.event").count() == len(detail["timeline"]) > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "person.png"), full_page=True)
    page.close()


def test_reject_in_the_ui_hides_event_and_survives_reingest(served, browser):
    base = served["base"]
    pid = _thorstrom(base)["id"]
    timeline = _json(f"{base}/person/{pid}.json")["timeline"]
    ev = timeline[0]
    page = browser.new_page()
    page.goto(f"{base}/person/{pid}")
    page.click(f'#ev-{ev["id"]} a.type')
    page.wait_for_url(f"**/event/{ev['id']}")
    form = page.locator("#reject-form")
    form.locator('input[name="reviewer"]').fill("Browser Test")
    form.locator('input[name="token"]').fill(TOKEN)
    form.locator('input[name="note"]').fill("not what the source says")
    form.locator('button[type="submit"]').click()
    page.wait_for_url(f"**/person/{pid}")
    assert page.locator(f'#ev-{ev["id"]}').count() == 0
    assert ev["id"] not in {e["id"] for e in _json(f"{base}/export.json")["events"]}
    build(served["store"], served["paths"])  # the pipeline runs again over the same inputs
    page.reload()
    assert page.locator(f'#ev-{ev["id"]}').count() == 0
    assert ev["id"] not in {e["id"] for e in _json(f"{base}/export.json")["events"]}
    page.close()


def test_hostile_article_renders_as_text_and_runs_no_script(served, browser):
    base = served["base"]
    doc = next(d for d in _json(f"{base}/export.json")["documents"] if "__pwned" in d["text"])
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/document/{doc['id']}")
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    body = page.locator(".clean-text").inner_text()
    assert "<script>window.__pwned=1</script>" in body
    assert page.locator(".clean-text script, .clean-text img").count() == 0
    page.goto(f"{base}/search?q=pwned")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator(".results li").count() >= 1
    page.close()
