"""Real-browser fixtures: one Chromium per session, one live Peerframe server per module.

The server is the real application (`create_app` with a file-backed SQLite database in a fresh temporary
folder) run by uvicorn in a subprocess, so the browser talks to it over HTTP exactly as a user's would.
Every `page` fails its test on any console error or uncaught page error, and on any `alert`/`confirm`
dialog; a test that deliberately provokes a 4xx can opt out of the console check with
`@pytest.mark.allow_console_errors`.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import httpx
import pytest

from tests.conftest import shared_file

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]
SERVER_SCRIPT = (
    "import sys, uvicorn\n"
    "from server.app import create_app\n"
    "from server.settings import Settings\n"
    "uvicorn.run(create_app(Settings(database_url=sys.argv[1], single_user=True)), host='127.0.0.1', port=int(sys.argv[2]),"
    " log_level='warning')\n"
)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "allow_console_errors: the test provokes a 4xx on purpose; console errors do not fail it")


@pytest.fixture(scope="session")
def fixture_file():
    """`fixture_file("transcripts", "x.vtt")`: a path under ../shared/fixtures (never copied into the repo)."""
    return lambda *parts: shared_file("fixtures", *parts)


# --- the server ------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(folder: Path, script: str = SERVER_SCRIPT, ready: tuple[int, ...] = (200,)) -> Iterator[str]:
    """Run `script` (argv: database URL, port) on the SQLite file `folder/browser.db`; yield its base URL once
    GET /api/frameworks answers with a status in `ready` (a team server answers 401 to a stranger).

    The database file may be seeded before the server starts (run the migrations on it first).
    """
    port = _free_port()
    log_path = folder / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "PEERFRAME_SECRET_KEY"}  # the server makes its own key
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", script, f"sqlite:///{folder / 'browser.db'}", str(port)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                if httpx.get(f"{base}/api/frameworks", timeout=1).status_code in ready:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within 30 s:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The base URL of a real Peerframe server with its own empty database, for one test module."""
    with running_server(tmp_path_factory.mktemp("server")) as base:
        yield base


@pytest.fixture(scope="session")
def server_runner():
    """`running_server` for modules that start their own server (another script, a seeded database)."""
    return running_server


class Api:
    """The JSON API of the live server, for arranging a test and checking what was stored."""

    def __init__(self, base: str):
        self.client = httpx.Client(base_url=base, timeout=30)

    def create_project(self, name: Optional[str] = None) -> dict[str, Any]:
        response = self.client.post("/api/projects", json={"name": name or f"Browser {uuid.uuid4().hex[:10]}",
                                                           "framework": "side-by-side"})
        assert response.status_code == 201, response.text
        return response.json()

    def import_text(self, project_id: int, name: str, text: str, participant: Optional[str] = None,
                    attributes: Optional[dict[str, str]] = None) -> dict[str, Any]:
        data = {}
        if participant:
            data["participant"] = participant
        if attributes:
            data["attributes"] = json.dumps(attributes)
        response = self.client.post(f"/api/projects/{project_id}/documents", data=data,
                                    files={"file": (name, text.encode("utf-8"), "text/plain")})
        assert response.status_code == 201, response.text
        return response.json()

    def code(self, document_id: int, start: int, end: int, code_id: str, memo: str = "") -> dict[str, Any]:
        response = self.client.post(f"/api/documents/{document_id}/codings",
                                    json={"start": start, "end": end, "code_id": code_id, "memo": memo})
        assert response.status_code == 201, response.text
        return response.json()

    def documents(self, project_id: int) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/projects/{project_id}/documents")
        assert response.status_code == 200, response.text
        return response.json()

    def document(self, document_id: int) -> dict[str, Any]:
        response = self.client.get(f"/api/documents/{document_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def codings(self, project_id: int) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/projects/{project_id}/codings")
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        self.client.close()


