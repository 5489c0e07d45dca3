"""The app's snapshot, built once per data generation instead of once per request.

Building a :class:`~khronika.web.queries.Snapshot` reads every person, event and
document info and applies every review decision: milliseconds for a monitor's
corpus, seconds and hundreds of MB for a newsroom's. So each app keeps the last one
and reuses it while :meth:`Store.data_generation` (latest ingest run, latest review)
is unchanged. That check is one small query per request, so a review written through
the web, another server process or the CLI shows on the very next request, and so
does a finished ingest run.

Requests run concurrently (sync endpoints run in a thread pool): one lock makes sure
a new generation is built once while the other requests wait for it.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import Request

from ..store.db import Store
from . import queries


class SnapshotCache:
    def __init__(self, store: Store, enabled: bool = True) -> None:
        self.store = store
        self.enabled = enabled
        self.builds = 0  # snapshots built so far (read by tests and the benchmark)
        self._snap: queries.Snapshot | None = None
        self._lock = threading.Lock()

    def get(self) -> queries.Snapshot:
        """The current snapshot: the cached one if the data has not changed since."""
        if not self.enabled:
            self.builds += 1
            return queries.snapshot(self.store)
        snap = self._snap
        if snap is not None and snap.generation == self.store.data_generation():
            return snap
        with self._lock:
            # read again under the lock: a request that waited here finds the snapshot
            # the previous holder just built (unless the data moved on meanwhile)
            generation = self.store.data_generation()
            snap = self._snap
            if snap is not None and snap.generation == generation:
                return snap
            # let the old one go as soon as in-flight requests finish (not held here
            # while the new one is built: two at once is what bounds the peak RSS)
            self._snap = snap = None
            # generation read before the data: a write landing in between makes the
            # next request rebuild, never serve newer data under an older generation
            snap = queries.snapshot(self.store, generation=generation)
            self._snap = snap
            self.builds += 1
            return snap

    def clear(self) -> None:
        with self._lock:
            self._snap = None


def current(request: Request) -> queries.Snapshot:
    """The snapshot for this request (see :class:`SnapshotCache`)."""
    cache: Any = request.app.state.snapshots
    return cache.get()
