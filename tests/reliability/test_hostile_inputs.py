"""Hostile input: every input is ingested or rejected with a named reason, the batch goes
on (a good article sorted after all the bad ones is stored), memory stays bounded.

The corpus comes from ``gen.write_hostile_corpus`` (seeded): random bytes, invalid UTF-8,
cp1251/koi8-r/UTF-16/mixed encodings, empty files, a 50 MB text file, 100k nested
<div>s, script-laden HTML, JSONL with broken lines (bad JSON, lone surrogates, NULs,
200k-deep nesting), truncated and garbage WARCs and a WARC compression bomb.
"""

from __future__ import annotations

import subprocess
from collections import Counter

import pytest
from gen import GOOD_MARKER, write_hostile_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from relharness import cli, documents_by_source, invariants, outcomes, peak_rss_while, rejections, start

from khronika.ingest import iter_raw
from khronika.models import RawDocument, Rejection
from khronika.pipeline import clean_one
from khronika.settings import Settings

RSS_LIMIT = 1536 * 1024 * 1024  # generous: spaCy alone is ~300 MB; a 50 MB file read whole x3 would show
WARC_LIMIT = 8 * 1024 * 1024  # the bomb inflates to 64 MB: rejected after 8 MB without holding it

KNOWN_REASONS = {"empty", "too_large", "too_short", "binary", "undecodable", "unsupported", "parse_error",
                 "unreadable"}


def test_hostile_corpus_ingested_or_rejected_with_reason(tmp_path):
    corpus = tmp_path / "hostile"
    what = write_hostile_corpus(corpus)
    db = tmp_path / "hostile.db"
    log = tmp_path / "ingest.log"
    proc = start(cli("ingest", str(corpus), "--db", str(db), "--json"), log, KHRONIKA_MAX_WARC_BYTES=str(WARC_LIMIT))
    rc, peak = peak_rss_while(proc, timeout=300)
    out = log.read_text(errors="replace")
    tally, ended = outcomes(corpus, db)
    print(f"\nhostile inputs: {len(what)} files, {sum(tally.values())} inputs/records tried, "
          f"peak RSS {peak / 2**20:.0f} MB, outcomes {dict(sorted(tally.items()))}")
    assert rc == 0, f"ingest exited {rc}:\n{out[-3000:]}"
    assert "Traceback" not in out
    # every file ended somewhere: stored or rejected
    silent = sorted(set(what) - set(ended))
    assert not silent, f"inputs that were neither stored nor rejected: {silent}"
    reasons = {r for _, r, _ in rejections(db)}
    assert reasons <= KNOWN_REASONS, reasons - KNOWN_REASONS
    assert not [d for _, r, d in rejections(db) if r == "internal_error"]
    assert all(d for _, _, d in rejections(db)), "a rejection without a human-readable detail"
    # specific expectations
    assert ended["d_big.txt"] == ["rejected:too_large"]
    assert ended["g_bomb.warc.gz"] == ["rejected:too_large"]
    assert ended["a_empty.txt"] == ["rejected:empty"]
    assert ended["zz_good.txt"] == ["ingested"], "the batch did not go on after the hostile inputs"
    assert ended["g_ok.warc.gz"] == ["ingested"]
    assert ended["c_cp1251.txt"] == ["ingested"]
    assert ended["e_nested.html"] == ["ingested"], "100k nested <div> page lost"
    assert ended["e_scripts.html"] == ["ingested"]
    jsonl = Counter(ended["f_broken.jsonl"])
    assert jsonl["ingested"] >= 5, f"good JSONL records lost around broken lines: {jsonl}"
    docs = documents_by_source(db)
    assert any(GOOD_MARKER in t for t in docs.values())
    assert any("Grigory Last" in t for t in docs.values()), "the JSONL record after the broken lines was lost"
    assert not any("\x00" in t for t in docs.values())
    assert peak < RSS_LIMIT, f"peak RSS {peak / 2**20:.0f} MB"
    assert {k: v for k, v in invariants(db, final=True).items() if v} == {}
    # idempotent: a second run adds nothing and rejects the same things again without growing the table
    n_rej = len(rejections(db))
    proc = start(cli("ingest", str(corpus), "--db", str(db), "--json"), log, KHRONIKA_MAX_WARC_BYTES=str(WARC_LIMIT))
    rc2, _ = peak_rss_while(proc, timeout=300)
    assert rc2 == 0
    assert documents_by_source(db).keys() == docs.keys()
    assert len(rejections(db)) == n_rej


@pytest.mark.postgresql
def test_hostile_jsonl_and_late_nul_on_postgresql(tmp_path, pg_database):
    """PostgreSQL refuses NUL in text: a NUL past the binary sniff must not fail the batch."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "late_nul.txt").write_bytes(b"Activist Ivan Petrov was detained in Moscow on 3 March 2024. " * 150
                                          + b"\x00 the article goes on after a stray NUL byte here.")
    (corpus / "zz_good.txt").write_bytes(f"Activist {GOOD_MARKER} was detained in Kazan on 4 March 2024 "
                                         "after a single picket outside the court.".encode())
    write_hostile_corpus(tmp_path / "h", n_random=0, big_mb=1, nest_depth=1000, bomb_bytes=1 << 20)
    (corpus / "broken.jsonl").write_bytes((tmp_path / "h" / "f_broken.jsonl").read_bytes())
    r = subprocess.run(cli("ingest", str(corpus), "--db", pg_database, "--json"), capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    import json

    report = json.loads(r.stdout)
    assert report["ingested"] >= 7, report  # both files and every good JSONL record


# -- in-process property: readers + cleaner never raise, whatever the bytes ------------------

_SETTINGS = Settings.load(max_input_bytes=1 << 20, max_warc_bytes=1 << 20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(alphabet=st.characters(codec="cp1251"), max_size=2000).map(lambda t: t.encode("cp1251")),
    st.lists(st.sampled_from([b"<div>", b"</div>", b"<script>", b"</script>", b"<p>", b"&#0;", b"word ", b"\xff",
                              b"<!--", b"-->", b"<![CDATA[", b"\x00", b"<meta charset=cp1251>"]),
             max_size=400).map(b"".join),
), ext=st.sampled_from([".txt", ".html", ".md", ".jsonl", ".warc", ".warc.gz", ".bin"]))
def test_readers_and_cleaner_never_raise(tmp_path_factory, data, ext):
    d = tmp_path_factory.mktemp("prop")
    path = d / f"input{ext}"
    path.write_bytes(data)
    for item in iter_raw([str(path)], _SETTINGS):
        if isinstance(item, Rejection):
            assert item.reason in KNOWN_REASONS and item.detail
            continue
        assert isinstance(item, RawDocument)
        out = clean_one(item, _SETTINGS)
        if isinstance(out, Rejection):
            assert out.reason != "internal_error", out.detail
        else:
            assert "\x00" not in out.text and out.text.strip()
