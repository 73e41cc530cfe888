"""The hosted topology: nginx in front of two `streamlit run` replicas on one PostgreSQL.

Everything on loopback, started by the test session (``conftest.topology``); Chromium
talks to nginx only, with every non-local request aborted. A browser context is kept on
one replica by nginx's affinity cookie (``conftest.pin``), so "shared through one
replica, opened through the other" is a fact the access log confirms, not a hope.
"""

from __future__ import annotations

import asyncio
import re
import signal
import socket
from concurrent.futures import ThreadPoolExecutor
from string import Template

import psycopg
import pytest
import yaml
from browser.harness import Offline, save_artifact
from hosted.topology import (
    COOKIE,
    access_log,
    affinity_for,
    get,
    pin,
    upstreams_of,
    wait_for,
)
from playwright.sync_api import expect
from sqlalchemy.engine import make_url

from benchmarks import bench_sessions
from mstatlas.store import DatasetStore
from scripts.hosted import (
    HEALTH,
    PLACEHOLDERS,
    ROOT,
    TEMPLATE,
    nginx_test,
    render_site,
    write_nginx_conf,
)

pytestmark = pytest.mark.hosted

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SHARE_MENU = re.compile(r"Share . embed . present")
# Five clusters, seven reported figures (Alpha and Gamma report two years each).
CSV = (
    "name,city,country,lat,lon,firms,employees,year,source\n"
    "Hosted Alpha,Dortmund,DE,51.5136,7.4653,39,2100,2007,Test source\n"
    "Hosted Alpha,Dortmund,DE,51.5136,7.4653,45,2300,2012,Test source\n"
    "Hosted Beta,Enschede,NL,52.2215,6.8937,150,,2022,Test source\n"
    "Hosted Gamma,Grenoble,FR,45.1885,5.7245,174,,2013,Test source\n"
    "Hosted Gamma,Grenoble,FR,45.1885,5.7245,180,,2016,Test source\n"
    "Hosted Delta,Neuchatel,CH,46.9900,6.9293,60,,2015,Test source\n"
    "Hosted Epsilon,Tampere,FI,61.4978,23.7610,40,900,2018,Test source\n"
)
CLUSTERS, FIGURES = 5, 7
DEFAULT_CLUSTERS = 26  # symbols of the embedded dataset on the map (as the embed test counts)


# -- the shipped configuration ---------------------------------------------------------------


def test_shipped_config_passes_nginx_t(tmp_path):
    conf = write_nginx_conf(tmp_path, "127.0.0.1:8080", ["127.0.0.1:8501", "127.0.0.1:8502"])
    checked = nginx_test(conf)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    site = (tmp_path / "mstatlas.conf").read_text()
    assert "server 127.0.0.1:8501; server 127.0.0.1:8502;" in site and "${" not in site


def test_nginx_t_rejects_a_broken_site(tmp_path):
    # nginx -t does fail: the same wrapper with a site that has lost a brace is refused.
    conf = write_nginx_conf(tmp_path, "127.0.0.1:8080", ["127.0.0.1:8501"])
    site = tmp_path / "mstatlas.conf"
    site.write_text(site.read_text().replace("location / {", "location / ", 1))
    checked = nginx_test(conf)
    assert checked.returncode != 0 and "mstatlas.conf" in checked.stderr


def test_compose_uses_the_shipped_template():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    lb = compose["services"]["lb"]
    rel = TEMPLATE.relative_to(ROOT).as_posix()
    # The nginx image renders /etc/nginx/templates/X.template into conf.d/X (default.conf
    # replaces the image's own site), with envsubst over the container's environment.
    assert f"./{rel}:/etc/nginx/templates/default.conf.template:ro" in lb["volumes"]
    env = lb["environment"]
    assert sorted(k for k in env if k.startswith("MSTATLAS_")) == sorted(PLACEHOLDERS)
    assert "configs" not in compose  # no inline copy that could drift from the tested file
    assert env["MSTATLAS_UPSTREAM_SERVERS"] == "server app:8501;"
    # envsubst over compose's environment gives what the tested renderer gives
    as_the_image_renders = Template(TEMPLATE.read_text()).safe_substitute(env)
    assert as_the_image_renders == render_site(env["MSTATLAS_LISTEN"], ["app:8501"])
    assert "listen 80;" in as_the_image_renders


# -- the running topology --------------------------------------------------------------------


def test_health_check_answers_through_nginx(both_running):
    topo = both_running
    status, body, cookies = get(topo.url + HEALTH)
    assert (status, body) == (200, b"ok")
    # a first visit gets the affinity cookie; a browser that has one keeps it
    assert any(c.startswith(f"{COOKIE}=") and "HttpOnly" in c for c in cookies), cookies
    _, _, again = get(topo.url + HEALTH, "pin-x")
    assert not any(c.startswith(f"{COOKIE}=") for c in again)


