"""Limits that keep an uploaded file from exhausting memory or time.

Defaults can be changed per deployment with environment variables, read when a
:class:`Limits` is created (not on import): ``MSTATLAS_MAX_UPLOAD_MB`` and
``MSTATLAS_MAX_ROWS``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from mstatlas.errors import DataError
from mstatlas.i18n import _, fmt_decimal, fmt_int


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise DataError(
            _(
                "The setting {name}={text!r} is not a number; set it to e.g. {default:g} or "
                "unset it."
            ).format(name=name, text=text, default=default)
        ) from None
    if value <= 0:
        raise DataError(
            _("The setting {name}={text!r} must be greater than 0.").format(name=name, text=text)
        )
    return value


def _default_max_bytes() -> int:
    return int(_env_number("MSTATLAS_MAX_UPLOAD_MB", 50) * 1024**2)


def _default_max_rows() -> int:
    return int(_env_number("MSTATLAS_MAX_ROWS", 1_000_000))


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one upload.

    Attributes
    ----------
    max_bytes : int
        Largest accepted file size (default 50 MB, ``MSTATLAS_MAX_UPLOAD_MB``).
    max_rows : int
        Largest number of data rows (default 1,000,000, ``MSTATLAS_MAX_ROWS``).
    max_text_len : int
        Longest accepted text cell, in characters.
    max_seconds : float
        Time budget for reading, validating and geocoding together.
    max_xlsx_uncompressed : int
        Largest total uncompressed size an XLSX may declare.
    max_xlsx_ratio : float
        Largest compression ratio of one XLSX part (decompression-bomb guard).
    """

    max_bytes: int = field(default_factory=_default_max_bytes)
    max_rows: int = field(default_factory=_default_max_rows)
    max_text_len: int = 500
    max_seconds: float = 60.0
    max_xlsx_uncompressed: int = 500 * 1024**2
    max_xlsx_ratio: float = 100.0


def human_bytes(n: float) -> str:
    """``52428800`` -> ``'50 MB'`` (binary megabytes, as the limits are set)."""
    if n < 1024:
        return _("{n} bytes").format(n=fmt_int(n))
    for unit in ("KB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            break
    return f"{fmt_decimal(n, 1)} {unit}"


class Deadline:
    """The time budget of one upload; :meth:`check` raises once it is spent."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since the upload started."""
        return time.perf_counter() - self.start

    def check(self, stage: str) -> None:
        """Raise :class:`DataError` if the budget is spent (``stage`` names the step)."""
        if self.elapsed() > self.seconds:
            raise DataError(
                _(
                    "Processing stopped while {stage}: the file needs more than the {seconds:g} s "
                    "allowed per upload. Split it into smaller files or remove columns the atlas "
                    "does not use."
                ).format(stage=stage, seconds=self.seconds)
            )
