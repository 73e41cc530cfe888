"""A missing Chromium or PostgreSQL fails the test run under CI: their tests are never skipped.

The real fixtures (``browser`` from tests/browser/harness.py, ``postgres_url`` from
tests/conftest.py) run in a separate pytest session with ``CI=true`` and paths that
hold no browser and no server; that session must report errors, not skips.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
INNER = """
from browser.harness import browser  # noqa: F401  the real fixtures
from conftest import postgres_url  # noqa: F401


def test_needs_chromium(browser):
    pass


def test_needs_postgres(postgres_url):
    pass
"""


def test_missing_chromium_and_postgres_fail_the_run_under_ci(tmp_path):
    (tmp_path / "test_inner.py").write_text(INNER, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop("MSTATLAS_TEST_POSTGRES_URL", None)  # no existing server either
    env.update(
        CI="true",
        MSTATLAS_CHROMIUM=str(tmp_path / "no-chromium" / "chromium"),
        MSTATLAS_POSTGRES_BIN=str(tmp_path / "no-postgres" / "bin"),
        PYTHONPATH=os.pathsep.join([str(TESTS), str(TESTS.parent)]),
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(tmp_path / "pytest.ini"),
         "-p", "no:cacheprovider", "-rA", str(tmp_path / "test_inner.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = run.stdout + run.stderr
    assert run.returncode == 1, out  # 1: tests failed or errored (5 would be: none collected)
    summary = out.strip().splitlines()[-1]
    assert "2 errors" in summary and "skipped" not in summary and "passed" not in summary, out
    assert f"Debian Chromium not found at {tmp_path / 'no-chromium' / 'chromium'}" in out
    assert "PostgreSQL server binaries not found" in out
