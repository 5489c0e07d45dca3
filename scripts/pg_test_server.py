#!/usr/bin/env python3
"""Start and stop a throwaway PostgreSQL server for the test suite (loopback only).

    python scripts/pg_test_server.py start [--dir DIR]   # prints the server URL
    python scripts/pg_test_server.py stop  --dir DIR

The pytest fixture ``pg_server`` (tests/conftest.py) imports this module and calls
``start()`` / ``PgServer.stop()`` itself, so ``make test`` needs nothing running.

PostgreSQL refuses to run as root: as root the cluster is created and run as the
``postgres`` system user (Debian's package creates it), otherwise as the current
user. Authentication is ``trust`` but the server listens on 127.0.0.1 and a private
socket directory only, and its data lives in a temporary directory removed on stop.
Durability is switched off (fsync, full_page_writes): it is a test server.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class PgUnavailable(RuntimeError):
    """PostgreSQL cannot be started here (no binaries, no usable user); the message says why."""


def find_bindir() -> Path | None:
    """The newest PostgreSQL bin directory: $KHRONIKA_PG_BINDIR, Debian's layout, or PATH."""
    env = os.environ.get("KHRONIKA_PG_BINDIR")
    if env:
        return Path(env) if (Path(env) / "initdb").exists() else None
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _run_as() -> list[str]:
    """Command prefix that runs a server binary as a non-root user."""
    if os.geteuid() != 0:
        return []
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise PgUnavailable("running as root and there is no 'postgres' system user to run the server as") from exc
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--"]
    su = shutil.which("su")
    if su:  # pragma: no cover - runuser is in util-linux, present on Debian
        return [su, "postgres", "-s", "/bin/sh", "-c"]
    raise PgUnavailable("running as root and neither runuser nor su is available")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgServer:
    directory: Path
    port: int
    bindir: Path

    @property
    def url(self) -> str:
        """URL of the ``postgres`` maintenance database (create per-test databases from it)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        data = self.directory / "data"
        if data.exists():
            subprocess.run([*_run_as(), str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, check=False)
        shutil.rmtree(self.directory, ignore_errors=True)


def start(directory: str | os.PathLike[str] | None = None, *, timeout: float = 60.0) -> PgServer:
    """initdb a new cluster in a temporary directory and start it on a free loopback port."""
    bindir = find_bindir()
    if bindir is None:
        raise PgUnavailable("no PostgreSQL server binaries (initdb) found; install Debian's 'postgresql' package "
                            "(scripts/sysdeps.sh does it as root) or set KHRONIKA_PG_BINDIR")
    prefix = _run_as()
    # as root the server runs as postgres, which must reach the directory: /tmp, not a private $TMPDIR
    base = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="khronika-pg-", dir="/tmp" if prefix else None))
    base.mkdir(parents=True, exist_ok=True)
    data, sock = base / "data", base / "sock"
    sock.mkdir(exist_ok=True)
    if prefix:  # the server user must own its directories
        for p in (base, sock):
            shutil.chown(p, "postgres", "postgres")
        os.chmod(base, 0o755)
    log = base / "server.log"
    init = subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
         "--locale=C.UTF-8", "--no-sync"],
        capture_output=True, text=True, check=False,
    )
    if init.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        raise PgUnavailable(f"initdb failed: {init.stderr.strip()[-500:]}")
    port = _free_port()
    opts = (f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            f"-c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB")
    if prefix:
        log.touch()
        shutil.chown(log, "postgres", "postgres")
    ctl = subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log), "-w", "-t", str(int(timeout)),
         "start"],
        capture_output=True, text=True, check=False,
    )
    server = PgServer(base, port, bindir)
    if ctl.returncode != 0:
        tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
        server.stop()
        raise PgUnavailable(f"pg_ctl start failed: {ctl.stderr.strip()[-300:]} {tail}")
    _wait_ready(port, timeout)
    return server


def _wait_ready(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise PgUnavailable(f"PostgreSQL did not accept connections on 127.0.0.1:{port} within {timeout:.0f}s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=["start", "stop"])
    ap.add_argument("--dir", help="cluster directory (start: created; stop: required)")
    args = ap.parse_args(argv)
    if args.action == "start":
        try:
            server = start(args.dir)
        except PgUnavailable as exc:
            print(f"pg_test_server: {exc}", file=sys.stderr)
            return 1
        (server.directory / "port").write_text(f"{server.port}\n")
        print(server.url)
        print(f"stop with: {sys.argv[0]} stop --dir {server.directory}", file=sys.stderr)
        return 0
    if not args.dir:
        ap.error("stop needs --dir")
    d = Path(args.dir)
    port = int((d / "port").read_text()) if (d / "port").exists() else 0
    PgServer(d, port, find_bindir() or Path("/nonexistent")).stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
