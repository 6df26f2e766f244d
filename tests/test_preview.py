"""``essaybook preview`` as a writer uses it: the real command in its own process, the real page in Debian's
Chromium (driven by Playwright, which downloads no browser of its own), the essay edited on disk.

One server and one browser page for the module; the tests run in order, as a session would: look, edit, break
the front matter, fix it, then Ctrl-C. Nothing waits a fixed time: every wait polls for what should appear.
"""

from __future__ import annotations

import http.client
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import ESSAY

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TITLE = "China’s Costly Inaction"
SHIPPED_STYLES = Path(__file__).resolve().parents[1] / "src" / "essaybook" / "styles"
WAIT = 30.0  # seconds: the most any change may take to show (the handout of a 4-page essay takes ~2 s)

playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)


class Preview:
    def __init__(self, proc: subprocess.Popen, url: str, essay: Path) -> None:
        self.proc, self.url, self.essay = proc, url, essay
        self.port = int(url.rsplit(":", 1)[1].strip("/"))
        self.original = essay.read_text(encoding="utf-8")

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        """A raw request: http.client sends the path exactly as written (no normalising of ``..``)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def state(self) -> dict:
        import json

        status, _, body = self.get("/state")
        assert status == 200
        return json.loads(body)

    def save(self, text: str) -> None:
        self.essay.write_text(text, encoding="utf-8")


def _read_url(proc: subprocess.Popen, timeout: float) -> str:
    """The first line the command prints on stdout is its URL."""
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    if not selector.select(timeout):
        proc.kill()
        raise AssertionError(f"no URL within {timeout} s: {proc.stderr.read()}")
    line = proc.stdout.readline().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", line), line
    return line


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    root = tmp_path_factory.mktemp("preview")
    folder = root / "content" / "essay"
    shutil.copytree(ESSAY.parent, folder)
    # The writer's own stylesheets beside content/, as the shipped ones (so the book builds the same).
    (root / "styles").mkdir()
    for name in ("base.css", "epub.css", "print.css"):
        (root / "styles" / name).write_bytes((SHIPPED_STYLES / name).read_bytes())
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "essaybook", "preview", str(folder), "--port", "0", "--no-open"],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield Preview(proc, _read_url(proc, WAIT), folder / "essay.md")
    finally:
        if proc.poll() is None:  # stopped as a writer stops it, so it removes its temporary folder
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        proc.communicate(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser, preview: Preview):
    """The page as a writer has it open, at a laptop's size; it stays open (and listening) for the module."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(preview.url)
    page.errors = errors
    yield page
    page.close()


