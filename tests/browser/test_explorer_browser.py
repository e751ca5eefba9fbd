"""The explorer in a real browser: JupyterLab + headless Chromium (driven by Playwright).

Starts JupyterLab on 127.0.0.1 (a free port, a random token given only through the
environment and the URL, never logged), with its root in a temporary copy of
``notebooks/`` (so nothing in the repository is modified), news and update checks off and
every setting in temporary directories. Opens notebook 04, waits for its kernel, runs
all cells, then uses the explorer FROM THE KEYBOARD ONLY: Tab reaches every control in
order; End moves the beta_2 slider, Space ticks an optimizer, Enter switches the problem,
an arrow key changes the number of steps; after each, the figure changes and no widget
shows an error. A screenshot goes to ``artifacts/browser/explorer.png``.

Needs Debian's ``chromium`` (/usr/bin/chromium) and the ``playwright`` Python package
(only the package: its own browser download is not used). Skipped without them.

    python -m pytest tests/browser -m browser -s      # about a minute
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from browser_common import ARTIFACTS, BROWSER_MARKS, ROOT, import_playwright

NOTEBOOK = "04_where_adam_fails.ipynb"
WIDGET_ERRORS = ("Error displaying widget", "Model not found", "Failed to load model class",
                 "Error rendering output item")

pytestmark = BROWSER_MARKS
sync_api = import_playwright()


# The explorer control that has the keyboard focus (its CSS class amslib-explorer-NAME).
TAB_TARGET = """() => { const el = document.activeElement;
    const box = el && el.closest('[class*="amslib-explorer-"]');
    if (!box) return null;
    const m = Array.from(box.classList).map(c => c.match(/^amslib-explorer-(.+)$/)).find(Boolean);
    return m ? m[1] : null; }"""


# ------------------------------------------------------------------------ the server
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))


class Lab:
    """A JupyterLab server in temporary directories; its log is kept without the token."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.token = secrets.token_hex(24)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log: list[str] = []
        root = tmp / "root"
        shutil.copytree(ROOT / "notebooks", root / "notebooks")
        if (ROOT / "data").is_dir():
            shutil.copytree(ROOT / "data", root / "data")
        settings = tmp / "lab-settings"
        # No news, no update check, every cell in the DOM (no windowing), no autosave
        _write_json(settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
                    {"fetchNews": "false", "checkForUpdates": False})
        _write_json(settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
                    {"windowingMode": "none"})
        _write_json(settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings",
                    {"autosave": False})
        # The classroom settings `make lab` and Binder install (binder/overrides.d: RISE's theme...)
        for shipped in sorted((ROOT / "binder" / "overrides.d").glob("*.json")):
            for plugin, values in json.loads(shipped.read_text()).items():
                package, name = plugin.split(":")
                _write_json(settings / package / f"{name}.jupyterlab-settings", values)
        config = tmp / "jupyter-config"
        _write_json(config / "jupyter_server_config.json", {
            "LabApp": {"news_url": None,
                       "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate"},
        })
        env = dict(os.environ)
        for var in ("JUPYTER_TOKEN_FILE", "JUPYTER_PATH"):
            env.pop(var, None)
        env.update({
            "JUPYTER_TOKEN": self.token,  # never on the command line, never in a log
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
            "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
            # binder/labextensions: what `make lab` and Binder install (the widgets in RISE)
            "JUPYTER_PATH": str(ROOT / "binder"),
            "BROWSER": "true",  # in case anything tried to open one
        })
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", "--ServerApp.open_browser=False",
               f"--ServerApp.root_dir={root}", "--ServerApp.disable_check_xsrf=False",
               "--ServerApp.terminals_enabled=False"]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1, cwd=str(root))
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()

    def _read_log(self) -> None:
        for line in self.proc.stdout:
            self.log.append(line.replace(self.token, "<token>").rstrip())

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log[-n:])

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                req = urllib.request.Request(f"{self.base}/api/status",
                                             headers={"Authorization": f"token {self.token}"})
                with urllib.request.urlopen(req, timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:  # a clean shutdown also stops the kernels it started
                req = urllib.request.Request(f"{self.base}/api/shutdown", method="POST",
                                             headers={"Authorization": f"token {self.token}"})
                urllib.request.urlopen(req, timeout=10).close()
                self.proc.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)


@pytest.fixture
def lab():
    tmp = Path(tempfile.mkdtemp(prefix="amslib-lab-"))
    server = None
    try:
        for attempt in range(2):  # the free port can be taken in between: try a second one
            server = Lab(tmp / f"try{attempt}")
            try:
                server.wait_ready()
                break
            except (RuntimeError, TimeoutError):
                server.stop()
                if attempt:
                    raise
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------ the browser
def _run_all_cells(page) -> None:
    """Run > Run All Cells from the menu bar; the command palette if the menu fails."""
    try:
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).first.click(timeout=15_000)
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).first.click(timeout=15_000)
        return
    except sync_api.Error:
        page.keyboard.press("Escape")
    page.keyboard.press("Control+Shift+C")
    page.keyboard.type("Run All Cells")
    page.keyboard.press("Enter")


