"""The warm process: watch the essay's files, rebuild on every save, and keep the last good rendering.

Three daemon threads. The watcher (watchfiles) marks the essay dirty. The builder, while it is dirty, builds the
e-book (parse and package: a fraction of a second) and asks for a layout. The layout thread hands the newest
request to the layout worker process (``worker.py``) and publishes the handout when it comes back; a layout
made stale by a newer save is abandoned when starting over is quicker than waiting. So a save always reaches
the e-book at once, however long the handout takes.

Nothing here raises to the server: a broken edit becomes ``error`` in the state, with the previous book and
handout kept beneath it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from essaybook.errors import EssaybookError
from essaybook.preview import pipeline
from essaybook.preview.pipeline import Problem
from essaybook.preview.views import EbookView, HandoutView
from essaybook.preview.worker import LayoutWorker

_KEEP = 2  # renderings kept per kind: the current one, and the one a browser may still be loading from


@dataclasses.dataclass(frozen=True)
class _Request:
    book: int  # the e-book rendering this layout belongs to
    changed_at: float


class Session:
    def __init__(self, path: Path, options: pipeline.Options, *, log: Callable[[str], None] | None = None) -> None:
        self.path = path
        self.options = options
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.on_change: Callable[[], None] = lambda: None
        self.out_dir = Path(tempfile.mkdtemp(prefix="essaybook-preview-"))
        # One counter for every rendering served, so each has its own URLs; started from the clock, so a browser
        # that cached /book/2/… from an earlier preview on the same port never mistakes it for this one's.
        self.generation = int(time.time()) * 1000
        self.books: dict[int, EbookView] = {}
        self.handouts: dict[int, HandoutView] = {}
        self.error: dict | None = None  # {"stage": ..., "problems": [Problem, ...]}
        self.problems: list[Problem] = []
        self.status = "building"
        self.timings: dict[str, float] = {}
        self._ebook_warnings: list[Problem] = []
        self._findings: list[Problem] = []
        self._latest_book = 0
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._changed_at = time.monotonic()
        self._layout_wanted = threading.Condition()
        self._request: _Request | None = None
        self._worker = LayoutWorker()

    # --- lifecycle ------------------------------------------------------------------------------------------

    def start(self) -> None:
        self._dirty.set()
        for target, name in ((self._watch, "essaybook-watch"), (self._build_loop, "essaybook-build"),
                             (self._layout_loop, "essaybook-layout")):
            threading.Thread(target=target, name=name, daemon=True).start()

    def stop(self) -> None:
        """Stop watching and laying out; a layout in progress is abandoned."""
        self._stop.set()
        self._dirty.set()
        with self._layout_wanted:
            self._layout_wanted.notify_all()
        self._worker.close()
        for view in self.handouts.values():
            view.close()
        shutil.rmtree(self.out_dir, ignore_errors=True)

    def touch(self) -> None:
        """Rebuild as if a file had changed (the watcher calls this)."""
        self._changed_at = time.monotonic()
        self._dirty.set()

    # --- what the server reads ------------------------------------------------------------------------------

    @property
    def book(self) -> EbookView | None:
        return self.books[max(self.books)] if self.books else None

    @property
    def handout(self) -> HandoutView | None:
        return self.handouts[max(self.handouts)] if self.handouts else None

    # --- the threads ------------------------------------------------------------------------------------------

    def _watch(self) -> None:
        from watchfiles import watch

        folders = pipeline.watched_folders(self.path)
        for _changes in watch(*folders, stop_event=self._stop, debounce=400, step=30, raise_interrupt=False):
            if self._stop.is_set():
                return
            self.touch()

    def _build_loop(self) -> None:
        while True:
            self._dirty.wait()
            if self._stop.is_set():
                return
            self._dirty.clear()
            try:
                self._build_ebook()
            except Exception as exc:  # a bug of ours: say so, keep serving the last good rendering
                self._internal(exc)

    def _build_ebook(self) -> None:
        changed_at = self._changed_at
        self.status = "building"
        self._publish()
        try:
            doc = pipeline.load(self.path)
            book = EbookView(pipeline.ebook(doc, self.options, self.out_dir).read_bytes(), self._next())
        except EssaybookError as exc:
            self._fail("source", pipeline.error_problems(exc, self.path))
            return
        self.books = _kept(self.books, book)
        self._latest_book = book.generation
        if self.error:  # a broken save's findings are stale now
            self._findings = []
        self.error = None
        self.timings = {"ebook": time.monotonic() - changed_at}
        self.status = "layout"
        self._ebook_warnings = pipeline.warnings(doc)
        self.problems = _merge(self._ebook_warnings, self._findings)
        self._publish()
        with self._layout_wanted:
            self._request = _Request(book.generation, changed_at)
            self._layout_wanted.notify()
        # check's findings follow the e-book (on a long essay they take a second of their own).
        self._findings = pipeline.findings(self.path)
        self.problems = _merge(self._ebook_warnings, self._findings)
        self._publish()

    def _layout_loop(self) -> None:
        while True:
            with self._layout_wanted:
                while self._request is None and not self._stop.is_set():
                    self._layout_wanted.wait()
                if self._stop.is_set():
                    return
                request, self._request = self._request, None
            try:
                self._lay_out(request)
            except Exception as exc:
                if self._stop.is_set():  # stopping closed the worker under a layout: not a failure
                    return
                self._internal(exc)

    def _lay_out(self, request: _Request) -> None:
        result = self._worker.run(self.path, self.options, self.out_dir,
                                  superseded=lambda: self._request is not None or self._stop.is_set())
        if result is None or self._stop.is_set():
            return  # abandoned for a newer save, which is already waiting
        current = request.book == self._latest_book and self._request is None
        if result.error is not None or result.internal is not None:
            if current:
                problems = result.error or [_internal_problem(result.internal)]
                self._fail("handout" if result.error else "internal", problems)
            return
        handout = HandoutView(result.pdf.read_bytes(), self._next(), result.paper)
        self.handouts = _kept(self.handouts, handout)
        if current:  # the e-book with its page list, unless a newer save's e-book is already showing
            self.books = _kept(self.books, EbookView(result.epub.read_bytes(), self._next()))
            self.problems = _merge(result.warnings, self._ebook_warnings, self._findings)
            self.timings["handout"] = time.monotonic() - request.changed_at
            self.status = "ready"
            self.log(f"updated: e-book in {self.timings['ebook']:.2f} s, handout ({len(handout.sizes)} pages) in "
                     f"{self.timings['handout']:.2f} s")
        self._publish()

    # --- outcomes ----------------------------------------------------------------------------------------------

    def _fail(self, stage: str, problems: list[Problem]) -> None:
        others = pipeline.findings(self.path) if stage != "internal" else []
        # check reports the same fault under its own rule id (image-unusable, source-unreadable): use that.
        known = {(f.path, f.line, f.message): f for f in others}
        problems = [dataclasses.replace(p, rule=f.rule, col=f.col) if (f := known.get((p.path, p.line, p.message)))
                    else p for p in problems]
        self.error = {"stage": stage, "problems": problems}
        self.problems = _merge(problems, others)
        self.status = "ready"
        for p in problems:
            where = f"{p.file}:{p.line}: " if p.line else (f"{p.file}: " if p.file else "")
            self.log(f"error: {where}{p.message}")
        self._publish()

    def _internal(self, exc: Exception) -> None:
        self.log("error: internal error while rebuilding; the preview keeps the last good rendering")
        traceback.print_exception(exc, file=sys.stderr)
        self._fail("internal", [_internal_problem(f"{type(exc).__name__}: {exc}")])

    def _next(self) -> int:
        self.generation += 1
        return self.generation

    def _publish(self) -> None:
        with contextlib.suppress(RuntimeError):  # the event loop is gone: shutting down
            self.on_change()


def _internal_problem(what: str | None) -> Problem:
    return Problem("error", "build-failed", f"internal error ({what}); rerun with --debug and report it",
                   "", "", 0, 0)


def _kept(views: dict, view) -> dict:
    """A new dict (readers in other threads never see one change under them) with ``view`` and the newest
    of the old ones; the views dropped are closed."""
    views = {**views, view.generation: view}
    for old in sorted(views)[:-_KEEP]:
        gone = views.pop(old)
        if hasattr(gone, "close"):
            gone.close()
    return views


def _merge(*groups: list[Problem]) -> list[Problem]:
    """Build warnings and check findings in one list, each problem once, errors first, then by place."""
    seen: dict[tuple, Problem] = {}
    for group in groups:
        for p in group:
            seen.setdefault((p.path, p.line, p.message), p)
    return sorted(seen.values(), key=lambda p: (p.severity != "error", p.file, p.line, p.col, p.rule))
