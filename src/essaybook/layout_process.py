"""A second process that loads WeasyPrint while this one reads the essay, then lays the handout out.

Why: a PDF of an essay was, one after the other, about 0.4 s of importing WeasyPrint (cffi reading Pango's
and HarfBuzz's declarations), 0.25 s of importing the Markdown side and parsing the essay, then WeasyPrint's
layout and writing. The first two are independent single-threaded work, so on a machine with two cores they
can run side by side: the command forks this process before it parses; the child imports WeasyPrint at once;
by the time the page is rendered the child is ready, lays the page out, writes the PDF atomically, and sends
back plain data (the page breaks, the warnings, what it wrote).

The child is forked, not spawned, so it starts from the parent's already imported modules in a few
milliseconds. It is forked before any thread exists (before the CLI's spinner starts), and it runs one call
and ends. When the parent turns out not to need it (an error in the source), it is stopped. Plain
``os.fork`` and two pipes carrying one pickle each way: ``multiprocessing`` would cost 27 ms of imports
before the fork, which is time the child would start later.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any


def available() -> bool:
    """Whether a warm process can help here: Linux (fork is safe and cheap) with more than one core."""
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1 and hasattr(os, "fork")


class WarmProcess:
    """A forked child that runs ``warm_up`` now and one call (``send``, then ``receive``) later."""

    def __init__(self, warm_up: Callable[[], None]) -> None:
        parent = os.getpid()
        to_child, self._to_child = os.pipe()
        try:
            self._from_child, from_child = os.pipe()
        except OSError:
            os.close(to_child)
            os.close(self._to_child)
            raise
        # Ctrl-C between the fork and the child's own handlers would raise KeyboardInterrupt in the child
        # outside the try below, and so run the parent's code: both signals wait until the handlers are set.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self.pid = os.fork()
        except OSError:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            for fd in (to_child, self._to_child, self._from_child, from_child):
                os.close(fd)
            raise
        if self.pid == 0:  # the child: never returns into the parent's code
            code = 1
            try:
                os.close(self._to_child)
                os.close(self._from_child)
                _serve(to_child, from_child, warm_up, parent, held)
                code = 0
            finally:
                os._exit(code)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(to_child)
        os.close(from_child)
        self._sent = False
        self._reaped = False

    def send(self, fn: Callable[..., Any], *args: Any) -> None:
        """Start ``fn(*args)`` in the child (its one call); ``receive`` waits for what it returns."""
        if self._sent:
            raise RuntimeError("a warm process runs one call")
        self._sent = True
        pipe = open(self._to_child, "wb", closefd=True)  # noqa: SIM115 - closed just below
        with contextlib.suppress(OSError), pipe:  # the child is gone: receive says so
            pickle.dump((fn, args), pipe, protocol=pickle.HIGHEST_PROTOCOL)

    def receive(self) -> Any:
        """What the call returned; its exception is raised here as it was raised there. The child then ends."""
        pipe, self._from_child = open(self._from_child, "rb", closefd=True), -1  # noqa: SIM115 - closed below
        try:
            with pipe:
                kind, value = pickle.load(pipe)
        except (EOFError, OSError, pickle.UnpicklingError):
            raise RuntimeError(f"the layout process ended unexpectedly ({self._end()})") from None
        except BaseException:  # Ctrl-C while waiting: stop the child, which removes what it was writing
            self.close()
            raise
        self._end()  # it has answered and is ending by itself
        if kind == "raised":
            raise value
        if kind == "crashed":
            raise RuntimeError(f"the layout process failed:\n{value}")
        return value

    def close(self) -> None:
        """Stop the child if it is still waiting or working (what it was writing is removed), and reap it;
        safe to call twice."""
        if not self._sent:
            self._sent = True
            with contextlib.suppress(OSError):
                os.close(self._to_child)  # a child still waiting for its call ends on this
        if self._reaped:
            return
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGTERM)
        self._end()
        if self._from_child >= 0:  # not read: the child never answered
            os.close(self._from_child)
            self._from_child = -1

    def _end(self, patience: float = 5.0) -> str:
        """Reap the child (killing it after ``patience`` seconds) and say how it ended."""
        if self._reaped:
            return "ended"
        deadline = time.monotonic() + patience
        while True:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self._reaped = True
                return "ended"
            if pid:
                self._reaped = True
                return f"exit status {os.waitstatus_to_exitcode(status)}"
            if time.monotonic() > deadline:
                with contextlib.suppress(OSError):
                    os.kill(self.pid, signal.SIGKILL)
                deadline = float("inf")
            time.sleep(0.002)


class _Stopped(BaseException):
    """Ctrl-C or the parent's ``close``: unwinds the call, so a PDF being written removes its temporary file."""


_working = False  # the child is running its call (before: warming up or waiting, with nothing to clean up)


def _stop(signum: int, frame: object) -> None:
    if not _working:
        os._exit(1)  # nothing written yet: end now, before any library code can print the interruption
    raise _Stopped


def _quiet_when_stopped(hook: Callable[[Any], None]) -> Callable[[Any], None]:
    """An unraisable-exception hook that says nothing of the stop: where the signal lands in a finalizer or a
    library's callback, Python would print its traceback under the parent's one-line error."""
    def quiet(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, _Stopped):
            hook(unraisable)

    return quiet


def _die_with_parent(parent: int) -> None:
    """A parent killed outright (SIGKILL) cannot stop its child: ask Linux to kill this one with it, so a
    killed build never finishes writing behind the person's back."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before that took effect
        os._exit(1)


def _serve(to_child: int, from_child: int, warm_up: Callable[[], None], parent: int, held: set) -> None:
    _die_with_parent(parent)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # ignored (nohup, a background job): stays so
        signal.signal(signal.SIGINT, _stop)  # Ctrl-C reaches both processes: the parent reports it
    signal.signal(signal.SIGTERM, _stop)
    sys.unraisablehook = _quiet_when_stopped(sys.unraisablehook)
    signal.pthread_sigmask(signal.SIG_SETMASK, held)
    # This process lays one handout out and ends: the cycle collector would only walk WeasyPrint's objects
    # again and again, and they all live until the PDF is written (weasy.at_work).
    gc.disable()
    try:
        with contextlib.suppress(Exception):  # the call below meets the same failure and reports it properly
            warm_up()
        try:
            with open(to_child, "rb", closefd=True) as pipe:
                fn, args = pickle.load(pipe)
        except (EOFError, OSError, pickle.UnpicklingError):
            return  # not needed after all
        global _working
        _working = True
        try:
            reply = ("returned", fn(*args))
        except Exception as exc:  # everything goes back to the parent, which decides
            reply = ("raised", exc)
        with open(from_child, "wb", closefd=True) as pipe:
            try:
                data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # an exception that cannot be pickled goes back as its traceback
                data = pickle.dumps(("crashed", "".join(traceback.format_exception(reply[1]))))
            pipe.write(data)
    except _Stopped:
        pass
    finally:  # from here a signal ends the process outright: nothing can unwind into the parent's code
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
