"""One dataset type and the steps between an upload, the app and the store (store/dataset.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import geopandas as gpd
import pandas as pd
import pytest

from mstatlas.io import read_upload
from mstatlas.store import DatasetStore
from mstatlas.store.dataset import (
    Dataset,
    dataset_from_shared,
    dataset_from_upload,
    shared_from_dataset,
)

FIRMS_CSV = (
    "Firma;Stadt;Land;Mitarbeiter;Technologie\n"
    "Elmos;Dortmund;DE;1.020;MEMS\n"
    "Sensor GmbH;Dortmund;DE;;Mikrooptik\n"
    "Łódź Micro;Łódź;PL;12;\n"
    "Ohne Zahl;Łódź;PL;viele;\n"
)


@pytest.fixture(scope="module")
def upload():
    result = read_upload(FIRMS_CSV.encode("utf-8"), filename="firmen.csv")
    assert result.kind == "firms" and result.report.n_rejected == 1  # "viele"
    return result


def test_an_upload_becomes_a_dataset_with_everything_the_pages_show(upload) -> None:
    ds = dataset_from_upload(upload, dataset_id="u-abc", name="Meine Firmen", filename="f.csv")
    assert (ds.id, ds.name, ds.kind, ds.shared) == ("u-abc", "Meine Firmen", "firms", False)
    assert ds.clusters is upload.clusters and ds.firms is upload.firms
    assert ds.geocoding is upload.geocoding and ds.profiles is upload.profiles
    assert ds.mapping == upload.mapping and ds.mapping is not upload.mapping
    pd.testing.assert_frame_equal(ds.report, upload.report.to_frame())
    assert ds.report is not None and ds.report["row"].tolist() == [5]  # "viele", file row 5
    assert ds.meta["filename"] == "f.csv"
    assert ds.meta["aggregation"] == upload.aggregation
    assert ds.meta["summary"] == upload.report.summary()
    assert ds.meta["detected"]["format"] == "csv"
    json.dumps(ds.meta)  # the store keeps meta as JSON


def test_what_was_detected_is_kept_as_json_whatever_its_shape(upload) -> None:
    @dataclass
    class Detected:  # the typed form the reader's ``detected`` is moving to
        format: str
        sheets: tuple[str, ...]
        header_row: int | None
        number_formats: dict[str, str]

    typed = Detected("xlsx", ("Daten", "Notizen"), 3, {"Mitarbeiter": "1.234,5"})
    ds = dataset_from_upload(
        replace(upload, detected=typed), dataset_id="u", name="n", filename="f"
    )
    assert ds.meta["detected"] == {
        "format": "xlsx",
        "sheets": ["Daten", "Notizen"],
        "header_row": 3,
        "number_formats": "{'Mitarbeiter': '1.234,5'}",
    }


def test_sharing_keeps_the_kind_and_drops_the_geometry(upload) -> None:
    ds = dataset_from_upload(upload, dataset_id="u-1", name="n", filename="f.csv")
    shared = shared_from_dataset(ds)
    assert "geometry" in ds.clusters.columns and "geometry" not in shared.clusters.columns
    assert shared.meta == ds.meta | {"kind": "firms"}
    assert "kind" not in ds.meta and "disclosure" not in ds.meta  # the dataset is not changed
    assert shared.firms is None and shared.name == "n"  # firm rows only when opted in
    assert shared.disclosure is not None and shared.disclosure["firm_rows"] is False
    assert shared_from_dataset(ds, keep_firms=True).firms is ds.firms


def test_an_upload_shared_and_opened_again_is_the_same_dataset(tmp_path, upload) -> None:
    store = DatasetStore(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        ds = dataset_from_upload(upload, dataset_id="u-1", name="Firmen", filename="f.csv")
        saved = store.save(shared_from_dataset(ds, keep_firms=True))
        opened = dataset_from_shared(saved.id, store.load(saved.id))
    finally:
        store.close()
    assert isinstance(opened, Dataset) and isinstance(opened.clusters, gpd.GeoDataFrame)
    assert (opened.id, opened.name, opened.kind, opened.shared) == (
        saved.id,
        "Firmen",
        "firms",
        True,
    )
    record = opened.meta.pop("disclosure")
    assert opened.meta == ds.meta | {"kind": "firms"}
    assert record["firm_rows"] is True and record["min_firms"] == 3
    assert opened.mapping == ds.mapping
    # Dortmund: 2 firms, head count known for 1; Łódź: 1 firm -> both confidential
    assert record["confidential"] == ["dortmund", "lodz"]
    assert opened.clusters["employees"].isna().all()
    pd.testing.assert_frame_equal(
        opened.clusters.drop(columns=["employees", "employees_qualifier", "note", "lat", "lon",
                                      "geometry"]),
        ds.clusters.drop(columns=["employees", "employees_qualifier", "note", "lat", "lon",
                                  "geometry"]),
    )  # fmt: skip
    assert opened.firms is not None and ds.firms is not None
    pd.testing.assert_frame_equal(opened.firms, ds.firms)


def test_a_shared_table_without_geometry_is_made_canonical(upload) -> None:
    ds = dataset_from_upload(upload, dataset_id="u-1", name="n", filename="f.csv")
    shared = shared_from_dataset(ds)  # plain DataFrame, as a store without geometry would give
    opened = dataset_from_shared("x" * 22, shared)
    assert isinstance(opened.clusters, gpd.GeoDataFrame)
    assert opened.kind == "firms" and opened.shared
