"""What `make lab` and Binder add for RISE (binder/overrides.d, binder/labextensions) is what
JupyterLab reads: a misspelt setting or a bad value would be ignored silently.
The browser test (tests/browser/test_rise_explorer.py) checks their effect."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RISE_SCHEMA = (Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyterlab-rise" / "schemas"
               / "jupyterlab-rise" / "plugin.json")


def overrides() -> dict:
    merged: dict = {}
    for path in sorted((ROOT / "binder" / "overrides.d").glob("*.json")):
        merged.update(json.loads(path.read_text()))
    return merged


def test_rise_settings_are_rise_settings():
    if not RISE_SCHEMA.exists():
        pytest.skip("jupyterlab-rise is missing (pip install -e '.[classroom]')")
    import jsonschema
    schema = json.loads(RISE_SCHEMA.read_text())
    settings = overrides()["jupyterlab-rise:plugin"]
    assert set(settings) <= set(schema["properties"]), set(settings) - set(schema["properties"])
    jsonschema.validate(settings, schema)
    assert settings["theme"] == "white"   # the decks' theme (tools/build.py)


def test_console_module_extension_is_complete():
    ext = ROOT / "binder" / "labextensions" / "amsgrad-rise-console"
    package = json.loads((ext / "package.json").read_text())
    entry = ext / package["jupyterlab"]["_build"]["load"]
    assert entry.is_file()
    assert f'registry["{package["name"]}"]' in entry.read_text()
    for where in (ROOT / "Makefile", ROOT / "binder" / "postBuild"):
        text = where.read_text()
        assert "binder/labextensions" in text and "binder/overrides.d" in text, where


def test_rise_css_colours_are_the_decks_colours():
    """notebooks/rise.css must stand alone (RISE loads that one file from the notebook's
    folder), so it repeats colours of the decks' a11y.css, which axe-core checks for
    contrast: every colour variable the two share has the same value in both."""
    import re

    def colours(path: Path) -> dict:
        return dict(re.findall(r"(--jp-[\w-]*color[\w-]*):\s*(#[0-9a-fA-F]+)", path.read_text()))

    rise = colours(ROOT / "notebooks" / "rise.css")
    decks = colours(ROOT / "tools" / "templates" / "course_common" / "a11y.css")
    assert rise and set(rise) <= set(decks), set(rise) - set(decks)
    assert {k: v for k, v in rise.items() if decks[k] != v} == {}
