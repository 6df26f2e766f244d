"""A second process that loads WeasyPrint while this one reads the essay, then lays the handout out.

Why: a PDF of an essay was, one after the other, about 0.4 s of importing WeasyPrint (cffi reading Pango's
and HarfBuzz's declarations), 0.25 s of importing the Markdown side and parsing the essay, then WeasyPrint's
layout and writing. The first two are independent single-threaded work, so on a machine with two cores they
can run side by side: the command forks this process before it parses; the child imports WeasyPrint at once;
by the time the page is rendered the child is ready, lays the page out, writes the PDF atomically, and sends
back plain data (the page breaks, the warnings, what it wrote).

The child is forked, not spawned, so it starts from the parent's already imported modules in a few
milliseconds. It is forked before any thread exists (before the CLI's spinner starts), and it runs one call
and ends. When the parent turns out not to need it (outputs unchanged, an error in the source), it is
stopped.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any


def available() -> bool:
    """Whether a warm process can help here: Linux (fork is safe and cheap) with more than one core."""
    return (sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1
            and "fork" in multiprocessing.get_all_start_methods())


class WarmProcess:
    """A forked child that runs ``warm_up`` now and one call (``send``, then ``receive``) later."""

    def __init__(self, warm_up: Callable[[], None]) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(child_end, warm_up, os.getpid()), daemon=True,
                                        name="essaybook-layout")
        self._process.start()
        child_end.close()
        self._sent = False

    def send(self, fn: Callable[..., Any], *args: Any) -> None:
        """Start ``fn(*args)`` in the child (its one call); ``receive`` waits for what it returns."""
        if self._sent:
            raise RuntimeError("a warm process runs one call")
        self._sent = True
        with contextlib.suppress(OSError):  # the child is gone: receive says so
            self._conn.send((fn, args))

    def receive(self) -> Any:
        """What the call returned; its exception is raised here as it was raised there. The child then ends."""
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            code = self._process.exitcode
            raise RuntimeError(f"the layout process ended unexpectedly (exit status {code})") from None
        finally:
            self.close()
        if kind == "raised":
            raise value
        if kind == "crashed":
            raise RuntimeError(f"the layout process failed:\n{value}")
        return value

    def close(self) -> None:
        """Stop the child if it is still waiting or working (what it was writing is removed); safe to call
        twice."""
        if self._process.is_alive():  # done (it only ends now), not needed, or interrupted: stop it
            self._process.terminate()
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        self._conn.close()


class _Stopped(BaseException):
    """Ctrl-C or the parent's ``close``: unwinds the call, so a PDF being written removes its temporary file."""


def _stop(signum: int, frame: object) -> None:
    raise _Stopped


def _die_with_parent(parent: int) -> None:
    """A parent killed outright (SIGKILL) cannot stop its child: ask Linux to kill this one with it, so a
    killed build never finishes writing behind the person's back."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before that took effect
        os._exit(1)


def _serve(conn, warm_up: Callable[[], None], parent: int) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, _stop)  # Ctrl-C reaches both processes: the parent reports it
    signal.signal(signal.SIGTERM, _stop)
    try:
        with contextlib.suppress(Exception):  # the call below meets the same failure and reports it properly
            warm_up()
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("returned", fn(*args)))
        except Exception as exc:  # everything goes back to the parent, which decides
            try:
                conn.send(("raised", exc))
            except Exception:  # an exception that cannot be pickled goes back as its traceback
                conn.send(("crashed", traceback.format_exc()))
    except _Stopped:
        pass
    finally:
        conn.close()
