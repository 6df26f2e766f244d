"""Bad input and a bad environment (issue 4): every failure is one line and exit status 1, a killed build
leaves the previous outputs as they were, and pathological essays finish or fail within measured bounds."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from essaybook import run
from hostile_tools import (
    ESSAYBOOK,
    Measured,
    book_files,
    book_text,
    cli,
    kill_child,
    measured_cli,
    one_error,
    png,
    write_essay,
)

from conftest import ROOT

# --- helpers: a tmpfs of our own, and a child process without root's power to ignore permissions ------------


@contextlib.contextmanager
def tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A small tmpfs mounted on ``folder`` (root only; skips where mounting is not allowed)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 24, 1, 2


def _drop_dac_capabilities() -> None:
    """In the child, before exec: root without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH obeys file permissions."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def as_ordinary_user(args: list[str], probe: Path, mode: str = "rb") -> Measured:
    """Run the CLI in a child that obeys file permissions even when the tests run as root (it drops root's
    capability to override them); skips unless opening ``probe`` with ``mode`` is indeed refused there."""
    preexec = _drop_dac_capabilities if os.geteuid() == 0 else None
    check = subprocess.run([sys.executable, "-c", f"open({str(probe)!r}, {mode!r})"], preexec_fn=preexec,
                           capture_output=True, text=True, check=False)
    if "PermissionError" not in check.stderr:
        pytest.skip("permissions cannot be made to bite here (root without a way to drop CAP_DAC_OVERRIDE)")
    return measured_cli(args, timeout=60, preexec=preexec)


def one_line(result: Measured) -> str:
    assert result.code == 1, (result.code, result.err)
    assert "Traceback" not in result.err and result.out == "", result.err
    assert len(result.lines) == 1 and result.lines[0].startswith("error: "), result.err
    return result.lines[0]


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".essaybook-tmp"))


# --- 2. unreadable, damaged and odd input ------------------------------------------------------------------

_FINGERPRINT = ("cache.fingerprint (called by build.build_essay before load, outside its try) opens every file "
                "in the essay's folder; PermissionError escapes as 'internal error', exit 2, instead of this message")


def test_unreadable_image(tmp_path: Path) -> None:
    secret = png(tmp_path / "e" / "secret.png")
    path = write_essay(tmp_path / "e", "Text.\n\n![S](secret.png)\n")
    secret.chmod(0)
    result = as_ordinary_user(["epub", str(path), "-o", str(tmp_path / "x.epub"), "--no-page-list"], secret)
    assert one_line(result) == (f"error: {path}:7: image 'secret.png' cannot be read (Permission denied); "
                                "check its permissions")


def test_unreadable_essay(tmp_path: Path) -> None:
    path = write_essay(tmp_path / "e", "Text.\n")
    path.chmod(0)
    result = as_ordinary_user(["epub", str(path), "-o", str(tmp_path / "x.epub"), "--no-page-list"], path)
    assert one_line(result) == f"error: {path}: cannot read the file (Permission denied); check its permissions"


def test_unwritable_output_folder(tmp_path: Path) -> None:
    path = write_essay(tmp_path / "e", "Text.\n")
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    result = as_ordinary_user(["epub", str(path), "-o", str(out / "x.epub"), "--no-page-list"], out / "probe",
                              mode="wb")
    assert one_line(result) == (f"error: {out / 'x.epub'}: cannot write into {out}/ (Permission denied); "
                                "choose a writable folder with -o")
    assert list(out.iterdir()) == []


