"""Soak: the long versions of the reliability tests, with figures.

    .venv/bin/python bench/soak.py                 # 2,000 docs, 5 kills, hostile corpus, 30 s load
    .venv/bin/python bench/soak.py --docs 5000 --kills 10 --load-seconds 60 --seed 3

Prints kills survived, documents lost (must be 0), duplicates (must be 0), hostile
inputs tried by outcome, requests served under concurrent ingest and errors (must be 0).
Exits 1 if any must-be-zero figure is not. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "reliability"))

from gen import write_crash_corpus, write_hostile_corpus  # noqa: E402
from relharness import (  # noqa: E402
    cli,
    crash_loop,
    free_port,
    http_load,
    invariants,
    outcomes,
    peak_rss_while,
    sigkill,
    start,
    stored_hashes,
    wait_http,
)


def crash(work: Path, docs: int, kills: int, seed: int) -> dict:
    corpus = work / "crash-corpus"
    write_crash_corpus(corpus, docs, seed=seed)
    delays = [(1.0, 3.0), (2.0, 5.0)] + [(4.0, 40.0)] * max(kills - 2, 0)
    res = crash_loop(corpus, work / "crash.db", work / "crash.log", kills=kills, seed=seed, delay=delays,
                     batch_size=16, final_timeout=3600)
    mid = sum(bool(k.get("problems")) for k in res.kills)
    return {"inputs": res.inputs, "kills": len(res.kills),
            "kills_survived": sum(k["landed"] == "killed" for k in res.kills) if res.final_rc == 0 else 0,
            "documents": res.documents, "documents_lost": res.lost, "duplicates": res.duplicates,
            "unexpected_documents": res.extra, "broken_after_kill": mid,
            "final_problems": {k: v for k, v in res.problems.items() if v}, "final_exit": res.final_rc,
            "seconds": round(res.seconds, 1), "kill_log": res.kills}


def hostile(work: Path, seed: int) -> dict:
    corpus = work / "hostile"
    what = write_hostile_corpus(corpus, seed=seed, n_random=200)
    db = work / "hostile.db"
    proc = start(cli("ingest", str(corpus), "--db", str(db), "--json"), work / "hostile.log",
                 KHRONIKA_MAX_WARC_BYTES=str(8 << 20))
    t0 = time.monotonic()
    rc, peak = peak_rss_while(proc, timeout=1800)
    tally, ended = outcomes(corpus, db)
    return {"files": len(what), "inputs_tried": sum(tally.values()), "outcomes": dict(sorted(tally.items())),
            "silent_files": sorted(set(what) - set(ended)), "exit": rc, "peak_rss_mb": round(peak / 2**20),
            "seconds": round(time.monotonic() - t0, 1),
            "problems": {k: v for k, v in invariants(db, final=True).items() if v}}


def load(work: Path, docs: int, seconds: float, threads: int, seed: int) -> dict:
    corpus = work / "load-corpus"
    write_crash_corpus(corpus, docs, seed=seed + 100)
    db = work / "live.db"
    port = free_port()
    server = start(cli("serve", "--db", str(db), "--port", str(port)), work / "serve.log",
                   KHRONIKA_REVIEW_TOKEN="soak")
    ingest = None
    try:
        wait_http(f"http://127.0.0.1:{port}/api/overview", timeout=90)
        ingest = start(cli("ingest", str(corpus), "--db", str(db), "--json"), work / "load-ingest.log",
                       KHRONIKA_BATCH_SIZE="16")
        res = http_load(f"http://127.0.0.1:{port}", seconds, threads=threads, max_requests=200_000, db=db)
        overlapped = ingest.poll() is None
        rc = ingest.wait(timeout=3600)
    finally:
        if ingest is not None and ingest.poll() is None:
            sigkill(ingest)
        sigkill(server)
    logs = (work / "serve.log").read_text(errors="replace") + (work / "load-ingest.log").read_text(errors="replace")
    hashes = stored_hashes(db)
    return {"requests_served": res.requests, "seconds": round(res.seconds, 1), "threads": threads,
            "statuses": {str(k): v for k, v in sorted(res.by_status.items())},
            "errors": len(res.errors) + res.locked + logs.count("database is locked"),
            "ingest_overlapped_whole_load": overlapped, "ingest_exit": rc,
            "documents_lost": docs - len(set(hashes)), "duplicates": len(hashes) - len(set(hashes)),
            "first_errors": res.errors[:5], "unexpected": res.unexpected[:5]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--load-seconds", type=float, default=30)
    ap.add_argument("--load-docs", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--only", choices=["crash", "hostile", "load"], action="append")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    parts = args.only or ["crash", "hostile", "load"]
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="khronika-soak-") as tmp:
        work = Path(tmp)
        if "crash" in parts:
            out["crash"] = crash(work, args.docs, args.kills, args.seed)
        if "hostile" in parts:
            out["hostile"] = hostile(work, args.seed)
        if "load" in parts:
            out["load"] = load(work, args.load_docs, args.load_seconds, args.threads, args.seed)
    failures = []
    if "crash" in out:
        c = out["crash"]
        print(f"crash:   {c['inputs']} inputs, {c['kills_survived']}/{c['kills']} kills survived, documents lost "
              f"{c['documents_lost']}, duplicates {c['duplicates']}, broken right after a kill {c['broken_after_kill']}, "
              f"final problems {c['final_problems'] or 0}, {c['seconds']}s")
        for k in c["kill_log"]:
            print("         kill", k)
        if c["documents_lost"] or c["duplicates"] or c["unexpected_documents"] or c["broken_after_kill"] \
                or c["final_problems"] or c["final_exit"] != 0:
            failures.append("crash")
    if "hostile" in out:
        h = out["hostile"]
        print(f"hostile: {h['files']} files, {h['inputs_tried']} inputs/records tried, peak RSS {h['peak_rss_mb']} MB, "
              f"exit {h['exit']}, {h['seconds']}s")
        print(f"         outcomes {h['outcomes']}")
        if h["silent_files"] or h["exit"] != 0 or h["problems"] or h["peak_rss_mb"] > 1536:
            failures.append("hostile")
    if "load" in out:
        c = out["load"]
        print(f"load:    {c['requests_served']} requests served in {c['seconds']}s ({c['threads']} threads) during "
              f"ingest, errors {c['errors']}, statuses {c['statuses']}, documents lost {c['documents_lost']}, "
              f"duplicates {c['duplicates']}")
        if c["errors"] or c["ingest_exit"] != 0 or c["documents_lost"] or c["duplicates"]:
            failures.append("load")
    if args.json:
        print(json.dumps(out, indent=2, default=str))
    if failures:
        print("FAILED:", ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
