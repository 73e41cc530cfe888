from __future__ import annotations

import subprocess
import sys

from mstatlas.io import preload


def test_small_files_start_no_loading():
    assert preload.start(b"name,city\nA,Jena\n") is None
    assert preload.start("/no/such/file.csv") is None


def test_a_large_file_loads_polars_countries_and_places_once_per_process():
    code = (
        "import sys\n"
        "from mstatlas.data import countries, geocode\n"
        "from mstatlas.io import preload\n"
        "big = b'x' * preload.LARGE_FILE_BYTES\n"
        "t = preload.start(big)\n"
        "t.join()\n"
        "print('polars' in sys.modules, countries._country_index.cache_info().currsize,"
        " geocode._loaded_index.cache_info().currsize, preload.start(big))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True 1 1 None"
