"""Run the hosted topology on one machine: PostgreSQL, app replicas and nginx in front.

    make hosted                                  # or: python scripts/hosted.py
    python scripts/hosted.py --port 8080 --replicas 2
    python scripts/hosted.py --database-url postgresql+psycopg://user:pw@host:5432/mstatlas

Everything listens on 127.0.0.1 only: a throwaway PostgreSQL server (the one the tests
start, ``tests/postgres_server.py``; its shared datasets are gone when this stops) unless
``--database-url`` names an existing database, two ``streamlit run app.py`` replicas on
free ports, and Debian's nginx with the shipped site ``deploy/nginx/mstatlas.conf.template``
(the file compose.yaml mounts) rendered for those ports, run as its own master process
with its own prefix, pid file and logs in a temporary folder. Ctrl-C stops all of it.

The tests (``tests/hosted/``) and ``benchmarks/bench_sessions.py --through-nginx`` start
the same topology with :func:`hosted`.
"""

from __future__ import annotations

import argparse
import contextlib
import grp
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx" / "mstatlas.conf.template"
#: The placeholders of the template (filled like the nginx image's envsubst step).
PLACEHOLDERS = ("MSTATLAS_LISTEN", "MSTATLAS_UPSTREAM_SERVERS")
#: nginx workers drop root to this user (the master needs root only to start).
WORKER_USER = "nobody"
HEALTH = "/_stcore/health"

if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from ports import free_port  # noqa: E402  (tests/ports.py, shared with the tests)


class NginxUnavailable(RuntimeError):
    """Debian's nginx is not installed."""


def nginx_binary() -> str:
    """Path of the nginx executable (``/usr/sbin`` is not on every user's PATH)."""
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else ""
    )
    if not found:
        raise NginxUnavailable(
            "nginx not found: install Debian's nginx package (apt-get install nginx; "
            "`make system-deps` does it as root)."
        )
    return found


def render_site(listen: str, servers: Sequence[str], template: Path = TEMPLATE) -> str:
    """The shipped nginx site with its placeholders filled in.

    Parameters
    ----------
    listen : str
        Value of ``listen``, e.g. ``"127.0.0.1:8080"``.
    servers : sequence of str
        Replica addresses (``host:port``); each becomes a ``server`` line of the upstream.
    template : Path
        The template (default: ``deploy/nginx/mstatlas.conf.template``).

    Returns
    -------
    str
        What the nginx image's envsubst step writes for the same values.

    Raises
    ------
    ValueError
        If there is no server, or the template has a placeholder this renderer does not know.
    """
    if not servers:
        raise ValueError("At least one replica address is needed (e.g. 127.0.0.1:8501).")
    values = {
        "MSTATLAS_LISTEN": listen,
        "MSTATLAS_UPSTREAM_SERVERS": " ".join(f"server {s};" for s in servers),
    }
    text = template.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    left = sorted(set(re.findall(r"\$\{(MSTATLAS_\w+)\}", text)))
    if left:
        raise ValueError(f"{template.name} has placeholders this renderer does not fill: {left}")
    return text


def render_main_conf(prefix: Path, site: Path, *, worker_user: str | None) -> str:
    """A complete nginx.conf for a private prefix that includes the rendered ``site``.

    Everything nginx writes (pid, logs, temporary files) stays under ``prefix``; the
    access log uses the site's ``mstatlas`` format, which names the replica that served
    each request. ``worker_user`` is the ``user`` line when the master runs as root.
    """
    temp = prefix / "temp"
    user = f"user {worker_user} {_group_of(worker_user)};\n" if worker_user else ""
    temp_paths = "".join(
        f"    {kind}_temp_path {temp / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        "# Written by scripts/hosted.py for one local run; the site is deploy/nginx/.\n"
        f"{user}worker_processes 1;\ndaemon off;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        "events {\n    worker_connections 1024;\n}\n"
        "http {\n"
        f"{temp_paths}"
        f"    include {site};\n"
        f"    access_log {prefix / 'access.log'} mstatlas;\n"
        "}\n"
    )


