"""Helpers for the hostile-input tests: essays on disk, the CLI's one error line, a listener that must stay
silent, a watch on files that must stay unread, and child processes measured for time and peak memory."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import resource
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from essaybook import run

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
ESSAYBOOK = [sys.executable, "-m", "essaybook"]


def write_essay(folder: Path, body: str, *, title: str = "T", front: str = "") -> Path:
    """``folder/essay.md`` with a title (and any other front matter lines); returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "essay.md"
    path.write_text(f"---\ntitle: {title}\n{front}---\n\n{body}", encoding="utf-8")
    return path


def png(path: Path, size: tuple[int, int] = (40, 30), colour: str = "navy") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)
    return path


@dataclass
class Cli:
    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.startswith("error:")]

    @property
    def warnings(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.startswith("warning:")]


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the CLI in-process (from the repository root, as conftest.build does) and capture what it said."""
    capsys.readouterr()
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        code = run(args)
    finally:
        os.chdir(old)
    captured = capsys.readouterr()
    return Cli(code, captured.out, captured.err)


def one_error(result: Cli) -> str:
    """The CLI failed as promised: exit 1, nothing on stdout, exactly one line on stderr, no traceback."""
    assert result.code == 1, result
    assert "Traceback" not in result.err, result.err
    assert result.out == "", result.out
    lines = [ln for ln in result.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    return lines[0]


# --- the attacks fixture ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    section: str  # "active" or "outside"
    title: str
    markdown: str
    check: str
    xfail: str | None  # the reason, for a known essaybook bug

    @property
    def forbidden(self) -> list[str]:
        return [s.strip() for s in self.check.split(" | ") if s.strip()]

    @property
    def survivors(self) -> list[str]:
        return re.findall(r"\bsafe\d+[a-z]\b", self.markdown)

    def with_port(self, port: int) -> Case:
        return Case(self.section, self.title, self.markdown.replace("PORT", str(port)),
                    self.check.replace("PORT", str(port)), self.xfail)


def read_attacks(path: Path = FIXTURES / "attacks.md") -> list[Case]:
    lines = path.read_text(encoding="utf-8").split("\n")
    section, cases, i = None, [], 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = "active" if "Active" in line else "outside"
            i += 1
            continue
        if section is None or not line.strip():
            i += 1
            continue
        assert lines[i + 1] == ".", f"{path}:{i + 2}: expected '.' after the case title"
        j = lines.index(".", i + 2)
        k = lines.index(".", j + 1)
        title, reason = line, None
        found = re.search(r"\s*\[xfail: (.*)\]$", line)
        if found:
            title, reason = line[: found.start()], found.group(1)
        cases.append(Case(section, title, "\n".join(lines[i + 2 : j]), "\n".join(lines[j + 1 : k]), reason))
        i = k + 1
    return cases


# --- what a book may carry -------------------------------------------------------------------------------

_XHTML = "{http://www.w3.org/1999/xhtml}"
_MATHML = "{http://www.w3.org/1998/Math/MathML}"
# Presentation MathML draws and does nothing else; maction (interaction) and annotation-xml (a way to embed
# HTML or SVG) are not in it.
_MATHML_DRAWING = {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "mfrac", "msqrt", "mroot", "msub",
                   "msup", "msubsup", "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
                   "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts", "none", "semantics",
                   "annotation", "mfenced", "mlabeledtr"}
_FORBIDDEN_ELEMENTS = {"script", "iframe", "object", "embed", "form", "input", "button", "style", "base", "svg",
                       "math", "textarea", "select", "noscript", "template", "frame", "frameset", "applet",
                       "audio", "video", "source", "picture", "map", "area", "param", "canvas"}
_ALIGN = re.compile(r"^\s*text-align\s*:\s*(left|right|center|justify|start|end)\s*;?\s*$", re.I)


def book_files(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as z:
        return {n: z.read(n) for n in z.namelist()}


def book_markup(epub: Path) -> str:
    """Every XHTML, OPF and NCX file of the book, as one string."""
    return "\n".join(data.decode("utf-8") for name, data in book_files(epub).items()
                     if name.endswith((".xhtml", ".opf", ".ncx")))


def book_text(epub: Path) -> str:
    """The words a reader sees in the book's XHTML documents."""
    words = []
    for name, data in book_files(epub).items():
        if name.endswith(".xhtml"):
            words.append(" ".join("".join(etree.fromstring(data).itertext()).split()))
    return " ".join(words)


