"""Untrusted text made safe to show: bidirectional control characters removed.

A name holding U+202E (RIGHT-TO-LEFT OVERRIDE) is drawn reversed, so
"Cluster\u202egnp.exe" reads "Clusterexe.png": the characters a file stores and
the characters a person sees differ. Names come from uploads, so every place
that shows one (pages, map tooltips, charts) or writes one to a file (CSV,
XLSX, the saved map, chart images) passes it through :func:`strip_bidi`.

The controls are stripped, not isolated: without them a text is drawn in the
order it is stored, and letters of right-to-left scripts (Arabic, Hebrew) are
still drawn right to left by the Unicode bidirectional algorithm, which needs
no control characters for them.

Where, on purpose: at the boundary where text is shown or written, not when an
upload is read, so the data keep what the file holds. Cleaning at read time too
(nothing downstream could then show a control) belongs in the reading stage that
cleans stray control bytes (:mod:`mstatlas.io`), with each changed row listed in
the validation report and its reason; :func:`has_bidi` and :data:`BIDI_CONTROLS`
are the definition to use there.
"""

from __future__ import annotations

import html
import re
from typing import TextIO

import pandas as pd

#: Bidirectional formatting characters: the embeddings and overrides U+202A–U+202E
#: (LRE, RLE, PDF, LRO, RLO), the isolates U+2066–U+2069 (LRI, RLI, FSI, PDI) and the
#: marks U+200E, U+200F and U+061C (LRM, RLM, ALM).
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)

_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters.

    Parameters
    ----------
    text : str
        Any text, e.g. a cluster name from an upload.

    Returns
    -------
    str
        The same text with every character of :data:`BIDI_CONTROLS` removed.

    Examples
    --------
    >>> strip_bidi("Cluster\\u202egnp.exe")
    'Clustergnp.exe'
    """
    return _BIDI.sub("", text)


def strip_bidi_value(value: object) -> object:
    """:func:`strip_bidi` for a text cell; any other value (number, blank) unchanged."""
    return _BIDI.sub("", value) if isinstance(value, str) else value


def has_bidi(text: str) -> bool:
    """Whether ``text`` holds a bidirectional control character."""
    return _BIDI.search(text) is not None


def _holds_bidi(value: object) -> bool:
    return isinstance(value, str) and has_bidi(value)


def strip_bidi_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with bidirectional controls removed from its text cells and column names.

    Parameters
    ----------
    frame : DataFrame
        A table about to be shown or written to a file.

    Returns
    -------
    DataFrame
        ``frame`` itself when no text held a control (no copy), else a copy
        with every text cell and column name cleaned; numbers and blanks are
        left as they are.
    """
    out: pd.DataFrame | None = None
    for i in range(frame.shape[1]):
        values = frame.iloc[:, i]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        if not has_bidi("".join(v for v in values.to_numpy(dtype=object) if isinstance(v, str))):
            continue  # one search over the column's text: the usual case, nothing to clean
        hit = values.map(_holds_bidi).to_numpy(dtype=bool)
        if hit.any():
            cleaned = values.copy()
            cleaned.iloc[hit] = [strip_bidi(v) for v in values.iloc[hit]]
            out = frame.copy() if out is None else out
            out.isetitem(i, cleaned)
    names = [strip_bidi_value(c) for c in frame.columns]
    if names != list(frame.columns):
        out = frame.copy() if out is None else out
        out.columns = pd.Index(names)
    return frame if out is None else out


def escape_html(value: object) -> str:
    """``value`` as text for HTML: bidirectional controls removed, then HTML-escaped.

    Parameters
    ----------
    value : object
        A name, place, source title or label (``str()`` is taken of anything else).

    Returns
    -------
    str
        Text safe to put between tags or in a quoted attribute.
    """
    return html.escape(strip_bidi(str(value)))


class BidiFreeWriter:
    """A text stream that writes through to ``stream`` without bidirectional controls.

    The command line prints names from files (rankings, profiles, reports); wrapped
    around ``sys.stdout`` and ``sys.stderr`` it keeps a terminal from showing a name
    reversed, in one place for every command.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(strip_bidi(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def __getattr__(self, name: str) -> object:  # encoding, fileno, ... of the stream
        return getattr(self._stream, name)
