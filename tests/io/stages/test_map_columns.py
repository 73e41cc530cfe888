from __future__ import annotations

import pytest
from upload_context import before, table

from mstatlas.errors import DataError
from mstatlas.io.stages.map_columns import column_mapping, map_columns

FRAME = table("Name,Stadt,Ort,Beschäftigte\nAlpha,Dortmund,Hörde,10")


def _used(mapping):
    return {k: v for k, v in mapping.items() if v}


def test_detected_from_german_headers():
    ctx = before("map_columns", FRAME)
    map_columns(ctx)
    assert _used(ctx.mapping) == {"name": "Name", "city": "Stadt", "employees": "Beschäftigte"}


def test_a_correction_wins_and_takes_its_column_from_another_field():
    mapping = column_mapping(list(FRAME.columns), FRAME, {"region": "Stadt", "city": "Ort"})
    assert _used(mapping) == {
        "name": "Name",
        "city": "Ort",
        "region": "Stadt",
        "employees": "Beschäftigte",
    }


def test_a_field_can_be_ignored():
    mapping = column_mapping(list(FRAME.columns), FRAME, {"employees": None})
    assert mapping["employees"] is None


def test_unknown_field_and_unknown_column_are_refused():
    with pytest.raises(DataError, match=r"^Unknown field\(s\) 'size' in the column mapping"):
        column_mapping(list(FRAME.columns), FRAME, {"size": "Name"})
    with pytest.raises(
        DataError,
        match=r"^The column 'Town' chosen for 'city' is not in the file; its columns are: Name,",
    ):
        column_mapping(list(FRAME.columns), FRAME, {"city": "Town"})
