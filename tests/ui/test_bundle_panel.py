"""AppTest: the sidebar's report bundle is built on request for the view in the link."""

from __future__ import annotations

import io
import zipfile

from mstatlas.report.bundle import PARTS
from mstatlas.ui import keys


def _bundle_button(at):
    return next(b for b in at.sidebar.button if b.key == keys.BUNDLE_BUTTON)


def test_the_bundle_is_built_for_the_view_and_offered_for_download(app):
    app.query_params["country"] = "NL"
    app.query_params["measure"] = "firms"
    at = app.run()
    assert not at.exception
    assert not [b for b in at.get("download_button") if "bundle" in b.label]  # not yet built
    at = _bundle_button(at).click().run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Download report bundle" in labels
    wanted, data = at.session_state[keys.BUNDLE]
    assert wanted[1].countries == ("NL",)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() == list(PARTS)
        assert "- Countries: Netherlands" in z.read("methodology.md").decode()
        assert "MST clusters by firms" in z.read("map.svg").decode()
    # Another view: the bundle built for the last one is no longer offered.
    at.query_params["country"] = "DE"
    at = at.sidebar.multiselect[0].set_value(["DE"]).run()
    assert "Download report bundle" not in [b.label for b in at.get("download_button")]


def test_the_bundle_section_speaks_german(app):
    app.query_params["lang"] = "de"
    at = app.run()
    assert not at.exception
    assert any(e.label == "Berichtspaket (ZIP)" for e in at.sidebar.expander)
    assert _bundle_button(at).label == "Berichtspaket erstellen"