def test_websocket_from_a_public_address_is_accepted(both_running):
    # People open the atlas by a public name with a port (compose: :8080). Streamlit accepts
    # a websocket when its Origin equals the Host it receives, so nginx must forward Host
    # with the port; with nginx's $host (no port) the upgrade was refused.
    topo = both_running
    public = "atlas.invalid:8080"
    handshake = (
        "GET /_stcore/stream HTTP/1.1\r\n"
        f"Host: {public}\r\nOrigin: http://{public}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: streamlit\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", topo.port), timeout=30) as sock:
        sock.sendall(handshake.encode())
        status_line = sock.makefile("rb").readline().decode()
    assert status_line.startswith("HTTP/1.1 101"), status_line


def test_affinity_cookies_reach_both_replicas(both_running):
    topo = both_running
    for i, replica in enumerate(topo.replicas):
        value = affinity_for(topo, i)
        for _ in range(5):  # the same cookie always lands on the same replica
            assert get(topo.url + HEALTH, value)[0] == 200
        assert upstreams_of(topo, value) == {replica.address}


def test_protocol_sessions_through_nginx_stay_on_their_replica(both_running):
    # What benchmarks/bench_sessions.py --through-nginx does: each session loads the page
    # (nginx sets its affinity cookie), then speaks Streamlit's protocol over a websocket
    # through nginx with that cookie. No times are checked.
    topo = both_running
    skip = len(access_log(topo))
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps a loop in this thread
        sessions = pool.submit(
            asyncio.run, bench_sessions._all_sessions(topo.port, 6, 1, 0.05, 60.0, 7, sticky=True)
        ).result(timeout=600)
    assert [e for s in sessions for e in s["errors"]] == []
    assert all(len(s["interactions"]) == len(bench_sessions.STEPS) for s in sessions)
    logged = access_log(topo)[skip:]
    page_loads = [e for e in logged if e["request"].startswith("GET / ")]
    assert len(page_loads) == 6
    by_cookie = {e["affinity"]: e["upstream"] for e in page_loads}

    def streams_logged():
        logged = access_log(topo)[skip:]
        found = [
            e for e in logged if "/_stcore/stream" in e["request"] and e["affinity"] in by_cookie
        ]
        return found if len(found) == len(by_cookie) else None

    streams = wait_for(streams_logged, "nginx to log the six websockets")
    for stream in streams:  # the websocket went where its page came from
        assert by_cookie[stream["affinity"]] == stream["upstream"]


def test_shared_dataset_opens_and_is_deleted_across_replicas(both_running, browser, tmp_path):
    topo = both_running
    store = DatasetStore(topo.database_url)
    first, second = Offline(browser), Offline(browser)
    try:
        a = pin(first.context, topo, 0)
        b = pin(second.context, topo, 1)
        page = first.context.new_page()
        upload(page, topo.url, tmp_path)
        link, ds_id = share(page)
        assert link.startswith(topo.url + "/")  # links name the balancer, not a replica
        assert store.load(ds_id).clusters.shape[0] == FIGURES  # in the shared database

        other = second.context.new_page()
        other.goto(link, wait_until="domcontentloaded")
        assert symbols(other) == CLUSTERS
        expect(dataset_caption(other)).to_contain_text(f"{CLUSTERS} clusters, {FIGURES} reported")
        save_artifact(other, "hosted-opened-on-other-replica.png")

        # delete through the first replica, with the token its session holds
        page.get_by_role("button", name=SHARE_MENU).click()
        page.get_by_role("button", name="Delete this shared dataset").click()
        wait_for(
            lambda: symbols(page) == DEFAULT_CLUSTERS, "the first page back on the default data"
        )
        assert not store.exists(ds_id)

        # the second replica opened it before; a new visitor there no longer gets it
        late = second.context.new_page()
        late.goto(link, wait_until="domcontentloaded")
        expect(late.get_by_text(re.compile("No shared dataset"))).to_be_visible(timeout=60_000)
        assert symbols(late) == DEFAULT_CLUSTERS
        assert upstreams_of(topo, a) == {topo.replicas[0].address}
        assert upstreams_of(topo, b) == {topo.replicas[1].address}
        assert first.blocked == [] and second.blocked == []
    finally:
        first.context.close()
        second.context.close()
        store.close()


