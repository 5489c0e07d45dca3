"""The ``khronika`` command: a thin Typer + rich layer over the library.

Exit codes: 0 done (rejected inputs are recorded and reported, not failures; use
--strict to make them one), 1 some inputs rejected under --strict, 2 usage or
configuration error, 3 database error, 4 not found.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from . import __version__
from .errors import KhronikaError
from .settings import SETTINGS, Settings

app = typer.Typer(
    name="khronika",
    help=(
        "Turn a raw stream of news articles into a clean, deduplicated, source-cited chronicle of "
        "political dissent and repression.\n\n"
        "Typical use:\n\n"
        "  khronika ingest articles/ --db khronika.db\n\n"
        "  khronika export --db khronika.db --format json -o chronicle.json\n\n"
        "  khronika person 'Ksenia Thorstrom' --db khronika.db"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console(stderr=True)
out = Console()

DbOption = Annotated[
    str,
    typer.Option("--db", help="SQLite file path (created if missing) or a database URL such as postgresql://user@host/db.",
                 envvar="KHRONIKA_DB"),
]


def _fail(exc: KhronikaError) -> typer.Exit:
    console.print(f"[bold red]error[/] ({exc.code}): {exc}")
    return typer.Exit(exc.exit_code)


def _open(db: str):  # noqa: ANN202 - Store import kept lazy so --help stays fast
    from .store.db import Store

    return Store(db)


@app.callback(invoke_without_command=True)
def main(version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False) -> None:
    if version:
        out.print(f"khronika {__version__}")
        raise typer.Exit(0)


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, directories (read recursively), glob patterns, or - for stdin. "
                                               "Formats: .txt .md .html/.htm .jsonl .warc/.warc.gz.")],
    db: DbOption = "khronika.db",
    engine: Annotated[str, typer.Option(help="local (one process) or dask (partitions over a Dask cluster).")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="With --engine dask: address of a running scheduler.")] = None,
    workers: Annotated[int | None, typer.Option(help="With --engine dask: start a local cluster with N workers.")] = None,
    strict: Annotated[bool, typer.Option(help="Exit 1 when any input was rejected.")] = False,
    max_input_bytes: Annotated[int | None, typer.Option(help="Reject inputs larger than this many bytes.")] = None,
    json_report: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON on stdout.")] = False,
) -> None:
    """Ingest articles and bring the chronicle up to date.

    Every input is stored once, keyed by the hash of its bytes: running the same
    ingest twice adds nothing. Bad inputs (binary, empty, too large, undecodable,
    unparseable) are recorded with a reason - see `khronika rejections` - and the
    batch goes on. After reading, khronika extracts people and events from new
    documents, finds near-duplicates and stories, and re-resolves people and events
    across the whole corpus.
    """
    from .pipeline import run_ingest

    # A path the user typed that does not exist is a usage error, not a rejected article;
    # stop before touching the database. (A glob matching nothing is recorded and reported.)
    missing = [p for p in paths if p != "-" and not any(c in p for c in "*?[") and not Path(p).exists()]
    if missing:
        console.print(f"[red]no such file or directory:[/] {', '.join(missing)}")
        raise typer.Exit(2)
    settings = Settings.load(max_input_bytes=max_input_bytes)
    try:
        store = _open(db)
        if engine == "dask":
            from .distributed import run_ingest_dask

            report = run_ingest_dask(store, paths, settings, scheduler=scheduler, workers=workers)
        elif engine == "local":
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal) as bar:
                tasks: dict[str, int] = {}

                def progress(phase: str, advance: int, total: int | None) -> None:
                    if phase == "read":
                        tid = tasks.setdefault("read", bar.add_task("reading + cleaning", total=None))
                        bar.advance(tid, advance)
                    elif phase == "extract-start":
                        tasks["extract"] = bar.add_task("extracting people and events", total=total)
                    elif phase == "extract":
                        bar.advance(tasks["extract"], advance)

                report = run_ingest(store, paths, settings, progress=progress)
        else:
            console.print(f"[red]unknown engine {engine!r}[/]: use local or dask")
            raise typer.Exit(2)
    except KhronikaError as exc:
        raise _fail(exc) from exc
    if json_report:
        out.print_json(json.dumps(report.as_dict()))
    else:
        _summary(report)
    if report.seen == 0:
        console.print("[yellow]no input found[/] at the given paths")
        raise typer.Exit(2)
    if strict and report.rejected:
        raise typer.Exit(1)


def _summary(report) -> None:  # noqa: ANN001
    t = Table(title="ingest summary", show_header=False)
    t.add_row("inputs seen", str(report.seen))
    t.add_row("ingested (new)", str(report.ingested))
    t.add_row("duplicates skipped (same bytes)", str(report.duplicates_skipped))
    for reason, n in sorted(report.rejected.items()):
        t.add_row(f"rejected: {reason}", str(n))
    t.add_row("documents analysed", str(report.analysed))
    t.add_row("documents in database", str(report.documents_total))
    t.add_row("people", str(report.persons))
    t.add_row("events", str(report.events))
    console.print(t)


@app.command()
def export(
    db: DbOption = "khronika.db",
    format: Annotated[str, typer.Option("--format", "-f", help="json (the contract), jsonl, csv (one row per event source), "
                                        "parquet, or plover (PLOVER-style events).")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Export documents, people and events, with review decisions applied."""
    from .export import FORMATS, write

    if format not in FORMATS:
        console.print(f"[red]unknown format {format!r}[/]: use one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    try:
        text = write(_open(db), format, output)
    except KhronikaError as exc:
        raise _fail(exc) from exc
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    if text is not None:
        sys.stdout.write(text)
    else:
        console.print(f"wrote {output}")


@app.command()
def rejections(db: DbOption = "khronika.db") -> None:
    """List inputs that were rejected, with the reason for each."""
    try:
        rows = _open(db).rejections()
    except KhronikaError as exc:
        raise _fail(exc) from exc
    t = Table(title=f"{len(rows)} rejected input(s)")
    for col in ("source", "reason", "detail"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(r["source"], r["reason"], r["detail"])
    out.print(t)


@app.command()
def settings() -> None:
    """List every setting with its default and what it does (override with KHRONIKA_<NAME>)."""
    t = Table(title="settings")
    for col in ("name", "default", "environment variable", "help"):
        t.add_column(col, overflow="fold")
    for s in SETTINGS:
        t.add_row(s.name, repr(s.default), f"KHRONIKA_{s.name.upper()}", s.help)
    out.print(t)


@app.command()
def status(db: DbOption = "khronika.db") -> None:
    """Counts of documents, rejections, people, events and reviews in a database."""
    try:
        store = _open(db)
        t = Table(title=store.url)
        for table in ("documents", "rejections", "persons", "events", "reviews"):
            t.add_row(table, str(store.count(table)))
    except KhronikaError as exc:
        raise _fail(exc) from exc
    out.print(t)


@app.command()
def person(
    name: Annotated[str, typer.Argument(help="A name in any spelling or script (\"Xenia Torstrem\", \"Ксения Торстрем\"), "
                                        "a surname, or a person id (p-…).")],
    db: DbOption = "khronika.db",
    json_out: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
) -> None:
    """A person's case timeline: acts and responses in order, each with its sources.

    Names are matched transliteration-aware against every spelling seen, so any
    outlet's spelling finds the same person. Review decisions are applied.
    """
    from .export import build
    from .models import DocumentInfo, Event, Source
    from .names import name_key
    from .resolve import Resolution
    from .timeline import timeline

    try:
        data = build(_open(db))
    except KhronikaError as exc:
        raise _fail(exc) from exc
    want = name_key(name)
    hits = [p for p in data["persons"] if name == p["id"] or want in {name_key(a) for a in [p["name"], *p["aliases"]]}]
    if not hits:  # a bare surname or fragment: fall back to substring on any spelling
        low = name.casefold()
        hits = [p for p in data["persons"] if any(low in a.casefold() for a in [p["name"], *p["aliases"]])]
    if not hits:
        console.print(f"[yellow]no person matching {name!r}[/] in {db}")
        raise typer.Exit(4)
    if len(hits) > 1 and not json_out:
        console.print(f"{len(hits)} people match {name!r}; showing each (use the id to pick one).")
    docs = {d["id"]: DocumentInfo(id=d["id"], source=d["source"], outlet=d["outlet"], published=d["published"])
            for d in data["documents"]}
    events = tuple(Event(id=e["id"], type=e["type"], subject=e["subject"], subject_name=e["subject_name"],
                         agent=e["agent"], date=e["date"], status=e["status"],
                         sources=tuple(Source(s["document"], s["evidence"]) for s in e["sources"]))
                   for e in data["events"])
    res = Resolution(persons=(), events=events)
    result = []
    for p in hits:
        entries = timeline(p["id"], res, docs)
        result.append({"person": p, "timeline": [
            {"date": t.date, "placed_by": t.placed_by, "type": t.event.type, "agent": t.event.agent,
             "status": t.event.status,
             "sources": [{"document": s.document, "source": docs[s.document].source, "outlet": s.outlet,
                          "evidence": s.evidence} for s in t.sources]}
            for t in entries]})
    if json_out:
        out.print_json(json.dumps(result, ensure_ascii=False))
        return
    for item in result:
        p = item["person"]
        out.print(f"[bold]{p['name']}[/]  [dim]{p['id']}[/]")
        others = [a for a in p["aliases"] if a != p["name"]]
        if others:
            out.print(f"  also written: {', '.join(others)}")
        if p["roles"]:
            out.print(f"  roles: {'; '.join(p['roles'])}")
        out.print(f"  in {len(p['documents'])} document(s)")
        if not item["timeline"]:
            out.print("  [dim]no events recorded[/]")
        for t in item["timeline"]:
            when = t["date"] or (f"({t['placed_by']})" if t["placed_by"] else "date unknown")
            status = "" if t["status"] == "reported" else f" [yellow]{t['status']}[/]"
            agent = f" by {t['agent']}" if t["agent"] else ""
            out.print(f"  [cyan]{when}[/]  [bold]{t['type']}[/]{agent}{status}")
            for s in t["sources"]:
                label = s["outlet"] or Path(s["source"]).name
                out.print(f"      - {label}: \u201c{s['evidence'][:160]}\u201d", highlight=False)
        out.print()


@app.command()
def summary(
    db: DbOption = "khronika.db",
    limit: Annotated[int, typer.Option(help="Show at most this many people.")] = 25,
) -> None:
    """A readable chronicle: documents, duplicates, stories, and each person's events with sources."""
    from collections import defaultdict

    from .export import build

    try:
        data = build(_open(db))
    except KhronikaError as exc:
        raise _fail(exc) from exc
    docs = {d["id"]: d for d in data["documents"]}
    dups = sum(1 for d in docs.values() if d["duplicate_of"])
    stories = {d["story"] for d in docs.values() if d["story"]}
    suspect = [d for d in docs.values() if d["date_suspect"]]
    out.print(f"[bold]{len(docs)}[/] documents ({dups} near-duplicate copies, {len(stories)} stories, "
              f"{len(suspect)} with a suspect stated date), [bold]{len(data['persons'])}[/] people, "
              f"[bold]{len(data['events'])}[/] events")
    for d in suspect:
        out.print(f"  suspect date: {Path(d['source']).name} states {d['published_stated']}, text suggests {d['published']}")
    by_person = defaultdict(list)
    for e in data["events"]:
        by_person[e["subject"] or e["subject_name"]].append(e)
    people = {p["id"]: p for p in data["persons"]}
    ranked = sorted(by_person.items(), key=lambda kv: (-len(kv[1]), kv[0] or ""))[:limit]
    for pid, evs in ranked:
        p = people.get(pid)
        name = p["name"] if p else evs[0]["subject_name"]
        aka = [a for a in (p["aliases"] if p else []) if a != name and len(a.split()) > 1]
        t = Table(title=f"{name}" + (f"  (also: {', '.join(aka)})" if aka else ""), title_justify="left",
                  show_lines=False, expand=True)
        t.add_column("date", width=10)
        t.add_column("event", width=20)
        t.add_column("status", width=11)
        t.add_column("sources", overflow="fold")
        for e in sorted(evs, key=lambda e: (e["date"] or "9999", e["type"])):
            srcs = "; ".join(f"{Path(docs[s['document']]['source']).name}: {s['evidence'][:90]}"
                             for s in e["sources"] if s["document"] in docs)
            t.add_row(e["date"] or "?", e["type"] + (f" by {e['agent']}" if e["agent"] else ""), e["status"], srcs)
        out.print(t)


@app.command()
def serve(
    db: DbOption = "khronika.db",
    host: Annotated[str, typer.Option(help="Interface to listen on. Keep 127.0.0.1 unless a reverse proxy with "
                                      "TLS sits in front.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    token: Annotated[str | None, typer.Option(
        help="Review token. Reading (pages, search, JSON API, exports) is open to anyone who can reach the "
             "server; review writes (confirm, reject or edit an event, merge or split people) need this token, "
             "typed into the review form or sent as 'Authorization: Bearer TOKEN'. With no token set, review "
             "writes are disabled. Prefer the environment variable so the token stays out of the process list.",
        envvar="KHRONIKA_REVIEW_TOKEN", show_envvar=True)] = None,
) -> None:
    """Browse, search, review and export the chronicle in a web browser (and as a JSON API).

    Opens http://HOST:PORT/ with an overview, people, each person's timeline with
    sources, documents with evidence highlighted, full-text search and a review queue.
    JSON: add .json to any page, or use /api/... (documented at /docs).
    Review needs --token or KHRONIKA_REVIEW_TOKEN; without one the server is read-only.
    """
    import uvicorn

    from .web import create_app

    try:
        web_app = create_app(db, token=token)
    except KhronikaError as exc:
        raise _fail(exc) from exc
    mode = "review enabled (token set)" if token else "read-only (no review token)"
    console.print(f"serving {web_app.state.store.url} on http://{host}:{port}/ - {mode}")
    uvicorn.run(web_app, host=host, port=port, log_level="info")


if __name__ == "__main__":  # pragma: no cover
    app()
