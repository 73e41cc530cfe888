"""The one owner of URL state: every view setting <-> ``st.query_params``.

``parse_query`` and ``to_query`` are pure (testable without Streamlit): a bad
parameter yields a notice and the default, never an exception. ``ViewState`` is
the single source of truth for what is on screen; widgets read from it and
write back to it, and the URL is rewritten from it on every run.

The URL vocabulary is one table, :data:`PARAMS`: each parameter's name, the
view fields it sets, how it is read and written and what it falls back to.
Only non-default values are written. The README lists every parameter (a test
checks both ways).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mstatlas.analysis.detect import MAX_RADIUS_KM, MIN_MIN_FIRMS, MIN_RADIUS_KM
from mstatlas.analysis.filters import Filters
from mstatlas.analysis.provenance import year_range_text
from mstatlas.data.countries import country_codes, country_to_iso2
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.data.vocabulary import COUNTS_WHAT_KEYS, CountsWhat, Measure
from mstatlas.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_
from mstatlas.ui.deferred import Count, Deferred, joined

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
#: Clusters detected from firm locations: radius (km) and minimum firms, defaults and bounds.
DETECT_RADIUS_KM = (15.0, MIN_RADIUS_KM, MAX_RADIUS_KM)
DETECT_MIN_FIRMS = (5, MIN_MIN_FIRMS, 10_000)


@dataclass(frozen=True)
class ViewState:
    """Everything that defines a view someone can share."""

    dataset: str = DEFAULT_DATASET
    measure: Measure = "employees"
    countries: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    include_undated: bool = True
    counts_what: tuple[CountsWhat, ...] = COUNTS_WHAT_KEYS
    min_firms: int = 0
    min_employees: int = 0
    selected: str | None = None
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    tiles: str = "offline"
    layer: str = "clusters"
    rank_by: Measure = "employees"
    top: int = 10
    mixed: bool = False
    embed: bool = False
    slide: int = 0
    compare: tuple[str, ...] = ()
    as_of: int | None = None
    rank_sort: str = "figure"
    radius_km: int = RADIUS_KM[0]
    rating: tuple[tuple[str, float], ...] = ()  # thresholds that differ from the defaults
    detect_radius_km: float = DETECT_RADIUS_KM[0]
    detect_min_firms: int = DETECT_MIN_FIRMS[0]
    lang: str | None = None  # None: the browser's language (decided once per session)

    def rating_thresholds(self) -> dict[str, float]:
        """Every star threshold: the link's where it sets one, else the default."""
        return {k: v[0] for k, v in RATING_PARAMS.items()} | dict(self.rating)

    def filters(self) -> Filters:
        """The map/ranking filters this view applies."""
        return Filters(
            countries=self.countries,
            year_min=self.year_min,
            year_max=self.year_max,
            include_undated=self.include_undated,
            counts_what=self.counts_what,
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
        raise ValueError(
            Deferred(N_("{name} must be between {lo} and {hi}"), name=name, lo=lo, hi=hi)
        )
    return n


def _country_code(text: str) -> str | None:
    """The country code a two-letter link value stands for ("de" -> DE, "UK" -> GB), or None."""
    if not re.fullmatch(r"[A-Za-z]{2}", text):
        return None
    code = text.upper()
    if code in country_codes():
        return code
    return country_to_iso2(code)  # the EU's own short forms: UK, EL


def _short(text: str, limit: int = 40) -> str:
    """Text from a link as a notice quotes it: at most ``limit`` characters."""
    return text if len(text) <= limit else text[:limit] + "…"


def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    raise ValueError(Deferred(N_("expected true or false")))


class Reading:
    """What reading one link parameter found: values for the view and notices for the person.

    A reader sets :attr:`values`, or raises ``ValueError(why)`` (the parameter is
    ignored and the default used), or calls :meth:`bad` to say why part of it
    was not used and what is used instead.
    """

    def __init__(self, param: Param, value: str) -> None:
        self.param = param
        self.value = value
        self.values: dict[str, object] = {}
        self.notices: list[str] = []

    def bad(self, why: str, using: str | None = None) -> None:
        """Say why the value (or part of it) was ignored, and what is used instead.

        ``why`` and ``using`` may be :class:`~mstatlas.ui.deferred.Deferred` texts: the
        notice is said in the language of the run that shows it.
        """
        instead = (
            Deferred(N_("Using {what}"), what=using)
            if using
            else Deferred(N_("Using the default ({what})"), what=self.param.fallback)
        )
        self.notices.append(
            Deferred(
                N_("Ignored link parameter {key}={value}: {why}. {instead}."),
                key=self.param.key,
                value=repr(_short(self.value)),
                why=why,
                instead=instead,
            )
        )

    def note(self, text: str) -> None:
        """Tell how the value was read, when it was read differently from how it is written."""
        self.notices.append(
            Deferred(
                N_("Read link parameter {key}={value}: {text}."),
                key=self.param.key,
                value=repr(_short(self.value)),
                text=text,
            )
        )


@dataclass(frozen=True)
class Param:
    """One link parameter: its name, what it sets, how it is read and written.

    Attributes
    ----------
    key : str
        The name in the link (``?measure=firms``); every one is listed in the
        README's "Link parameters".
    fields : tuple of str
        The :class:`ViewState` fields it sets.
    fallback : str
        What the view shows when the parameter is missing or wrong, as notices name it
        (a :class:`~mstatlas.ui.deferred.Deferred` text where it is words, not a value).
    read : callable
        ``read(value, reading)``: sets ``reading.values`` (see :class:`Reading`).
    write : callable
        ``write(view)``: the value to put in the link, or ``None`` for the default.
    """

    key: str
    fields: tuple[str, ...]
    fallback: str
    read: Callable[[str, Reading], None]
    write: Callable[[ViewState], str | None]


def _choice(field: str, choices: Sequence[str], why: str) -> Callable[[str, Reading], None]:
    def read(value: str, reading: Reading) -> None:
        if value not in choices:
            raise ValueError(why)
        reading.values[field] = value

    return read


def _whole(field: str, lo: int, hi: int, why: str | None = None) -> Callable[[str, Reading], None]:
    """A whole number from ``lo`` to ``hi``; ``why`` replaces every other reason."""

    def read(value: str, reading: Reading) -> None:
        try:
            reading.values[field] = _int(value, reading.param.key, lo, hi)
        except ValueError as exc:
            if why is not None:
                raise ValueError(why) from None
            if "between" not in str(exc):
                raise ValueError(Deferred(N_("expected a whole number"))) from None
            raise

    return read


def _km(field: str, lo: float, hi: float) -> Callable[[str, Reading], None]:
    """Kilometres from ``lo`` to ``hi``, kept to one decimal (``15``, ``2.5``)."""

    def read(value: str, reading: Reading) -> None:
        try:
            km = float(value)
        except ValueError:
            km = float("nan")
        if not lo <= km <= hi:  # also NaN and inf
            raise ValueError(
                Deferred(N_("expected kilometres from {lo} to {hi}"), lo=f"{lo:g}", hi=f"{hi:g}")
            )
        reading.values[field] = max(lo, round(km, 1))

    return read


def _flag(field: str) -> Callable[[str, Reading], None]:
    def read(value: str, reading: Reading) -> None:
        reading.values[field] = _bool(value)

    return read


def _if(field: str, write: Callable[[Any], str]) -> Callable[[ViewState], str | None]:
    """Write ``field`` with ``write`` unless it has its default value (or is blank text)."""

    def written(state: ViewState) -> str | None:
        value = getattr(state, field)
        if value == getattr(DEFAULT, field) or value == "":
            return None
        return write(value)

    return written


def _read_dataset(value: str, reading: Reading) -> None:
    if not _ID_RE.match(value):
        raise ValueError(Deferred(N_("not a dataset id")))
    reading.values["dataset"] = value


def _read_countries(value: str, reading: Reading) -> None:
    given = _csv(value)
    if not given or not all(re.fullmatch(r"[A-Za-z]{2}", c) for c in given):
        raise ValueError(Deferred(N_("expected two-letter country codes such as DE,NL")))
    found = {c: _country_code(c) for c in given}
    kept = tuple(dict.fromkeys(code for code in found.values() if code))
    wrong = [c for c, code in found.items() if code is None]
    if wrong:
        what = _short(", ".join(wrong))
        why = (
            N_("{what} is not a country code (ISO 3166-1)")
            if len(wrong) == 1
            else N_("{what} are not country codes (ISO 3166-1)")
        )
        reading.bad(Deferred(why, what=what), ", ".join(kept) or None)
    if kept:
        reading.values["countries"] = kept
    read_as = [
        Deferred(N_("{given} as {code}"), given=c, code=code)
        for c, code in found.items()
        if code and code != c.upper()
    ]
    if read_as:
        reading.note(_short(joined(read_as)) if len(joined(read_as)) > 40 else joined(read_as))


def _read_years(value: str, reading: Reading) -> None:
    m = re.fullmatch(r"(\d{4})?-(\d{4})?", value.strip())
    if not m:
        raise ValueError(Deferred(N_("expected e.g. 2000-2010")))
    lo = _int(m.group(1), "years", *YEAR_BOUNDS) if m.group(1) else None
    hi = _int(m.group(2), "years", *YEAR_BOUNDS) if m.group(2) else None
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(Deferred(N_("the first year is after the second")))
    reading.values["year_min"], reading.values["year_max"] = lo, hi


def _write_years(state: ViewState) -> str | None:
    if state.year_min is None and state.year_max is None:
        return None
    return f"{state.year_min or ''}-{state.year_max or ''}"


def _read_counts(value: str, reading: Reading) -> None:
    kinds = _csv(value)
    if not kinds or not all(k in COUNTS_WHAT for k in kinds):
        raise ValueError(Deferred(N_("kinds are {kinds}"), kinds=", ".join(COUNTS_WHAT)))
    reading.values["counts_what"] = tuple(k for k in COUNTS_WHAT if k in kinds)


def _read_selected(value: str, reading: Reading) -> None:
    if not _CLUSTER_RE.match(value):
        raise ValueError(Deferred(N_("not a cluster id")))
    reading.values["selected"] = value


def _read_view(value: str, reading: Reading) -> None:
    parts = _csv(value)
    try:
        if len(parts) != 3:
            raise ValueError
        lat, lon, zoom = (float(p) for p in parts)
    except ValueError:
        raise ValueError(Deferred(N_("expected lat,lon,zoom, e.g. 51.51,7.47,8"))) from None
    if not -90 <= lat <= 90:
        why = N_("latitude {value} is out of range (-90 to 90)")
        raise ValueError(Deferred(why, value=_short(parts[0])))
    if not -180 <= lon <= 180:
        why = N_("longitude {value} is out of range (-180 to 180)")
        raise ValueError(Deferred(why, value=_short(parts[1])))
    if not (zoom.is_integer() and 1 <= zoom <= 18):
        why = N_("zoom {value} is not a whole number from 1 to 18")
        raise ValueError(Deferred(why, value=_short(parts[2])))
    reading.values.update(lat=round(lat, 4), lon=round(lon, 4), zoom=int(zoom))


def _write_view(state: ViewState) -> str | None:
    if state.lat is None or state.lon is None or state.zoom is None:
        return None
    return f"{state.lat:.4f},{state.lon:.4f},{state.zoom}"


def _read_compare(value: str, reading: Reading) -> None:
    ids = list(dict.fromkeys(_csv(value)))
    if not ids or not all(_CLUSTER_RE.match(i) for i in ids):
        raise ValueError(Deferred(N_("expected cluster ids separated by commas")))
    if len(ids) > MAX_COMPARE:
        reading.bad(
            Deferred(N_("at most {n} clusters are compared"), n=MAX_COMPARE),
            Deferred(N_("the first {n}"), n=MAX_COMPARE),
        )
    reading.values["compare"] = tuple(ids[:MAX_COMPARE])


def _read_rating(value: str, reading: Reading) -> None:
    reading.values["rating"] = _rating(value)


def _joined(value: Sequence[str]) -> str:
    return ",".join(value)


def _one_of(choices: Sequence[str]) -> Deferred:
    return Deferred(N_("choose one of {choices}"), choices=", ".join(choices))


def _expected(lo: int, hi: int | str, what: str = "") -> Deferred:
    """Why a number was not used: "expected a whole number from 1 to 500" (or ``what``)."""
    return Deferred(what or N_("expected a whole number from {lo} to {hi}"), lo=lo, hi=hi)


_MEASURE_CHOICE = _one_of(tuple(MEASURES))

#: Every link parameter, in the order links write them. Parsing, writing, the notices'
#: fallbacks and the README's list of link parameters (checked by a test) follow this table.
PARAMS: tuple[Param, ...] = (
    Param("ds", ("dataset",), Deferred(N_("the sourced MST clusters")), _read_dataset,
          _if("dataset", str)),
    Param("measure", ("measure",), DEFAULT.measure,
          _choice("measure", tuple(MEASURES), _MEASURE_CHOICE), _if("measure", str)),
    Param("country", ("countries",), Deferred(N_("all countries")), _read_countries,
          _if("countries", _joined)),
    Param("years", ("year_min", "year_max"), Deferred(N_("all years")), _read_years,
          _write_years),
    Param("undated", ("include_undated",), Deferred(N_("undated figures included")),
          _flag("include_undated"), _if("include_undated", lambda v: "1" if v else "0")),
    Param("counts", ("counts_what",), Deferred(N_("all kinds")), _read_counts,
          _if("counts_what", _joined)),
    Param("min_firms", ("min_firms",), "0", _whole("min_firms", 0, 10_000_000),
          _if("min_firms", str)),
    Param("min_employees", ("min_employees",), "0", _whole("min_employees", 0, 10_000_000),
          _if("min_employees", str)),
    Param("sel", ("selected",), Deferred(N_("no cluster selected")), _read_selected,
          _if("selected", str)),
    Param("view", ("lat", "lon", "zoom"), Deferred(N_("the whole of Europe")), _read_view,
          _write_view),
    Param("tiles", ("tiles",), DEFAULT.tiles,
          _choice("tiles", ("offline", "osm"), Deferred(N_("choose offline or osm"))), _if("tiles", str)),
    Param("layer", ("layer",), DEFAULT.layer,
          _choice("layer", LAYERS, _one_of(LAYERS)), _if("layer", str)),
    Param("by", ("rank_by",), DEFAULT.rank_by,
          _choice("rank_by", tuple(MEASURES), _MEASURE_CHOICE), _if("rank_by", str)),
    Param("top", ("top",), str(DEFAULT.top),
          _whole("top", 1, 500, _expected(1, 500)), _if("top", str)),
    Param("mixed", ("mixed",), Deferred(N_("like with like")), _flag("mixed"),
          _if("mixed", lambda v: "1")),
    Param("embed", ("embed",), Deferred(N_("the full app")), _flag("embed"),
          _if("embed", lambda v: "true")),
    Param("slide", ("slide",), Deferred(N_("the overview")),
          _whole("slide", 0, 500, _expected(0, 500)), _if("slide", str)),
    Param("cmp", ("compare",), Deferred(N_("no comparison")), _read_compare,
          _if("compare", _joined)),
    Param("asof", ("as_of",), Deferred(N_("the latest figures")),
          _whole("as_of", *YEAR_BOUNDS,
                 _expected(*YEAR_BOUNDS, what=N_("expected a year from {lo} to {hi}"))),
          _if("as_of", str)),
    Param("sort", ("rank_sort",), Deferred(N_("by the figure")),
          _choice("rank_sort", RANK_SORTS, _one_of(RANK_SORTS)), _if("rank_sort", str)),
    Param("radius", ("radius_km",), f"{RADIUS_KM[0]} km",
          _whole("radius_km", *RADIUS_KM[1:],
                 _expected(*RADIUS_KM[1:], what=N_("expected whole kilometres from {lo} to {hi}"))),
          _if("radius_km", str)),
    Param("rating", ("rating",), Deferred(N_("the default thresholds")), _read_rating,
          _if("rating", lambda v: ",".join(f"{k}:{t:g}" for k, t in v))),
    Param("dr", ("detect_radius_km",), f"{DETECT_RADIUS_KM[0]:g} km",
          _km("detect_radius_km", *DETECT_RADIUS_KM[1:]), _if("detect_radius_km", "{:g}".format)),
    Param("dmin", ("detect_min_firms",), str(DETECT_MIN_FIRMS[0]),
          _whole("detect_min_firms", *DETECT_MIN_FIRMS[1:],
                 _expected(DETECT_MIN_FIRMS[1], Count(DETECT_MIN_FIRMS[2]))),
          _if("detect_min_firms", str)),
    Param("lang", ("lang",), Deferred(N_("the browser's language")),
          _choice("lang", LANGUAGES, _one_of(LANGUAGES)),
          lambda v: v.lang if v.lang not in (None, DEFAULT_LANGUAGE) else None),
)  # fmt: skip
_BY_KEY: dict[str, Param] = {p.key: p for p in PARAMS}


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
    notices: list[str] = [
        Deferred(N_("Ignored unknown link parameter {key}."), key=repr(key))
        for key in params
        if key not in _BY_KEY
    ]
    state: dict[str, object] = {}
    for param in PARAMS:
        value = params.get(param.key)
        if isinstance(value, list):
            value = str(value[-1]) if value else None
        if value is None:
            continue
        reading = Reading(param, str(value))
        try:
            param.read(reading.value, reading)
        except ValueError as exc:  # its first argument is the reason, maybe a Deferred text
            reading.bad(exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc))
        state.update(reading.values)
        notices += reading.notices
    return replace(DEFAULT, **state), notices  # type: ignore[arg-type]


