"""The Dask runner: the per-document stages over a cluster, the corpus stages once.

``run_ingest_dask`` does what ``pipeline.run_ingest`` does, spread over Dask workers:

1. On the client, list every input up front (``ingest.expand_paths``) and cut the list
   into partitions: a JSONL or WARC file is a partition of its own (it may hold
   thousands of records and is read as a stream), loose files are grouped, at most
   ``settings.batch_size`` per partition and about four partitions per worker.
2. Phase 1, a ``dask.bag`` over those partitions: read -> clean -> store on the
   workers, with the very function the local runner uses (``pipeline.ingest_documents``).
   Each worker opens its own ``Store`` from the URL (engines do not pickle) and writes
   in per-batch transactions that are idempotent: documents are keyed by the hash of
   their bytes and inserted with ON CONFLICT DO NOTHING. A partition re-run after a
   lost worker adds nothing twice: what the dead worker stored is skipped as known.
3. On the client, recurring-boilerplate learning (``pipeline.learn_for_pending``): it
   needs all of an outlet's documents and rewrites their texts, so it must come after
   every partition is stored and before extraction.
4. Phase 2, a bag over chunks of the documents lacking a current analysis:
   ``extract.analyse_many`` on the workers, analyses replaced per document (a re-run
   rewrites the same rows). The client's ``analyse_pending`` then picks up anything a
   lost worker left undone (normally nothing).
5. On the client, the corpus stages (dedupe, stories, resolve) exactly as
   ``pipeline.run_corpus_stages`` runs them, since they need the whole corpus at once.

Counts: ``ingested`` is the growth of the documents table (exact even when a
partition ran twice or two partitions held the same bytes); ``duplicates_skipped`` is
what remains of ``seen`` after ingested and rejected.

The scheduler is ``--scheduler ADDRESS`` (an existing cluster) or ``--workers N`` (a
``LocalCluster`` of N single-threaded worker processes, closed afterwards).
"""

from __future__ import annotations

import logging
import math
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .errors import ConfigError
from .models import Rejection
from .pipeline import (
    DEFAULT_ORDER,
    IngestReport,
    analyse_batch,
    analyse_pending,
    check_order,
    ingest_documents,
    learn_for_pending,
    run_corpus_stages,
)
from .settings import Settings
from .store.db import Store

log = logging.getLogger(__name__)

CONTAINER_KINDS = ("jsonl", "warc")
PARTITIONS_PER_WORKER = 4  # enough to even out uneven files, few enough to keep per-task overhead low


# -- planning (client) ---------------------------------------------------------------


def plan_partitions(
    paths: Iterable[str], settings: Settings, workers: int = 1
) -> tuple[list[list[str]], list[Rejection], bool]:
    """(partitions of concrete file paths, rejections for paths matching nothing, stdin asked for)."""
    from .ingest import expand_paths, kind_of

    containers: list[list[str]] = []
    loose: list[str] = []
    rejections: list[Rejection] = []
    stdin = False
    for item in expand_paths(paths):
        if isinstance(item, Rejection):
            rejections.append(item)
        elif item == "-":
            stdin = True
        elif kind_of(item) in CONTAINER_KINDS:
            containers.append([item])
        else:
            loose.append(item)
    size = max(1, min(settings.batch_size, math.ceil(len(loose) / max(1, workers * PARTITIONS_PER_WORKER))))
    groups = [loose[i : i + size] for i in range(0, len(loose), size)]
    return containers + groups, rejections, stdin


# -- the work of one partition (worker) ----------------------------------------------

_STORES: dict[str, Store] = {}


def _worker_store(url: str) -> Store:
    """One Store (engine + connection pool) per worker process and database."""
    store = _STORES.get(url)
    if store is None:
        store = _STORES[url] = Store(url, migrate=False)  # the client migrated already
    return store


def ingest_partition(paths: Sequence[str], url: str, settings: Settings) -> dict[str, Any]:
    """Read, clean and store one partition; returns its counts.

    A pure function of its arguments plus the database: safe to run twice.
    """
    store = _worker_store(url)
    report = IngestReport()
    ingest_documents(store, paths, settings, report)
    return {"seen": report.seen, "rejected": dict(report.rejected)}


