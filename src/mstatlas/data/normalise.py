"""The plain form in which headers and country names are compared."""

from __future__ import annotations

import re
import unicodedata


def plain_text(text: object) -> str:
    """Lower case, accents and punctuation removed, single spaces.

    Parameters
    ----------
    text : object
        Any value; it is compared as ``str(text)``.

    Returns
    -------
    str
        The plain form: "Größe (m²)" and "grosse m2" give the same text.

    Examples
    --------
    >>> plain_text("  Ländercode / ISO ")
    'landercode iso'
    """
    s = str(text)
    if s.isascii():  # nothing to decompose (most names): skip the per-character pass
        s = s.casefold()
    else:
        s = unicodedata.normalize("NFKD", s).replace("ß", "ss")
        s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = re.sub(r"[^0-9a-z]+", " ", s)
    return s.strip()
