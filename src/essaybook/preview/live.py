"""The warm process: watch the essay's files, rebuild on every save, and keep the last good rendering.

Two daemon threads: one waits on watchfiles and marks the essay dirty, one builds while it is dirty. A save
that arrives while the handout is being laid out is not lost: the next build starts as soon as the current
one ends, and a build whose e-book is already out of date skips its handout. Nothing here raises to the
server: a broken edit becomes ``error`` in the state, with the previous book and handout kept beneath it.
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

_KEEP = 2  # renderings kept per kind: the current one, and the one a browser may still be loading from


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
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._changed_at = time.monotonic()
        self._threads: list[threading.Thread] = []

    # --- lifecycle ------------------------------------------------------------------------------------------

    def start(self) -> None:
        self._dirty.set()
        for target, name in ((self._watch, "essaybook-watch"), (self._build_loop, "essaybook-build")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop watching; a layout in progress is abandoned with its daemon thread."""
        self._stop.set()
        self._dirty.set()
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

    # --- the two threads ------------------------------------------------------------------------------------

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
                self._build()
            except Exception as exc:  # a bug of ours: say so, keep serving the last good rendering
                self.log("error: internal error while rebuilding; the preview keeps the last good rendering")
                traceback.print_exc(file=sys.stderr)
                self._fail("internal", [Problem("error", "build-failed", f"internal error ({type(exc).__name__}: "
                                                f"{exc}); rerun with --debug and report it", "", "", 0, 0)])

    def _build(self) -> None:
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
        previous = [] if self.error else self.problems  # a broken save's findings are stale now
        self.error = None
        self.timings = {"ebook": time.monotonic() - changed_at}
        self.status = "layout"
        self.problems = _merge(pipeline.warnings(doc), previous)
        self._publish()
        # check's findings follow the e-book (on a long essay they take a second of their own).
        self.problems = _merge(pipeline.warnings(doc), pipeline.findings(self.path))
        self._publish()
        if self._dirty.is_set():
            return  # a newer save is waiting: lay that one out instead
        try:
            epub, pdf = pipeline.handout(doc, self.options, self.out_dir)
            full = EbookView(epub.read_bytes(), self._next())
            handout = HandoutView(pdf.read_bytes(), self._next(), pipeline.paper(doc, self.options))
        except EssaybookError as exc:
            self._fail("handout", pipeline.error_problems(exc, self.path))
            return
        self.books = _kept(self.books, full)
        self.handouts = _kept(self.handouts, handout)
        self.problems = _merge(pipeline.warnings(doc), self.problems)
        self.timings["handout"] = time.monotonic() - changed_at
        self.status = "ready"
        self.log(f"updated: e-book in {self.timings['ebook']:.2f} s, handout ({len(handout.sizes)} pages) in "
                 f"{self.timings['handout']:.2f} s")
        self._publish()

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

    def _next(self) -> int:
        self.generation += 1
        return self.generation

    def _publish(self) -> None:
        with contextlib.suppress(RuntimeError):  # the event loop is gone: shutting down
            self.on_change()


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
