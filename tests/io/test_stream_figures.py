"""A register read in chunks keeps, per cluster, exactly what the disclosure rules judge."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mstatlas.data.cluster_disclosure import cluster_figures
from mstatlas.io import read_upload
from mstatlas.io.firm_groups import FirmGroups
from mstatlas.io.stream import stream_upload


def test_figures_in_chunks_equal_those_of_the_whole_register(tmp_path) -> None:
    rng = np.random.default_rng(11)
    n = 3000
    cities = rng.choice(["Dortmund", "dortmund", "Jena", "Oulu", "Twente", "Göteborg"], n)
    employees = rng.integers(1, 400, n).astype(object)
    employees[rng.random(n) < 0.15] = ""  # unknown head counts
    employees[5] = "viele"  # refused row
    lines = [f"Firma {i};{c};DE;{e}" for i, (c, e) in enumerate(zip(cities, employees))]
    lines[40] = lines[3]  # a repeated firm, found across chunks
    path = tmp_path / "register.csv"
    path.write_text("Firma;Stadt;Land;Mitarbeiter\n" + "\n".join(lines) + "\n", encoding="utf-8")

    whole = read_upload(path)
    streamed = stream_upload(path, chunk_rows=97)
    assert streamed.figures is not None and streamed.n_chunks > 10
    expected = cluster_figures(whole.clusters, whole.firms, whole.mapping)
    assert expected["contributors"].sum() > 0
    pd.testing.assert_frame_equal(streamed.figures, expected, check_dtype=False)


def test_no_firms_added_means_no_figures() -> None:
    assert FirmGroups("city").figures().empty
