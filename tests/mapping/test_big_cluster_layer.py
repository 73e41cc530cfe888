"""The large-cluster layer: compact arrays, the same circles and clicks as the small layer."""

from __future__ import annotations

import base64
import json
import math
import re
import shutil
import subprocess

import folium
import numpy as np
import pandas as pd
import pytest

from mstatlas.data.schema import COUNTS_WHAT_COLOURS
from mstatlas.mapping.build import build_base_map
from mstatlas.mapping.cluster_canvas import BIG_LAYER_THRESHOLD, BigClusterLayer
from mstatlas.mapping.layers import (
    R_MAX,
    R_MIN,
    ClusterLayer,
    cluster_feature_group,
    cluster_layer,
)

EXTERNAL_ASSET = re.compile(
    r"""<(?:script|link)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I
)
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the layer")
KINDS = ["cluster_firms", "network_members", "national", "spin_offs"]


def points(n: int, seed: int = 5) -> pd.DataFrame:
    """``n`` points over Europe, largest first (as map_points orders them), some blank."""
    rng = np.random.default_rng(seed)
    value = np.sort(rng.lognormal(5, 1.5, n).round())[::-1]
    value[-max(n // 10, 1) :] = np.nan  # the last tenth have no figure: hollow
    year = rng.integers(2004, 2025, n).astype(float)
    year[::7] = np.nan
    return pd.DataFrame(
        {
            "lat": rng.uniform(35, 71, n).round(5),
            "lon": rng.uniform(-11, 32, n).round(5),
            "value": value,
            "counts_what": [KINDS[i % len(KINDS)] for i in range(n)],
            "cluster_name": [f"Cluster {i}" for i in range(n)],
            "display": "",
            "qualifier": ["about" if i % 5 == 1 else "" for i in range(n)],
            "year": pd.array(year, dtype="Int64"),
        }
    )


def data(layer: BigClusterLayer) -> dict:
    return json.loads(layer.payload.replace("<\\/", "</"))


def test_the_layer_switches_above_the_threshold():
    assert isinstance(cluster_layer(points(5), "employees", threshold=5), ClusterLayer)
    assert isinstance(cluster_layer(points(6), "employees", threshold=5), BigClusterLayer)
    (layer,) = cluster_feature_group(
        points(BIG_LAYER_THRESHOLD + 1), "employees"
    )._children.values()
    assert isinstance(layer, BigClusterLayer)
    (small,) = cluster_feature_group(points(BIG_LAYER_THRESHOLD), "employees")._children.values()
    assert isinstance(small, ClusterLayer)


def typed(o: dict) -> np.ndarray:
    """A typed array of the payload, decoded as the browser does (base64, little-endian)."""
    types = {"u2": "<u2", "i2": "<i2", "i4": "<i4", "f8": "<f8"}
    numbers = np.frombuffer(base64.b64decode(o["b"]), dtype=types[o["t"]])
    return numbers.astype(np.int64) + o["o"] if "o" in o else numbers  # offsets from the least


def test_payload_round_trip_in_python():
    # Decoded as the browser does: typed arrays from base64, codes one character each.
    p = points(300).assign(
        stars=pd.array([i % 4 if i % 9 else None for i in range(300)], dtype="Int64"),
        stars_of=3,
    )
    d = data(BigClusterLayer(p, "employees"))
    assert d["n"] == 300 and d["s"] == 10_000  # 4 decimals up to 2,000 points, as the small layer
    assert np.allclose(typed(d["la"]) / d["s"], p["lat"].round(4), atol=1e-9)
    assert np.allclose(typed(d["lo"]) / d["s"], p["lon"].round(4), atol=1e-9)
    has = p["value"].notna().to_numpy()
    v = typed(d["v"])
    assert list(v == d["v"]["m"]) == list(~has)  # blanks carry the mark
    assert np.array_equal(v[has], p["value"][has])
    pal = [d["pal"][int(ch, 36)] for ch in d["c"]]
    assert pal == [COUNTS_WHAT_COLOURS[k] for k in p["counts_what"]]
    years = [None if y < 0 else d["y0"] + y for y in typed(d["y"])]
    assert years == [None if pd.isna(y) else int(y) for y in p["year"]]
    assert [d["qs"][int(ch)] for ch in d["q"][:3]] == ["", "≈ ", ""]
    assert d["st"][:10] == ".12301230." and d["sn"] == 3  # i % 4, blank at i % 9 == 0
    assert d["t"].split("\n") == list(p["cluster_name"])


def test_typed_arrays_take_the_narrowest_type_and_keep_large_and_decimal_figures():
    # by hand: 2**15 does not fit Int16; 3e9 employees do not fit Int32 (Float64, NaN blank)
    p = points(4).assign(value=[3e9, 40_000.0, np.nan, 1.0], lat=[50.0, 50.0, 50.0, 50.0])
    d = data(BigClusterLayer(p, "employees"))
    assert d["v"]["t"] == "f8" and d["v"]["m"] is None
    assert list(typed(d["v"])[[0, 1, 3]]) == [3e9, 40_000.0, 1.0] and np.isnan(typed(d["v"])[2])
    assert d["la"]["t"] == "u2" and list(typed(d["la"])) == [500_000] * 4  # 50.0 * 10**4
    # positions spanning 65,536 units or more: Int32 (here 10 ° in units of 1/10,000 °)
    wide = data(BigClusterLayer(points(3).assign(lon=[0.0, 10.0, 5.0]), "employees"))
    assert wide["lo"]["t"] == "i4" and list(typed(wide["lo"])) == [0, 100_000, 50_000]
    assert d["la"]["o"] == 500_000 and wide["lo"]["o"] == 0
    q = points(3).assign(value=[12.34, 7.0, np.nan])
    e = data(BigClusterLayer(q, "employees_per_firm"))  # one decimal: units of 0.1
    assert e["v"]["t"] == "i2" and list(typed(e["v"])) == [123, 70, 69]  # blank: 70 - 1
    assert e["vs"] == 10 and e["v"]["m"] == 69


def test_about_twenty_bytes_a_cluster_plus_each_name_once():
    n = 20_000
    p = points(n)
    layer = BigClusterLayer(p, "employees")
    d = data(layer)
    names = len(json.dumps(d["t"], ensure_ascii=False).encode())
    per_cluster = (len(layer.payload.encode()) - names) / n
    assert per_cluster <= 40, f"{per_cluster:.1f} bytes a cluster besides its name"
    assert d["s"] == 1_000  # 3 decimals (~100 m) above 2,000 points
    assert layer.payload.count("Cluster 123\\n") == 1  # each name travels once
    small = ClusterLayer(p, "employees")
    assert len(layer.payload) < len(small.payload)


def test_blank_positions_are_refused_with_a_message():
    p = points(3)
    p.loc[1, "lat"] = np.nan
    with pytest.raises(ValueError, match="needs a latitude and longitude"):
        BigClusterLayer(p, "employees")


def test_names_are_escaped_and_nothing_comes_from_the_internet():
    p = points(4)
    p.loc[0, "cluster_name"] = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'
    p.loc[1, "cluster_name"] = "{{ 7*7 }}\nsecond line"
    m = build_base_map()
    fg = folium.FeatureGroup()
    BigClusterLayer(p, "employees").add_to(fg)
    fg.add_to(m)
    html = m.get_root().render()
    assert "<script>alert(2)" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "7*7 }} second line" in html and "49 second line" not in html  # not evaluated
    assert not EXTERNAL_ASSET.search(html)
    assert data(BigClusterLayer(p, "employees"))["t"].split("\n")[1] == "{{ 7*7 }} second line"


def test_another_selection_shares_the_arrays():
    layer = BigClusterLayer(points(50), "employees", selected=3)
    other = layer.with_selected(7)
    other.add_to(folium.FeatureGroup())
    assert (layer.selected, other.selected) == (3, 7)
    assert other.payload is layer.payload and other.key == layer.key
    assert layer.with_selected(None).selected == -1
    assert "SEL = 7;" in other._template.module.script(other)


# --- in node: the layer's own JavaScript, with Leaflet stubbed --------------------------

LEAFLET_STUB = """
var L = {
  Layer: {extend: function (p) { var C = function () {}; C.prototype = p;
                                 p.addTo = function () { return this; }; return C; }},
  latLng: function (a, b) { return {lat: a, lng: b}; }
};
"""


def run_layer(layer: folium.MacroElement, body: str) -> object:
    """Run the layer's script in node (Leaflet stubbed) and return ``body``'s JSON output."""
    fg = folium.FeatureGroup()
    layer.add_to(fg)
    script = layer._template.module.script(layer)
    src = LEAFLET_STUB + f"var {fg.get_name()} = {{}};\n" + script
    src += f"var lay = {layer.get_name()};\nconsole.log(JSON.stringify(({body})()));"
    out = subprocess.run(["node", "-e", src], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def small_layer_symbols(layer: ClusterLayer, n: int) -> list[dict]:
    """What the small layer draws for each point: position, radius, colours, tooltip."""
    stub = (
        "var made = [], tipFn = null;\n"
        "var L = {canvas: function () { return {}; },\n"
        "  circleMarker: function (ll, o) { var m = {ll: ll, o: o}; made.push(m); return m; },\n"
        "  featureGroup: function () { return {addLayer: function () {},\n"
        "    bindTooltip: function (f) { tipFn = f; }, on: function () {},\n"
        "    addTo: function () {}}; }};\n"
    )
    fg = folium.FeatureGroup()
    layer.add_to(fg)
    src = stub + f"var {fg.get_name()} = {{}};\n" + layer._template.module.script(layer)
    src += (
        "console.log(JSON.stringify(made.map(function (m) { return {lat: m.ll[0], lon: m.ll[1],"
        " r: m.o.radius, fill: m.o.fillColor, hollow: m.o.fillOpacity === 0,"
        " sel: m.o.weight === 3, tip: tipFn(m)}; })));"
    )
    out = subprocess.run(["node", "-e", src], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


BIG_SYMBOLS = """function () {
  var out = [];
  for (var j = 0; j < lay.count(); j++) {
    var ll = lay.latLngOf(j);
    out.push({lat: ll.lat, lon: ll.lng, r: lay.radiusOf(j), fill: lay.colourOf(j),
              hollow: lay.figureOf(j) === null, tip: lay.textOf(j)});
  }
  return out;
}"""


@needs_node
def test_the_same_circles_and_tooltips_as_the_small_layer():
    p = points(60).assign(
        stars=pd.array([i % 3 if i % 4 else None for i in range(60)], dtype="Int64"),
        stars_of=pd.array([2 if i % 5 else 4 for i in range(60)], dtype="Int64"),
    )
    drawn = {}
    for measure in ("employees", "employees_per_firm"):  # whole figures and one decimal
        q = p.assign(value=p["value"] / 7) if measure == "employees_per_firm" else p
        small = small_layer_symbols(ClusterLayer(q, measure), len(q))
        big = drawn[measure] = run_layer(BigClusterLayer(q, measure), BIG_SYMBOLS)
        assert len(big) == len(small) == 60
        for s, b in zip(small, big):
            assert (b["lat"], b["lon"]) == pytest.approx((s["lat"], s["lon"]), abs=1e-9)
            assert b["r"] == pytest.approx(s["r"], rel=1e-6)  # Float32 radii
            assert (b["fill"], b["hollow"], b["tip"]) == (s["fill"], s["hollow"], s["tip"])
    # the radius scale: the largest figure gets R_MAX, blanks R_MIN, area ∝ figure
    big = drawn["employees"]
    assert big[0]["r"] == pytest.approx(R_MAX, rel=1e-4) and big[-1]["r"] == R_MIN
    v0, v5 = p["value"].iloc[0], p["value"].iloc[5]
    assert big[5]["r"] > R_MIN
    assert (big[5]["r"] / big[0]["r"]) ** 2 == pytest.approx(v5 / v0, rel=1e-5)
    assert "(1 of 2 stars)" in big[1]["tip"] and "star" not in big[4]["tip"]


@needs_node
def test_hit_test_finds_the_topmost_circle_and_a_click_carries_its_feature():
    # Two overlapping circles and a far one. At zoom z (k = 2**z, no offset) a point's
    # pixel is its Web Mercator position on a world 256 * 2**z pixels wide.
    p = pd.DataFrame(
        {
            "lat": [50.0, 50.0, 40.0],
            "lon": [10.0, 10.05, -5.0],
            "value": [10_000.0, 100.0, np.nan],
            "counts_what": ["cluster_firms", "national", "spin_offs"],
            "cluster_name": ["Big", "Small", "Blank"],
            "year": pd.array([2020, 2021, None], dtype="Int64"),
        }
    )

    def pixel(lat: float, lon: float) -> tuple[float, float]:
        s = math.sin(math.radians(lat))
        world = 256 * 64  # zoom 6
        return (lon + 180) / 360 * world, (
            0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)
        ) * world

    layer = BigClusterLayer(p, "employees")
    (x0, y0), (x2, y2) = pixel(50.0, 10.0), pixel(40.0, -5.0)
    got = run_layer(
        layer,
        f"""function () {{
          // the map at zoom 6, its pixel origin at 0: container points are world pixels
          lay._map = {{options: {{crs: {{scale: function (z) {{ return 256 * Math.pow(2, z); }}}}}},
                      getZoom: function () {{ return 6; }},
                      getPixelOrigin: function () {{ return {{x: 0, y: 0}}; }},
                      hasLayer: function () {{ return false; }},
                      getContainer: function () {{ return {{style: {{}}}}; }},
                      containerPointToLayerPoint: function (p) {{
                        return {{x: p.x, y: p.y, add: function (o) {{ return {{x: p.x + o.x, y: p.y + o.y}}; }}}};
                      }}}};
          var fired = null;
          lay.fire = function (type, e) {{ fired = {{type: type, ll: e.latlng,
                                                    f: e.layer.toGeoJSON()}}; }};
          lay._click({{containerPoint: {{x: {x0}, y: {y0}}}, latlng: {{lat: 50, lng: 10}}}});
          return {{centre: lay._find({{x: {x0}, y: {y0}}}),
                   rim: lay._find({{x: {x0} - 20, y: {y0}}}),
                   blank: lay._find({{x: {x2} + 5, y: {y2}}}),
                   sea: lay._find({{x: {x2} + 30, y: {y2}}}), fired: fired}};
        }}""",
    )
    assert got["centre"] == 1  # "Small" is drawn on top of "Big"
    assert got["rim"] == 0  # 20 px out: only "Big" (26 px) is there
    assert got["blank"] == 2  # a hollow circle is hit too (3 px + tolerance)
    assert got["sea"] == -1
    fired = got["fired"]
    assert fired["type"] == "click" and fired["ll"] == {"lat": 50, "lng": 10}
    assert fired["f"]["properties"] == {"i": 1, "k": layer.key}
    assert fired["f"]["geometry"]["coordinates"] == pytest.approx([10.05, 50.0])


def test_the_key_is_the_small_layers_key():
    p = points(40)
    assert BigClusterLayer(p, "firms").key == ClusterLayer(p, "firms").key
    assert BigClusterLayer(p, "firms").key != BigClusterLayer(p, "employees").key


@needs_node
def test_moves_are_reported_once_the_map_rests_and_clicks_at_once():
    # streamlit-folium calls window.Streamlit.setComponentValue after each move or click
    # (timers stubbed: the test runs the pending one itself, no waiting).
    layer = BigClusterLayer(points(5), "employees")
    fg = folium.FeatureGroup()
    layer.add_to(fg)
    src = (
        LEAFLET_STUB
        + "var sent = [], pending = null, delay = null;\n"
        + "function setTimeout(f, ms) { pending = f; delay = ms; return 1; }\n"
        + "function clearTimeout() { pending = null; }\n"
        + "var window = {Streamlit: {setComponentValue: function (d) { sent.push(d.center); }}};\n"
        + f"var {fg.get_name()} = {{}};\n"
        + layer._template.module.script(layer)
        + """
        var S = window.Streamlit, view = function (c, click) {
          S.setComponentValue({center: c, zoom: 4, last_active_drawing: click || null,
                               last_object_clicked: null}); };
        var log = [];
        view("first");                 // the map's first report (nothing clicked yet): at once
        log.push(sent.slice());
        view("moved"); view("moved again");
        log.push(sent.slice());        // still moving: nothing sent
        pending(); log.push(sent.slice());
        view("clicked", {properties: {i: 1}});
        log.push(sent.slice());        // a click: at once, no timer left
        console.log(JSON.stringify({log: log, delay: delay, pending: pending === null}));
        """
    )
    out = subprocess.run(["node", "-e", src], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    assert got["log"] == [
        ["first"],
        ["first"],
        ["first", "moved again"],
        ["first", "moved again", "clicked"],
    ]
    assert got["delay"] == 750 and got["pending"]


@needs_node
def test_a_click_closes_the_tooltip_until_the_pointer_leaves_the_circle():
    # Two circles far apart at zoom 6 (pixels as in the hit test above: world 256 * 64 px).
    p = pd.DataFrame(
        {
            "lat": [0.0, 0.0],
            "lon": [0.0, 10.0],
            "value": [100.0, 100.0],
            "counts_what": ["cluster_firms", "cluster_firms"],
            "cluster_name": ["A", "B"],
            "year": pd.array([2020, 2020], dtype="Int64"),
        }
    )
    world = 256 * 64
    ax, bx, y = world / 2, (10 + 180) / 360 * world, world / 2
    shown = run_layer(
        BigClusterLayer(p, "employees"),
        f"""function () {{
          var on = false, log = [];
          lay._map = {{options: {{crs: {{scale: function (z) {{ return 256 * Math.pow(2, z); }}}}}},
                      getZoom: function () {{ return 6; }},
                      getPixelOrigin: function () {{ return {{x: 0, y: 0}}; }},
                      hasLayer: function () {{ return on; }},
                      removeLayer: function () {{ on = false; }},
                      getContainer: function () {{ return {{style: {{}}}}; }},
                      containerPointToLayerPoint: function (p) {{
                        return {{x: p.x, y: p.y, add: function (o) {{ return {{x: p.x + o.x, y: p.y + o.y}}; }}}};
                      }}}};
          lay._tip = {{setContent: function () {{}}, setLatLng: function () {{}},
                      addTo: function () {{ on = true; }}}};
          lay._hit = -1; lay._quiet = -1; lay.fire = function () {{}};
          function at(x) {{ return {{containerPoint: {{x: x, y: {y}}}, latlng: {{lat: 0, lng: 0}}}}; }}
          lay._hover(at({ax})); log.push(on);     // over A: its tooltip
          lay._click(at({ax})); log.push(on);     // clicked: closed
          lay._hover(at({ax} + 1)); log.push(on); // still over A: stays closed
          lay._hover(at({bx})); log.push(on);     // over B: tooltips again
          lay._hover(at({ax} + 300)); log.push(on); // the sea: none
          lay._hover(at({ax})); log.push(on);     // back on A after leaving it: shown
          return log;
        }}""",
    )
    assert shown == [True, False, False, True, False, True]


@needs_node
def test_a_click_closes_the_small_layers_tooltip():
    stub = (
        "var handlers = {}, closed = 0;\n"
        "var L = {canvas: function () { return {}; },\n"
        "  circleMarker: function (ll, o) { return {ll: ll, o: o}; },\n"
        "  featureGroup: function () { return {addLayer: function () {},\n"
        "    bindTooltip: function () {}, on: function (t, f) { handlers[t] = f; },\n"
        "    closeTooltip: function () { closed += 1; }, addTo: function () {}}; }};\n"
    )
    layer = ClusterLayer(points(3), "employees")
    fg = folium.FeatureGroup()
    layer.add_to(fg)
    src = stub + f"var {fg.get_name()} = {{}};\n" + layer._template.module.script(layer)
    src += "handlers.click(); console.log(JSON.stringify(closed));"
    out = subprocess.run(["node", "-e", src], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == 1


def test_names_travel_in_ascii_escaped_and_without_bidirectional_controls():
    # by hand: ü = 252, ó = 243, Ω = 937; & < > " ' as html.escape writes them; the
    # controls (U+202E, U+2067) dropped, and a name's own "&#8238;" text kept as text
    p = points(5).assign(
        cluster_name=[
            "Zürich & Co <b>",
            "Kraków \"x\" 'y'",
            "Cluster\u202egnp.exe \u2067Ω",
            "&#8238; as text",
            None,
        ]
    )
    d = data(BigClusterLayer(p, "employees"))
    assert d["t"].isascii()
    assert d["t"].split("\n") == [
        "Z&#252;rich &amp; Co &lt;b&gt;",
        "Krak&#243;w &quot;x&quot; &#x27;y&#x27;",
        "Clustergnp.exe &#937;",
        "&amp;#8238; as text",
        "",
    ]


def test_names_and_kinds_of_any_column_type():
    # categorical and mixed columns read as texts; a kind not known is drawn as the last
    p = points(3).assign(
        cluster_name=pd.Series(["A", 7, None], dtype=object),
        counts_what=pd.Categorical(["national", "no such kind", None]),
    )
    d = data(BigClusterLayer(p, "employees"))
    assert d["t"].split("\n") == ["A", "7", ""]
    last = len(d["pal"]) - 1
    assert [int(ch, 36) for ch in d["c"]] == [
        d["pal"].index(COUNTS_WHAT_COLOURS["national"]),
        last,
        last,
    ]
