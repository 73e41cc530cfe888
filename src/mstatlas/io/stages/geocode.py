"""Stage: rows without coordinates placed by their city, offline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mstatlas.data.codes import text_codes
from mstatlas.data.validate import Problem
from mstatlas.i18n import _
from mstatlas.io.context import Context, empty_geocoding
from mstatlas.io.place_lookups import PlaceLookups
from mstatlas.io.text import blank_as_missing, take_categories, take_strings


def geocode(ctx: Context) -> None:
    """Place rows without coordinates by city and country, once per distinct pair.

    A row with neither coordinates nor a city is refused; so is a city the place
    index does not know (in the given country). An ambiguous city is placed at
    its likeliest match with a warning naming the others. Rows without a country
    take the geocoded one. Sets ``ctx.geocoding``: one row per geocoded or
    hand-placed row (see :data:`~mstatlas.io.context.GEOCODING_COLUMNS`).
    """
    need = ctx.lat.isna().to_numpy(bool) & ~ctx.reject & ~ctx.overridden
    city = ctx.texts["city"]
    if need.any():
        no_city = need & city.isna().to_numpy(bool)
        ctx.flag(
            no_city,
            ctx.mapping.get("city") or ctx.mapping.get("lat"),
            None,
            lambda v: _(
                "the row has no coordinates and no city, so it cannot be placed; add lat/lon or "
                "a city"
            ),
        )
        ctx.reject |= no_city
        need &= ~no_city
    frames = []
    if need.any():
        frames.append(_place(ctx, np.flatnonzero(need)))
    if ctx.overridden.any():
        frames.append(_set_by_hand(ctx))
    if len(frames) == 1:
        ctx.geocoding = frames[0]  # rows are already in row order
    elif frames:
        ctx.geocoding = (
            pd.concat(frames, ignore_index=True)
            .sort_values("row", kind="stable")
            .reset_index(drop=True)
        )
    else:
        ctx.geocoding = empty_geocoding()


def _place(ctx: Context, idx: np.ndarray) -> pd.DataFrame:
    """Geocode the rows at positions ``idx``; their part of the geocoding table."""
    city = ctx.texts["city"]
    city_need = city if len(idx) == ctx.n else city.iloc[idx].reset_index(drop=True)
    # looked up beside the duplicate check, for the rows still in then (these and more)
    lookups = ctx.places
    pair_code = lookups.pair_codes(idx) if lookups is not None else None
    if lookups is None or lookups.found is None or pair_code is None:
        lookups = places_of(ctx, idx)
        lookups.look_up(ctx.step, 0.6, 0.25)
        pair_code = lookups.pair_codes(idx)
    assert lookups.found is not None and pair_code is not None
    iso_first, found = lookups.countries, lookups.found
    glat = found["glat"].to_numpy("float64")[pair_code]
    glon = found["glon"].to_numpy("float64")[pair_code]
    every = len(idx) == ctx.n  # every row placed here (a firm list without coordinates)
    at = slice(None) if every else idx  # a slice writes without gathering positions
    ctx.lat.iloc[at] = glat
    ctx.lon.iloc[at] = glon
    code_of = pair_code if every else np.full(ctx.n, -1, dtype=np.int64)
    if not every:
        code_of[idx] = pair_code
    country = _given_countries(ctx, idx, iso_first, pair_code, city_need.index)
    # rows without a country take the geocoded one (others: NA, no change)
    if ctx.iso.isna().any():
        ctx.iso = ctx.iso.fillna(take_strings(found["gcc"].tolist(), code_of, ctx.iso.index))
        ctx.iso_codes, ctx.iso_uniques = text_codes(ctx.iso, trim=False)
    _report(ctx, idx, pair_code, code_of, found)
    return pd.DataFrame(
        {
            "row": ctx.rows if every else ctx.rows[idx],
            "city": city_need,
            "country": country,
            # the place each row was matched to, and how: one of few per pair
            "matched": take_categories(found["matched"].tolist(), pair_code, city_need.index),
            "lat": glat,
            "lon": glon,
            "confidence": found["confidence"].to_numpy("float64")[pair_code],
            "status": take_categories(found["status"].tolist(), pair_code, city_need.index),
        },
        copy=False,  # every column is new (lat/lon were copied into the context above)
    )


def places_of(ctx: Context, idx: np.ndarray) -> PlaceLookups:
    """The (city, country) pairs of the rows at ``idx``, not yet looked up."""
    return PlaceLookups.of_rows(ctx.city_codes()[0], ctx.iso_codes, ctx.texts["city"], ctx.iso, idx)


def _given_countries(
    ctx: Context, idx: np.ndarray, iso_first: list[str], pair_code: np.ndarray, index: pd.Index
) -> pd.Series:
    """The country each row at ``idx`` gave (NA when none), before geocoding fills it.

    The (city, country) pairs include the country, so every row has its pair's
    country: when all rows are geocoded that is the country column itself, taken
    as it is instead of a million strings copied from the pairs.
    """
    if len(idx) == ctx.n:
        return blank_as_missing(ctx.iso).set_axis(index)
    return take_strings([v or None for v in iso_first], pair_code, index)


def _report(
    ctx: Context, idx: np.ndarray, pair_code: np.ndarray, code_of: np.ndarray, found: pd.DataFrame
) -> None:
    """Refuse rows whose city was not found; warn for ambiguous ones."""
    city = ctx.texts["city"]
    status_u = found["status"].to_numpy(dtype=object)
    failed_u, amb_u = status_u == "failed", status_u == "ambiguous"
    failed = np.zeros(ctx.n, dtype=bool)
    amb = np.zeros(ctx.n, dtype=bool)
    # per row only when some place failed or is ambiguous (most uploads: none)
    if failed_u.any():
        failed[idx] = failed_u[pair_code]
    if amb_u.any():
        amb[idx] = amb_u[pair_code]
    city_col = ctx.mapping.get("city")
    ctx.flag(
        failed,
        city_col,
        city,
        lambda v: _(
            "no place called '{v}' was found (in the given country); check the spelling, add "
            "lat/lon, or set the position by hand"
        ).format(v=v),
    )
    ctx.reject |= failed
    alts_u = found["alts"].tolist()
    matched_u = found["matched"].tolist()
    amb_idx = np.flatnonzero(amb)
    said: dict[tuple[int, str], str] = {}  # one sentence per place and spelling, not per row
    for i, name in zip(map(int, amb_idx), city.iloc[amb_idx].tolist(), strict=True):
        u = int(code_of[i])
        if (u, name) not in said:
            said[u, name] = _(
                "'{name}' is ambiguous; placed at {matched_u}, other places with this name: "
                "{alts_u}. Check the position or set it by hand"
            ).format(name=name, matched_u=matched_u[u], alts_u=alts_u[u])
        ctx.problems.append(
            Problem(int(ctx.rows[i]), city_col, str(name), said[u, name], "warning")
        )


def _set_by_hand(ctx: Context) -> pd.DataFrame:
    """The geocoding table's rows for positions the person set."""
    oi = np.flatnonzero(ctx.overridden)
    return pd.DataFrame(
        {
            "row": ctx.rows[oi],
            "city": ctx.texts["city"].iloc[oi].to_numpy(),
            "country": ctx.iso.iloc[oi].to_numpy(),
            "matched": "set by hand",
            "lat": ctx.lat.iloc[oi].to_numpy(),
            "lon": ctx.lon.iloc[oi].to_numpy(),
            "confidence": 1.0,
            "status": "ok",
        }
    )