def analyse_partition(ids: Sequence[str], url: str, settings: Settings) -> int:
    """Extract the given documents, one storage transaction per batch; returns how many."""
    store = _worker_store(url)
    # a worker reads many partitions: its model is renewed as a local run's is
    return sum(analyse_batch(store, ids[start : start + settings.batch_size], settings)
               for start in range(0, len(ids), settings.batch_size))


def _chunks(items: Sequence[str], workers: int, cap: int) -> list[list[str]]:
    size = max(1, min(cap, math.ceil(len(items) / max(1, workers * PARTITIONS_PER_WORKER))))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


# -- cluster --------------------------------------------------------------------------


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: to ``scheduler`` if given, else to a new LocalCluster of ``workers``."""
    from distributed import Client, LocalCluster

    if scheduler and workers:
        raise ConfigError("give either --scheduler (an existing cluster) or --workers (a local one), not both")
    if scheduler:
        client = Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    n = workers or max(1, min(4, os.cpu_count() or 1))
    if n < 1:
        raise ConfigError(f"--workers must be at least 1, not {n}")
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.WARNING)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


# -- the runner (client) ---------------------------------------------------------------


def run_ingest_dask(
    store: Store,
    paths: Iterable[str],
    settings: Settings | None = None,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    order: Sequence[str] = DEFAULT_ORDER,
) -> IngestReport:
    """``pipeline.run_ingest`` over a Dask cluster; same store contents, same report fields."""
    import dask.bag as db

    settings = settings or Settings.load()
    check_order(order)
    extract = "extract" in order
    report = IngestReport()
    before = store.count("documents")

    if scheduler and store.dialect == "sqlite":
        # remote workers open the same path: fine on one machine or a shared filesystem with
        # working locks; a newsroom cluster should write to PostgreSQL instead
        log.warning("dask: workers of %s will write to the SQLite file %s", scheduler, store.url)
    with dask_client(scheduler, workers) as client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or (workers or 1))
        partitions, missing, stdin = plan_partitions(paths, settings, n_workers)
        for rej in missing:  # arguments matching nothing: recorded like the local runner does
            report.seen += 1
            report.rejected[rej.reason] += 1
            store.record_rejection(rej, "")
        if partitions:  # phase 1 on the workers: read, clean, store
            log.info("dask: reading %d partitions over %d workers", len(partitions), n_workers)
            bag = db.from_sequence(partitions, npartitions=len(partitions))
            for r in bag.map(ingest_partition, store.url, settings).compute(scheduler=client):
                report.seen += r["seen"]
                report.rejected.update(Counter(r["rejected"]))
        if stdin:  # stdin cannot be shipped to a worker; read it here
            ingest_documents(store, ["-"], settings, report)
        report.ingested = store.count("documents") - before
        report.duplicates_skipped = max(0, report.seen - sum(report.rejected.values()) - report.ingested)
        # on the client: needs every document of an outlet, and rewrites texts; takes the
        # outlets of every unanalysed document, so work a lost worker stored is covered too
        report.relearned = learn_for_pending(store, settings)
        if extract:  # phase 2 on the workers: extraction of whatever lacks a current analysis
            from .extract import EXTRACT_VERSION

            pending = _chunks(store.ids_needing_analysis(EXTRACT_VERSION), n_workers, settings.batch_size)
            if pending:
                log.info("dask: extracting %d partitions", len(pending))
                bag = db.from_sequence(pending, npartitions=len(pending))
                report.analysed += sum(bag.map(analyse_partition, store.url, settings).compute(scheduler=client))

    if extract:
        analyse_pending(store, settings, report)  # normally nothing left: catches work lost with a worker
    if "resolve" in order:
        run_corpus_stages(store, settings, report)
    report.documents_total = store.count("documents")
    store.record_run("ingest", report.as_dict() | {"engine": "dask"})
    return report
