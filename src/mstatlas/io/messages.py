"""Messages about a file as a whole, shared by several readers."""

from __future__ import annotations

from mstatlas.data.limits import Limits
from mstatlas.errors import DataError
from mstatlas.i18n import _, fmt_int


def not_a_table(filename: str) -> DataError:
    """The refusal of a file that holds binary data, not text or a known format.

    Parameters
    ----------
    filename : str
        The file's name as messages show it.

    Returns
    -------
    DataError
        To be raised by the caller.
    """
    return DataError(
        _(
            "The file {filename} does not look like a table: it contains binary data. Upload "
            "a CSV/TSV, XLSX, GeoJSON or Parquet file."
        ).format(filename=filename)
    )


def too_many_rows(n: int, limits: Limits) -> DataError:
    """The refusal of a file with more data rows than one upload accepts.

    Parameters
    ----------
    n : int
        Data rows found (or read so far).
    limits : Limits
        The limits in force (``max_rows``).

    Returns
    -------
    DataError
        To be raised by the caller.
    """
    return DataError(
        _(
            "The file has {n} data rows; at most {max_rows} are accepted per upload. Split "
            "it into smaller files or aggregate it first."
        ).format(n=fmt_int(n), max_rows=fmt_int(limits.max_rows))
    )