def until(check: Callable[[], object], what: str, timeout: float = WAIT):
    """Poll ``check`` until it returns something true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.05)


def book_text(page) -> str:
    """The text of the e-book on screen (read by the page's own origin: the frame runs no script itself)."""
    return page.evaluate("""() => {
        const f = [...document.querySelectorAll('#frames iframe')].find(f => !f.classList.contains('incoming'));
        return f && f.contentDocument && f.contentDocument.body ? f.contentDocument.body.textContent : '';
    }""")


def first_sheet_loaded(page) -> bool:
    return page.evaluate("""() => { const img = document.querySelector('#sheet-1 img');
                                   return !!img && img.complete && img.naturalWidth > 0; }""")


# --- the page ------------------------------------------------------------------------------------------------


def test_shows_the_title_and_the_first_handout_page(page, preview: Preview) -> None:
    until(lambda: TITLE in book_text(page), "the essay's title in the e-book")
    until(lambda: first_sheet_loaded(page), "the first handout page drawn")
    assert page.title() == f"{TITLE} — essaybook preview"
    assert page.inner_text("#title") == TITLE
    state = preview.state()
    assert len(state["handout"]["pages"]) >= 2
    # The page list: page 1 starts the essay, and each handout page has its marker in the e-book.
    until(lambda: page.locator("#gutter .mark").count() >= 1, "a handout page number beside the e-book")
    assert state["book"]["markers"] == list(range(1, len(state["handout"]["pages"]) + 1))
    status, headers, png = preview.get(state["handout"]["pages"][0]["url"])
    assert status == 200 and png.startswith(b"\x89PNG") and headers["content-type"] == "image/png"
    assert not page.errors, page.errors


def test_page_numbers_lead_from_the_ebook_to_the_handout_and_back(page, preview: Preview) -> None:
    """Beside the e-book, "p. 2" sits level with where handout page 2 begins; clicking it shows that sheet, and
    clicking a sheet scrolls the e-book to where that page begins."""
    page.evaluate("""() => { const f = document.querySelector('#frames iframe:not(.incoming)');
        const m = f.contentDocument.getElementById('page-2');
        f.contentWindow.scrollTo(0, f.contentWindow.scrollY + m.getBoundingClientRect().top - f.clientHeight / 2); }""")
    mark = page.locator("#gutter .mark", has_text="p. 2")
    until(lambda: mark.count() == 1, "p. 2 beside the e-book")
    level = page.evaluate("""() => { const f = document.querySelector('#frames iframe:not(.incoming)');
        const m = f.contentDocument.getElementById('page-2').getBoundingClientRect();
        const g = document.querySelector('#gutter .mark[data-page="2"]').getBoundingClientRect();
        return Math.abs(f.getBoundingClientRect().top + m.top + m.height / 2 - (g.top + g.height / 2)); }""")
    assert level < 3, level
    mark.click()
    until(lambda: abs(page.evaluate("""() => document.querySelector('#sheet-2').getBoundingClientRect().top
        - document.querySelector('#sheets').getBoundingClientRect().top""")) < 20, "sheet 2 at the top of the pane")
    page.click("#sheet-1 img")
    until(lambda: 0 <= page.evaluate("""() => document.querySelector('#frames iframe:not(.incoming)')
        .contentDocument.getElementById('page-1').getBoundingClientRect().top""") < 60, "the e-book at page 1")


def test_an_edit_on_disk_shows_in_the_page(page, preview: Preview) -> None:
    before = preview.state()["handout"]["id"]
    preview.save(preview.original.rstrip() + "\n\nA sentence added while previewing, with zephyrquill in it.\n")
    until(lambda: "zephyrquill" in book_text(page), "the new sentence in the e-book")
    # The handout follows when its layout is done: new page images, and the status says it is up to date.
    until(lambda: preview.state()["handout"]["id"] > before, "a new handout")
    until(lambda: page.evaluate("document.querySelector('#sheet-1 img').src").endswith(
        preview.state()["handout"]["pages"][0]["url"]), "the new handout's pages in the page")
    until(lambda: page.inner_text("#status-text") == "Up to date", "the status back to up to date")


def test_a_broken_front_matter_shows_its_error_over_the_last_good_rendering(page, preview: Preview) -> None:
    broken = preview.original.replace("title: China’s Costly Inaction", "title: [China’s Costly Inaction", 1)
    assert broken != preview.original
    preview.save(broken)
    until(lambda: page.is_visible("#error"), "the error shown")
    message = page.inner_text("#error")
    assert re.search(r"content/essay/essay\.md:\d+", message) and "not valid YAML" in message, message
    # The last good rendering stays beneath it, and the server keeps serving.
    assert "zephyrquill" in book_text(page)
    assert preview.proc.poll() is None
    state = preview.state()
    assert state["error"]["stage"] == "source" and state["book"] is not None
    assert any(p["rule"] == "source-unreadable" for p in state["problems"])


def test_a_missing_image_is_shown_at_its_line(page, preview: Preview) -> None:
    preview.save(preview.original.replace("images/border-map.svg", "images/lost-map.svg", 1))
    until(lambda: "lost-map.svg" in page.inner_text("#error") if page.is_visible("#error") else False,
          "the missing image named in the error")
    line = next(n for n, text in enumerate(preview.original.splitlines(), 1) if "border-map.svg" in text)
    assert f"content/essay/essay.md:{line}" in page.inner_text("#error")
    assert any(p["rule"] == "image-unusable" and p["line"] == line for p in preview.state()["error"]["problems"])
    assert preview.proc.poll() is None


def test_the_fix_brings_the_page_back(page, preview: Preview) -> None:
    preview.save(preview.original.rstrip() + "\n\nThe fixed essay, now with quillmarrow.\n")
    until(lambda: not page.is_visible("#error"), "the error gone")
    until(lambda: "quillmarrow" in book_text(page), "the fixed essay's text")
    assert "zephyrquill" not in book_text(page)


def test_the_problems_list_links_each_finding_to_its_line(page, preview: Preview) -> None:
    preview.save(preview.original.rstrip() + "\n\nA sentence that says the the same word twice.\n")
    link = page.locator("#problem-list li.warning a.where", has_text="essay.md:")
    until(lambda: link.count() >= 1, "the doubled word in the problems list")
    assert re.fullmatch(r"vscode://file/.+/essay\.md:\d+:\d+", link.first.get_attribute("href"))
    assert "doubled-word" in page.inner_text("#problem-list")
    preview.save(preview.original)


def test_a_change_to_the_writers_stylesheet_restyles_the_ebook(page, preview: Preview) -> None:
    sheet = preview.essay.parents[2] / "styles" / "epub.css"
    original = sheet.read_text(encoding="utf-8")
    sheet.write_text(original + "\nh1 { letter-spacing: 0.25em; }\n", encoding="utf-8")
    spacing = """() => {
        const f = [...document.querySelectorAll('#frames iframe')].find(f => !f.classList.contains('incoming'));
        const h1 = f && f.contentDocument && f.contentDocument.querySelector('h1');
        return h1 ? f.contentWindow.getComputedStyle(h1).letterSpacing : ''; }"""
    try:
        until(lambda: page.evaluate(spacing) not in ("", "normal", "0px"), "the title letter-spaced")
    finally:
        sheet.write_text(original, encoding="utf-8")
    until(lambda: page.evaluate(spacing) in ("normal", "0px"), "the title as before")


# --- safety ------------------------------------------------------------------------------------------------


def test_path_traversal_gets_404(preview: Preview) -> None:
    book = until(lambda: preview.state()["book"], "a book")["id"]
    handout = until(lambda: preview.state()["handout"], "a handout")["id"]
    assert preview.get(f"/book/{book}/style.css")[0] == 200  # the route itself works
    assert preview.get(f"/book/{book}/images/border-map.svg")[0] == 200
    attempts = [
        "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
        "/assets/../../../../etc/passwd", "/assets/..%2f..%2f..%2fpyproject.toml", "/assets/%2e%2e%2fpreview.py",
        f"/book/{book}/../../../../etc/passwd", f"/book/{book}/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"/book/{book}/..%2f..%2f..%2fetc%2fpasswd", f"/book/{book}/%252e%252e%252fessay.md",
        f"/book/{book}//etc/passwd", f"/book/{book}/../essay.md", f"/book/{book}/images/../../essay.md",
        f"/book/{book}/META-INF/container.xml", f"/handout/{handout}/..%2f1.png", f"/handout/{handout}/0.png",
        "/download/..%2f..%2fessay.md", "/download/essay.md", "/etc/passwd", "/essay.md", "/content/essay/essay.md",
    ]
    for path in attempts:
        status, _, body = preview.get(path)
        assert status == 404, path
        assert b"root:" not in body and b"title:" not in body, path


def test_only_loopback_is_listened_on_and_asked_for(preview: Preview) -> None:
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) == preview.port:
                listening.append(address)
    assert listening == ["0100007F"]  # 127.0.0.1, and nothing else (no 0.0.0.0, no IPv6)
    # A page elsewhere that rebinds its own name to 127.0.0.1 still sends its own Host: refused.
    assert preview.get("/state", headers={"Host": "attacker.example"})[0] == 400
    assert preview.get("/state", headers={"Host": f"localhost:{preview.port}"})[0] == 200


