"""What every cluster symbol layer shares: the size scale, kinds, keys and safe JSON.

Both cluster layers (:class:`mstatlas.mapping.layers.ClusterLayer` for small
sets, :class:`mstatlas.mapping.cluster_canvas.BigClusterLayer` for large ones)
size, colour and key their symbols with these, so the same clusters look and
click the same whichever layer draws them.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from mstatlas.analysis.provenance import UNDATED, in_sentence
from mstatlas.data.schema import COUNTS_WHAT, MEASURES, QUALIFIERS
from mstatlas.i18n import _, current_language, ngettext

#: Largest symbol radius in pixels (for the largest value in view).
R_MAX = 26.0
#: Smallest radius, so tiny values stay clickable.
R_MIN = 3.0
#: Above this many points, tooltips are built in the browser from the arrays
#: (value and kind only) instead of shipping a text per point.
TOOLTIP_TEXT_LIMIT = 20_000

CATEGORY_ORDER: tuple[str, ...] = tuple(COUNTS_WHAT)
QUALIFIER_ORDER: tuple[str, ...] = tuple(QUALIFIERS)
QUALIFIER_INDEX: dict[str, int] = {q: i for i, q in enumerate(QUALIFIER_ORDER)}

#: A brace that would open a Jinja expression, statement or comment.
_TEMPLATE_OPEN = re.compile(r"\{(?=[{%#])")


def js_json(obj: Any) -> str:
    """Compact JSON that is safe inside an inline ``<script>`` element.

    Also never contains ``{{``, ``{%`` or ``{#`` (written ``\\u007b``): should
    the text ever pass through a Jinja template, nothing in it is evaluated.
    """
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        _TEMPLATE_OPEN.sub(r"\\u007b", text)
        .replace("</", "<\\/")
        .replace("<!--", "<\\!--")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


#: The bytes a text can hold and still be a JSON string literal as it is (line breaks
#: written ``\\n``): printable ASCII but ``"``, ``\\`` and ``<`` (``</script>``).
_PLAIN = bytes(sorted({*range(0x20, 0x7F), 0x0A} - {ord('"'), ord("\\"), ord("<")}))


def js_text(text: str) -> str:
    """``js_json(text)`` for one string, quicker for plain ASCII text.

    A long ASCII text without quotes, backslashes, ``<`` or control characters (line
    breaks aside), such as HTML-escaped names joined by line breaks, needs only its line
    breaks and template braces written differently; anything else goes through
    :func:`js_json`.
    """
    if not text.isascii() or text.encode("ascii").translate(None, _PLAIN):  # bytes left
        return js_json(text)
    return '"' + _TEMPLATE_OPEN.sub(r"\\u007b", text.replace("\n", "\\n")) + '"'


def radius_scale(values: pd.Series | np.ndarray, r_max: float = R_MAX) -> float:
    """Pixels per square-root unit so that the largest value gets ``r_max``.

    Symbol *area* is proportional to the value: ``r = k * sqrt(value)``.
    """
    arr = np.asarray(pd.Series(values).dropna().astype(float))
    arr = arr[arr > 0]
    if arr.size == 0:
        return 0.0
    return float(r_max / math.sqrt(arr.max()))


def coordinate_decimals(n_points: int) -> int:
    """Decimals kept for coordinates: 4 (~10 m) for few points, 3 (~100 m) for many."""
    return 4 if n_points <= 2_000 else 3


def float_values(values: pd.Series) -> np.ndarray:
    """A column as float64 numbers, ``NaN`` for blanks and for what is not a number."""
    try:
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):  # texts: read as numbers where they are
        numbers = pd.to_numeric(values, errors="coerce")
        return numbers.to_numpy(dtype=np.float64, na_value=np.nan)


def layer_key(points: pd.DataFrame, measure: str) -> str:
    """Short key identifying a layer's content; clicks on an older layer are ignored."""
    return arrays_key(measure, *(float_values(points[c]) for c in ("lat", "lon", "value")))


def arrays_key(measure: str, lat: np.ndarray, lon: np.ndarray, value: np.ndarray) -> str:
    """:func:`layer_key` of points with these float64 positions and figures."""
    h = hashlib.sha1(measure.encode(), usedforsecurity=False)  # a content key, not a secret
    for numbers in (lat, lon, value):  # the numbers' bytes: no pandas hashing per row
        h.update(np.ascontiguousarray(numbers, dtype=np.float64).tobytes())
    return h.hexdigest()[:12]


def _ints(values: pd.Series) -> list[int | None]:
    return [None if pd.isna(x) else int(x) for x in pd.to_numeric(values, errors="coerce")]


def stars_payload(points: pd.DataFrame) -> dict[str, Any]:
    """``st``: stars per point (``null`` = not rated); ``sn``: how many each can have.

    ``sn`` is one number when it is the same for every rated point (the usual
    case), else one per point; absent without a ``stars_of`` column.
    """
    if "stars" not in points.columns:
        return {}
    out: dict[str, Any] = {"st": _ints(points["stars"])}
    if "stars_of" in points.columns:
        of = _ints(points["stars_of"])
        distinct = {x for x in of if x is not None}
        out["sn"] = distinct.pop() if len(distinct) == 1 and None not in of else of
    return out


def tooltip_words(measure: str) -> dict[str, Any]:
    """The words a cluster's tooltip is built from in the browser, in the active language.

    ``loc`` is the language the browser writes numbers in (2,100 / 2.100);
    ``label`` the measure in a sentence; ``nofig``, ``none`` and ``und`` what a
    blank figure or year reads; ``s`` a number of stars (one, several) and ``of``
    stars out of a maximum, with ``{n}`` and ``{of}`` filled in by the browser.
    All escaped for HTML.
    """
    label = in_sentence(MEASURES[measure])
    return {
        "loc": current_language(),
        "label": html.escape(label),
        "nofig": html.escape(_("no figure")),
        "none": html.escape(_("no {measure} figure reported").format(measure=label)),
        "und": html.escape(_(UNDATED)),
        "s": [html.escape(ngettext("({n} star)", "({n} stars)", k)) for k in (1, 2)],
        "of": html.escape(_("({n} of {of} stars)")),
    }
