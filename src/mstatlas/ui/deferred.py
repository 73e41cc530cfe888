"""Texts made before the language is known, said in the language of the run that shows them.

The link is read before a run knows its language (the link itself may set it with
``lang=``), and its notices stay on screen across runs, in which the person may
switch the language. So such a text is kept as its English words (the ``str``
value: what tests, logs and comparisons see) together with its message id and the
values that fill it; :func:`said` gives it in the active language.

Mark the message id with ``N_`` so that it is extracted for translation::

    Deferred(N_("Ignored slide {n}: this presentation ends at slide {last}."), n="5", last="3")
"""

from __future__ import annotations

from collections.abc import Sequence

from mstatlas.i18n import _, fmt_int


class Deferred(str):
    """English text that can be said again in the active language (see the module).

    Values that are themselves :class:`Deferred` or :class:`Count` are said in
    the active language too; any other value is put in as it is (codes, names).
    """

    msgid: str
    args: dict[str, object]

    def __new__(cls, msgid: str, **args: object) -> Deferred:
        self = super().__new__(cls, msgid.format(**args) if args else msgid)
        self.msgid = msgid
        self.args = args
        return self

    def said(self) -> str:
        """The text in the active language."""
        text = _(self.msgid) if self.msgid else self.msgid
        if not self.args:
            return text
        return text.format(**{key: said(value) for key, value in self.args.items()})

    def __reduce__(self) -> tuple[object, ...]:  # copies and pickles keep the message id
        return (_deferred, (self.msgid, self.args))


def _deferred(msgid: str, args: dict[str, object]) -> Deferred:
    return Deferred(msgid, **args)


class Count(str):
    """A whole number in a :class:`Deferred` text: 10,000 in English, 10.000 in German."""

    n: int

    def __new__(cls, n: int) -> Count:
        self = super().__new__(cls, f"{n:,}")
        self.n = n
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (Count, (self.n,))


def joined(texts: Sequence[str], sep: str = ", ") -> str:
    """Texts joined by ``sep``; :class:`Deferred` when any of them is, so it is said whole."""
    if not any(isinstance(t, (Deferred, Count)) for t in texts):
        return sep.join(texts)
    names = [f"t{i}" for i in range(len(texts))]
    return Deferred(sep.join("{" + n + "}" for n in names), **dict(zip(names, texts, strict=True)))


def said(text: object) -> str:
    """``text`` in the active language when it is :class:`Deferred` (or a :class:`Count`),
    else as it is."""
    if isinstance(text, Deferred):
        return text.said()
    if isinstance(text, Count):
        return fmt_int(text.n)
    return str(text)
