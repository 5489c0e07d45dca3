"""Every command that takes ``--db`` works on a PostgreSQL URL as on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from khronika.cli import app

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "seeds"


@pytest.fixture(scope="module")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"shared seed corpus not found at {SEEDS} (clone ../shared beside the repo)")
    return SEEDS


def _ok(args: list[str]) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, f"khronika {' '.join(args)} -> {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result.output


def test_commands_on_both_backends(db_url: str, seeds: Path, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    first = json.loads(_ok(["ingest", str(seeds), str(tmp_path / "empty.txt"), "--db", db_url, "--json"]))
    assert first["ingested"] == len([p for p in seeds.iterdir() if p.is_file()]) and first["rejected"] == {"empty": 1}
    again = json.loads(_ok(["ingest", str(seeds), "--db", db_url, "--json"]))
    assert again["ingested"] == 0 and again["duplicates_skipped"] == first["ingested"]

    data = json.loads(_ok(["export", "--db", db_url, "--format", "json"]))
    assert len(data["documents"]) == first["ingested"] and data["persons"] and data["events"]
    for fmt in ("jsonl", "csv", "plover"):
        out = tmp_path / f"x.{fmt}"
        _ok(["export", "--db", db_url, "--format", fmt, "-o", str(out)])
        assert out.stat().st_size > 0
    assert "empty" in _ok(["rejections", "--db", db_url])
    assert str(first["ingested"]) in _ok(["status", "--db", db_url])
    _ok(["summary", "--db", db_url])
    name = data["persons"][0]["name"]
    timeline = json.loads(_ok(["person", name, "--db", db_url, "--json"]))
    assert timeline


def test_dask_engine_from_the_cli(db_url: str, seeds: Path) -> None:
    """The newsroom path: --engine dask --workers N into the shared database."""
    report = json.loads(_ok(["ingest", str(seeds), "--db", db_url, "--engine", "dask", "--workers", "2", "--json"]))
    assert report["ingested"] == len([p for p in seeds.iterdir() if p.is_file()])
    assert report["analysed"] == report["ingested"] and report["events"] > 0
