from __future__ import annotations

import pytest

from mstatlas.data.geocode import _distance_km, geocode

TOWNS = [
    ("München", "DE", 48.137, 11.575),
    ("Göteborg", "SE", 57.707, 11.967),
    ("Besançon", "FR", 47.238, 6.024),
    ("Villingen-Schwenningen", "DE", 48.060, 8.459),
    ("Łódź", "PL", 51.759, 19.456),
    ("Freiburg im Breisgau", "DE", 47.999, 7.842),
    ("Cambridge", "GB", 52.205, 0.119),
    ("Lodz", "PL", 51.759, 19.456),
    ("Muenchen", "DE", 48.137, 11.575),
    ("Frankfurt (Oder)", "DE", 52.347, 14.551),
    ("44227 Dortmund", "DE", 51.514, 7.465),
    ("Enschede", None, 52.222, 6.894),
]


@pytest.mark.parametrize(("city", "cc", "lat", "lon"), TOWNS)
def test_towns_within_a_few_km(city, cc, lat, lon):
    m = geocode(city, cc)
    assert m is not None
    assert _distance_km(m.lat, m.lon, lat, lon) < 5
    assert m.status == "ok"


def test_confidence_levels():
    assert geocode("Besançon", "FR").confidence == 1.0
    assert geocode("München", "DE").confidence == 0.85  # alternate name of Munich
    assert geocode("Cambridge", None).confidence < 1.0


def test_ambiguous_and_failed():
    m = geocode("Neustadt", "DE")
    assert m.status == "ambiguous" and m.alternatives
    assert geocode("Xyzzyville", "DE") is None


def test_failed_row_rejected_and_override_fixes_it():
    from mstatlas.io import read_upload

    text = "name,city,country\nA,Xyzzyville,DE\nB,Neustadt,DE\n"
    r = read_upload(text.encode(), filename="x.csv")
    assert r.report.n_rejected == 1
    assert (
        r.report.problems[0].row == 2
        and "no place called 'Xyzzyville'" in r.report.problems[0].reason
    )
    assert r.report.problems[1].severity == "warning" and "ambiguous" in r.report.problems[1].reason
    assert r.geocoding["status"].tolist() == ["failed", "ambiguous"]
    r2 = read_upload(text.encode(), filename="x.csv", geocode_overrides={2: (50.0, 8.0)})
    assert r2.report.n_rejected == 0
    assert r2.clusters.set_index("cluster_name").loc["A", "lat"] == 50.0


def test_index_not_loaded_on_import():
    import subprocess
    import sys

    code = "import mstatlas.io, mstatlas.data.geocode as g; print(g._loaded_index.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def _fresh_index(monkeypatch, tmp_path):
    import mstatlas.data.geocode as g

    monkeypatch.setenv("MSTATLAS_CACHE_DIR", str(tmp_path))
    g._forget_indexes()
    return g


def test_index_cached_on_disk_and_reused(monkeypatch, tmp_path):
    g = _fresh_index(monkeypatch, tmp_path)
    built = g._index(5000)
    path = g._cache_path(5000)
    assert path.exists() and path.parent == tmp_path
    g._forget_indexes()
    monkeypatch.setattr(g._Index, "build", classmethod(lambda cls, p: pytest.fail("rebuilt")))
    loaded = g._index(5000)
    assert loaded is not built
    assert list(loaded.names) == list(built.names) and list(loaded.cc) == list(built.cc)
    assert (list(loaded.lat), list(loaded.lon), list(loaded.pop)) == (
        built.lat,
        built.lon,
        built.pop,
    )
    assert loaded.by_key.get("gothenburg") == built.by_key.get("gothenburg")
    for j in range(0, len(built.by_key), 997):  # every 997th key, both ways of storing
        key = built.by_key.keys[j]
        assert loaded.by_key.keys[j] == key and loaded.by_key.get(key) == built.by_key.get(key)
    for j in range(0, len(built.by_fold), 97):
        key = built.by_fold.keys[j]
        assert loaded.by_fold.get(key) == built.by_fold.get(key)
    m = geocode("Göteborg", "SE")
    assert m.name == "Gothenburg" and isinstance(m.lat, float) and m.status == "ok"
    g._forget_indexes()


@pytest.mark.parametrize("damage", ["garbage", "flip", "truncate", "stale"])
def test_damaged_or_stale_cache_is_rebuilt(monkeypatch, tmp_path, damage):
    g = _fresh_index(monkeypatch, tmp_path)
    g._index(5000)
    path = g._cache_path(5000)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"not an index")
    elif damage == "flip":
        # change one byte of the first latitude inside the stored arrays: the checksum
        # must catch it (the header says where the array starts)
        import json

        start = len(b"mstatlas arrays\n") + 8
        end = start + int.from_bytes(data[start - 8 : start], "little")
        offset = {e[0]: e[3] for e in json.loads(data[start:end])["arrays"]}["lat"]
        damaged = bytearray(data)
        damaged[end + offset + 7] ^= 0x01
        path.write_bytes(bytes(damaged))
    elif damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    else:
        meta = g._cache_meta(5000)
        assert g._load_cached(path, meta.replace("format=", "format=0")) is None
        return
    assert g._load_cached(path, g._cache_meta(5000)) is None
    g._forget_indexes()
    calls = []
    real_build = g._Index.build.__func__

    def counting(cls, p):
        calls.append(p)
        return real_build(cls, p)

    monkeypatch.setattr(g._Index, "build", classmethod(counting))
    idx = g._index(5000)
    assert calls == [5000]
    assert g._load_cached(path, g._cache_meta(5000)) is not None  # rewritten, valid again
    assert geocode("München", "DE").name == idx.names[idx.by_key.get("munich")[0][0]]
    g._forget_indexes()


def test_unwritable_cache_dir_still_geocodes(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    g = _fresh_index(monkeypatch, blocker / "sub")  # a folder below a file cannot be made
    assert geocode("Besançon", "FR").confidence == 1.0
    assert not (blocker / "sub").exists()
    g._forget_indexes()


def test_remembered_answers_are_forgotten_with_a_new_index(monkeypatch, tmp_path):
    g = _fresh_index(monkeypatch, tmp_path)
    geocode("Enschede", "NL")
    assert g._geocode.cache_info().currsize >= 1
    g._forget_indexes()  # the index goes (another cache folder, a rebuilt one) ...
    assert g._geocode.cache_info().currsize == 0  # ... and with it every remembered answer
    g._forget_indexes()


def test_index_is_built_once_when_two_threads_ask_at_once(monkeypatch, tmp_path):
    """The upload page's warm-up and a first upload may both need the index."""
    import threading

    g = _fresh_index(monkeypatch, tmp_path)
    builds = []
    real_build = g._Index.build.__func__
    real_index = g._index
    asked = threading.Condition()
    askers: list[int] = []

    def index(min_population):
        with asked:
            askers.append(threading.get_ident())
            asked.notify_all()
        return real_index(min_population)

    def slow_build(cls, p):
        builds.append(p)
        with asked:  # the build goes on once the second thread has asked too
            assert asked.wait_for(lambda: len(askers) == 2, timeout=60)
        return real_build(cls, p)

    monkeypatch.setattr(g, "_index", index)
    monkeypatch.setattr(g._Index, "build", classmethod(slow_build))
    got = []
    threads = [threading.Thread(target=lambda: got.append(g._index(5000))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builds == [5000]
    assert got[0] is got[1]
    g._forget_indexes()
