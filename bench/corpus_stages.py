"""Re-run the corpus stages of a finished ingest, as its first run ran them.

    python bench/corpus_stages.py DB [--keep-stories] [--keep-model]

The corpus stages (dates, duplicates, stories, date context, people and events) run
over the whole store after extraction. To measure them on a big corpus without
extracting it again (100k documents take over an hour), point this at a store a
previous run filled (e.g. ``bench/throughput.py --keep``): story ids are cleared (unless
``--keep-stories``) so stories are assigned from scratch, the duplicate index stays as
boilerplate learning left it in the first run, and spaCy is loaded and used once first
so the process holds what the real one holds (then released again, as ``run_ingest``
does after a long extraction, unless ``--keep-model``). THE STORE IS MODIFIED: use a copy.

Prints seconds and peak RSS (psutil, sampled every 20 ms) per stage and in total.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.throughput import RssMonitor, instrument, mb  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", help="database URL or SQLite path of a finished ingest (modified: use a copy)")
    ap.add_argument("--keep-stories", action="store_true", help="keep story ids (measure an incremental run)")
    ap.add_argument("--keep-model", action="store_true",
                    help="keep spaCy loaded through the corpus stages (a run that extracted fewer than "
                         "pipeline.RELEASE_MODEL_AFTER documents); default: released, as after a long extraction")
    args = ap.parse_args(argv)
    if "://" not in args.db and not Path(args.db).is_file():
        ap.error(f"no store at {args.db} (give the SQLite file of a finished ingest, or a URL)")
    from sqlalchemy import text

    from khronika import pipeline
    from khronika.extract import analyse
    from khronika.models import Article
    from khronika.settings import Settings
    from khronika.store.db import Store

    store = Store(args.db)
    if not args.keep_stories:
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE documents SET story = NULL"))
    mon = RssMonitor()
    idle = mon.rss()
    analyse(Article(id="warm", source="warm", content_hash="warm",
                    text="A Moscow court sentenced municipal deputy Alexei Gorinov to seven years on Friday."))
    if not args.keep_model:  # as run_ingest does after extracting >= RELEASE_MODEL_AFTER documents
        from khronika.extract.nlp import release_nlp

        release_nlp()
    timings: dict[str, list[float]] = {}
    instrument(mon, timings)
    report = pipeline.IngestReport()
    t = time.perf_counter()
    pipeline.run_corpus_stages(store, Settings.load(), report)
    whole = time.perf_counter() - t
    mon.stop()
    n = len(store.document_infos())
    print(f"{n:,} documents, {report.persons:,} people, {report.events:,} events")
    print(f"   {'stage':<14}{'seconds':>10}{'docs/s':>10}{'peak RSS MB':>13}")
    for stage, (secs, peak) in timings.items():
        print(f"   {stage:<14}{secs:>10.2f}{n / secs if secs else float('inf'):>10.1f}{mb(peak):>13}")
    print(f"   {'corpus stages':<14}{whole:>10.2f}{n / whole:>10.1f}{mb(mon.peak):>13}"
          f"   (idle interpreter {mb(idle)} MB)")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
