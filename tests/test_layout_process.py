"""A lone essay's handout is laid out in a second process that loaded WeasyPrint while the first parsed: the
books are the same bytes as when everything runs in one process, errors come back as the person's one line,
and no process is left behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from essaybook import layout_process, run
from essaybook.errors import SourceError

from conftest import ESSAY, ROOT

pytestmark = pytest.mark.skipif(not layout_process.available(), reason="needs Linux and two cores")


def _fails(message: str) -> None:
    raise SourceError(message, path="essay.md", line=3)


def _fails_twice() -> None:
    from essaybook.errors import SourceProblems
    from essaybook.rules import Diagnostic

    raise SourceProblems([Diagnostic("link-broken", "no such place", Path("essay.md"), 9),
                          Diagnostic("alt-missing", "no alt", Path("essay.md"), 4)])


def _pid() -> int:
    return os.getpid()


def test_the_call_runs_in_another_process_and_its_error_comes_back_whole() -> None:
    process = layout_process.WarmProcess(lambda: None)
    process.send(_pid)
    assert process.receive() != os.getpid()
    process = layout_process.WarmProcess(lambda: None)
    process.send(_fails, "the figure is missing")
    with pytest.raises(SourceError) as caught:
        process.receive()
    assert str(caught.value) == "essay.md:3: the figure is missing"
    process = layout_process.WarmProcess(lambda: None)
    process.send(_fails_twice)
    with pytest.raises(SourceError) as caught:  # several problems at once come back as several lines
        process.receive()
    assert str(caught.value) == "essay.md:4: no alt\nessay.md:9: no such place"


def test_an_unused_process_is_stopped() -> None:
    process = layout_process.WarmProcess(lambda: None)
    process.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(process.pid, os.WNOHANG)  # reaped: no such child any more


def test_books_are_the_same_bytes_as_from_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "essay"
    shutil.copytree(ESSAY.parent, folder)
    source = str(folder / "essay.md")
    assert run(["build", source, "--out-dir", str(tmp_path / "two"), "-q", "--force"]) == 0
    assert run(["build", source, "--out-dir", str(tmp_path / "one"), "-q", "--force", "--jobs", "1"]) == 0
    assert run(["epub", source, "-o", str(tmp_path / "alone.epub"), "-q", "--force"]) == 0  # page list remembered
    shutil.rmtree(tmp_path / "cache")
    assert run(["epub", source, "-o", str(tmp_path / "cold.epub"), "-q", "--force"]) == 0  # laid out for it
    for name in ("essay.epub", "essay.pdf"):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name
    for name in ("alone.epub", "cold.epub"):
        assert (tmp_path / name).read_bytes() == (tmp_path / "one" / "essay.epub").read_bytes(), name


def test_no_process_outlives_the_command(tmp_path: Path) -> None:
    """The layout process ends with the build: the command's output pipe closes when the last holder exits."""
    folder = tmp_path / "essay"
    shutil.copytree(ESSAY.parent, folder)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    essaybook = [sys.executable, "-m", "essaybook"]
    proc = subprocess.run([*essaybook, "pdf", str(folder / "essay.md"), "-o", str(tmp_path / "a.pdf"), "-q"],
                          cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    broken = folder / "essay.md"
    broken.write_text(broken.read_text(encoding="utf-8") + "\n![](missing.png)\n", encoding="utf-8")
    proc = subprocess.run([*essaybook, "pdf", str(broken), "-o", str(tmp_path / "b.pdf")], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)
    assert proc.returncode == 1 and b"missing.png" in proc.stderr and b"Traceback" not in proc.stderr
    assert not (tmp_path / "b.pdf").exists()


def test_without_a_process_to_fork_the_build_lays_out_itself(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(os, "fork", refuse)
    folder = tmp_path / "essay"
    shutil.copytree(ESSAY.parent, folder)
    assert run(["pdf", str(folder / "essay.md"), "-o", str(tmp_path / "a.pdf"), "-q"]) == 0
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
