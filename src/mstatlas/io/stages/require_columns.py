"""Stage: the columns every table needs — a name, and a way to place each row."""

from __future__ import annotations

from mstatlas.errors import DataError
from mstatlas.i18n import _
from mstatlas.io.context import Context

#: Canonical fields a cluster table names its rows by.
NAME_FIELDS = ("name",)
#: Canonical fields that place rows: both coordinates, or a city.
PLACE_FIELDS = ("lat", "lon", "city")


class MissingColumns(DataError):
    """The table lacks columns it needs; the message names every one.

    Attributes
    ----------
    columns : list of str
        The file's columns (to choose from in the column mapping).
    mapping : dict
        The mapping the file was read with (canonical field -> column or None).
    missing : tuple of str
        The canonical fields that could fix it (:data:`NAME_FIELDS`,
        :data:`PLACE_FIELDS`).
    """

    def __init__(
        self,
        message: str,
        columns: list[str],
        mapping: dict[str, str | None],
        missing: tuple[str, ...],
    ) -> None:
        super().__init__(message)
        self.columns = columns
        self.mapping = mapping
        self.missing = missing


def require_columns(ctx: Context) -> None:
    """Choose the column that names rows and refuse a table that cannot be used.

    A cluster table without a name column is named by its city column (said in
    ``detected["name_from"]``). Rows are placed by coordinates (lat/lon columns
    or GeoJSON geometry), by a city, or by positions the person set by hand.

    Raises
    ------
    MissingColumns
        Naming the file's columns, every kind of column missing, and what to add
        or choose in the column mapping.
    """
    mapping, filename = ctx.mapping, ctx.request.filename
    columns = ", ".join(ctx.columns)
    ctx.name_field = "name"
    no_name = False
    if mapping.get("name") is None:
        if ctx.kind == "clusters" and mapping.get("city"):
            ctx.name_field = "city"
            ctx.detected["name_from"] = mapping["city"]
        elif ctx.kind == "clusters":
            no_name = True
    has_coords = bool(mapping.get("lat") and mapping.get("lon")) or ctx.geom is not None
    no_place = not has_coords and not mapping.get("city") and not ctx.request.overrides
    if no_name and no_place:
        message = _(
            "The file {filename} has no column with cluster names and neither coordinates "
            "nor a city column; its columns are {columns}. Name one 'name' (or Name, "
            "Bezeichnung, Cluster, nom) and add 'lat' and 'lon' columns or a 'city' column "
            "(with 'country'), or choose them in the column mapping."
        ).format(filename=filename, columns=columns)
    elif no_name:
        message = _(
            "The file {filename} has no column with cluster names; its columns are "
            "{columns}. Name one 'name' (or Name, Bezeichnung, Cluster, nom) or choose it in "
            "the column mapping."
        ).format(filename=filename, columns=columns)
    elif no_place:
        message = _(
            "The file {filename} has neither coordinates nor a city column, so nothing can "
            "be placed on the map; its columns are {columns}. Add 'lat' and 'lon' columns or "
            "a 'city' column (with 'country')."
        ).format(filename=filename, columns=columns)
    else:
        return
    missing = (NAME_FIELDS if no_name else ()) + (PLACE_FIELDS if no_place else ())
    raise MissingColumns(message, list(ctx.columns), dict(mapping), missing)
