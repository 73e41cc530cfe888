"""MST Atlas' firm-point layer on a page like the map page (benchmark harness).

The map page does not draw firm lists yet; this page shows what it will send:
the atlas base map plus :func:`mstatlas.mapping.firm_points.firm_points_feature_group`,
with the same ``st_folium`` call as the atlas map. The firm list comes from
``MSTATLAS_BENCH_FIRMS``; one filter ("Minimum employees") to time reruns.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from mstatlas.mapping.assets import install_static_assets  # noqa: E402
from mstatlas.mapping.build import build_base_map  # noqa: E402
from mstatlas.mapping.firm_points import (  # noqa: E402
    firm_legend_html,
    firm_points_feature_group,
)

install_static_assets(Path(__file__).resolve().parent / "static")


@st.cache_data(show_spinner=False)
def firms(path: str) -> pd.DataFrame:
    return pd.read_csv(path)


st.set_page_config(page_title="MST Atlas firms", layout="wide")
st.title("MST Atlas: firms")
data = firms(os.environ["MSTATLAS_BENCH_FIRMS"])
min_emp = st.number_input("Minimum employees", min_value=0, step=10, key="min_employees")
view = data[data["employees"] >= min_emp] if min_emp else data
st_folium(
    build_base_map(),
    key="firm_map",
    height=560,
    use_container_width=True,
    feature_group_to_add=firm_points_feature_group(view),
    returned_objects=["last_object_clicked"],
)
st.html(firm_legend_html(view))