def _group_of(user: str) -> str:
    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def write_nginx_conf(prefix: Path, listen: str, servers: Sequence[str]) -> Path:
    """Render the site and its nginx.conf into ``prefix``; return the nginx.conf path.

    As root, nginx's workers run as :data:`WORKER_USER`, so the temporary folders they
    write (large responses, uploads) belong to that user and ``prefix`` is made
    traversable for it.
    """
    worker = WORKER_USER if os.geteuid() == 0 else None
    site = prefix / "mstatlas.conf"
    site.write_text(render_site(listen, servers), encoding="utf-8")
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        folder = prefix / "temp" / kind
        folder.mkdir(parents=True, exist_ok=True)
        if worker:
            shutil.chown(folder, user=worker)
    if worker:
        prefix.chmod(0o711)
        (prefix / "temp").chmod(0o711)
    conf = prefix / "nginx.conf"
    conf.write_text(render_main_conf(prefix, site, worker_user=worker), encoding="utf-8")
    return conf


def nginx_test(conf: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on ``conf`` (its prefix and early error log are its folder)."""
    prefix = conf.parent
    cmd = [
        nginx_binary(),
        "-t",
        "-p",
        f"{prefix}/",
        "-c",
        str(conf),
        "-e",
        str(prefix / "error.log"),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60)


def http_ok(url: str, timeout: float = 3.0) -> bool:
    """``True`` if ``GET url`` answers 200 (never raises)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback only
            return bool(r.status == 200)
    except OSError:
        return False


def _wait_until(
    ready: Callable[[], bool], proc: subprocess.Popen[bytes], what: str, log: Path
) -> None:
    deadline = time.monotonic() + 90
    while not ready():
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{what} exited with code {proc.returncode}:\n{tail}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not become ready within 90 s; log: {log}")
        time.sleep(0.25)


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, grace_s: float = 15) -> None:
    """Signal a process group started with ``start_new_session``; kill it if it lingers."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=grace_s)


@dataclass
class Replica:
    """One ``streamlit run app.py`` process on ``127.0.0.1:port``."""

    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self, env: dict[str, str]) -> None:
        """Start the replica and wait until its health check answers."""
        cmd = [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.port", str(self.port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,  # Streamlit reads .streamlit/config.toml from here
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_until(
            lambda: http_ok(self.url + HEALTH), self.proc, f"replica {self.address}", self.log
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class Topology:
    """A running topology: nginx at :attr:`url` in front of :attr:`replicas`."""

    workdir: Path
    database_url: str
    port: int
    replicas: list[Replica]
    env: dict[str, str]
    nginx: subprocess.Popen[bytes] | None = None
    conf: Path = field(init=False)

    def __post_init__(self) -> None:
        self.conf = self.workdir / "nginx.conf"

    @property
    def url(self) -> str:
        """The balancer's address, the one people open."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.workdir / "access.log"

    def kill(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Kill replica ``index`` (SIGKILL by default: no clean-up, as a crash)."""
        proc = self.replicas[index].proc
        assert proc is not None
        _stop(proc, sig)

    def restart(self, index: int) -> None:
        """Start replica ``index`` again on its port if it is not running."""
        if not self.replicas[index].alive():
            self.replicas[index].start(self.env)

    def start_nginx(self) -> None:
        """Write the rendered config and start nginx; wait until it serves the health check."""
        write_nginx_conf(self.workdir, f"127.0.0.1:{self.port}", [r.address for r in self.replicas])
        checked = nginx_test(self.conf)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused {self.conf}:\n{checked.stderr}")
        log = self.workdir / "nginx.out"
        with log.open("ab") as out:
            self.nginx = subprocess.Popen(
                [nginx_binary(), "-p", f"{self.workdir}/", "-c", str(self.conf),
                 "-e", str(self.workdir / "error.log")],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        _wait_until(
            lambda: http_ok(self.url + HEALTH), self.nginx, "nginx", self.workdir / "error.log"
        )

    def stop(self) -> None:
        """Stop nginx and every replica; never raises for one already gone."""
        if self.nginx is not None:
            _stop(self.nginx)  # fast shutdown: a graceful one would wait for open websockets
        for r in self.replicas:
            if r.proc is not None:
                _stop(r.proc)


@contextlib.contextmanager
def _database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from postgres_server import postgres_server  # tests/postgres_server.py

    with postgres_server() as started:
        yield started


@contextlib.contextmanager
def hosted(
    *,
    replicas: int = 2,
    port: int | None = None,
    database_url: str | None = None,
    env: dict[str, str] | None = None,
    keep_logs: Path | None = None,
) -> Iterator[Topology]:
    """Start PostgreSQL (unless ``database_url``), ``replicas`` app processes and nginx.

    Parameters
    ----------
    replicas : int
        Number of ``streamlit run`` processes, each on a free loopback port.
    port : int or None
        nginx's port on 127.0.0.1 (default: a free one).
    database_url : str or None
        An existing database for the shared datasets; ``None`` starts a throwaway
        PostgreSQL server (``tests/postgres_server.py``) for the duration.
    env : dict or None
        Extra environment of the replicas.
    keep_logs : Path or None
        Folder to copy the logs (nginx access and error logs, each replica's output)
        into on the way out.

    Yields
    ------
    Topology
        Everything running; stopped (all processes, the temporary folder) on exit.
    """
    nginx_binary()  # fail before starting anything else
    workdir = Path(tempfile.mkdtemp(prefix="mstatlas-hosted-"))
    try:
        with _database(database_url) as url:
            app_env = {"MSTATLAS_DATABASE_URL": url, "MSTATLAS_HOME": str(workdir), **(env or {})}
            nodes = [Replica(p, workdir / f"replica-{p}.log") for p in _free_ports(replicas)]
            topo = Topology(workdir, url, port or free_port(), nodes, app_env)
            try:
                for node in nodes:
                    node.start(app_env)
                topo.start_nginx()
                yield topo
            finally:
                topo.stop()
    finally:
        if keep_logs is not None:
            keep_logs.mkdir(parents=True, exist_ok=True)
            for log in [*workdir.glob("*.log"), workdir / "nginx.conf", workdir / "mstatlas.conf"]:
                with contextlib.suppress(OSError):
                    shutil.copy(log, keep_logs / log.name)
        shutil.rmtree(workdir, ignore_errors=True)


def _free_ports(n: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < n:
        ports.add(free_port())
    return sorted(ports)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("MSTATLAS_DATABASE_URL") or None,
        help="existing PostgreSQL database (default: MSTATLAS_DATABASE_URL, else a throwaway one)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 8:
        parser.error("--replicas: 1 to 8")
    # Ctrl-C and `kill` both stop everything (a shell may have started us ignoring SIGINT).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with hosted(replicas=args.replicas, port=args.port, database_url=args.database_url) as topo:
            print(f"MST Atlas: {topo.url}  (nginx in front of {len(topo.replicas)} replicas)")
            for r in topo.replicas:
                print(f"  replica {r.url}  log {r.log}")
            print(f"  nginx access log {topo.access_log}")
            if not args.database_url:
                print("  shared datasets go to a throwaway PostgreSQL server: gone when this stops")
            print("Ctrl-C stops everything.", flush=True)
            _watch(topo)
    except KeyboardInterrupt:
        pass
    except (NginxUnavailable, RuntimeError, TimeoutError) as exc:
        print(f"Could not start the hosted topology: {exc}", file=sys.stderr)
        return 1
    print("Stopped.")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _watch(topo: Topology) -> None:
    """Wait for Ctrl-C; say so when a process of the topology dies meanwhile."""
    reported: set[int] = set()
    while True:
        time.sleep(1)
        for i, r in enumerate(topo.replicas):
            if not r.alive() and i not in reported:
                reported.add(i)
                print(f"replica {r.url} stopped; nginx sends its clients to the others")
        if topo.nginx is not None and topo.nginx.poll() is not None:
            log = (topo.workdir / "error.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"nginx stopped:\n{log}")


if __name__ == "__main__":
    sys.exit(main())
