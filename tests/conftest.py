"""Shared fixtures: real builds through the real CLI, made once per session and checked by many tests."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from essaybook import run

ROOT = Path(__file__).resolve().parents[1]
ESSAY = ROOT / "content" / "chinas-costly-inaction" / "essay.md"
SEED = ROOT.parent / "shared" / "seed" / "chinas-costly-inaction.txt"
CORPUS = ROOT.parent / "shared" / "corpus"
TEST_ESSAYS = ROOT / "tests" / "essays"


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
