"""``essaybook preview``: the e-book and the handout side by side in a browser, rebuilt as the author saves.

    pipeline.py  the only module that calls the build (load -> EPUB at once -> handout and page list)
    live.py      the warm process: watchfiles, the rebuild threads, the last good rendering
    worker.py    the handout's layout in a warm process of its own (a save never waits behind it)
    views.py     the EPUB's documents and the PDF's pages as the server hands them out
    server.py    Starlette routes, Server-Sent Events, the security headers
    static/      the page: our own HTML, CSS and JavaScript (nothing fetched from elsewhere)
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import signal
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from essaybook.errors import EssaybookError

DEFAULT_PORT = 8417
_PORTS_TRIED = 20


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int | None) -> socket.socket:
    """A listening socket on ``host``: ``port`` if given (0: any free one), else the first free port from
    ``DEFAULT_PORT`` on, so a second preview just takes the next one."""
    candidates = [port] if port is not None else range(DEFAULT_PORT, DEFAULT_PORT + _PORTS_TRIED)
    try:
        family = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as exc:
        raise EssaybookError(f"cannot listen on host {host!r} ({exc.strerror}); use an address such as "
                             "127.0.0.1") from exc
    last: OSError | None = None
    for candidate in candidates:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
            sock.listen(64)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
    if port is not None:
        raise EssaybookError(f"cannot listen on {host}:{port} ({last.strerror}); choose another with --port, "
                             "or --port 0 for any free one")
    raise EssaybookError(f"no free port between {DEFAULT_PORT} and {DEFAULT_PORT + _PORTS_TRIED - 1}; "
                         "choose one with --port")


def preview(source: Path | None, *, options, host: str = "127.0.0.1", port: int | None = None,
            open_browser: bool = True, say: Callable[[str], None] | None = None) -> None:
    """Serve the preview until Ctrl-C (or SIGTERM). Returns normally when stopped."""
    import uvicorn

    from essaybook.preview import pipeline
    from essaybook.preview.live import Session
    from essaybook.preview.server import LOOPBACK_HOSTS, Hub, create_app

    say = say or (lambda line: print(line, file=sys.stderr, flush=True))
    path = pipeline.resolve(source)
    if not is_loopback(host):
        say(f"warning: listening on {host}: anyone who can reach this machine on the network can read the "
            "essay while the preview runs")
    sock = bind(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    session = Session(path, options, log=say)
    hub = Hub()
    # Requests must name this machine's loopback (as DNS rebinding cannot); with --host elsewhere, any name.
    app = create_app(session, hub, allowed_hosts=[*LOOPBACK_HOSTS, shown.lower()] if is_loopback(host) else ["*"])

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:  # Ctrl-C: end the event streams, so no browser holds us
            loop.call_soon_threadsafe(hub.close)
            super().handle_exit(sig, frame)

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=2)
    server = Server(config)

    async def main() -> None:
        nonlocal loop
        loop = asyncio.get_running_loop()
        session.on_change = lambda: loop.call_soon_threadsafe(_publish)
        session.start()
        print(url, flush=True)
        say(f"previewing {path} at {url} (Ctrl-C to stop)")
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        await server.serve(sockets=[sock])

    def _publish() -> None:
        import json

        from essaybook.preview.server import state

        hub.publish(json.dumps(state(session)))

    loop: asyncio.AbstractEventLoop | None = None
    # uvicorn stops on SIGINT and SIGTERM, then raises the signal again once it is done: let SIGTERM end here
    # as Ctrl-C does, so the temporary folder is removed either way.
    previous = signal.signal(signal.SIGTERM, _interrupt) if _main_thread() else None
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(main())
    finally:
        session.stop()
        sock.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    say("preview stopped")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