def _rating(text: str) -> tuple[tuple[str, float], ...]:
    """``size:90,lq:2.5`` -> the thresholds that differ from the defaults, in table order."""
    given: dict[str, float] = {}
    for part in _csv(text):
        name, _, value = part.partition(":")
        if name not in RATING_PARAMS:
            raise ValueError(
                Deferred(N_("thresholds are {names}, e.g. size:90"), names=", ".join(RATING_PARAMS))
            )
        default, lo, hi = RATING_PARAMS[name]
        try:
            number = float(value)
        except ValueError:
            why = N_("{name} needs a number, e.g. {example}")
            raise ValueError(Deferred(why, name=name, example=f"{name}:{default:g}")) from None
        if not lo <= number <= hi:
            why = N_("{name} must be between {lo} and {hi}")
            raise ValueError(Deferred(why, name=name, lo=f"{lo:g}", hi=f"{hi:g}"))
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
    return Deferred(
        N_("Ignored years {years}: this dataset has figures from {lo} to {hi}. Showing all years."),
        years=year_range_text(a, b),
        lo=lo,
        hi=hi,
    )


def fit_slide(state: ViewState, n: int) -> tuple[int, str | None]:
    """The view's slide within a presentation of ``n`` slides, and a notice if it was not.

    Slide 0 is the overview and slide ``n`` the last cluster; a slide past it
    (a link's ``slide=500``) becomes the last one.
    """
    if state.slide <= n:
        return state.slide, None
    return n, Deferred(
        N_("Ignored slide {slide}: this presentation ends at slide {n}. Showing slide {n}."),
        slide=state.slide,
        n=n,
    )


def to_query(state: ViewState) -> dict[str, str]:
    """Query parameters for a view: only what differs from the default, in :data:`PARAMS` order."""
    return {p.key: value for p in PARAMS if (value := p.write(state)) is not None}


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
