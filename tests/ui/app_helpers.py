"""Helpers to read what the real app drew in AppTest."""

from __future__ import annotations

import json
from pathlib import Path

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = "src/mstatlas/ui/pages"


def map_args(at) -> dict:
    """The st_folium component's arguments (the map script travels in them)."""
    comps = [
        e for e in at.get("component_instance") if e.proto.component_name.endswith("st_folium")
    ]
    assert len(comps) == 1, "exactly one map component"
    return json.loads(comps[0].proto.json_args)


def symbols(at) -> dict:
    """The cluster layer's data arrays as sent to the browser."""
    fg = map_args(at)["feature_group"]
    start = fg.index("var D = ") + len("var D = ")
    end = fg.index(";\n", start)
    return json.loads(fg[start:end].replace("<\\/", "</"))


def texts(at) -> str:
    """All markdown, caption, info and warning text of a run, joined."""
    parts = []
    for kind in (
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "title",
        "header",
        "subheader",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts).replace("\\", "")
