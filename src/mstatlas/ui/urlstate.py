"""The one owner of URL state: every view setting <-> ``st.query_params``.

``parse_query`` and ``to_query`` are pure (testable without Streamlit): a bad
parameter yields a notice and the default, never an exception. ``ViewState`` is
the single source of truth for what is on screen; widgets read from it and
write back to it, and the URL is rewritten from it on every run.

URL vocabulary (only non-default values are written)::

    ds=<dataset id>   measure=firms   country=DE,NL   years=2000-2010   undated=0
    counts=cluster_firms,network_members   min_firms=10   min_employees=100
    sel=<cluster id>  view=51.51,7.47,8 (lat,lon,zoom)   tiles=osm   layer=firms
    by=firms  top=10  mixed=1   embed=true   slide=3
    cmp=dortmund,twente (clusters compared)   asof=2010 (map as of a year)
    sort=growth (ranking order)   radius=50 (km, nearby clusters)
    rating=size:90,mass:75,momentum:0,lq:2 (star thresholds)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from mstatlas.analysis.filters import Filters
from mstatlas.analysis.provenance import year_range_text
from mstatlas.data.countries import country_codes, country_to_iso2
from mstatlas.data.schema import COUNTS_WHAT, MEASURES

DEFAULT_DATASET = "default"
#: The page the app opens on (its address is the root).
DEFAULT_PAGE = "map"
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CLUSTER_RE = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")
YEAR_BOUNDS = (1900, 2100)
TOP_CHOICES = (5, 10, 15, 20, 25, 50)
#: What the map draws for a firm list: aggregated clusters, the firms themselves, or both.
LAYERS = ("clusters", "firms", "both")
#: How the ranking is ordered: by the headline figure, or by its compound annual growth.
RANK_SORTS = ("figure", "growth")
#: At most this many clusters are compared side by side.
MAX_COMPARE = 10
#: Radius of the nearby-clusters search, in km: default and bounds.
RADIUS_KM = (100, 1, 2000)
#: Star thresholds in the link: name -> (default, lowest, highest).
RATING_PARAMS: dict[str, tuple[float, float, float]] = {
    "size": (75.0, 0.0, 100.0),  # employees percentile
    "mass": (75.0, 0.0, 100.0),  # firms percentile
    "momentum": (0.0, -100.0, 100.0),  # compound annual growth above this, in %
    "lq": (2.0, 0.0, 100.0),  # location quotient at or above this
}


@dataclass(frozen=True)
class ViewState:
    """Everything that defines a view someone can share."""

    dataset: str = DEFAULT_DATASET
    measure: str = "employees"
    countries: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    undated: bool = True
    counts: tuple[str, ...] = tuple(COUNTS_WHAT)
    min_firms: int = 0
    min_employees: int = 0
    selected: str | None = None
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    tiles: str = "offline"
    layer: str = "clusters"
    rank_by: str = "employees"
    top: int = 10
    mixed: bool = False
    embed: bool = False
    slide: int = 0
    compare: tuple[str, ...] = ()
    as_of: int | None = None
    rank_sort: str = "figure"
    radius_km: int = RADIUS_KM[0]
    rating: tuple[tuple[str, float], ...] = ()  # thresholds that differ from the defaults

    def rating_thresholds(self) -> dict[str, float]:
        """Every star threshold: the link's where it sets one, else the default."""
        return {k: v[0] for k, v in RATING_PARAMS.items()} | dict(self.rating)

    def filters(self) -> Filters:
        """The map/ranking filters this view applies."""
        return Filters(
            countries=self.countries,
            year_min=self.year_min,
            year_max=self.year_max,
            include_undated=self.undated,
            counts_what=self.counts,
            min_firms=self.min_firms,
            min_employees=self.min_employees,
        )

    def with_(self, **changes: object) -> ViewState:
        """Copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT = ViewState()


def _csv(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


def _int(value: str, name: str, lo: int, hi: int) -> int:
    n = int(value)
    if not lo <= n <= hi:
        raise ValueError(f"{name} must be between {lo} and {hi}")
    return n


def _country_code(text: str) -> str | None:
    """The country code a two-letter link value stands for ("de" -> DE, "UK" -> GB), or None."""
    if not re.fullmatch(r"[A-Za-z]{2}", text):
        return None
    code = text.upper()
    if code in country_codes():
        return code
    return country_to_iso2(code)  # the EU's own short forms: UK, EL


#: What each parameter falls back to, as the notice names it.
_DEFAULT_SHOWN = {
    "ds": "the sourced MST clusters",
    "measure": DEFAULT.measure,
    "country": "all countries",
    "years": "all years",
    "undated": "undated figures included",
    "counts": "all kinds",
    "min_firms": "0",
    "min_employees": "0",
    "sel": "no cluster selected",
    "view": "the whole of Europe",
    "tiles": DEFAULT.tiles,
    "layer": DEFAULT.layer,
    "by": DEFAULT.rank_by,
    "top": str(DEFAULT.top),
    "mixed": "like with like",
    "embed": "the full app",
    "slide": "the overview",
    "cmp": "no comparison",
    "asof": "the latest figures",
    "sort": "by the figure",
    "radius": f"{RADIUS_KM[0]} km",
    "rating": "the default thresholds",
}


def _short(text: str, limit: int = 40) -> str:
    """Text from a link as a notice quotes it: at most ``limit`` characters."""
    return text if len(text) <= limit else text[:limit] + "…"


def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def parse_query(params: Mapping[str, str | list[str]]) -> tuple[ViewState, list[str]]:
    """Read a view from query parameters.

    Parameters
    ----------
    params : mapping
        Query parameters (``st.query_params`` or a plain dict). List values use
        the last element.

    Returns
    -------
    (ViewState, list of str)
        The view, and one notice per parameter that was ignored (unknown or
        invalid), saying what was wrong and what is used instead.
    """
    state: dict[str, object] = {}
    notices: list[str] = []

    def get(key: str) -> str | None:
        if key not in params:
            return None
        v = params[key]
        if isinstance(v, list):
            return str(v[-1]) if v else None
        return str(v)

    def bad(key: str, value: str, why: str, using: str | None = None) -> None:
        instead = f"Using {using}" if using else f"Using the default ({_DEFAULT_SHOWN[key]})"
        notices.append(f"Ignored link parameter {key}={_short(value)!r}: {why}. {instead}.")

    handlers = {
        "ds", "measure", "country", "years", "undated", "counts", "min_firms", "min_employees",
        "sel", "view", "tiles", "layer", "by", "top", "mixed", "embed", "slide",
        "cmp", "asof", "sort", "radius", "rating",
    }  # fmt: skip
    for key in params:
        if key not in handlers:
            notices.append(f"Ignored unknown link parameter {key!r}.")

    if (v := get("ds")) is not None:
        if _ID_RE.match(v):
            state["dataset"] = v
        else:
            bad("ds", v, "not a dataset id")
    if (v := get("measure")) is not None:
        if v in MEASURES:
            state["measure"] = v
        else:
            bad("measure", v, f"choose one of {', '.join(MEASURES)}")
    if (v := get("country")) is not None:
        given = _csv(v)
        if not given or not all(re.fullmatch(r"[A-Za-z]{2}", c) for c in given):
            bad("country", v, "expected two-letter country codes such as DE,NL")
        else:
            found = {c: _country_code(c) for c in given}
            kept = tuple(dict.fromkeys(code for code in found.values() if code))
            wrong = [c for c, code in found.items() if code is None]
            if wrong:
                what = _short(", ".join(wrong))
                are = "is not a country code" if len(wrong) == 1 else "are not country codes"
                bad("country", v, f"{what} {are} (ISO 3166-1)", ", ".join(kept) or None)
            if kept:
                state["countries"] = kept
            read_as = [f"{c} as {code}" for c, code in found.items() if code and code != c.upper()]
            if read_as:
                notices.append(
                    f"Read link parameter country={_short(v)!r}: {_short(', '.join(read_as))}."
                )
    if (v := get("years")) is not None:
        m = re.fullmatch(r"(\d{4})?-(\d{4})?", v.strip())
        try:
            if not m:
                raise ValueError("expected e.g. 2000-2010")
            lo = _int(m.group(1), "years", *YEAR_BOUNDS) if m.group(1) else None
            hi = _int(m.group(2), "years", *YEAR_BOUNDS) if m.group(2) else None
            if lo is not None and hi is not None and lo > hi:
                raise ValueError("the first year is after the second")
            state["year_min"], state["year_max"] = lo, hi
        except ValueError as exc:
            bad("years", v, str(exc))
    for key, attr in (("undated", "undated"), ("mixed", "mixed"), ("embed", "embed")):
        if (v := get(key)) is not None:
            try:
                state[attr] = _bool(v)
            except ValueError as exc:
                bad(key, v, str(exc))
    if (v := get("counts")) is not None:
        cats = _csv(v)
        if cats and all(c in COUNTS_WHAT for c in cats):
            state["counts"] = tuple(c for c in COUNTS_WHAT if c in cats)
        else:
            bad("counts", v, f"kinds are {', '.join(COUNTS_WHAT)}")
    for key in ("min_firms", "min_employees"):
        if (v := get(key)) is not None:
            try:
                state[key] = _int(v, key, 0, 10_000_000)
            except ValueError as exc:
                bad(key, v, str(exc) if "between" in str(exc) else "expected a whole number")
    if (v := get("sel")) is not None:
        if _CLUSTER_RE.match(v):
            state["selected"] = v
        else:
            bad("sel", v, "not a cluster id")
    if (v := get("view")) is not None:
        parts = _csv(v)
        try:
            if len(parts) != 3:
                raise ValueError
            lat, lon, zoom = (float(p) for p in parts)
        except ValueError:
            bad("view", v, "expected lat,lon,zoom, e.g. 51.51,7.47,8")
        else:
            if not -90 <= lat <= 90:
                bad("view", v, f"latitude {_short(parts[0])} is out of range (-90 to 90)")
            elif not -180 <= lon <= 180:
                bad("view", v, f"longitude {_short(parts[1])} is out of range (-180 to 180)")
            elif not (zoom.is_integer() and 1 <= zoom <= 18):
                bad("view", v, f"zoom {_short(parts[2])} is not a whole number from 1 to 18")
            else:
                state["lat"], state["lon"], state["zoom"] = round(lat, 4), round(lon, 4), int(zoom)
    if (v := get("tiles")) is not None:
        if v in ("offline", "osm"):
            state["tiles"] = v
        else:
            bad("tiles", v, "choose offline or osm")
    if (v := get("layer")) is not None:
        if v in LAYERS:
            state["layer"] = v
        else:
            bad("layer", v, f"choose one of {', '.join(LAYERS)}")
    if (v := get("by")) is not None:
        if v in MEASURES:
            state["rank_by"] = v
        else:
            bad("by", v, f"choose one of {', '.join(MEASURES)}")
    if (v := get("top")) is not None:
        try:
            state["top"] = _int(v, "top", 1, 500)
        except ValueError:
            bad("top", v, "expected a whole number from 1 to 500")
    if (v := get("slide")) is not None:
        try:
            state["slide"] = _int(v, "slide", 0, 500)
        except ValueError:
            bad("slide", v, "expected a whole number from 0 to 500")
    _parse_intelligence(get, bad, state)
    return replace(DEFAULT, **state), notices  # type: ignore[arg-type]


def _parse_intelligence(
    get: Callable[[str], str | None],
    bad: Callable[..., None],
    state: dict[str, object],
) -> None:
    """The parameters of comparison, growth, nearby and rating (see :func:`parse_query`)."""
    if (v := get("cmp")) is not None:
        ids = list(dict.fromkeys(_csv(v)))
        if not ids or not all(_CLUSTER_RE.match(i) for i in ids):
            bad("cmp", v, "expected cluster ids separated by commas")
        else:
            if len(ids) > MAX_COMPARE:
                bad("cmp", v, f"at most {MAX_COMPARE} clusters are compared", "the first 10")
            state["compare"] = tuple(ids[:MAX_COMPARE])
    if (v := get("asof")) is not None:
        try:
            state["as_of"] = _int(v, "asof", *YEAR_BOUNDS)
        except ValueError:
            bad("asof", v, f"expected a year from {YEAR_BOUNDS[0]} to {YEAR_BOUNDS[1]}")
    if (v := get("sort")) is not None:
        if v in RANK_SORTS:
            state["rank_sort"] = v
        else:
            bad("sort", v, f"choose one of {', '.join(RANK_SORTS)}")
    if (v := get("radius")) is not None:
        try:
            state["radius_km"] = _int(v, "radius", *RADIUS_KM[1:])
        except ValueError:
            bad("radius", v, f"expected whole kilometres from {RADIUS_KM[1]} to {RADIUS_KM[2]}")
    if (v := get("rating")) is not None:
        try:
            state["rating"] = _rating(v)
        except ValueError as exc:
            bad("rating", v, str(exc))


def _rating(text: str) -> tuple[tuple[str, float], ...]:
    """``size:90,lq:2.5`` -> the thresholds that differ from the defaults, in table order."""
    given: dict[str, float] = {}
    for part in _csv(text):
        name, _, value = part.partition(":")
        if name not in RATING_PARAMS:
            raise ValueError(f"thresholds are {', '.join(RATING_PARAMS)}, e.g. size:90")
        default, lo, hi = RATING_PARAMS[name]
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{name} needs a number, e.g. {name}:{default:g}") from None
        if not lo <= number <= hi:
            raise ValueError(f"{name} must be between {lo:g} and {hi:g}")
        given[name] = number
    return tuple(
        (k, given[k]) for k in RATING_PARAMS if k in given and given[k] != RATING_PARAMS[k][0]
    )


def years_outside(state: ViewState, span: tuple[int, int]) -> str | None:
    """Why the view's years select none of a dataset's years, or ``None`` if they overlap.

    Parameters
    ----------
    state : ViewState
        The view; its ``year_min`` and ``year_max`` bound the years (``None`` is open).
    span : (int, int)
        The earliest and latest year of a figure in the dataset.

    Returns
    -------
    str or None
        A notice saying what was wrong and that all years are shown instead, when
        the view's years lie wholly before or after ``span``.
    """
    lo, hi = span
    a, b = state.year_min, state.year_max
    if (a is None or a <= hi) and (b is None or b >= lo):
        return None
    return (
        f"Ignored years {year_range_text(a, b)}: this dataset has figures from {lo} to {hi}. "
        "Showing all years."
    )


def fit_slide(state: ViewState, n: int) -> tuple[int, str | None]:
    """The view's slide within a presentation of ``n`` slides, and a notice if it was not.

    Slide 0 is the overview and slide ``n`` the last cluster; a slide past it
    (a link's ``slide=500``) becomes the last one.
    """
    if state.slide <= n:
        return state.slide, None
    return n, (
        f"Ignored slide {state.slide}: this presentation ends at slide {n}. Showing slide {n}."
    )


def to_query(state: ViewState) -> dict[str, str]:
    """Query parameters for a view: only what differs from the default."""
    q: dict[str, str] = {}
    d = DEFAULT
    if state.dataset != d.dataset:
        q["ds"] = state.dataset
    if state.measure != d.measure:
        q["measure"] = state.measure
    if state.countries:
        q["country"] = ",".join(state.countries)
    if state.year_min is not None or state.year_max is not None:
        q["years"] = f"{state.year_min or ''}-{state.year_max or ''}"
    if state.undated != d.undated:
        q["undated"] = "1" if state.undated else "0"
    if tuple(state.counts) != d.counts:
        q["counts"] = ",".join(state.counts)
    if state.min_firms:
        q["min_firms"] = str(state.min_firms)
    if state.min_employees:
        q["min_employees"] = str(state.min_employees)
    if state.selected:
        q["sel"] = state.selected
    if state.lat is not None and state.lon is not None and state.zoom is not None:
        q["view"] = f"{state.lat:.4f},{state.lon:.4f},{state.zoom}"
    if state.tiles != d.tiles:
        q["tiles"] = state.tiles
    if state.layer != d.layer:
        q["layer"] = state.layer
    if state.rank_by != d.rank_by:
        q["by"] = state.rank_by
    if state.top != d.top:
        q["top"] = str(state.top)
    if state.mixed:
        q["mixed"] = "1"
    if state.embed:
        q["embed"] = "true"
    if state.slide:
        q["slide"] = str(state.slide)
    if state.compare:
        q["cmp"] = ",".join(state.compare)
    if state.as_of is not None:
        q["asof"] = str(state.as_of)
    if state.rank_sort != d.rank_sort:
        q["sort"] = state.rank_sort
    if state.radius_km != d.radius_km:
        q["radius"] = str(state.radius_km)
    if state.rating:
        q["rating"] = ",".join(f"{k}:{v:g}" for k, v in state.rating)
    return q


def share_url(base_url: str, page: str, state: ViewState) -> str:
    """Absolute link to a page with a view, for the "Copy link" control.

    The map is the app's default page: its address is the root ("/map" is not a
    page address in Streamlit and opened with a "Page not found" dialog).
    """
    from urllib.parse import urlencode

    if page == DEFAULT_PAGE:
        page = ""
    path = base_url.rstrip("/") + ("/" + page if page else "/")
    q = to_query(state)
    return path + ("?" + urlencode(q, safe=",-") if q else "")
