"""Fixtures and helpers for the hosted topology: PostgreSQL, two app replicas, nginx in front (loopback only).

One topology per test session (``scripts/hosted.py``), its logs copied to
``test-artifacts/hosted/`` when it stops. Missing nginx, PostgreSQL or Chromium fails the
tests (``bash .ci/run`` installs them) instead of skipping them.

Pinning a browser to a replica: nginx hashes each request on the ``mstatlas_replica``
cookie (see ``deploy/nginx/mstatlas.conf.template``). :func:`affinity_for` finds a
cookie value that nginx sends to the wanted replica by asking nginx itself (a health
check with the cookie, then the access log's ``upstream=``), so a test can open a page
"through nginx, on the other replica" without guessing nginx's hash function.
"""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Iterator

import pytest
from browser.harness import ARTIFACTS

from scripts.hosted import HEALTH, NginxUnavailable, Topology, hosted

COOKIE = "mstatlas_replica"
LOG_LINE = re.compile(
    r'"(?P<request>[^"]*)" (?P<status>\d+) \d+ upstream=(?P<tried>.*?) upstream_status=.*? '
    r"affinity=(?P<affinity>\S+)"
)


@pytest.fixture(scope="session")
def topology() -> Iterator[Topology]:
    """Two replicas on one throwaway PostgreSQL database, nginx in front."""
    try:
        with hosted(replicas=2, keep_logs=ARTIFACTS / "hosted") as topo:
            yield topo
    except NginxUnavailable as exc:
        pytest.fail(f"{exc} (bash .ci/run installs it)")


@pytest.fixture
def both_running(topology: Topology) -> Topology:
    """The topology with both replicas up (a test before may have killed one)."""
    for i in range(len(topology.replicas)):
        topology.restart(i)
    return topology


def access_log(topo: Topology) -> list[dict[str, str]]:
    """nginx's access log, one dict per request: request, status, affinity, the replicas
    tried (``tried``, in order) and the one that answered (``upstream``)."""
    text = topo.access_log.read_text(errors="replace") if topo.access_log.exists() else ""
    entries = [m.groupdict() for m in map(LOG_LINE.search, text.splitlines()) if m]
    for e in entries:
        e["upstream"] = e["tried"].split(", ")[-1]
    return entries


def wait_for(predicate, what: str, timeout_s: float = 30.0):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.1)


def get(url: str, cookie: str | None = None) -> tuple[int, bytes, list[str]]:
    """GET through nginx: status, body, Set-Cookie headers."""
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        return r.status, r.read(), r.headers.get_all("Set-Cookie") or []


def affinity_for(topo: Topology, index: int) -> str:
    """A ``mstatlas_replica`` cookie value that nginx sends to replica ``index``."""
    wanted = topo.replicas[index].address
    for n in range(200):
        value = f"pin-{index}-{n}"
        get(topo.url + HEALTH, value)
        line = wait_for(
            lambda v=value: next((e for e in access_log(topo) if e["affinity"] == v), None),
            f"nginx to log the request with affinity {value}",
        )
        if line["upstream"] == wanted:
            return value
    pytest.fail(f"no affinity cookie among 200 reached {wanted}")


def pin(context, topo: Topology, index: int) -> str:
    """Give a browser context the cookie that keeps it on replica ``index``; return the value."""
    value = affinity_for(topo, index)
    context.add_cookies([{"name": COOKIE, "value": value, "url": topo.url}])
    return value


def upstreams_of(topo: Topology, affinity: str) -> set[str]:
    """The replicas that served the logged requests carrying this affinity cookie."""
    return {e["upstream"] for e in access_log(topo) if e["affinity"] == affinity}
