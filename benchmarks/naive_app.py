"""The naive peer as a Streamlit page (benchmark only): no caching, default ``st_folium(m)``.

Reads ``clusters.csv`` from ``MSTATLAS_DATA_DIR`` or, with ``MSTATLAS_BENCH_FIRMS``
set, a firm list; one filter ("Minimum employees") to time reruns.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from benchmarks.naive import install_peer_assets, naive_map  # noqa: E402
from mstatlas.data.loading import data_dir  # noqa: E402

install_peer_assets()
firms_path = os.environ.get("MSTATLAS_BENCH_FIRMS")
df = pd.read_csv(firms_path or data_dir() / "clusters.csv")
st.title("Naive peer")
min_emp = st.number_input("Minimum employees", min_value=0, step=10, key="min_employees")
df = df[df["employees"] >= min_emp]
colour = None if firms_path else "counts_what"
st_folium(naive_map(df, "employees", colour))
