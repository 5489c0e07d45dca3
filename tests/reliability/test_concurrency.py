"""Concurrent use: `khronika serve` answers a bounded parallel read load on loopback while
`khronika ingest` writes the same SQLite (WAL) database. No "database is locked", no 5xx,
and the ingest still stores every document exactly once.
"""

from __future__ import annotations

import os

from gen import write_crash_corpus
from relharness import cli, free_port, http_load, invariants, sigkill, start, stored_hashes, wait_http

LOAD_SECONDS = float(os.environ.get("KHRONIKA_LOAD_SECONDS", "12"))
N_DOCS = int(os.environ.get("KHRONIKA_LOAD_DOCS", "300"))
THREADS = int(os.environ.get("KHRONIKA_LOAD_THREADS", "4"))
TOKEN = "reliability-token"


def run_concurrent(tmp_path, n_docs: int, seconds: float, threads: int):
    corpus = tmp_path / "corpus"
    write_crash_corpus(corpus, n_docs, seed=21)
    db = tmp_path / "live.db"
    # a first small ingest so pages have data from the start
    first = sorted(corpus.rglob("*.txt"))[:20]
    seed_dir = tmp_path / "seed"
    seed_dir.mkdir()
    for p in first:
        (seed_dir / p.name).write_bytes(p.read_bytes())
    port = free_port()
    server = start(cli("serve", "--db", str(db), "--port", str(port)), tmp_path / "serve.log",
                   KHRONIKA_REVIEW_TOKEN=TOKEN)
    ingest = None
    try:
        wait_http(f"http://127.0.0.1:{port}/api/overview", timeout=90)
        ingest = start(cli("ingest", str(corpus), "--db", str(db), "--json"), tmp_path / "ingest.log",
                       KHRONIKA_BATCH_SIZE="16")
        load = http_load(f"http://127.0.0.1:{port}", seconds, threads=threads, db=db)
        ingest_running_at_end = ingest.poll() is None
        rc = ingest.wait(timeout=900)
    finally:
        if ingest is not None and ingest.poll() is None:
            sigkill(ingest)
        sigkill(server)
    serve_log = (tmp_path / "serve.log").read_text(errors="replace")
    ingest_log = (tmp_path / "ingest.log").read_text(errors="replace")
    return load, rc, ingest_running_at_end, db, serve_log, ingest_log, n_docs


def test_reads_during_ingest_never_locked_or_5xx(tmp_path):
    load, rc, still_running, db, serve_log, ingest_log, n = run_concurrent(tmp_path, N_DOCS, LOAD_SECONDS, THREADS)
    print(f"\nconcurrency: {load.requests} requests in {load.seconds:.1f}s with {THREADS} threads during ingest "
          f"(ingest still running at the end: {still_running}); statuses {dict(load.by_status)}; "
          f"errors {len(load.errors)}; 'database is locked' {load.locked}")
    assert rc == 0, ingest_log[-3000:]
    assert load.locked == 0
    assert "database is locked" not in serve_log + ingest_log
    assert not load.errors, load.errors[:10]
    assert set(load.by_status) <= {200}, (dict(load.by_status), load.unexpected)
    assert load.requests > 50
    hashes = stored_hashes(db)
    assert len(hashes) == len(set(hashes)) == n
    assert {k: v for k, v in invariants(db, final=True).items() if v} == {}
