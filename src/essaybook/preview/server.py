"""The preview's web server (Starlette on uvicorn): one page, its own assets, and the current renderings.

Every URL is looked up in memory by exact name: essaybook's static files, the EPUB's manifest entries, the
PDF's pages by number. Nothing is ever joined onto a path on disk, so ``..`` in any spelling finds nothing
and gets a 404. The e-book's documents are served with a Content-Security-Policy that runs no script at all
(and the page shows them in a sandboxed frame), so even an essay that slipped something past the sanitiser
could not act in the preview. Only loopback Host headers are accepted unless ``--host`` says otherwise, which
also keeps a web page elsewhere from reading the preview through DNS rebinding.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
from importlib import resources

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from essaybook.preview.live import Session
from essaybook.preview.views import READING_VIEW

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
_STATIC = {"index.html": "text/html; charset=utf-8", "preview.css": "text/css; charset=utf-8",
           "preview.js": "text/javascript; charset=utf-8", "book.css": "text/css; charset=utf-8",
           "favicon.svg": "image/svg+xml"}
# The preview page itself: its own script and styles, frames and images from here, nothing from elsewhere.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            "frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
# The e-book's reading view: styles (tables align cells with style attributes) and images of its own, no script,
# embeddable only by the preview page.
BOOK_CSP = ("default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
            "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
# Anything else from the EPUB (an image, an SVG opened on its own): no script and no origin.
ASSET_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; sandbox"
_SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
             "cross-origin-resource-policy": "same-origin", "cross-origin-opener-policy": "same-origin"}
EDITOR_URL = "vscode://file/{path}:{line}:{col}"
_KEEPALIVE_SECONDS = 15


class Hub:
    """The browsers listening for updates: one queue each; ``None`` in a queue ends its stream."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue] = set()
        self.closed = False

    def publish(self, message: str) -> None:
        for q in self.queues:
            q.put_nowait(message)

    def close(self) -> None:
        self.closed = True
        for q in self.queues:
            q.put_nowait(None)


def state(session: Session) -> dict:
    """What the page shows, as JSON: the newest renderings' URLs, the error if the last save broke, the
    problems list. Text from the essay goes out as data; the page sets it with textContent only."""
    book, handout = session.book, session.handout
    editor = os.environ.get("ESSAYBOOK_EDITOR_URL", EDITOR_URL)
    slug = session.path.resolve().parent.name if session.path.name == "essay.md" else session.path.stem

    def problem(p) -> dict:
        d = dataclasses.asdict(p)
        d["href"] = editor.format(path=p.path, line=max(p.line, 1), col=max(p.col, 1)) if editor and p.path else None
        return d

    return {
        "essay": str(session.path),
        "status": session.status,
        "book": None if book is None else {
            "id": book.generation, "title": book.title, "url": f"/book/{book.generation}/{READING_VIEW}",
            "markers": book.page_markers, "epub": f"/download/{slug}.epub"},
        "handout": None if handout is None else {
            "id": handout.generation, "paper": handout.paper, "pdf": f"/download/{slug}.pdf",
            "pages": [{"url": f"/handout/{handout.generation}/{n}.png", "width": w, "height": h}
                      for n, (w, h) in enumerate(handout.sizes, start=1)]},
        "error": None if session.error is None else {
            "stage": session.error["stage"], "problems": [problem(p) for p in session.error["problems"]]},
        "problems": [problem(p) for p in session.problems],
        "timings": session.timings,
    }


def create_app(session: Session, hub: Hub, allowed_hosts: list[str] | None = None) -> Starlette:
    static = {name: resources.files("essaybook.preview").joinpath("static", name).read_bytes() for name in _STATIC}
    slug = session.path.resolve().parent.name if session.path.name == "essay.md" else session.path.stem

    def own(name: str, csp: str | None = None) -> Response:
        headers = {"cache-control": "no-cache"}
        if csp:
            headers["content-security-policy"] = csp
        return Response(static[name], media_type=_STATIC[name], headers=headers)

    async def index(request: Request) -> Response:
        return own("index.html", PAGE_CSP)

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _STATIC or name == "index.html":
            return _not_found()
        return own(name)

    async def current(request: Request) -> Response:
        return JSONResponse(state(session), headers={"cache-control": "no-store"})

    async def book_file(request: Request) -> Response:
        book = session.books.get(request.path_params["id"])
        found = book.get(request.path_params["name"]) if book else None
        if found is None:
            return _not_found()
        media_type, data = found
        csp = BOOK_CSP if request.path_params["name"] == READING_VIEW else ASSET_CSP
        return Response(data, media_type=media_type, headers={"content-security-policy": csp,
                                                              "cache-control": "private, max-age=3600"})

    async def handout_page(request: Request) -> Response:
        view = session.handouts.get(request.path_params["id"])
        if view is None:
            return _not_found()
        png = await anyio.to_thread.run_sync(view.png, request.path_params["page"])
        if png is None:
            return _not_found()
        return Response(png, media_type="image/png", headers={"cache-control": "private, max-age=3600",
                                                              "content-security-policy": ASSET_CSP})

    async def download(request: Request) -> Response:
        name = request.path_params["name"]
        if name == f"{slug}.epub" and session.book is not None:
            data, media_type = session.book.data, "application/epub+zip"
        elif name == f"{slug}.pdf" and session.handout is not None:
            data, media_type = session.handout.data, "application/pdf"
        else:
            return _not_found()
        return Response(data, media_type=media_type, headers={
            "cache-control": "no-store", "content-security-policy": ASSET_CSP,
            "content-disposition": f'inline; filename="{name}"'})

    async def events(request: Request) -> Response:
        queue: asyncio.Queue = asyncio.Queue()
        hub.queues.add(queue)

        async def stream():
            try:
                yield f"event: state\ndata: {json.dumps(state(session))}\n\n"
                while not hub.closed:
                    try:
                        message = await asyncio.wait_for(queue.get(), _KEEPALIVE_SECONDS)
                    except TimeoutError:
                        yield ": still here\n\n"
                        continue
                    if message is None:
                        return
                    # Several saves in a row: only the newest state matters.
                    while not queue.empty():
                        newer = queue.get_nowait()
                        if newer is None:
                            return
                        message = newer
                    yield f"event: state\ndata: {message}\n\n"
            finally:
                hub.queues.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"cache-control": "no-store", "x-accel-buffering": "no"})

    routes = [
        Route("/", index),
        Route("/assets/{name}", asset),
        Route("/state", current),
        Route("/events", events),
        Route("/book/{id:int}/{name:path}", book_file),
        Route("/handout/{id:int}/{page:int}.png", handout_page),
        Route("/download/{name}", download),
    ]
    middleware = [Middleware(_SecurityHeaders),
                  Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts or LOOPBACK_HOSTS)]
    return Starlette(routes=routes, middleware=middleware)


def _not_found() -> Response:
    return Response("not found\n", status_code=404, media_type="text/plain")


class _SecurityHeaders:
    """Headers every response carries (a pure ASGI middleware, so streaming responses keep streaming)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in _SECURITY.items() if k.encode() not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
