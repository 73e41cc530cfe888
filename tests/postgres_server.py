"""Start a throwaway, real PostgreSQL server for tests and benchmarks.

Uses the server binaries of Debian's ``postgresql`` package (``initdb``,
``pg_ctl``, ``postgres`` under ``/usr/lib/postgresql/<version>/bin``) or
whatever ``initdb`` is on ``PATH``; ``MSTATLAS_POSTGRES_BIN`` names the folder
to use instead (only that one is tried). The cluster lives in a temporary folder,
listens on a free port on 127.0.0.1 only (the unix socket stays in that
folder) and uses a random password. PostgreSQL refuses to run as root, so when
the tests run as root the server runs as the ``postgres`` system user.

>>> with postgres_server() as url:      # doctest: +SKIP
...     engine = sqlalchemy.create_engine(url)
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ports import free_port

DATABASE = "mstatlas_test"
SERVER_USER = "postgres"
SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


def find_bin_dir() -> Path | None:
    """Folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (newest version), or ``None``."""
    chosen = os.environ.get("MSTATLAS_POSTGRES_BIN", "").strip()
    if chosen:
        folder = Path(chosen)
        return folder if all((folder / e).is_file() for e in SERVER_BINARIES) else None
    candidates = []
    for initdb in Path("/usr/lib/postgresql").glob("*/bin/initdb"):
        version = re.match(r"\d+", initdb.parent.parent.name)
        candidates.append((int(version.group()) if version else 0, initdb.parent))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append((-1, Path(on_path).resolve().parent))
    for _, folder in sorted(candidates, reverse=True):
        if all((folder / exe).is_file() for exe in SERVER_BINARIES):
            return folder
    return None


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"Tests run as root but there is no {SERVER_USER!r} system user to run PostgreSQL "
            "as; install Debian's postgresql package or run the tests as a normal user."
        ) from None
    return ["runuser", "-u", SERVER_USER, "--", *cmd]


def _run(cmd: list[str], log: Path | None = None) -> None:
    proc = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
        raise RuntimeError(
            f"{Path(cmd[0]).name} failed with exit code {proc.returncode}:\n"
            f"{proc.stdout}{proc.stderr}{tail}"
        )


@contextlib.contextmanager
def postgres_server(*, durable: bool = False) -> Iterator[str]:
    """Run a temporary PostgreSQL server; yield an SQLAlchemy URL to a fresh database.

    Parameters
    ----------
    durable : bool
        ``False`` (tests) turns off fsync for speed; ``True`` (benchmarks) keeps
        PostgreSQL's normal, crash-safe settings so timings are realistic.

    Yields
    ------
    str
        ``postgresql+psycopg://postgres:<password>@127.0.0.1:<port>/mstatlas_test``.

    Raises
    ------
    PostgresUnavailable
        If the server binaries are not installed.
    """
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found.")
    tmp = Path(tempfile.mkdtemp(prefix="mstatlas-pg-"))
    data, log, pwfile = tmp / "data", tmp / "server.log", tmp / "pw"
    password = secrets.token_urlsafe(16)
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(tmp, user=SERVER_USER)
        shutil.chown(pwfile, user=SERVER_USER)
    started = False
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                *([] if durable else ["--no-sync"]),
            ]
        )
        pwfile.unlink()
        settings = f"-c listen_addresses=127.0.0.1 -k {tmp} -c max_connections=100"
        if not durable:
            settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        for attempt in range(3):  # the free port may be taken between probing and binding
            port = free_port()
            try:
                _run(
                    [
                        str(bin_dir / "pg_ctl"),
                        "-D",
                        str(data),
                        "-l",
                        str(log),
                        "-w",
                        "-t",
                        "60",
                        "-o",
                        f"-p {port} {settings}",
                        "start",
                    ],
                    log,
                )
                started = True
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        import psycopg

        admin = f"host=127.0.0.1 port={port} user=postgres password={password} dbname=postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        yield f"postgresql+psycopg://postgres:{password}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if started:
            with contextlib.suppress(RuntimeError):
                _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":  # manual check: python tests/postgres_server.py
    with postgres_server() as url:
        print(url)