def test_sigkill_mid_share_leaves_the_other_replica_serving(both_running, browser, tmp_path):
    topo = both_running
    store = DatasetStore(topo.database_url)
    store.count()  # the tables exist before the test locks one
    victim, survivor = topo.replicas
    ctx = Offline(browser)
    conninfo = make_url(topo.database_url).set(drivername="postgresql").render_as_string(False)
    lock = psycopg.connect(conninfo)
    try:
        pinned = pin(ctx.context, topo, 0)
        page = ctx.context.new_page()
        upload(page, topo.url, tmp_path)
        # Hold the table so the victim's INSERT waits inside its write transaction (after
        # it took the store's advisory lock): it is killed mid-share, deterministically.
        lock.execute("LOCK TABLE shared_datasets IN SHARE ROW EXCLUSIVE MODE")
        before = {r[0] for r in lock.execute("SELECT id FROM shared_datasets")}
        page.get_by_role("button", name=SHARE_MENU).click()
        page.get_by_role("button", name="Share this dataset").click()
        blocked = wait_for(lambda: waiting_insert(conninfo), "the victim's INSERT to wait", 60)
        topo.kill(0, signal.SIGKILL)
        assert not victim.alive()
        lock.commit()  # the dead replica's backend finds its client gone and rolls back
        wait_for(lambda: not backend_alive(conninfo, blocked), "PostgreSQL to end the dead session")

        # nginx serves everything through the survivor, also the browser pinned to the victim
        statuses = [get(topo.url + HEALTH, pinned)[0] for _ in range(5)]
        assert statuses == [200] * 5
        page.goto(topo.url + "/", wait_until="domcontentloaded")
        assert symbols(page) == DEFAULT_CLUSTERS
        served = [e for e in access_log(topo) if e["affinity"] == pinned]
        assert served[-1]["upstream"] == survivor.address
        upload(page, topo.url, tmp_path)
        link, ds_id = share(page)  # the store's lock was released with the dead session
        reopened = ctx.context.new_page()
        reopened.goto(link, wait_until="domcontentloaded")
        assert symbols(reopened) == CLUSTERS

        # the database is consistent: the interrupted share left nothing, every dataset
        # loads in full, no lock is left behind
        with psycopg.connect(conninfo) as conn:
            rows = conn.execute("SELECT id, n_rows FROM shared_datasets").fetchall()
            advisory = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
            assert advisory.fetchone() == (0,)
        assert {r[0] for r in rows} == before | {ds_id}
        for row_id, n_rows in rows:
            assert len(store.load(row_id).clusters) == n_rows
        assert dict(rows)[ds_id] == FIGURES
        save_artifact(reopened, "hosted-after-sigkill.png")
    finally:
        lock.close()
        ctx.context.close()
        store.close()
        topo.restart(0)


# -- helpers ---------------------------------------------------------------------------------


def upload(page, url: str, tmp_path) -> None:
    f = tmp_path / "hosted-topology.csv"
    f.write_text(CSV, encoding="utf-8")
    page.goto(f"{url}/upload", wait_until="domcontentloaded")
    page.locator("input[type=file]").set_input_files(str(f))
    page.get_by_role("button", name="Show on the map").click(timeout=60_000)
    wait_for(lambda: symbols(page) == CLUSTERS, "the upload on the map", 90)


def share(page) -> tuple[str, str]:
    """Share the upload from the Share popover; return the link and the dataset id."""
    page.get_by_role("button", name=SHARE_MENU).click()
    page.get_by_role("button", name="Share this dataset").click()
    expect(page.get_by_text(re.compile("Shared as"))).to_be_visible(timeout=60_000)
    code = page.locator('[data-testid="stPopoverBody"] [data-testid="stCode"]').first
    expect(code).to_contain_text("ds=", timeout=30_000)
    link = code.inner_text().strip()
    page.keyboard.press("Escape")
    ds_id = re.search(r"ds=([A-Za-z0-9_-]{22})", link)
    assert ds_id, link
    return link, ds_id.group(1)


def symbols(page) -> int:
    """Cluster symbols on the page's map (waits for the map to draw them)."""
    page.wait_for_selector(MAP_FRAME, timeout=90_000)
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function(
        "() => window.map && Object.values(window.map._layers).some(l => l instanceof L.CircleMarker)",
        timeout=90_000,
    )
    return int(
        frame.evaluate(
            "() => Object.values(window.map._layers).filter(l => l instanceof L.CircleMarker).length"
        )
    )


def dataset_caption(page):
    return page.locator('[data-testid="stSidebar"]').get_by_text(
        re.compile(r"clusters, \d+ reported")
    )


def waiting_insert(conninfo: str) -> int | None:
    """The backend whose INSERT into shared_datasets waits for a lock, if any."""
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE 'INSERT INTO shared_datasets%'"
        ).fetchone()
    return row[0] if row else None


def backend_alive(conninfo: str, pid: int) -> bool:
    with psycopg.connect(conninfo) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
            is not None
        )
