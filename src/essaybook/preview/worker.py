"""The handout's layout in a process of its own, so that a save is never kept waiting behind it.

Laying out a long handout takes WeasyPrint tens of seconds, in Python, holding the interpreter. In the preview's
own process that would hold up the next save's e-book (and on a machine with two cores or more, leave one
idle). So layouts run in one warm worker process (spawned once: WeasyPrint imported, fonts found), one at a time.
When a newer save makes the running layout useless, the worker is killed and a fresh one started, unless the
old layout will be done sooner than a fresh worker could start.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from essaybook.preview.pipeline import Options, Problem

_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Layout:
    """What one layout gave: the files written (or the problems that stopped it) and how long it took."""

    epub: Path | None
    pdf: Path | None
    paper: str
    warnings: list[Problem]
    error: list[Problem] | None = None
    internal: str | None = None


class LayoutWorker:
    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")  # no fork of a process that runs threads
        self._proc = None
        self._conn = None
        self._started_at = 0.0
        self.start_cost = 3.0  # seconds for a fresh worker to be ready; measured on each start
        self.last_layout = 0.0  # seconds the last finished layout took

    def run(self, path: Path, options: Options, out_dir: Path, superseded: Callable[[], bool]) -> Layout | None:
        """Lay ``path`` out; None if a newer save superseded it first (``superseded()`` turned true and
        waiting for this layout to end would take longer than starting over)."""
        if self._proc is None or not self._proc.is_alive():
            self._start()
        began = time.monotonic()
        self._conn.send((str(path), options, str(out_dir)))
        while True:
            if not self._conn.poll(_POLL_SECONDS):
                if not self._proc.is_alive():
                    self.close()
                    return Layout(None, None, "", [], internal="the layout process ended unexpectedly")
                if superseded() and self.last_layout - (time.monotonic() - began) > self.start_cost:
                    self.close()
                    return None
                continue
            kind, payload = self._conn.recv()
            if kind == "ready":  # a fresh worker's first word: its start-up is done, the layout begins
                began = time.monotonic()
                self.start_cost = began - self._started_at
                continue
            return self._finish(kind, payload, began)

    def _finish(self, kind: str, payload, began: float) -> Layout:
        if kind == "ok":
            self.last_layout = time.monotonic() - began
            epub, pdf, paper, warnings = payload
            return Layout(Path(epub), Path(pdf), paper, warnings)
        if kind == "error":
            return Layout(None, None, "", [], error=payload)
        return Layout(None, None, "", [], internal=payload)

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._started_at = time.monotonic()
        self._proc = self._context.Process(target=serve, args=(child,), name="essaybook-layout", daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(timeout=5)
            self._proc = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def serve(conn) -> None:
    """The worker: warm up, say so, then lay out each job sent until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    from essaybook.errors import EssaybookError
    from essaybook.preview import pipeline

    pipeline.warm_up()
    conn.send(("ready", None))
    while True:
        try:
            path, options, out_dir = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", pipeline.layout(Path(path), options, Path(out_dir))))
        except EssaybookError as exc:
            conn.send(("error", pipeline.error_problems(exc, Path(path))))
        except Exception as exc:
            conn.send(("internal", f"{type(exc).__name__}: {exc}"))
