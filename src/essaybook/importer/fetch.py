"""The one way `essaybook import` reaches the network, confined so that a hostile page cannot use it.

A page is untrusted input that names URLs. Following them blindly would let a page on the internet make
essaybook read from the user's own machine or network (a router's admin page, a cloud metadata service), fill
the disk, or hang forever. So: http and https only; every host name is resolved here, each address checked, and
the connection made to the checked address (no second lookup that DNS rebinding could answer differently);
loopback, private, link-local and reserved addresses are refused, except the host of the URL the user typed,
which the user chose; few redirects, each checked again; a timeout for the whole response, not only per read;
a size cap per response and per page; content types checked; images opened with Pillow before they are kept.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import urljoin, urlsplit

from PIL import Image, UnidentifiedImageError

MAX_RESPONSE = 15 * 1024 * 1024  # one page or one image
MAX_PAGE_TOTAL = 60 * 1024 * 1024  # a page and all its images
MAX_REDIRECTS = 4
TIMEOUT = 20.0  # seconds for one whole response
MAX_PIXELS = 60_000_000  # width × height; more is a decompression bomb, not a figure
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
# What readers show as they are; other formats Pillow reads are converted to PNG.
IMAGE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
_USER_AGENT = "essaybook-import/0.1 (+https://example.invalid/essaybook)"


class FetchError(Exception):
    """A URL that cannot or may not be fetched; the message says why, in a few words."""


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    content_type: str
    charset: str | None
    body: bytes


@dataclass(frozen=True)
class Picture:
    """An image that Pillow opened and fully decoded: safe to save under its own extension."""

    data: bytes
    extension: str
    width: int
    height: int


@dataclass
class Fetcher:
    """Fetch pages and images for one import. ``trusted_host`` is the host of the URL the user gave: it may be
    a local address (a test server, an intranet page the user chose); no other local address is reached."""

    trusted_host: str | None = None
    timeout: float = TIMEOUT
    max_response: int = MAX_RESPONSE
    max_total: int = MAX_PAGE_TOTAL
    max_redirects: int = MAX_REDIRECTS
    fetched: int = field(default=0, init=False)

    @classmethod
    def for_url(cls, url: str, **kwargs) -> Fetcher:
        return cls(trusted_host=_host_key(url), **kwargs)

    def get(self, url: str, accept: tuple[str, ...]) -> Response:
        """GET ``url``, following at most a few redirects, each one checked like the first."""
        for _ in range(self.max_redirects + 1):
            status, headers, body = self._get_once(url)
            if status in (301, 302, 303, 307, 308):
                location = headers.get("location")
                if not location:
                    raise FetchError(f"redirect {status} without a Location")
                url = urljoin(url, location.strip())
                continue
            if status != 200:
                raise FetchError(f"HTTP {status}")
            content_type, charset = _content_type(headers.get("content-type", ""))
            if not any(content_type == a or (a.endswith("/") and content_type.startswith(a)) for a in accept):
                raise FetchError(f"content type '{content_type or 'none'}' is not one of {', '.join(accept)}")
            return Response(url, content_type, charset, body)
        raise FetchError(f"more than {self.max_redirects} redirects")

    def picture(self, url: str) -> Picture:
        response = self.get(url, ("image/", "application/octet-stream", "binary/octet-stream"))
        return open_picture(response.body)

    def _get_once(self, url: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"scheme '{parts.scheme or 'none'}' refused (http and https only)")
        if not parts.hostname:
            raise FetchError("no host in the URL")
        if parts.username or parts.password:
            raise FetchError("credentials in a URL refused")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        ip = self._checked_address(parts.hostname, port, _host_key(url))
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        deadline = time.monotonic() + self.timeout
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = _PinnedHTTPS(parts.hostname, port, ip, self.timeout)
        else:
            conn = _PinnedHTTP(parts.hostname, port, ip, self.timeout)
        try:
            conn.request("GET", target, headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "gzip, identity",
                                                 "Accept": "*/*"})
            resp = conn.getresponse()
            headers = {k.lower(): v for k, v in resp.getheaders()}
            if resp.status in (301, 302, 303, 307, 308):
                return resp.status, headers, b""
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > self.max_response:
                raise FetchError(f"response of {int(length)} bytes is over the {self.max_response}-byte limit")
            body = self._read(resp, deadline)
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            if isinstance(exc, TimeoutError | socket.timeout):
                raise FetchError(f"no answer within {self.timeout:.0f} s") from exc
            raise FetchError(f"cannot fetch ({type(exc).__name__}: {exc})") from exc
        finally:
            conn.close()
        if headers.get("content-encoding", "identity").lower() in ("gzip", "x-gzip", "deflate"):
            body = self._inflate(body)
        elif headers.get("content-encoding", "identity").lower() not in ("identity", ""):
            raise FetchError(f"content encoding '{headers['content-encoding']}' not supported")
        self._count(len(body))
        return resp.status, headers, body

    def _read(self, resp: http.client.HTTPResponse, deadline: float) -> bytes:
        chunks, size = [], 0
        while True:
            if time.monotonic() > deadline:
                raise FetchError(f"response not complete within {self.timeout:.0f} s")
            chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_response:
                raise FetchError(f"response over the {self.max_response}-byte limit")
            chunks.append(chunk)

    def _inflate(self, body: bytes) -> bytes:
        inflater = zlib.decompressobj(wbits=47)  # gzip or zlib header, detected
        try:
            out = inflater.decompress(body, self.max_response + 1)
        except zlib.error as exc:
            raise FetchError("compressed response is corrupt") from exc
        if len(out) > self.max_response or inflater.unconsumed_tail:
            raise FetchError(f"response inflates past the {self.max_response}-byte limit")
        return out

    def _count(self, n: int) -> None:
        self.fetched += n
        if self.fetched > self.max_total:
            raise FetchError(f"the page and its images exceed {self.max_total} bytes")

    def _checked_address(self, host: str, port: int, key: str) -> str:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"host '{host}' not found") from exc
        addresses = [info[4][0] for info in infos]
        if not addresses:
            raise FetchError(f"host '{host}' not found")
        for address in addresses:
            if not is_public(address) and key != self.trusted_host:
                raise FetchError(f"refused: '{host}' is a local or private address ({address})")
        return addresses[0]


def is_public(address: str) -> bool:
    """True for an address on the public internet (not loopback, private, link-local, multicast, reserved)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def open_picture(data: bytes) -> Picture:
    """Decode the image completely (truncated and hostile files fail here, not in the book) and keep it in a
    format readers show, converting others to PNG. Refuses more than MAX_PIXELS before decoding anything."""
    try:
        with Image.open(BytesIO(data)) as im:
            width, height = im.size
            if width * height > MAX_PIXELS:
                raise FetchError(f"image of {width}×{height} pixels refused (a decompression bomb?)")
            fmt = im.format or ""
            im.load()
            if fmt in IMAGE_FORMATS:
                return Picture(data, IMAGE_FORMATS[fmt], width, height)
            out = BytesIO()
            im.save(out, "PNG")
            return Picture(out.getvalue(), ".png", width, height)
    except FetchError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise FetchError(f"not an image Pillow can read safely ({exc})") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise FetchError(f"image is damaged ({exc})") from exc


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def _content_type(value: str) -> tuple[str, str | None]:
    main, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, v = param.partition("=")
        if name.strip().lower() == "charset":
            charset = v.strip().strip("\"'") or None
    return main.strip().lower(), charset


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever DNS says a moment later."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
