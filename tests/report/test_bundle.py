"""The report bundle built from the embedded data and from an upload, and every part opened."""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image

from mstatlas.analysis.filters import Filters
from mstatlas.io import load_clusters, read_upload
from mstatlas.report.bundle import PARTS, build_bundle, png_with_description
from mstatlas.report.view import ReportView

HOSTILE = '=HYPERLINK("http://evil.example","click")'
UPLOAD = (
    "name,city,country,lat,lon,firms,employees,year,source\n"
    "Dortmund MST,Dortmund,DE,51.51,7.47,45,2300,2012,Stadt Dortmund Jahresbericht\n"
    f'"{HOSTILE.replace(chr(34), chr(34) * 2)}",Köln,DE,50.94,6.96,12,400,2015,Kammer\n'
    "Twente,Enschede,NL,52.22,6.89,30,1800,2014,Kennispark\n"
)


@pytest.fixture(scope="module")
def default_zip() -> zipfile.ZipFile:
    view = ReportView(view_filters=Filters(countries=("DE", "NL"), year_min=2000, year_max=2020))
    seen: list[float] = []
    data = build_bundle(load_clusters(), view, lambda share, _text: seen.append(share))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    return zipfile.ZipFile(io.BytesIO(data.zip_bytes()))


@pytest.fixture(scope="module")
def upload_zip(tmp_path_factory) -> zipfile.ZipFile:
    path = tmp_path_factory.mktemp("up") / "meine-cluster.csv"
    path.write_text(UPLOAD, encoding="utf-8")
    clusters = read_upload(path).clusters
    assert len(clusters) == 3
    view = ReportView(dataset="Meine Cluster", lat=51.3, lon=7.0, zoom=7)
    return zipfile.ZipFile(io.BytesIO(build_bundle(clusters, view).zip_bytes()))


@pytest.mark.parametrize("which", ["default_zip", "upload_zip"])
def test_the_zip_holds_every_part(which, request):
    z = request.getfixturevalue(which)
    assert z.namelist() == list(PARTS)
    assert z.testzip() is None


def test_figures_csv_and_xlsx_carry_source_year_and_kind(default_zip):
    csv = pd.read_csv(io.BytesIO(default_zip.read("figures.csv")), encoding="utf-8-sig")
    for col in ("row", "cluster_name", "firms", "employees", "year", "counts_what", "source_title"):
        assert col in csv.columns
    dortmund = csv[csv["cluster_id"] == "dortmund"]
    assert not dortmund.empty and dortmund["source_title"].notna().all()
    assert dortmund["source_title"].str.contains("Münsterland Zeitung").any()
    # The filters are applied: only Germany and the Netherlands, 2000-2020 or undated.
    assert set(csv["country_iso2"]) == {"DE", "NL"}
    assert csv["year"].dropna().between(2000, 2020).all()
    xlsx = pd.read_excel(
        io.BytesIO(default_zip.read("figures.xlsx")), sheet_name="figures", engine="openpyxl"
    )
    assert list(xlsx.columns) == list(csv.columns) and len(xlsx) == len(csv)


def test_a_hostile_name_is_neutralised_in_csv_and_xlsx(upload_zip):
    text = upload_zip.read("figures.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert not re.search(r"(^|,)=HYPERLINK", text, re.M)
    ws = load_workbook(io.BytesIO(upload_zip.read("figures.xlsx"))).active
    names = [c.value for c in next(ws.iter_cols(min_col=1, max_col=ws.max_column)) if c.value]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    hostile = [c for c in cells if "HYPERLINK" in c.value]
    assert names and hostile and all(c.value.startswith("'=") for c in hostile)
    assert all(c.data_type == "s" for c in hostile)
    ranking = upload_zip.read("ranking.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in ranking and "Stadt Dortmund Jahresbericht" in ranking


@pytest.mark.parametrize("which", ["default_zip", "upload_zip"])
def test_images_have_their_sizes_content_and_alt_texts(which, request):
    z = request.getfixturevalue(which)
    readme = z.read("README.md").decode()
    for name, size in (("map.png", (1920, 1080)), ("map-print.png", (3072, 1728))):
        im = Image.open(io.BytesIO(z.read(name)))
        assert im.size == size
        assert len(im.convert("RGB").getcolors(1_000_000) or []) > 20  # not blank
        assert im.info["Description"] in readme
    chart = Image.open(io.BytesIO(z.read("ranking.png")))
    assert chart.size[0] > 600 and chart.size[1] > 300
    assert chart.info["Description"].startswith("Bar chart: ")
    assert chart.info["Description"] in readme
    for name in ("map.svg", "ranking.svg"):
        svg = z.read(name).decode()
        assert re.search(r"<svg\b[^>]*aria-labelledby=\"mst-title mst-desc\"", svg)
        desc = re.search(r'<desc id="mst-desc">([^<]*)</desc>', svg)
        assert desc and len(desc.group(1)) > 40


def test_the_upload_keeps_its_names_and_sources(upload_zip):
    readme = upload_zip.read("README.md").decode()
    assert "Dataset: Meine Cluster. 3 figures in view." in readme
    html = upload_zip.read("map.html").decode()
    assert "Stadt Dortmund Jahresbericht" in html and "cdn" not in html.lower()
    assert "<script>" in html and "L.circleMarker" in html  # Leaflet inlined, symbols drawn
    method = upload_zip.read("methodology.md").decode()
    assert "None: every figure of the dataset." in method
    assert "centred at latitude 51.3, longitude 7, zoom 7" in method


def test_methodology_names_the_filters_and_rules(default_zip):
    text = default_zip.read("methodology.md").decode()
    assert "- Countries: Germany and Netherlands" in text
    assert "- Figures from 2000 to 2020" in text
    assert "Like with like" in text and "One figure per cluster" in text
    assert "Size: employees at or above percentile 75" in text
    assert "Münsterland Zeitung" in text


def test_a_firm_lists_rows_never_go_into_the_bundle(tmp_path):
    firms = (
        "firm,city,country,employees\n"
        + "".join(f"Firma {i},Dortmund,DE,{10 + i}\n" for i in range(4))
        + "Solo GmbH,Bonn,DE,900\n"
    )
    path = tmp_path / "firmen.csv"
    path.write_text(firms, encoding="utf-8")
    from mstatlas.cli_disclosure import read_for_output

    clusters, result = read_for_output(path, off=False)
    assert result.kind == "firms"
    view = ReportView(dataset="Firmen", firm_list=True, confidentiality="one figure withheld")
    bundle = build_bundle(clusters, view)
    everything = b"".join(bundle.files[n] for n in PARTS if not n.endswith((".png", ".xlsx")))
    assert b"Firma 1" not in everything and b"Solo GmbH" not in everything
    csv = pd.read_csv(io.BytesIO(bundle.files["figures.csv"]), encoding="utf-8-sig")
    bonn = csv[csv["city"] == "Bonn"]
    assert bonn["employees"].isna().all()  # one firm: its head count is confidential
    assert "## Confidentiality" in bundle.files["methodology.md"].decode()


def test_png_description_survives_re_saving():
    im = Image.new("RGB", (4, 3), "white")
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    out = Image.open(io.BytesIO(png_with_description(buf.getvalue(), "Karte: Dortmund ≈ 2.100")))
    assert out.size == (4, 3) and out.info["Description"] == "Karte: Dortmund ≈ 2.100"
