"""What both browser tests share: where Chromium is, how to start it here, and the skip rules.

Debian's Chromium, driven by Playwright's Python package; Playwright's own browser download
is never used. The flags keep Chromium from reaching out to the network at start-up.
"""
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AMSLIB_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-dev-shm-usage"]

#: Module-level marks for a browser test: `pytestmark = BROWSER_MARKS`.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


def import_playwright():
    """playwright.sync_api, or skip the calling module with the reason."""
    return pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is missing (pip install playwright)")
