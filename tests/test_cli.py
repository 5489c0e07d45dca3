"""The CLI's exit codes and outputs, through Typer's runner (no subprocess needed)."""

import json
from pathlib import Path

from typer.testing import CliRunner

from khronika.cli import app

runner = CliRunner()
ARTICLE = ("Moscow. A municipal deputy, Ivan Petrov, was detained on Monday for holding a "
           "single-person picket against the war, his lawyer said.\n")


def test_missing_path_is_a_usage_error_and_touches_nothing(tmp_path):
    db = tmp_path / "k.db"
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope"), "--db", str(db)])
    assert result.exit_code == 2
    assert not db.exists()


def test_stdin_ingest_twice_adds_nothing(tmp_path):
    db = str(tmp_path / "k.db")
    first = runner.invoke(app, ["ingest", "-", "--db", db, "--json"], input=ARTICLE)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["ingested"] == 1
    second = runner.invoke(app, ["ingest", "-", "--db", db, "--json"], input=ARTICLE)
    report = json.loads(second.stdout)
    assert (report["ingested"], report["duplicates_skipped"], report["documents_total"]) == (0, 1, 1)


def test_strict_exits_1_when_an_input_was_rejected(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "ok.txt").write_text(ARTICLE)
    db = str(tmp_path / "k.db")
    assert runner.invoke(app, ["ingest", str(tmp_path / "in"), "--db", db]).exit_code == 0
    strict = runner.invoke(app, ["ingest", str(tmp_path / "in"), "--db", db, "--strict"])
    assert strict.exit_code == 1
    listed = runner.invoke(app, ["rejections", "--db", db])
    assert "empty.txt" in listed.stdout and "empty" in listed.stdout


def test_export_unknown_format_exit_2_and_formats_write(tmp_path):
    db = str(tmp_path / "k.db")
    runner.invoke(app, ["ingest", "-", "--db", db], input=ARTICLE)
    assert runner.invoke(app, ["export", "--db", db, "--format", "xml"]).exit_code == 2
    for fmt in ("json", "jsonl", "csv", "plover", "parquet"):
        out = Path(tmp_path / f"x.{fmt}")
        r = runner.invoke(app, ["export", "--db", db, "--format", fmt, "-o", str(out)])
        assert r.exit_code == 0, (fmt, r.output)
        assert out.stat().st_size > 0
    data = json.loads(Path(tmp_path / "x.json").read_text())
    assert {"documents", "persons", "events"} <= set(data)
    assert data["documents"][0]["text"].startswith("Moscow.")


def test_person_not_found_exit_4(tmp_path):
    db = str(tmp_path / "k.db")
    runner.invoke(app, ["ingest", "-", "--db", db], input=ARTICLE)
    assert runner.invoke(app, ["person", "Nobody Atall", "--db", db]).exit_code == 4


def test_settings_lists_every_setting():
    r = runner.invoke(app, ["settings"])
    assert r.exit_code == 0
    from khronika.settings import SETTINGS
    flat = "".join(r.stdout.split())  # rich wraps long cells at 80 columns
    assert all(s.name in flat for s in SETTINGS)