def test_the_ebook_runs_no_script(page, preview: Preview) -> None:
    book = preview.state()["book"]
    _, headers, _ = preview.get(book["url"])
    csp = headers["content-security-policy"]
    assert "script-src 'none'" in csp and "default-src 'none'" in csp
    _, headers, _ = preview.get("/")
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    sandbox = page.evaluate("document.querySelector('#frames iframe').getAttribute('sandbox')")
    assert sandbox == "allow-same-origin"  # no allow-scripts: the frame's scripting is off


def test_loopback_is_the_default_and_anything_else_is_named() -> None:
    from essaybook.preview import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("::")


def test_a_port_in_use_is_one_clear_error() -> None:
    from essaybook.errors import EssaybookError
    from essaybook.preview import bind

    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        with pytest.raises(EssaybookError, match=rf"cannot listen on 127\.0\.0\.1:{port} .*--port"):
            bind("127.0.0.1", port)
    finally:
        taken.close()


def test_several_essays_ask_for_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from essaybook.errors import EssaybookError
    from essaybook.preview.pipeline import resolve

    for slug in ("one", "two"):
        (tmp_path / "content" / slug).mkdir(parents=True)
        (tmp_path / "content" / slug / "essay.md").write_text("---\ntitle: T\n---\n\nText.\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(EssaybookError, match=r"2 essays under content/; preview one, e\.g\. essaybook preview "
                                             r"content/one"):
        resolve(None)
    assert resolve(Path("content/two")).name == "essay.md"


# --- how it looks -----------------------------------------------------------------------------------------------


def test_screenshots_at_laptop_and_phone_width(browser, page, preview: Preview, tmp_path: Path) -> None:
    """The two pictures to look at (kept in the test's temporary folder); the checks are what a glance would
    catch: the panes side by side on a laptop, one view at a time and nothing wider than a phone."""
    until(lambda: first_sheet_loaded(page), "the first handout page drawn")
    page.screenshot(path=tmp_path / "preview-1280x800.png")
    book = page.locator(".pane.book").bounding_box()
    handout = page.locator(".pane.handout").bounding_box()
    assert book["x"] + book["width"] <= handout["x"] + 1 and handout["width"] >= 300
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        phone.goto(preview.url)
        until(lambda: TITLE in book_text(phone), "the e-book on a phone")
        phone.screenshot(path=tmp_path / "preview-390x844.png")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert phone.is_visible(".tabs") and not phone.is_visible(".pane.handout")
        phone.click(".tabs [data-show=handout]")
        until(lambda: first_sheet_loaded(phone), "the handout on a phone")
        sheet = phone.locator("#sheet-1 img").bounding_box()
        assert sheet["width"] <= 390
    finally:
        phone.close()


# --- stopping ------------------------------------------------------------------------------------------------


def test_ctrl_c_stops_cleanly_while_a_browser_listens(page, preview: Preview) -> None:
    assert page.evaluate("document.querySelector('#status').dataset.state") != "offline"
    preview.proc.send_signal(signal.SIGINT)
    try:
        preview.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("the preview did not stop within 15 s of Ctrl-C")
    _, err = preview.proc.communicate(timeout=5)
    assert preview.proc.returncode == 0, err
    assert "Traceback" not in err and "preview stopped" in err, err
    until(lambda: page.evaluate("document.querySelector('#status').dataset.state") == "offline",
          "the page saying the server is gone")
