"""``mstatlas bundle``: the report bundle from the command line, in English and German."""

from __future__ import annotations

import io
import zipfile

import pytest

from mstatlas.cli import main
from mstatlas.report.bundle import PARTS


@pytest.fixture(scope="module")
def german_zip(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("b") / "ansicht.zip"
    code = main(["--lang", "de", "bundle", "-o", str(out), "--country", "DE", "--years", "2000-"])
    assert code == 0
    return zipfile.ZipFile(io.BytesIO(out.read_bytes()))


def test_bundle_writes_every_part_with_german_titles(german_zip):
    assert german_zip.namelist() == list(PARTS)
    readme = german_zip.read("README.md").decode()
    assert readme.startswith("# MST-Atlas: Berichtspaket")
    method = german_zip.read("methodology.md").decode()
    assert "# Methodik" in method
    assert "- Länder: " in method  # country names as the data's country table gives them
    assert "- Zahlen ab 2000" in method
    svg = german_zip.read("map.svg").decode()
    assert '<title id="mst-title">MST-Cluster – ' in svg
    assert "Karte mit " in svg and "Die Kreisfläche zeigt die Zahl" in svg  # the German alt text


def test_lang_after_the_command_works_too_and_messages_are_german(tmp_path, capsys):
    out = tmp_path / "x.zip"
    assert main(["bundle", "-o", str(out), "--years", "2010-2000", "--lang", "de"]) == 2
    assert "Jahre als ERSTES-LETZTES" in capsys.readouterr().err


def test_bundle_prints_what_it_wrote(tmp_path, capsys):
    out = tmp_path / "view.zip"
    assert main(["bundle", "-o", str(out), "--lang", "en", "--measure", "firms"]) == 0
    printed = capsys.readouterr()
    assert f"wrote {out}" in printed.out and "Bundle ready" in printed.err
    assert "[ 100%] Bundle ready" in printed.err
    with zipfile.ZipFile(out) as z:
        assert "MST clusters by firms" in z.read("map.svg").decode()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--years", "2010-2000"], "expected years as FIRST-LAST"),
        (["--country", "XX"], "unknown country code"),
        (["--counts", "jobs"], "unknown kind"),
        (["--view", "51,7"], "expected LAT,LON,ZOOM"),
    ],
)
def test_bad_options_are_usage_errors_that_say_what_to_type(tmp_path, capsys, args, message):
    assert main(["bundle", "-o", str(tmp_path / "x.zip"), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
