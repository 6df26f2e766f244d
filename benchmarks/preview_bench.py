"""How long ``essaybook preview`` takes from a save to what the writer sees, measured in the browser.

For each essay the real command serves a copy; headless Chromium (Debian's, through Playwright) has the page
open. Each round appends a sentence with a fresh word to the essay on disk and clocks, from just before the
write: the word in the e-book's frame ("save -> e-book"), then the new handout's first page drawn in the page
("save -> handout"), and the e-book of a second save made while the first one's handout is still being laid
out ("2nd save -> e-book"). The server's own figures (change seen -> rendering ready) are shown beside them. The first
build (imports, fonts) is not counted.

Essays: the project's essay, and a 28,500-word essay made of its body repeated 22 times (each copy under its own
heading). Run: ``.venv/bin/python benchmarks/preview_bench.py [--rounds N] [--screenshot docs/preview.png]``.
"""

from __future__ import annotations

import argparse
import json
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ESSAY = ROOT / "content" / "chinas-costly-inaction"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
COPIES = 22  # 22 x 1,306 words of body: about 28,700 words

BOOK_TEXT = """() => {
    const f = [...document.querySelectorAll('#frames iframe')].find(f => !f.classList.contains('incoming'));
    return f && f.contentDocument && f.contentDocument.body ? f.contentDocument.body.textContent : '';
}"""
SHEET_SRC = """() => { const img = document.querySelector('#sheet-1 img');
                     return img && img.complete && img.naturalWidth > 0 ? img.getAttribute('src') : ''; }"""


def long_essay(folder: Path) -> None:
    """The essay's body ``COPIES`` times, each copy under a heading, with the essay's own front matter."""
    text = (folder / "essay.md").read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    parts = [f"## Part {n}\n\n{body.strip()}\n" for n in range(1, COPIES + 1)]
    (folder / "essay.md").write_text(f"---{front}---\n\n" + "\n".join(parts), encoding="utf-8")


def words(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").split("---", 2)[2].split())


def until(check, timeout: float = 300.0, step: float = 0.01):
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(step)
    return value


def state(url: str) -> dict:
    with urllib.request.urlopen(url + "state", timeout=10) as r:
        return json.loads(r.read())


def measure(browser, folder: Path, rounds: int, screenshot: Path | None = None) -> dict[str, list[float]]:
    proc = subprocess.Popen([sys.executable, "-m", "essaybook", "preview", str(folder), "--port", "0", "--no-open"],
                            cwd=folder.parent.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    if not selector.select(60):
        raise SystemExit("the preview printed no URL")
    url = proc.stdout.readline().strip()
    figures: dict[str, list[float]] = {"ebook": [], "handout": [], "server ebook": [], "server handout": [],
                                       "during layout": []}
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        until(lambda: page.evaluate(SHEET_SRC))  # the first build, not counted
        if screenshot is not None:  # the e-book scrolled to where handout page 2 begins
            until(lambda: page.evaluate("document.querySelectorAll('#gutter .mark').length"))
            page.evaluate("""() => { const f = document.querySelector('#frames iframe');
                const m = f.contentDocument.getElementById('page-2');
                f.contentWindow.scrollTo(0, f.contentWindow.scrollY + m.getBoundingClientRect().top
                                         - f.clientHeight * 0.45); }""")
            until(lambda: page.evaluate("[...document.querySelectorAll('#gutter .mark')]"
                                        ".some(m => m.textContent == 'p. 2')"))
            page.screenshot(path=screenshot)
        essay = folder / "essay.md"
        original = essay.read_text(encoding="utf-8")
        for n in range(rounds):
            word = f"benchword{n}x{int(time.time() * 1000) % 100000}"
            before = page.evaluate(SHEET_SRC)
            start = time.perf_counter()
            essay.write_text(original.rstrip() + f"\n\nA sentence saved while previewing, with {word}.\n",
                             encoding="utf-8")
            until(lambda word=word: word in page.evaluate(BOOK_TEXT))
            figures["ebook"].append(time.perf_counter() - start)
            until(lambda before=before: (src := page.evaluate(SHEET_SRC)) and src != before)
            figures["handout"].append(time.perf_counter() - start)
            timings = state(url)["timings"]
            figures["server ebook"].append(timings["ebook"])
            figures["server handout"].append(timings["handout"])
        # A second save while the first one's handout is still being laid out: its e-book must not wait.
        for n in range(max(1, rounds // 2)):
            first, second = f"firstword{n}", f"secondword{n}"
            essay.write_text(original.rstrip() + f"\n\nSaved once, {first}.\n", encoding="utf-8")
            until(lambda first=first: first in page.evaluate(BOOK_TEXT))
            until(lambda: state(url)["status"] == "layout")
            start = time.perf_counter()
            essay.write_text(original.rstrip() + f"\n\nSaved twice, {second}.\n", encoding="utf-8")
            until(lambda second=second: second in page.evaluate(BOOK_TEXT))
            figures["during layout"].append(time.perf_counter() - start)
            until(lambda: state(url)["status"] == "ready")
        page.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--screenshot", type=Path, help="also save the page at 1280x800 here (the README's)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="essaybook-preview-bench-"))
    try:
        essays = {}
        for name, make_long in (("the essay", False), ("28,500 words", True)):
            folder = work / name.replace(" ", "-").replace(",", "") / "content" / "essay"
            shutil.copytree(ESSAY, folder)
            if make_long:
                long_essay(folder)
            essays[name] = folder
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            print(f"{'essay':<14} {'words':>6}  {'save -> e-book':>16}  {'save -> handout':>16}  "
                  f"{'server: e-book':>15}  {'server: handout':>16}  {'2nd save -> e-book':>19}   "
                  f"(medians, seconds)")
            for name, folder in essays.items():
                shot = args.screenshot if name == "the essay" else None
                f = measure(browser, folder, args.rounds if name == "the essay" else max(2, args.rounds // 2),
                            shot)
                med = {k: statistics.median(v) for k, v in f.items()}
                print(f"{name:<14} {words(folder / 'essay.md'):>6}  {med['ebook']:>16.2f}  {med['handout']:>16.2f}  "
                      f"{med['server ebook']:>15.2f}  {med['server handout']:>16.2f}  {med['during layout']:>19.2f}",
                      flush=True)
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
