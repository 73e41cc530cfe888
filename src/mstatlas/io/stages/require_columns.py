"""Stage: the columns every table needs — a name, and a way to place each row."""

from __future__ import annotations

from mstatlas.errors import DataError
from mstatlas.io.context import Context


def require_columns(ctx: Context) -> None:
    """Choose the column that names rows and refuse a table that cannot be used.

    A cluster table without a name column is named by its city column (said in
    ``detected["name_from"]``). Rows are placed by coordinates (lat/lon columns
    or GeoJSON geometry), by a city, or by positions the person set by hand.

    Raises
    ------
    mstatlas.errors.DataError
        Naming the file's columns and what to add or choose in the column mapping.
    """
    mapping, filename, columns = ctx.mapping, ctx.request.filename, ctx.columns
    ctx.name_field = "name"
    if mapping.get("name") is None:
        if ctx.kind == "clusters" and mapping.get("city"):
            ctx.name_field = "city"
            ctx.detected["name_from"] = mapping["city"]
        elif ctx.kind == "clusters":
            raise DataError(
                f"The file {filename} has no column with cluster names; its columns are "
                f"{', '.join(columns)}. Name one 'name' (or Name, Bezeichnung, Cluster, nom) "
                "or choose it in the column mapping."
            )
    has_coords = bool(mapping.get("lat") and mapping.get("lon")) or ctx.geom is not None
    if not has_coords and not mapping.get("city") and not ctx.request.overrides:
        raise DataError(
            f"The file {filename} has neither coordinates nor a city column, so nothing can be "
            f"placed on the map; its columns are {', '.join(columns)}. Add 'lat' and 'lon' "
            "columns or a 'city' column (with 'country')."
        )
