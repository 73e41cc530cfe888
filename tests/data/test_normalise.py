from __future__ import annotations

import pytest

from mstatlas.data.normalise import plain_text


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Größe", "grosse"),
        ("  Ländercode / ISO ", "landercode iso"),
        ("Nom de l'entreprise", "nom de l entreprise"),
        ("m²", "m2"),
        ("---", ""),
        (12, "12"),
    ],
)
def test_plain_text(text, plain):
    assert plain_text(text) == plain
