from __future__ import annotations

import pytest
from upload_context import before, table

from mstatlas.errors import DataError
from mstatlas.io.stages.require_columns import MissingColumns, require_columns


def test_names_and_coordinates():
    ctx = before("require_columns", table("name,lat,lon\nA,51,7"))
    require_columns(ctx)
    assert ctx.name_field == "name"
    assert "name_from" not in ctx.detected


def test_a_cluster_table_without_names_is_named_by_its_cities():
    ctx = before("require_columns", table("city,firms\nDortmund,3"))
    require_columns(ctx)
    assert ctx.name_field == "city"
    assert ctx.detected["name_from"] == "city"


def test_no_names_at_all():
    ctx = before("require_columns", table("lat,lon\n51,7"))
    with pytest.raises(
        DataError,
        match=r"^The file t.csv has no column with cluster names; its columns are lat, lon\. ",
    ):
        require_columns(ctx)


def test_nothing_to_place_rows_by():
    ctx = before("require_columns", table("name,firms\nA,3"))
    with pytest.raises(
        DataError,
        match=r"^The file t.csv has neither coordinates nor a city column, so nothing can be "
        r"placed on the map; its columns are name, firms\.",
    ):
        require_columns(ctx)


def test_positions_set_by_hand_are_enough():
    ctx = before("require_columns", table("name,firms\nA,3"), overrides={2: (51.0, 7.0)})
    require_columns(ctx)


def test_every_missing_column_is_named_and_the_file_s_columns_come_along():
    ctx = before("require_columns", table("Wert,Jahr\n3,2007"))
    with pytest.raises(MissingColumns) as caught:
        require_columns(ctx)
    assert str(caught.value) == (
        "The file t.csv has no column with cluster names and neither coordinates nor a city "
        "column; its columns are Wert, Jahr. Name one 'name' (or Name, Bezeichnung, Cluster, "
        "nom) and add 'lat' and 'lon' columns or a 'city' column (with 'country'), or choose "
        "them in the column mapping."
    )
    assert caught.value.missing == ("name", "lat", "lon", "city")
    assert caught.value.columns == ["Wert", "Jahr"]
    assert caught.value.mapping["year"] == "Jahr"


def test_one_missing_kind_of_column_lists_only_its_fields():
    ctx = before("require_columns", table("name,firms\nA,3"))
    with pytest.raises(MissingColumns) as caught:
        require_columns(ctx)
    assert caught.value.missing == ("lat", "lon", "city")
    assert isinstance(caught.value, DataError)