@pytest.fixture(scope="module")
def api(live_server: str) -> Iterator[Api]:
    client = Api(live_server)
    yield client
    client.close()


# --- the browser -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance():
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian package 'chromium'); it is not installed")
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    instance = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
    yield instance
    instance.close()


def _watch(new_page) -> dict[str, list[str]]:
    """Collect a page's console errors, uncaught page errors and (dismissed) dialogs."""
    seen: dict[str, list[str]] = {"console": [], "page": [], "dialogs": []}

    def on_console(message):
        if message.type == "error":
            seen["console"].append(f"{message.text} @ {message.location}")

    def on_dialog(dialog):
        seen["dialogs"].append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: seen["page"].append(str(error)))
    new_page.on("dialog", on_dialog)
    new_page.console_errors = seen["console"]  # tests that expect errors may look at them (or take them out)
    return seen


def _problems(seen: dict[str, list[str]], allow_console_errors: bool) -> list[str]:
    problems = [f"uncaught page error: {e}" for e in seen["page"]] + [f"dialog opened: {d}" for d in seen["dialogs"]]
    if not allow_console_errors:
        problems += [f"console error: {e}" for e in seen["console"]]
    return problems


def _new_context(browser, base_url: str, **options):
    context = browser.new_context(**{"base_url": base_url, "accept_downloads": True,
                                     "viewport": {"width": 1280, "height": 900}, **options})
    context.set_default_timeout(10_000)
    return context


@contextmanager
def _people(browser, allow_console_errors: bool, **defaults) -> Iterator:
    """Yield `open_page(base_url, **context_options)`; every page opened is checked once the block ends."""
    opened = []

    def open_page(base_url: str, **options):
        context = _new_context(browser, base_url, **{**defaults, **options})
        new_page = context.new_page()
        opened.append((context, _watch(new_page)))
        return new_page

    yield open_page
    for context, _ in opened:
        context.close()
    problems = [p for _, seen in opened for p in _problems(seen, allow_console_errors)]
    assert not problems, "the browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def page(request, browser, live_server):
    """A fresh page in its own context, with the live server as base URL.

    Console errors, uncaught exceptions and dialogs are collected and fail the test at teardown
    (console errors are tolerated under `@pytest.mark.allow_console_errors`).
    """
    context = _new_context(browser, live_server)
    new_page = context.new_page()
    seen = _watch(new_page)
    yield new_page
    context.close()
    problems = _problems(seen, bool(request.node.get_closest_marker("allow_console_errors")))
    assert not problems, "the browser reported problems:\n" + "\n".join(problems)


@pytest.fixture
def new_person_page(request, browser):
    """`new_person_page(base_url)`: a page in a context of its own (its own cookies: one person signed in),
    checked at teardown exactly like `page`. For tests where several people use the same server."""
    with _people(browser, bool(request.node.get_closest_marker("allow_console_errors"))) as open_page:
        yield open_page


# --- selections in the transcript ------------------------------------------------------------------

SELECT_JS = """
([needle, nth]) => {
  const transcript = document.getElementById("transcript");
  // a mouse press on the text would take the focus away from the filter box or a button
  if (document.activeElement && !transcript.contains(document.activeElement)) document.activeElement.blur();
  const walker = document.createTreeWalker(transcript, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.parentElement.closest(".run") ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT,
  });
  const nodes = [];
  let all = "";
  for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, all.length]); all += n.data; }
  let at = -1;
  for (let i = 0; i <= nth; i++) { at = all.indexOf(needle, at + 1); if (at < 0) return false; }
  const locate = (offset, isEnd) => {
    for (const [node, base] of nodes) {
      const inside = isEnd ? offset > base && offset <= base + node.data.length
                           : offset >= base && offset < base + node.data.length;
      if (inside) return [node, offset - base];
    }
    throw new Error("offset " + offset + " is outside the runs");
  };
  const range = document.createRange();
  range.setStart(...locate(at, false));
  range.setEnd(...locate(at + needle.length, true));
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return true;
}
"""

