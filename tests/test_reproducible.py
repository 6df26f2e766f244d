"""Same sources, same bytes: whatever folder the essay sits in and whenever it is built."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from conftest import ESSAY, build


def build_copy(where: Path) -> dict[str, bytes]:
    folder = where / "content" / "chinas-costly-inaction"
    shutil.copytree(ESSAY.parent, folder)  # copy2: modification times travel with the files
    out = where / "build"
    assert build(["build", str(folder), "--out-dir", str(out), "-q"]) == 0
    return {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.mark.parametrize("epoch", ["1700000000", None], ids=["SOURCE_DATE_EPOCH", "dates-from-inputs"])
def test_two_builds_in_two_folders_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      epoch: str | None) -> None:
    if epoch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    else:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = build_copy(tmp_path / "one")
    time.sleep(2.1)
    second = build_copy(tmp_path / "elsewhere" / "two")
    assert sorted(first) == ["chinas-costly-inaction.epub", "chinas-costly-inaction.pdf"]
    for name in first:
        assert first[name] == second[name], f"{name} differs between the two builds"
    assert b"/tmp" not in first["chinas-costly-inaction.pdf"], "an absolute path leaked into the PDF"
