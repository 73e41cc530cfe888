"""What reading a file found out about it, typed: :class:`Detected`."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Detected:
    """How a file is written, as :func:`mstatlas.io.read_upload` found out.

    Attributes
    ----------
    format : str or None
        ``"csv"``, ``"xlsx"``, ``"geojson"`` or ``"parquet"``.
    encoding : str or None
        Text encoding (CSV/TSV, GeoJSON), e.g. ``"utf-8"``, ``"cp1252"``.
    separator : str or None
        Column separator of a text table (``","``, ``";"``, tab, ``"|"``).
    separator_name : str or None
        The separator in words ("comma", "semicolon", "tab", "vertical bar").
    decimal : str or None
        The file's usual decimal mark, ``","`` or ``"."``.
    thousands : str or None
        The file's usual thousands separator (None: none).
    sheet : str or None
        The worksheet read (XLSX).
    sheets : list of str
        The workbook's visible worksheets.
    hidden_sheets : list of str
        Its hidden worksheets (they can still be chosen by name).
    header_row : int or None
        The header's row, as the person counts rows (1: the first).
    number_formats : dict
        Number column -> its decimal mark, where read as numbers.
    kind_detected : str or None
        ``"clusters"`` or ``"firms"``: the kind the table was read as.
    name_from : str or None
        The column that names rows when the file has no name column (a city column).
    reader : str or None
        ``"python"`` when a text table needed the careful reader (ragged rows,
        quoted line breaks); None for the fast one.
    """

    format: str | None = None
    encoding: str | None = None
    separator: str | None = None
    separator_name: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    header_row: int | None = None
    number_formats: dict[str, str] = field(default_factory=dict)
    kind_detected: str | None = None
    name_from: str | None = None
    reader: str | None = None

    @classmethod
    def from_dict(cls, found: dict[str, Any]) -> Detected:
        """The typed form of what the readers and stages noted down.

        Parameters
        ----------
        found : dict
            Field name -> value; fields not given keep their default.

        Returns
        -------
        Detected

        Raises
        ------
        ValueError
            For a name that is not a field: a reader noting something new must
            give it a field here first (a programming error, not bad input).
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(found) - known)
        if unknown:
            raise ValueError(f"Detected has no field {', '.join(unknown)}; add it there first.")
        values = dict(found)
        for name in ("sheets", "hidden_sheets"):
            if values.get(name) is None:
                values.pop(name, None)
            else:
                values[name] = list(values[name])
        if values.get("number_formats") is None:
            values.pop("number_formats", None)
        return cls(**values)
