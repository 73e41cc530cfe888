"""Escaping helpers used wherever uploaded text reaches the page."""

from __future__ import annotations

import pytest

from mstatlas.ui.components import md, safe_url, source_link


def test_md_escapes_markdown_and_html():
    out = md("[click](javascript:alert(1)) <b>x</b> **bold** # h")
    assert "\\[click\\]\\(javascript\\:alert\\(1\\)\\)" in out
    assert "\\<b\\>" in out and "\\*\\*bold\\*\\*" in out
    assert md(None) == "" and md(float("nan")) == ""


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/a?b=c", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//example.org", False),
        ("ftp://example.org", False),
        (None, False),
    ],
)
def test_safe_url_allows_only_http(url, ok):
    assert (safe_url(url) is not None) is ok


def test_source_link_never_links_unsafe_urls():
    assert source_link("T", "javascript:alert(1)") == "T"
    assert source_link("T", "https://e.org/x (y)") == "[T](https://e.org/x%20%28y%29)"
