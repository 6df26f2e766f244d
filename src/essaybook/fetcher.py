"""The only way WeasyPrint may read anything: a URL fetcher that serves an allow-list and refuses the rest.

WeasyPrint's default fetcher reads any ``file:`` path, follows ``http(s)`` and embeds ``rel=attachment``
files into the PDF. This one answers only for the essay's own checked assets (by their place under the page's
fixed base URL) and for resources essaybook generates in memory (the QR code); any other URL stops the render
with ``FatalURLFetchingError``, which the caller turns into an error for the author. Nothing here ever opens a
file that was not checked, or a socket.

WeasyPrint is imported only when a PDF is wanted, so the class is built on first use.
"""

from __future__ import annotations

import functools

from essaybook.model import Asset


def confined_fetcher(base_url: str, assets: tuple[Asset, ...], generated: dict[str, tuple[bytes, str]]):
    """A fetcher for one render; pass the same instance to every ``HTML`` and ``CSS``."""
    return _fetcher_class()(base_url, assets, generated)


@functools.cache
def _fetcher_class() -> type:
    from essaybook.weasy import weasyprint

    wu = weasyprint.urls

    class ConfinedFetcher(wu.URLFetcher):
        def __init__(self, base_url: str, assets: tuple[Asset, ...],
                     generated: dict[str, tuple[bytes, str]]) -> None:
            super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=True)
            self.base_url = base_url
            self.assets = {base_url + a.href: a for a in assets}
            self.generated = generated

        def fetch(self, url: str, headers: dict | None = None) -> wu.URLFetcherResponse:
            url = url.split("#", 1)[0]
            if url in self.generated:
                body, media_type = self.generated[url]
                return wu.URLFetcherResponse(url, body, {"Content-Type": media_type})
            asset = self.assets.get(url)
            if asset is None:
                raise wu.FatalURLFetchingError(f"'{url.removeprefix(self.base_url)}'")
            return wu.URLFetcherResponse(url, asset.path.read_bytes(), {"Content-Type": asset.media_type})

    return ConfinedFetcher
