"""Where the store lives and how large it may grow, from the environment.

``MSTATLAS_DATABASE_URL`` (an SQLAlchemy URL) picks the database: unset, an
SQLite file ``mstatlas.sqlite`` in ``MSTATLAS_HOME`` or ``./var/``; a
``postgresql://`` URL for several app replicas sharing one database.
``MSTATLAS_SHARE_MAX_MB`` and ``MSTATLAS_SHARE_MAX_DATASETS`` bound one
dataset and the whole store.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Final

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from mstatlas.errors import StoreError
from mstatlas.i18n import _, fmt_fixed, fmt_int

DEFAULT_MAX_MB: Final = 50.0
DEFAULT_MAX_DATASETS: Final = 10_000
MB: Final = 1024 * 1024


def default_sqlite_path() -> Path:
    """Path of the default SQLite file.

    ``$MSTATLAS_HOME/mstatlas.sqlite`` if ``MSTATLAS_HOME`` is set, else
    ``./var/mstatlas.sqlite`` under the current working directory.
    """
    home = os.environ.get("MSTATLAS_HOME", "").strip()
    base = Path(home).expanduser() if home else Path.cwd() / "var"
    return (base / "mstatlas.sqlite").resolve()


def database_url(url: str | None = None) -> str:
    """The SQLAlchemy URL the store uses.

    Parameters
    ----------
    url : str, optional
        Explicit URL; wins over ``MSTATLAS_DATABASE_URL``.

    Returns
    -------
    str
        ``url``, else ``MSTATLAS_DATABASE_URL``, else an SQLite URL for
        :func:`default_sqlite_path`.
    """
    if url and url.strip():
        return url.strip()
    env = os.environ.get("MSTATLAS_DATABASE_URL", "").strip()
    if env:
        return env
    return f"sqlite:///{default_sqlite_path()}"


def url_from_environment(url: str | None) -> bool:
    """Whether neither ``url`` nor ``MSTATLAS_DATABASE_URL`` names a database (the default)."""
    return not (url and url.strip()) and not os.environ.get("MSTATLAS_DATABASE_URL", "").strip()


def parse_url(raw: str) -> URL:
    """An SQLAlchemy URL for SQLite or PostgreSQL (psycopg 3), or a :class:`StoreError`.

    Parameters
    ----------
    raw : str
        The URL as configured; ``postgres://`` and ``postgresql://`` URLs from
        managed services get the psycopg driver.

    Raises
    ------
    mstatlas.errors.StoreError
        If ``raw`` is not a URL or names another kind of database.
    """
    try:
        url = make_url(raw)
    except ArgumentError:
        raise StoreError(
            _(
                "MSTATLAS_DATABASE_URL is not a database URL; use e.g. "
                "sqlite:////srv/mstatlas/mstatlas.sqlite or "
                "postgresql+psycopg://user:password@host:5432/mstatlas."
            )
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        # Managed services hand out postgres:// or postgresql:// URLs; MST Atlas ships psycopg 3.
        if url.drivername != "postgresql+psycopg":
            url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise StoreError(
            _(
                "MSTATLAS_DATABASE_URL points at a {backend!r} database; MST Atlas stores shared "
                "datasets in SQLite or PostgreSQL (e.g. "
                "postgresql+psycopg://user:password@host/db)."
            ).format(backend=backend)
        )
    return url


def env_number(name: str, default: float, *, integer: bool) -> float:
    """A positive number from environment variable ``name`` (``default`` when unset).

    Raises
    ------
    mstatlas.errors.StoreError
        If the variable is set to anything but a positive (whole, if ``integer``) number.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or (integer and value != int(value)):
        kind = _("a positive whole number") if integer else _("a positive number")
        raise StoreError(
            _("{name} must be {kind}, got {raw!r}; fix or unset it.").format(
                name=name, kind=kind, raw=raw
            )
        )
    return value


def share_limits(max_bytes: int | None, max_datasets: int | None) -> tuple[int, int]:
    """The size limit of one dataset (bytes) and the most datasets the store holds.

    ``None`` reads ``MSTATLAS_SHARE_MAX_MB`` (default 50 MB) and
    ``MSTATLAS_SHARE_MAX_DATASETS`` (default 10,000).

    Raises
    ------
    mstatlas.errors.StoreError
        If a limit is not positive or its variable is not a positive number.
    """
    if max_bytes is None:
        max_mb = env_number("MSTATLAS_SHARE_MAX_MB", DEFAULT_MAX_MB, integer=False)
        max_bytes = int(max_mb * MB)
    if max_datasets is None:
        max_datasets = int(
            env_number("MSTATLAS_SHARE_MAX_DATASETS", DEFAULT_MAX_DATASETS, integer=True)
        )
    if max_bytes < 1 or max_datasets < 1:
        raise StoreError(_("The share limits must be positive (max_bytes, max_datasets)."))
    return max_bytes, max_datasets


def human_size(n_bytes: int) -> str:
    """``"12 MB"``, ``"1.5 MB"``, ``"300 kB"`` or ``"12 bytes"`` for messages."""
    if n_bytes >= 10 * MB:
        return f"{fmt_int(n_bytes / MB)} MB"
    if n_bytes >= MB:
        return f"{fmt_fixed(n_bytes / MB, 1)} MB"
    if n_bytes >= 1024:
        return f"{fmt_int(n_bytes / 1024)} kB"
    return _("{n} bytes").format(n=fmt_int(n_bytes))
