"""Session fixtures of the browser tests: the decks and the site built once into a
temporary folder and served on 127.0.0.1; one headless Chromium."""
from __future__ import annotations

import os

import pytest
from browser_common import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(root, base URL): build/slides and build/site of every notebook, served."""
    from a11y import serve
    from build_common import build_with as build
    root = tmp_path_factory.mktemp("built")
    build("slides", root / "slides")
    build("site", root / "site")
    server, base = serve(root)
    yield root, base
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def decks(built):
    """(root, base, deck names); AMSGRAD_DECKS=00_start_here,03_... narrows the list."""
    root, base = built
    names = sorted(p.name[:-len(".slides.html")] for p in (root / "slides").glob("*.slides.html"))
    wanted = os.environ.get("AMSGRAD_DECKS", "all")
    if wanted != "all":
        names = [n for n in names if any(n.startswith(w.strip()) for w in wanted.split(","))]
    return root, base, names


@pytest.fixture(scope="session")
def chromium():
    pw = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser(chromium):
    return chromium
