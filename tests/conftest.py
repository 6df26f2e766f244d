"""Shared fixtures: real builds through the real CLI, made once per session and checked by many tests."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import pytest

from essaybook import run

# Build stamps (the skip-unchanged cache) go to a folder of the test run's own, never the user's.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="essaybook-test-cache-")

ROOT = Path(__file__).resolve().parents[1]
ESSAY = ROOT / "content" / "chinas-costly-inaction" / "essay.md"
# The web capture the essay was converted from, kept beside the tests so they need nothing outside the clone.
SEED = ROOT / "tests" / "fixtures" / "seed" / "chinas-costly-inaction.txt"
TEST_ESSAYS = ROOT / "tests" / "essays"


def _find_corpus() -> Path:
    """The shared corpus (pandoc's test suite, the CommonMark spec, pandoc's manual): ``../shared/corpus``
    beside the clone, or wherever ESSAYBOOK_CORPUS points."""
    if os.environ.get("ESSAYBOOK_CORPUS"):
        return Path(os.environ["ESSAYBOOK_CORPUS"])
    for parent in ROOT.parents:
        if (parent / "shared" / "corpus").is_dir():
            return parent / "shared" / "corpus"
    return ROOT.parent / "shared" / "corpus"


CORPUS = _find_corpus()


def need_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}; set ESSAYBOOK_CORPUS to its folder")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden from current output")


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def build(args: list[str]) -> int:
    """Run the CLI in-process, from the repository root."""
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        return run(args)
    finally:
        os.chdir(old)


@pytest.fixture(scope="session")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("out")


@pytest.fixture(scope="session")
def essay_epub(out_dir: Path) -> Path:
    path = out_dir / "essay.epub"
    assert build(["epub", str(ESSAY), "-o", str(path), "-q"]) == 0
    return path


@pytest.fixture(scope="session")
def essay_pdfs(out_dir: Path) -> dict[str, Path]:
    pdfs = {}
    for paper in ("a4", "letter", "a5"):
        path = out_dir / f"essay-{paper}.pdf"
        assert build(["pdf", str(ESSAY), "-o", str(path), "--paper", paper, "-q"]) == 0
        pdfs[paper] = path
    return pdfs


def epub_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


SOURCES = {
    "essay": ESSAY,
    "testsuite": CORPUS / "pandoc-testsuite" / "testsuite.md",
    "footnotes-and-tables": TEST_ESSAYS / "footnotes-and-tables",
    "figures-and-names": TEST_ESSAYS / "figures-and-names",
    "korean-essay": TEST_ESSAYS / "korean-essay",
    "hostile-html": TEST_ESSAYS / "hostile-html",
    "course-pack": TEST_ESSAYS.parent / "course" / "packs" / "week-3.yml",  # three essays as one book
}
# One essay per script (tests/test_scripts.py), validated in the same EPUBCheck JVM as the others.
SCRIPT_ESSAYS = ["arabic-essay", "hebrew-essay", "hindi-essay", "greek-essay", "greek-polytonic-essay",
                 "russian-essay", "vietnamese-essay", "vietnamese-nfd-essay", "japanese-essay",
                 "chinese-simplified-essay", "chinese-traditional-essay", "emoji-essay"]
SOURCES.update({name: TEST_ESSAYS / name for name in SCRIPT_ESSAYS})
# One realistic post per tool, as the tool writes it (issue 12): front matter and Markdown of each ecosystem.
POSTS = {
    "post-jekyll": TEST_ESSAYS / "post-jekyll" / "2023-04-05-salt-roads.md",
    "post-hugo": TEST_ESSAYS / "post-hugo",  # a page bundle: index.md, TOML front matter
    "post-eleventy": TEST_ESSAYS / "post-eleventy",
    "post-wordpress": TEST_ESSAYS / "post-wordpress",
    "post-ghost": TEST_ESSAYS / "post-ghost",
    "post-obsidian": TEST_ESSAYS / "post-obsidian",
    "post-pandoc": TEST_ESSAYS / "post-pandoc",
}
SOURCES.update(POSTS)
# Ace costs 3-10 s a book: the script essays differ in language and direction, not structure, so Ace reads
# one of each direction and the scripts with most to go wrong (all twelve passed when this was written).
ACE_BOOKS = ["essay", "testsuite", "footnotes-and-tables", "figures-and-names", "korean-essay", "hostile-html",
             "arabic-essay", "hebrew-essay", "hindi-essay", "greek-polytonic-essay", "emoji-essay",
             "chinese-traditional-essay", "course-pack", *POSTS]


@pytest.fixture(scope="session")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Each source built as EPUB and PDF (A4) by `essaybook build`, so the EPUB's page list is the PDF's (shared
    by test_books.py and test_scripts.py, so each is built once per session)."""
    out = tmp_path_factory.mktemp("books")
    built = {}
    for name, source in SOURCES.items():
        if not source.exists():
            continue  # pandoc's test suite lives in the shared corpus: see test_corpus_is_there
        folder = out / name
        assert build(["build", str(source), "--out-dir", str(folder), "-q"]) == 0
        built[name] = {"epub": next(folder.glob("*.epub")), "pdf": next(folder.glob("*.pdf"))}
    return built


def cross_reference_essay(folder: Path) -> Path:
    """An essay of several A5 pages whose links cite sections both ahead of them and behind them, the case
    that makes WeasyPrint lay pages out again once it knows their numbers."""
    filler = ("The gauge is read at nine each morning, the tube emptied into the measuring cylinder, and the "
              "figure written in the book before anything else is done. ") * 6
    parts = ["---\ntitle: Cross references\nauthor: Test Writer\ndate: 2026-01-05\nlang: en\n---\n",
             "See [the last section](#last-things) before you start.\n"]
    for n in range(1, 7):
        parts.append(f"## Part {n}\n\n{filler}\n\n{filler}\n")
        if n == 3:
            parts.append("The method is [given first](#part-1), and the [summary](#last-things) follows.\n")
    parts.append(f"## Last things\n\n{filler}\n\nBack to [the third part](#part-3) and [the start](#part-1).\n")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "essay.md").write_text("\n".join(parts), encoding="utf-8")
    return folder / "essay.md"
