"""Exceptions whose messages are written for the person who has to act on them."""

from __future__ import annotations


class MSTAtlasError(Exception):
    """Base class; ``str(exc)`` is a complete sentence a user can act on."""


class DataError(MSTAtlasError):
    """A file or table cannot be used as it is (unreadable, wrong shape, too large...)."""


class StoreError(MSTAtlasError):
    """A shared dataset cannot be saved, found or deleted."""


class NotFoundError(StoreError):
    """No shared dataset has this id."""


class PermissionDeniedError(StoreError):
    """The delete token does not match."""