def _wait_until_executed(page, timeout_ms: int) -> None:
    """Every code cell has a number in its prompt and the kernel is idle again."""
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')];
            if (!prompts.length) return false;
            const done = prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            const idle = [...document.querySelectorAll('.jp-StatusBar-Widget')]
                .some(w => /\\|\\s*Idle/.test(w.textContent));
            return done && idle;
        }""", timeout=timeout_ms, polling=500)


def test_explorer_in_jupyterlab(lab, chromium):
    t0 = time.monotonic()
    timings = {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # the session's Chromium (tests/browser/conftest.py): one Playwright per process
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        console_errors = []
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        url = f"{lab.base}/lab/tree/notebooks/{NOTEBOOK}?token={lab.token}"
        for attempt in range(3):  # a slow first start of JupyterLab: load again
            try:
                page.goto(url, wait_until="domcontentloaded", timeout=90_000)
                page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=90_000)
                break
            except sync_api.Error:
                if attempt == 2:
                    raise
        timings["lab open"] = time.monotonic() - t0

        # The toolbar's indicator says idle before a kernel exists; the status bar
        # shows "Python 3 (ipykernel) | Idle" only once the kernel is ready.
        page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\|\s*Idle")).first.wait_for(
            timeout=120_000)
        timings["kernel ready"] = time.monotonic() - t0

        page.locator(".jp-NotebookPanel .jp-Cell").first.click()  # focus the notebook
        _run_all_cells(page)
        page.locator(".jp-CodeCell .jp-InputArea-prompt", has_text="[*]").first.wait_for(
            timeout=30_000, state="attached")  # it started ...
        _wait_until_executed(page, timeout_ms=180_000)  # ... and it finished
        timings["all cells run"] = time.monotonic() - t0

        explorer = page.locator(".amslib-explorer").first
        explorer.wait_for(state="visible", timeout=60_000)
        explorer.scroll_into_view_if_needed()
        image = page.locator("img.amslib-explorer-figure").first
        page.wait_for_function(
            "() => { const i = document.querySelector('img.amslib-explorer-figure');"
            " return i && i.complete && i.naturalWidth > 0; }", timeout=60_000)
        before = image.get_attribute("src")
        assert before

        # Tab from the first control visits every control of the explorer, in order.
        page.locator(".amslib-explorer-problem button").first.focus()
        reached = []
        for _ in range(40):
            name = page.evaluate(TAB_TARGET)
            if name and name not in reached:
                reached.append(name)
            page.keyboard.press("Tab")
        timings["tab walk"] = time.monotonic() - t0

        def changed(old, what):
            page.wait_for_function(
                "old => { const i = document.querySelector('img.amslib-explorer-figure');"
                " return i && i.getAttribute('src') !== old && i.complete && i.naturalWidth > 0; }",
                arg=old, timeout=30_000)
            keyboard_changes.append(what)
            return image.get_attribute("src")

        keyboard_changes = []
        # beta_2: focus the slider handle and press End (0.99 -> 0.9999)
        handle = page.locator(".amslib-explorer-beta2 .noUi-handle, "
                              ".amslib-explorer-beta2 .ui-slider-handle").first
        readout = page.locator(".amslib-explorer-beta2 .widget-readout").first
        old_readout = readout.inner_text().strip()
        handle.scroll_into_view_if_needed()
        handle.focus()
        handle.press("End")
        src = changed(before, "beta2 End")
        new_readout = readout.inner_text().strip()
        # an optimizer: Space on its check box
        page.locator(".amslib-explorer-adam_paper input").first.focus()
        page.keyboard.press("Space")
        src = changed(src, "adam_paper Space")
        # the problem: Enter on the "stochastic" button
        page.locator(".amslib-explorer-problem button", has_text="stochastic").first.focus()
        page.keyboard.press("Enter")
        src = changed(src, "problem Enter")
        p_shown = page.locator(".amslib-explorer-p").first.is_visible()
        # the number of steps: keys in the drop-down (type-ahead "1" picks 10^3)
        select = page.locator(".amslib-explorer-steps select").first
        steps_before = select.evaluate("s => s.selectedIndex")
        select.focus()
        page.keyboard.press("Home")
        steps_after = select.evaluate("s => s.selectedIndex")
        after = changed(src, "steps Home")
        timings["figure redrawn"] = time.monotonic() - t0

        text = page.locator(".jp-NotebookPanel").first.inner_text()
        error_label = page.locator(".amslib-explorer-error").first.inner_text().strip()
        info = page.locator(".amslib-explorer-info").first.inner_text()
        explorer.screenshot(path=str(ARTIFACTS / "explorer.png"))
        page.screenshot(path=str(ARTIFACTS / "notebook.png"))
    finally:
        context.close()

    timings["total"] = time.monotonic() - t0
    print("\nbrowser test timings (s since start): "
          + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    print(f"beta_2 readout {old_readout} -> {new_readout}; info: {info.strip()}")
    print(f"Tab reached: {reached}; changed from the keyboard: {keyboard_changes}")
    assert after != before, "the explorer's figure did not change"
    assert new_readout != old_readout
    print(f"steps drop-down: option {steps_before} -> {steps_after}")
    assert keyboard_changes == ["beta2 End", "adam_paper Space", "problem Enter", "steps Home"]
    assert p_shown, "Enter on 'stochastic' did not show the probability slider"
    controls = ["problem", "C", "period", "steps", "schedule", "alpha", "beta1", "beta2",
                "adam_pytorch", "amsgrad_pytorch", "adam_paper", "amsgrad_paper"]
    assert [c for c in reached if c in controls] == controls, f"Tab order: {reached}"
    assert error_label == "", f"the explorer shows an error: {error_label}"
    for message in WIDGET_ERRORS:
        assert message not in text, f"a widget shows {message!r}"
    assert "Updated in" in info
    widget_console = [m for m in console_errors if "widget" in m.lower() or "model" in m.lower()]
    assert not widget_console, f"widget errors in the browser console: {widget_console}"
    assert lab.token not in "\n".join(lab.log)
