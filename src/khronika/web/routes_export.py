"""Export downloads, built by :mod:`khronika.export` (review decisions applied)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .. import export

router = APIRouter(tags=["exports"])

MEDIA = {"json": "application/json", "jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8",
         "plover": "application/json", "parquet": "application/vnd.apache.parquet"}
FILENAME = {"json": "khronika.json", "jsonl": "khronika.jsonl", "csv": "khronika.csv",
            "plover": "khronika.plover.json", "parquet": "khronika.parquet"}


def _download(request: Request, fmt: str) -> Response:
    store = request.app.state.store
    if fmt == "parquet":
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "export.parquet"
            export.write(store, fmt, out)
            body: bytes | str = out.read_bytes()
    else:
        body = export.write(store, fmt, None) or ""
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{FILENAME[fmt]}"'})


@router.get("/export.json", summary="The JSON export contract: {documents, persons, events}")
def export_json(request: Request) -> Response:
    return _download(request, "json")


@router.get("/export.jsonl", summary="One JSON object per line (kind: document | person | event)")
def export_jsonl(request: Request) -> Response:
    return _download(request, "jsonl")


@router.get("/export.csv", summary="One row per (event, source)")
def export_csv(request: Request) -> Response:
    return _download(request, "csv")


@router.get("/export.parquet", summary="The CSV rows as Parquet")
def export_parquet(request: Request) -> Response:
    return _download(request, "parquet")


@router.get("/export.plover.json", summary="PLOVER-style event records")
def export_plover(request: Request) -> Response:
    return _download(request, "plover")