def active_content(epub: Path) -> list[str]:
    """Everything in the book's XHTML that could run, fetch or restyle beyond text alignment."""
    problems = []
    for name, data in book_files(epub).items():
        if not name.endswith(".xhtml"):
            continue
        for el in etree.fromstring(data).iter():
            if not isinstance(el.tag, str):
                problems.append(f"{name}: {el!r}")
                continue
            local = etree.QName(el).localname
            drawing = el.tag.startswith(_MATHML) and local in _MATHML_DRAWING
            if (local in _FORBIDDEN_ELEMENTS and not drawing) or not (el.tag.startswith(_XHTML) or drawing):
                problems.append(f"{name}: <{local}>")
            if local == "meta" and el.get("http-equiv") is not None:
                problems.append(f"{name}: <meta http-equiv>")
            if local == "link" and (el.get("rel"), el.get("href")) != ("stylesheet", "style.css"):
                problems.append(f"{name}: <link rel={el.get('rel')} href={el.get('href')}>")
            for attr, value in el.attrib.items():
                attr_name = etree.QName(attr).localname.lower()
                if attr_name.startswith("on") or attr_name in ("srcset", "formaction", "action", "background",
                                                               "poster", "ping", "usemap", "data") or \
                        (attr_name == "rel" and local != "link"):
                    problems.append(f"{name}: <{local} {attr_name}=…>")
                if attr_name in ("href", "src", "cite") and re.match(r"^\s*[A-Za-z][\w+.-]*:", value) and \
                        not re.match(r"^(https?|mailto):", value):
                    problems.append(f"{name}: <{local} {attr_name}={value[:40]}>")
                if attr_name == "src" and re.match(r"^\s*(https?:)?//", value):
                    problems.append(f"{name}: remote <{local} src={value[:40]}>")
                if attr_name == "style" and not _ALIGN.match(value):
                    problems.append(f"{name}: <{local} style={value[:60]!r}>")
    return problems


# --- a listener that must see nothing --------------------------------------------------------------------

class Listener:
    """A TCP listener on 127.0.0.1 that records every connection. It serves from a thread for at most
    ``lifetime`` seconds (then stops by itself, whatever happens to the test) and closes on ``close()``."""

    def __init__(self, lifetime: float = 600.0) -> None:
        self.connections: list[bytes] = []
        listener = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(1.0)
                try:
                    data = self.request.recv(200)
                except OSError:
                    data = b""
                listener.connections.append(data or b"(connected, sent nothing)")

        self._server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
        self._server.timeout = 0.1
        self.port = self._server.server_address[1]
        self._stop = threading.Event()
        self._deadline = time.monotonic() + lifetime
        self._thread = threading.Thread(target=self._serve, name="hostile-listener", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            self._server.handle_request()
        self._server.server_close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# --- a watch on files that must not be opened ------------------------------------------------------------

class OpenWatch:
    """inotify (Linux) on a few files: did anything open or read them since the watch began?"""

    _IN_ACCESS, _IN_OPEN = 0x01, 0x20

    def __init__(self, *paths: Path) -> None:
        libc_name = ctypes.util.find_library("c")
        if not libc_name or not sys.platform.startswith("linux"):
            pytest.skip("inotify is Linux-only")
        self._libc = ctypes.CDLL(libc_name, use_errno=True)
        self._fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._fd < 0:
            pytest.skip("inotify is not available here")
        for path in paths:
            if self._libc.inotify_add_watch(self._fd, os.fsencode(path), self._IN_OPEN | self._IN_ACCESS) < 0:
                pytest.skip(f"cannot watch {path} with inotify")

    def events(self) -> int:
        count = 0
        while True:
            try:
                data = os.read(self._fd, 4096)
            except BlockingIOError:
                return count
            count += len(data) // 16  # events on a watched file carry no name

    def close(self) -> None:
        os.close(self._fd)


# --- child processes with a time limit and a memory cap, measured ---------------------------------------

@dataclass
class Measured:
    code: int | None  # None: killed at the time limit
    out: str
    err: str
    seconds: float
    peak_mb: float

    @property
    def lines(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.strip()]


def measured_cli(args: list[str], *, timeout: float, memory_mb: int = 2048, cwd: Path = ROOT,
                 env: dict[str, str] | None = None, preexec: Callable[[], None] | None = None) -> Measured:
    """Run ``python -m essaybook ARGS`` in a child limited to ``memory_mb`` of address space and killed after
    ``timeout`` seconds; report its exit status, output, wall time and peak resident memory (from wait4)."""
    limit = memory_mb * 1024 * 1024

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if preexec is not None:
            preexec()

    with open(os.devnull, "rb") as stdin, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([*ESSAYBOOK, *args], stdin=stdin, stdout=out, stderr=err, cwd=cwd,
                                env=env or dict(os.environ), preexec_fn=limits)
        killed = threading.Event()

        def watchdog() -> None:
            if not done.wait(timeout):
                killed.set()
                proc.kill()

        done = threading.Event()
        threading.Thread(target=watchdog, daemon=True).start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: the watchdog must not signal its pid now
        done.set()
        out.seek(0)
        err.seek(0)
        return Measured(None if killed.is_set() else proc.returncode, out.read().decode(errors="replace"),
                        err.read().decode(errors="replace"), seconds, usage.ru_maxrss / 1024)


def kill_child(proc: subprocess.Popen) -> None:
    """SIGKILL one child we started (never by name), and reap it."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
