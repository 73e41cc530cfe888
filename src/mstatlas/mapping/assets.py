"""Leaflet served by the app itself: no CDN, no internet.

Leaflet 1.9.3 comes from the ``xstatic-leaflet`` package (BSD-2-Clause). The app
copies it into ``static/vendor/leaflet/`` at start-up and Streamlit serves that
folder under ``/app/static/`` (``enableStaticServing``). Standalone HTML exports
inline the same files instead.
"""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

import folium
from xstatic.pkg import leaflet as xleaflet

from mstatlas.mapping.basemap import INLINE_GLOBAL, inline_basemap_script, install_basemap

LEAFLET_VERSION = xleaflet.VERSION
#: Path of the vendored files below Streamlit's static folder.
VENDOR_SUBDIR = Path("vendor") / "leaflet"
#: URL of the served folder as seen from the streamlit-folium component frame
#: (``/component/<name>/index.html``); relative, so a ``baseUrlPath`` keeps working.
SERVED_PREFIX = "../../app/static/vendor/leaflet"


def leaflet_dir() -> Path:
    """Folder of the packaged Leaflet distribution (``leaflet.js``, ``leaflet.css``, ``images/``)."""
    return Path(xleaflet.BASE_DIR)


def install_static_assets(static_dir: Path) -> Path:
    """Copy Leaflet into ``static_dir/vendor/leaflet`` if it is not there yet.

    Returns the target folder. Safe to call on every start: an up-to-date copy
    is left alone, so concurrent replicas do not fight over the files. Also
    writes the basemap's served parts (:func:`mstatlas.mapping.basemap.install_basemap`).
    """
    install_basemap(static_dir)
    target = static_dir / VENDOR_SUBDIR
    marker = target / f".version-{LEAFLET_VERSION}"
    if marker.exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    src = leaflet_dir()
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copyfile(src / name, target / name)
    shutil.copytree(src / "images", target / "images", dirs_exist_ok=True)
    marker.touch()
    return target


def use_local_leaflet(m: folium.Map, prefix: str = SERVED_PREFIX) -> folium.Map:
    """Point a map's script and stylesheet links at self-served Leaflet only.

    folium's defaults also load jQuery, Bootstrap and awesome-markers from CDNs;
    the atlas uses none of them (no folium Popups or icons), so they are dropped.
    """
    m.default_js = [("leaflet", f"{prefix}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{prefix}/leaflet.css")]
    return m


@lru_cache(maxsize=1)
def _inline_assets() -> tuple[str, str]:
    d = leaflet_dir()
    return (d / "leaflet.js").read_text(encoding="utf-8"), (d / "leaflet.css").read_text(
        encoding="utf-8"
    )


def standalone_html(m: folium.Map) -> str:
    """Render a map to one self-contained HTML file (Leaflet inlined, works offline).

    Used for exports to slides and for the CLI. The map must use
    :func:`use_local_leaflet` links, which are replaced by the inlined files; the
    basemap's place names and 1:50m outlines are inlined too (about 0.4 MB).
    """
    html = m.get_root().render()
    js, css = _inline_assets()
    prefix = m.default_js[0][1].rsplit("/", 1)[0]
    html = html.replace(
        f'<script src="{prefix}/leaflet.js"></script>', f"<script>{js}</script>"
    ).replace(f'<link rel="stylesheet" href="{prefix}/leaflet.css"/>', f"<style>{css}</style>")
    if f"window.{INLINE_GLOBAL}" in html:  # place names and 1:50m outlines travel inside
        html = html.replace("</head>", inline_basemap_script() + "</head>", 1)
    return html