def _image_bytes(kind: str) -> bytes:
    import io

    image = Image.effect_noise((160, 160), 60).convert("RGB")
    fmt = {"png": "PNG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP"}[kind.split("-")[-1]]
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    data = buffer.getvalue()
    if kind.startswith("crc"):
        broken = bytearray(data)
        broken[100:140] = bytes(40)
        return bytes(broken)
    return data[: len(data) // 2]


@pytest.mark.parametrize(("kind", "expected"), [
    ("truncated-png", "image 'pic.png' is damaged (Truncated File Read); export it again"),
    ("crc-png", "image 'pic.png' is damaged (broken PNG file"),
    ("empty-png", "'pic.png' is not an image e-readers can show (not JPEG, PNG, GIF, WebP or SVG)"),
    pytest.param("truncated-jpg", "image 'pic.jpg' is damaged"),
    pytest.param("truncated-gif", "image 'pic.gif' is damaged"),
    pytest.param("truncated-webp", "image 'pic.webp' is damaged"),
])
def test_damaged_image(kind: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = f"pic.{kind.split('-')[-1]}"
    (tmp_path / name).write_bytes(b"" if kind.startswith("empty") else _image_bytes(kind))
    path = write_essay(tmp_path, f"Text.\n\n![A picture]({name})\n")
    line = one_error(cli(["epub", str(path), "-o", str(tmp_path / "x.epub"), "--no-page-list"], capsys))
    assert line.startswith(f"error: {path}:7: {expected}"), line
    assert not (tmp_path / "x.epub").exists()


def test_read_only_file_system(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_essay(tmp_path / "e", "Text.\n")
    with tmpfs(tmp_path / "ro", "size=64k,ro") as ro:
        line = one_error(cli(["epub", str(path), "-o", str(ro / "x.epub"), "--no-page-list"], capsys))
        assert line == (f"error: {ro / 'x.epub'}: cannot write into {ro}/ (Read-only file system); "
                        "choose a writable folder with -o")


def test_disk_full_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_essay(tmp_path / "e", "Text.\n")
    with tmpfs(tmp_path / "full", "size=4k") as full:
        line = one_error(cli(["pdf", str(path), "-o", str(full / "x.pdf")], capsys))
        assert line == (f"error: {full / 'x.pdf'}: the disk is full while writing x.pdf; free some space and "
                        "build again")
        assert list(full.iterdir()) == []  # neither the output nor its temporary file


def test_disk_full_epub(tmp_path: Path) -> None:
    path = write_essay(tmp_path / "e", "Text.\n")
    with tmpfs(tmp_path / "full", "size=4k") as full:
        result = measured_cli(["epub", str(path), "-o", str(full / "x.epub"), "--no-page-list"], timeout=60)
        assert list(full.iterdir()) == []
        assert one_line(result) == (f"error: {full / 'x.epub'}: the disk is full while writing x.epub; free some "
                                    "space and build again")


def test_output_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_essay(tmp_path / "e", "Text.\n")
    (tmp_path / "out.epub").mkdir()
    line = one_error(cli(["epub", str(path), "-o", str(tmp_path / "out.epub"), "--no-page-list"], capsys))
    assert line == (f"error: {tmp_path / 'out.epub'}: is a folder; name the output file, e.g. "
                    f"-o {tmp_path / 'out.epub' / 'out.epub'}")
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize("where", ["a-file", "proc"])
def test_output_folder_that_is_not_writable_is_named_truly(where: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = write_essay(tmp_path / "e", "Text.\n")
    if where == "a-file":
        (tmp_path / "notes").write_text("a file, not a folder")
        out = tmp_path / "notes" / "x.epub"
    else:
        out = Path("/proc/x.epub")
    line = one_error(cli(["epub", str(path), "-o", str(out), "--no-page-list"], capsys))
    assert "does not exist" not in line, line


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_output_that_is_not_a_regular_file_is_not_replaced(kind: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = write_essay(tmp_path / "e", "Text.\n")
    special = tmp_path / "special.epub"
    if kind == "fifo":
        os.mkfifo(special)
    else:
        try:  # a private copy of /dev/full's node (char 1:7): never the real one
            os.mknod(special, stat.S_IFCHR | 0o600, os.makedev(1, 7))
        except OSError as exc:
            pytest.skip(f"cannot make a device node here ({exc.strerror})")
    before = stat.S_IFMT(special.lstat().st_mode)
    result = cli(["epub", str(path), "-o", str(special), "--no-page-list"], capsys)
    assert stat.S_IFMT(special.lstat().st_mode) == before, f"the {kind} was replaced by a regular file"
    one_error(result)


def test_essay_md_that_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reported, not asserted word for word: 'no essay.md in this folder' is said although essay.md exists
    (as a folder)."""
    (tmp_path / "e" / "essay.md").mkdir(parents=True)
    line = one_error(cli(["epub", str(tmp_path / "e"), "-o", str(tmp_path / "x.epub")], capsys))
    assert line.startswith(f"error: {tmp_path / 'e'}: ") and "essay.md" in line, line


@pytest.mark.parametrize(("content", "expected"), [
    (False, "error: content: no such folder; pass an essay's .md file or its folder"),
    (True, "error: content: no essays found; put one in content/<slug>/essay.md or pass its path"),
])
def test_no_essays_to_build(content: bool, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    if content:
        (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    code = run(["build", "--out-dir", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err.strip()) == (1, "", expected)


def test_control_characters_are_dropped_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "e" / "essay.md"
    path.parent.mkdir()
    path.write_text("---\ntitle: Con\x00trol\n---\n\nFirst\x01 para\x1bgraph.\n\nNUL\x00 and \ufffe\uffff here.\x0b\n",
                    encoding="utf-8")
    result = cli(["epub", str(path), "-o", str(tmp_path / "x.epub"), "--no-page-list"], capsys)
    assert result.code == 0, result.err
    assert result.warnings == [f"warning: {path}:2: removed 7 control character(s) that no book can hold"]
    text = book_text(tmp_path / "x.epub")
    assert "Control" in text and "First paragraph." in text and "NUL and here." in text
    everything = "".join(data.decode("utf-8", "replace") for name, data in book_files(tmp_path / "x.epub").items()
                         if name.endswith((".xhtml", ".opf", ".ncx")))
    assert not any(c in everything for c in "\x00\x01\x1b\x0b\ufffe\uffff")


def test_building_from_inside_the_essay_folder_names_the_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "harbour"
    write_essay(folder, "Text.\n")
    monkeypatch.chdir(folder)
    assert run(["epub", ".", "--no-page-list", "-q"]) == 0
    assert sorted(p.name for p in (folder / "build").iterdir()) == ["harbour.epub"]


# --- 3. a build killed halfway ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_essays(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two essays with one slug: a small one, and a bigger one whose PDF takes a while to write (a large
    photograph-like image: the PDF writer compresses it, so the temporary file exists for about a second)."""
    root = tmp_path_factory.mktemp("killed")
    small = write_essay(root / "small" / "piece", "A short first version.\n", title="Piece")
    big_folder = root / "big" / "piece"
    big_folder.mkdir(parents=True)
    Image.effect_noise((1400, 1400), 90).convert("RGB").save(big_folder / "noise.png")
    big = write_essay(big_folder, ("A longer second version. " * 80 + "\n\n") * 4 + "![Noise](noise.png)\n",
                      title="Piece")
    return small, big


def _start_and_catch_writing(source: Path, out: Path, name: str) -> tuple[subprocess.Popen, Path]:
    """Start ``essaybook build`` in a child and return as soon as its temporary output file appears."""
    # Ctrl-C as a terminal gives it: a suite run as a shell's background job has SIGINT ignored, and an ignored
    # signal stays ignored across exec (Python then never turns it into KeyboardInterrupt).
    proc = subprocess.Popen([*ESSAYBOOK, "build", str(source), "--out-dir", str(out), "--force", "-q"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # The build's own process or its layout process (another pid) writes the PDF.
    deadline = time.monotonic() + 120
    while not (found := list(out.glob(f".{name}.*.essaybook-tmp"))):
        if proc.poll() is not None or time.monotonic() > deadline:
            kill_child(proc)
            pytest.fail(f"the build ended (or took too long) before writing .{name}.*.essaybook-tmp: "
                        f"{proc.stderr.read()!r}")
        time.sleep(0.002)
    return proc, found[0]


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if not p.name.endswith(".essaybook-tmp")}


def test_killed_build_leaves_previous_outputs(two_essays: tuple[Path, Path], tmp_path: Path) -> None:
    small, big = two_essays
    out = tmp_path / "out"
    assert run(["build", str(small), "--out-dir", str(out), "--force", "-q"]) == 0
    before = _outputs(out)
    assert sorted(before) == ["piece.epub", "piece.pdf"]

    proc, tmp = _start_and_catch_writing(big, out, "piece.pdf")
    kill_child(proc)  # SIGKILL while the PDF is being written
    assert proc.returncode == -signal.SIGKILL
    assert tmp.exists(), "a killed build cannot clean up: its temporary file must be left behind"
    assert _outputs(out) == before

    assert run(["build", str(big), "--out-dir", str(out), "--force", "-q"]) == 0
    assert temp_files(out) == []
    after = _outputs(out)
    assert sorted(after) == ["piece.epub", "piece.pdf"] and after["piece.pdf"] != before["piece.pdf"]


def test_interrupted_build_says_so_and_cleans_up(two_essays: tuple[Path, Path], tmp_path: Path) -> None:
    small, big = two_essays
    out = tmp_path / "out"
    assert run(["build", str(small), "--out-dir", str(out), "--force", "-q"]) == 0
    before = _outputs(out)
    # Ctrl-C while the PDF is being written. About one time in ten the child finishes the build as if the
    # signal never came (not understood yet; see the closing note of issue 4): try again, up to five times.
    for _attempt in range(5):
        proc, _tmp = _start_and_catch_writing(big, out, "piece.pdf")
        proc.send_signal(signal.SIGINT)
        _stdout, stderr = proc.communicate(timeout=60)
        if proc.returncode != 0:
            break
        for path in out.iterdir():  # the build went through: put the first version back and retry
            path.unlink()
        assert run(["build", str(small), "--out-dir", str(out), "--force", "-q"]) == 0
    assert proc.returncode == 130, stderr
    assert stderr.decode().strip().splitlines()[-1] == "interrupted; previous outputs are unchanged"
    assert temp_files(out) == [] and _outputs(out) == before


# --- 6. pathological input, bounded ------------------------------------------------------------------------
#
# Each runs in a child process with a 2 GB address-space cap and a time limit; wall time, CPU time and peak
# resident memory are recorded (record_property; shown with -rA). Two run at a time (this is a 2-core machine).
# PDFs are built where that is reasonable: a 5 MB paragraph is ~1,000 pages and 10,000 footnotes ~2,000 (the
# handout of 1,000 footnotes alone takes ~20 s), so those two are built as EPUBs only.

MEMORY_MB = 2048


def _deep_list(levels: int) -> str:
    return "".join("    " * i + f"- item {i}\n" for i in range(levels))


PATHOLOGICAL = {
    # name: (Markdown body, command and options, time limit in seconds)
    "lists-500": (_deep_list(500), ["build"], 60),
    "lists-120-pdf": (_deep_list(120), ["pdf"], 60),
    "quotes-1000": (">" * 1000 + " deep down\n", ["epub", "--no-page-list"], 60),
    "quotes-1000-pdf": (">" * 1000 + " deep down\n", ["pdf"], 60),
    "paragraph-5mb": ("word " * (5 * 1024 * 1024 // 5) + "\n", ["epub", "--no-page-list"], 120),
    "footnotes-10000": ("".join(f"Claim {i}.[^{i}]\n\n" for i in range(1, 10_001))
                        + "".join(f"[^{i}]: Note {i}.\n" for i in range(1, 10_001)), ["epub", "--no-page-list"], 120),
}


@pytest.fixture(scope="module")
def pathological(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Measured, Path]]:
    root = tmp_path_factory.mktemp("pathological")

    def one(name: str) -> tuple[str, tuple[Measured, Path]]:
        body, command, limit = PATHOLOGICAL[name]
        path = write_essay(root / name, body)
        out = root / "out" / name
        out.mkdir(parents=True)
        args = [command[0], str(path), "--force", *command[1:]]
        args += ["--out-dir", str(out)] if command[0] == "build" else ["-o", str(out / f"{name}.{command[0]}")]
        return name, (measured_cli(args, timeout=limit, memory_mb=MEMORY_MB), out)

    with ThreadPoolExecutor(max_workers=2) as pool:  # the slowest first, so the pool finishes together
        return dict(pool.map(one, sorted(PATHOLOGICAL, key=lambda n: -PATHOLOGICAL[n][2])))


def _bounded(name: str, pathological: dict, record_property) -> tuple[Measured, Path]:
    result, out = pathological[name]
    record_property("seconds", round(result.seconds, 2))
    record_property("peak_mb", round(result.peak_mb))
    limit = PATHOLOGICAL[name][2]
    print(f"{name}: exit {result.code}, {result.seconds:.1f} s, peak {result.peak_mb:.0f} MB")
    assert result.code is not None, f"{name} did not finish within {limit} s"
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err[-2000:]
    if result.code != 0:
        one_line(result)
    return result, out


def test_deeply_nested_lists_fail_cleanly(pathological: dict, record_property) -> None:
    result, out = _bounded("lists-500", pathological, record_property)
    assert one_line(result).endswith("the Markdown nests lists or quotes too deeply to be a book; flatten it")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("name", [
    pytest.param("lists-120-pdf"),
    pytest.param("quotes-1000-pdf"),
])
def test_deep_nesting_in_print_finishes_or_fails_cleanly(name: str, pathological: dict, record_property) -> None:
    _bounded(name, pathological, record_property)


def test_deeply_nested_quotes_keep_their_words_or_fail_cleanly(pathological: dict, record_property) -> None:
    result, out = _bounded("quotes-1000", pathological, record_property)
    if result.code == 0:  # searched as text: the page is too deep for an XML parser with default limits
        assert "deep down" in book_files(out / "quotes-1000.epub")["EPUB/essay.xhtml"].decode()


def test_five_megabyte_paragraph(pathological: dict, record_property) -> None:
    result, out = _bounded("paragraph-5mb", pathological, record_property)
    assert result.code == 0, result.err
    page = book_files(out / "paragraph-5mb.epub")["EPUB/essay.xhtml"].decode()
    assert page.count("word ") >= 5 * 1024 * 1024 // 5 - 1


def test_ten_thousand_footnotes(pathological: dict, record_property) -> None:
    result, out = _bounded("footnotes-10000", pathological, record_property)
    assert result.code == 0, result.err
    page = book_files(out / "footnotes-10000.epub")["EPUB/essay.xhtml"].decode()
    assert page.count('epub:type="footnote"') == 10_000 and page.count('epub:type="noteref"') == 10_000
