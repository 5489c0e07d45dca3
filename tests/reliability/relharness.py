"""Harness shared by the reliability tests and ``bench/soak.py``: run the CLI in a
subprocess, kill it, measure its peak RSS, check a SQLite database's invariants, and
run a bounded parallel HTTP load against ``khronika serve``.

Checks read the database with the stdlib ``sqlite3`` module, not khronika's Store, so
a bug in the store cannot hide itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def cli(*args: str) -> list[str]:
    """The installed ``khronika`` command of this interpreter's environment."""
    exe = Path(sys.executable).with_name("khronika")
    if exe.exists():
        return [str(exe), *args]
    return [PYTHON, "-c", "from khronika.cli import app; app()", *args]


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e.update({"PYTHONUNBUFFERED": "1", "COLUMNS": "200", **extra})
    return e


def start(args: list[str], log: Path, **extra_env: str) -> subprocess.Popen:
    fh = open(log, "ab")  # noqa: SIM115 - closed by the child on exit; the parent keeps no handle
    try:
        return subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT, env=env(**extra_env),
                                start_new_session=True, cwd=str(ROOT))
    finally:
        fh.close()


def sigkill(proc: subprocess.Popen) -> None:
    """SIGKILL the child's whole process group (it runs in its own session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def peak_rss_while(proc: subprocess.Popen, timeout: float) -> tuple[int | None, int]:
    """Wait for ``proc`` (killing it after ``timeout``) while sampling its RSS; (returncode, peak bytes)."""
    import psutil

    peak = 0
    deadline = time.monotonic() + timeout
    try:
        p = psutil.Process(proc.pid)
    except psutil.NoSuchProcess:
        p = None
    while proc.poll() is None:
        if time.monotonic() > deadline:
            sigkill(proc)
            return None, peak
        if p is not None:
            try:
                rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
                peak = max(peak, rss)
            except psutil.Error:
                pass
        time.sleep(0.05)
    return proc.returncode, peak


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- database invariants ----------------------------------------------------------------


def connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    conn.execute("PRAGMA busy_timeout=60000")
    return conn


def one(conn: sqlite3.Connection, sql: str) -> int:
    return conn.execute(sql).fetchone()[0]


def invariants(db: Path, final: bool = False) -> dict[str, int]:
    """Problems found (name -> count; all must be 0) that hold at *any* commit point;
    with ``final`` also what must hold after a completed run (every document analysed,
    derived tables present)."""
    conn = connect(db)
    try:
        problems = {
            "integrity_check": 0 if conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok" else 1,
            "foreign_key_violations": len(conn.execute("PRAGMA foreign_key_check").fetchall()),
            "duplicate_content_hash": one(conn, "SELECT count(*) - count(DISTINCT content_hash) FROM documents"),
            "document_without_blob": one(conn, "SELECT count(*) FROM documents d LEFT JOIN raw_blobs b "
                                               "ON b.content_hash = d.content_hash WHERE b.content_hash IS NULL"),
            "blob_without_document": one(conn, "SELECT count(*) FROM raw_blobs b LEFT JOIN documents d "
                                               "ON b.content_hash = d.content_hash WHERE d.id IS NULL"),
            "empty_text": one(conn, "SELECT count(*) FROM documents WHERE text IS NULL OR length(text) = 0"),
            "blob_size_mismatch": one(conn, "SELECT count(*) FROM raw_blobs WHERE size != length(data)"),
            "analysis_orphan": one(conn, "SELECT count(*) FROM analyses a LEFT JOIN documents d "
                                         "ON d.id = a.doc_id WHERE d.id IS NULL"),
            "event_source_orphan_doc": one(conn, "SELECT count(*) FROM event_sources s LEFT JOIN documents d "
                                                 "ON d.id = s.doc_id WHERE d.id IS NULL"),
            "event_source_orphan_event": one(conn, "SELECT count(*) FROM event_sources s LEFT JOIN events e "
                                                   "ON e.id = s.event_id WHERE e.id IS NULL"),
            "event_subject_missing": one(conn, "SELECT count(*) FROM events e LEFT JOIN persons p "
                                               "ON p.id = e.subject WHERE e.subject IS NOT NULL AND p.id IS NULL"),
            "event_without_source": one(conn, "SELECT count(*) FROM events e WHERE NOT EXISTS "
                                              "(SELECT 1 FROM event_sources s WHERE s.event_id = e.id)"),
            "person_document_orphan": one(conn, "SELECT count(*) FROM person_documents pd "
                                                "LEFT JOIN documents d ON d.id = pd.doc_id "
                                                "LEFT JOIN persons p ON p.id = pd.person_id "
                                                "WHERE d.id IS NULL OR p.id IS NULL"),
            "duplicate_of_dangling": one(conn, "SELECT count(*) FROM documents d WHERE d.duplicate_of IS NOT NULL "
                                               "AND NOT EXISTS (SELECT 1 FROM documents c WHERE c.id = d.duplicate_of)"),
            "signature_orphan": one(conn, "SELECT count(*) FROM minhash_signatures m LEFT JOIN documents d "
                                          "ON d.id = m.doc_id WHERE d.id IS NULL"),
        }
        try:  # the external-content FTS5 index must match the documents table exactly
            conn.execute("INSERT INTO documents_fts(documents_fts) VALUES('integrity-check')")
            problems["fts_mismatch"] = 0
        except sqlite3.DatabaseError as exc:
            problems["fts_mismatch"] = 0 if "readonly" in str(exc).lower() else 1
            if problems["fts_mismatch"] == 0:
                problems.update(_fts_check_rw(db))
        if final:
            problems["unanalysed_documents"] = one(
                conn, "SELECT count(*) FROM documents d LEFT JOIN analyses a ON a.doc_id = d.id WHERE a.doc_id IS NULL")
            problems["unsigned_documents"] = one(
                conn, "SELECT count(*) FROM documents d LEFT JOIN minhash_signatures m ON m.doc_id = d.id "
                      "WHERE m.doc_id IS NULL")
        return problems
    finally:
        conn.close()


def _fts_check_rw(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(str(db), timeout=60)
    try:
        conn.execute("INSERT INTO documents_fts(documents_fts) VALUES('integrity-check')")
        return {"fts_mismatch": 0}
    except sqlite3.DatabaseError:
        return {"fts_mismatch": 1}
    finally:
        conn.close()


def counts(db: Path) -> dict[str, int]:
    if not db.exists():
        return {"documents": 0, "analyses": 0, "events": 0}
    conn = connect(db)
    try:
        out = {}
        for t in ("documents", "analyses", "events", "persons", "rejections", "runs"):
            try:
                out[t] = one(conn, f"SELECT count(*) FROM {t}")  # noqa: S608 - fixed names
            except sqlite3.OperationalError:
                out[t] = 0  # killed before the migration created it
        return out
    finally:
        conn.close()


def stored_hashes(db: Path) -> list[str]:
    conn = connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT content_hash FROM documents")]
    finally:
        conn.close()


# -- crash loop -------------------------------------------------------------------------


@dataclass
class CrashResult:
    kills: list[dict[str, object]] = field(default_factory=list)
    inputs: int = 0
    documents: int = 0
    lost: int = 0
    duplicates: int = 0
    extra: int = 0
    problems: dict[str, int] = field(default_factory=dict)
    final_rc: int | None = None
    seconds: float = 0.0


def crash_loop(corpus: Path, db: Path, log: Path, kills: int, seed: int,
               delay: tuple[float, float] | list[tuple[float, float]], final_timeout: float = 900, batch_size: int | None = None) -> CrashResult:
    """Ingest ``corpus`` into ``db``, SIGKILLing the CLI ``kills`` times at seeded random
    delays, checking the always-true invariants after each kill, then run to completion."""
    rng = random.Random(seed)
    t0 = time.monotonic()
    inputs = sorted(p for p in corpus.rglob("*") if p.is_file())
    expected = {sha256_file(p) for p in inputs}
    extra_env = {"KHRONIKA_BATCH_SIZE": str(batch_size)} if batch_size else {}
    args = cli("ingest", str(corpus), "--db", str(db), "--json")
    res = CrashResult(inputs=len(expected))
    for k in range(kills):
        proc = start(args, log, **extra_env)
        lo, hi = delay[k % len(delay)] if isinstance(delay, list) else delay
        wait = rng.uniform(lo, hi)
        try:
            proc.wait(timeout=wait)
            res.kills.append({"n": k + 1, "after_s": round(wait, 2), "landed": "finished before the kill"})
        except subprocess.TimeoutExpired:
            sigkill(proc)
            c = counts(db)
            bad = {name: n for name, n in invariants(db).items() if n} if db.exists() else {}
            res.kills.append({"n": k + 1, "after_s": round(wait, 2), "landed": "killed",
                              "documents": c["documents"], "analyses": c["analyses"], "problems": bad})
    proc = start(args, log, **extra_env)
    res.final_rc, _ = peak_rss_while(proc, final_timeout)
    hashes = stored_hashes(db)
    stored = set(hashes)
    res.documents = len(hashes)
    res.duplicates = len(hashes) - len(stored)
    res.lost = len(expected - stored)
    res.extra = len(stored - expected)
    res.problems = invariants(db, final=True)
    res.seconds = time.monotonic() - t0
    return res


# -- hostile ingest --------------------------------------------------------------------


def rejections(db: Path) -> list[tuple[str, str, str]]:
    conn = connect(db)
    try:
        return list(conn.execute("SELECT source, reason, detail FROM rejections ORDER BY id"))
    finally:
        conn.close()


def documents_by_source(db: Path) -> dict[str, str]:
    conn = connect(db)
    try:
        return {r[0]: r[1] for r in conn.execute("SELECT source, text FROM documents")}
    finally:
        conn.close()


def outcomes(corpus: Path, db: Path) -> tuple[Counter[str], dict[str, list[str]]]:
    """How each input ended: ``ingested`` or ``rejected:<reason>`` (containers count per record);
    also inputs that ended nowhere (neither stored nor rejected)."""
    docs = documents_by_source(db)
    rejs = rejections(db)
    tally: Counter[str] = Counter()
    ended: dict[str, list[str]] = {}
    for src in docs:
        tally["ingested"] += 1
        ended.setdefault(_file_of(src), []).append("ingested")
    for src, reason, _detail in rejs:
        tally[f"rejected:{reason}"] += 1
        ended.setdefault(_file_of(src), []).append(f"rejected:{reason}")
    return tally, ended


def _file_of(source: str) -> str:
    base = source.split("#", 1)[0]
    return os.path.basename(base)


# -- HTTP load ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"server at {url} did not answer within {timeout}s")


@dataclass
class LoadResult:
    requests: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    locked: int = 0
    seconds: float = 0.0
    unexpected: list[str] = field(default_factory=list)  # non-200/404 answers, first few


READ_PATHS = ["/", "/index.json", "/people", "/people.json", "/review", "/review.json", "/search?q=detained",
              "/search.json?q=court+fined", "/api/overview", "/api/people", "/api/review/queue", "/api/reviews",
              "/api/search?q=Moscow", "/export.json", "/static/style.css", "/docs"]


def http_load(base: str, seconds: float, threads: int = 4, max_requests: int = 20000,
              db: Path | None = None) -> LoadResult:
    """``threads`` readers hit pages and the API for ``seconds`` (bounded by ``max_requests``).
    Document pages are drawn from ids present in ``db`` as the ingest adds them."""
    import httpx

    res = LoadResult()
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    doc_ids: list[str] = []

    def refresh_ids() -> None:
        if db is None or not db.exists():
            return
        try:
            conn = connect(db)
            try:
                ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY random() LIMIT 50")]
            finally:
                conn.close()
        except sqlite3.Error:
            return
        with lock:
            doc_ids[:] = ids

    def worker(n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() < stop:
                with lock:
                    if res.requests >= max_requests:
                        return
                    res.requests += 1
                    ids = list(doc_ids)
                if ids and rng.random() < 0.4:
                    d = rng.choice(ids)
                    path = rng.choice([f"/document/{d}", f"/document/{d}.json", f"/api/document/{d}",
                                       f"/document/{d}/raw"])
                else:
                    path = rng.choice(READ_PATHS)
                try:
                    r = client.get(path)
                    status, body = r.status_code, r.text
                except httpx.HTTPError as exc:
                    status, body = 0, f"{type(exc).__name__}: {exc}"
                with lock:
                    res.by_status[status] += 1
                    if "database is locked" in body:
                        res.locked += 1
                    if status not in (200, 404) and len(res.unexpected) < 20:
                        res.unexpected.append(f"{path} -> {status}: {body[:200]}")
                    if status == 0 or status >= 500:
                        res.errors.append(f"{path} -> {status}: {body[:200]}")

    t0 = time.monotonic()
    refresher_stop = threading.Event()

    def refresher() -> None:
        while not refresher_stop.wait(1.0):
            refresh_ids()

    refresh_ids()
    rt = threading.Thread(target=refresher, daemon=True)
    rt.start()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    refresher_stop.set()
    res.seconds = time.monotonic() - t0
    return res