# the two screens every workspace test runs on: a laptop and a phone
SCREENS = [pytest.param({"width": 1440, "height": 900}, id="desktop"),
           pytest.param({"width": 390, "height": 844}, id="phone")]

CHAR_BOXES_JS = """
([needle, nth]) => {
  const transcript = document.getElementById("transcript");
  const walker = document.createTreeWalker(transcript, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let all = "";
  for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, all.length]); all += n.data; }
  let at = -1;
  for (let i = 0; i <= nth; i++) { at = all.indexOf(needle, at + 1); if (at < 0) return null; }
  const box = (offset) => {
    for (const [node, base] of nodes) {
      if (offset >= base && offset < base + node.data.length) {
        const r = document.createRange();
        r.setStart(node, offset - base);
        r.setEnd(node, offset - base + 1);
        const rect = r.getBoundingClientRect();
        return {x: rect.x, y: rect.y, width: rect.width, height: rect.height};
      }
    }
    return null;
  };
  return {first: box(at), last: box(at + needle.length - 1)};
}
"""


class Ui:
    """Helpers for driving the document page the way a user would."""

    def select(self, page, needle: str, nth: int = 0) -> None:
        """Select the nth occurrence of `needle` in the transcript, as the mouse would, and release the mouse."""
        assert page.evaluate(SELECT_JS, [needle, nth]), f"{needle!r} is not in the transcript"
        page.locator("#transcript").dispatch_event("mouseup")

    def drag_select(self, page, needle: str, nth: int = 0) -> None:
        """Select `needle` with a real mouse drag from its first to its last character."""
        boxes = page.evaluate(CHAR_BOXES_JS, [needle, nth])
        assert boxes and boxes["first"] and boxes["last"], f"{needle!r} is not in the transcript"
        first, last = boxes["first"], boxes["last"]
        page.mouse.move(first["x"] + 1, first["y"] + first["height"] / 2)
        page.mouse.down()
        page.mouse.move((first["x"] + last["x"]) / 2, (first["y"] + last["y"]) / 2 + last["height"] / 2, steps=5)
        page.mouse.move(last["x"] + last["width"] - 1, last["y"] + last["height"] / 2, steps=5)
        page.mouse.up()

    def selection_text(self, page) -> str:
        return page.evaluate("() => window.getSelection().toString()")

    def mark_page(self, page) -> None:
        """Put a marker on the window that a page load would wipe out."""
        page.evaluate("() => { window.__peerframeMarker = 'still-here'; }")

    def page_was_not_reloaded(self, page) -> bool:
        return page.evaluate("() => window.__peerframeMarker") == "still-here"


@pytest.fixture(scope="session")
def ui() -> Ui:
    return Ui()


# --- accessibility ---------------------------------------------------------------------------------

AXE_JS = REPO / "tests" / "browser" / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_no_axe_violations(page, where: str = "") -> None:
    """Run axe-core's WCAG 2.2 AA rules on the page; fail with one line per violation and element."""
    assert AXE_JS.exists(), f"axe-core is missing at {AXE_JS}: run scripts/test.sh once (it installs it with npm)"
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                               ".then((r) => r.violations)", AXE_TAGS)
    lines = [f"{v['id']} ({v['impact']}) at {' '.join(map(str, node['target']))}: {v['help']}"
             for v in violations for node in v["nodes"]]
    if lines:
        raise AssertionError(f"axe-core found {len(lines)} problem(s) on {where or page.url}:\n" + "\n".join(lines))


@pytest.fixture
def axe_page(browser):
    """`axe_page(base_url, viewport={...})`: a page whose context lets axe-core's inline script past the
    Content-Security-Policy (for the accessibility checks only); page errors and dialogs still fail the test."""
    with _people(browser, allow_console_errors=True, bypass_csp=True) as open_page:
        yield open_page
