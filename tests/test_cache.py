"""A build whose inputs are unchanged reuses its outputs, and says so; any change, or --force, rebuilds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from essaybook import run

from conftest import ESSAY


@pytest.fixture
def essay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "content" / "essay"
    shutil.copytree(ESSAY.parent, folder)
    return folder


def build(essay: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[str]:
    assert run(["build", str(essay), "--out-dir", str(essay.parent.parent / "build"), *extra]) == 0
    return capsys.readouterr().out.splitlines()


def test_unchanged_inputs_reuse_outputs(essay: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = build(essay, capsys)
    assert len(first) == 2 and not any(line.endswith(", unchanged)") for line in first)
    outputs = sorted((essay.parent.parent / "build").iterdir())
    before = {p: p.stat().st_mtime_ns for p in outputs}
    again = build(essay, capsys)
    assert all(line.endswith(", unchanged)") for line in again)
    assert {p: p.stat().st_mtime_ns for p in outputs} == before
    assert sorted(p.name for p in outputs) == ["essay.epub", "essay.pdf"], "no stamp files beside the outputs"


@pytest.mark.parametrize("change", ["source", "image", "option", "output", "force"])
def test_any_change_rebuilds(essay: Path, capsys: pytest.CaptureFixture[str], change: str) -> None:
    build(essay, capsys)
    extra: list[str] = []
    if change == "source":
        path = essay / "essay.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    elif change == "image":
        svg = essay / "images" / "border-map.svg"
        svg.write_text(svg.read_text(encoding="utf-8").replace("</svg>", "<!-- edited --></svg>"), encoding="utf-8")
    elif change == "option":
        extra = ["--paper", "a5"]
    elif change == "output":
        (essay.parent.parent / "build" / "essay.pdf").write_bytes(b"%PDF-1.7 edited by hand")
    else:
        extra = ["--force"]
    lines = build(essay, capsys, *extra)
    assert any(not line.endswith(", unchanged)") for line in lines), lines
