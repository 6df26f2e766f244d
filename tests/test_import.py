"""`essaybook import`: real pages served from 127.0.0.1, saved pages, MHTML, the seed capture, and the
Readability corpus, each imported through the CLI and the essays built and checked like any other."""

from __future__ import annotations

import email.mime.image
import email.mime.multipart
import email.mime.text
import importlib.util
import io
import json
import re
import struct
import threading
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from PIL import Image

from essaybook import validate
from essaybook.importer.fetch import Fetcher, FetchError, open_picture

from conftest import CORPUS, ESSAY, ROOT, SEED, build

READABILITY = CORPUS / "web" / "readability"
CHROME = ("Leave a Reply", "Your email address will not be published", "Share this", "We use cookies",
          "Accept all", "Be First to Comment", "Related posts", "Skip to content", "Post Comment", "Tweet")

PARAGRAPHS = [
    "The harbour town woke slowly that winter, its quays half empty and its fishing boats tied two and three "
    "deep against the sea wall while the owners argued about the price of diesel and the new quotas.",
    "Nobody who lived there could remember a season so quiet. The cannery had closed in the spring, and the "
    "young people who used to work its lines had gone inland to the warehouses along the motorway.",
    "Yet the town did not empty. Retired teachers opened a bakery in the old customs house, a boatyard began to "
    "repair wooden hulls again, and on Saturdays the market filled the square with cheese, nets and paint.",
    "What changed was the rhythm of the place. Work came in bursts rather than shifts, and the people who stayed "
    "learned to do three jobs at once: mending, selling, and explaining the town to visitors who asked.",
    "By the following summer the harbour master counted more boats than in any year since the cannery opened, "
    "though most of them now carried tourists to the islands rather than fish back to the quay.",
]


def _jpeg(width: int, height: int, color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=70)
    return out.getvalue()


def _bomb_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A tiny PNG whose header claims 1.6 gigapixels: only the header is ever read."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + \
        chunk(b"IEND", b"")


def _wordpress_page(base: str) -> str:
    p = [f"<p>{t}</p>" for t in PARAGRAPHS]
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>The Quiet Harbour – Coastal Notes</title>
<meta property="og:title" content="The Quiet Harbour">
<meta property="og:site_name" content="Coastal Notes">
<meta name="author" content="Mira Okafor">
<meta name="description" content="How a fishing town changed after its cannery closed.">
<meta property="article:published_time" content="2021-03-04T09:15:00+00:00">
<link rel="canonical" href="{base}/2021/03/the-quiet-harbour/">
<script>document.write("tracking")</script>
</head><body class="post-template-default single single-post">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div id="cookie-notice" class="cookie-banner"><p>We use cookies to improve your experience on our site.</p>
<button>Accept all</button></div>
<header id="masthead"><nav><ul><li><a href="/">Home</a></li><li><a href="/about/">About</a></li></ul></nav></header>
<div id="content" class="site-content"><main id="main">
<article class="post type-post">
<header class="entry-header"><h1 class="entry-title">The Quiet Harbour</h1>
<div class="entry-meta">Posted on <time datetime="2021-03-04T09:15:00+00:00">March 4, 2021</time> by
<span class="author vcard"><a href="/author/mira/">Mira Okafor</a></span></div></header>
<div class="entry-content">
{p[0]}
<figure class="wp-block-image size-large"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="
 data-src="{base}/img/quay-400.jpg"
 data-srcset="{base}/img/quay-400.jpg 400w, {base}/img/quay-1600.jpg 1600w, {base}/img/quay-3200.jpg 3200w"
 alt="Fishing boats moored three deep along a stone quay" class="lazyload" width="1600" height="900">
<noscript><img src="{base}/img/quay-400.jpg" alt="Fishing boats moored three deep along a stone quay"></noscript>
<figcaption>Boats along the quay in February. Photo: Jan Berger</figcaption></figure>
{p[1]}
<p>{PARAGRAPHS[2][:60]}<sup id="fnref:1"><a href="#fn:1" class="footnote" rel="footnote">1</a></sup>
{PARAGRAPHS[2][60:]}</p>
<div id="attachment_12" class="wp-caption aligncenter" style="width: 610px">
<img class="size-full wp-image-12" src="{base}/img/market.jpg" alt="Market stalls in the square" width="600"
 height="400"><p class="wp-caption-text">The Saturday market. <span class="credit">Source: Town archive</span></p>
</div>
{p[3]}
{p[4]}
<div class="footnotes"><ol><li id="fn:1"><p>The customs house was built in 1852.
<a href="#fnref:1" class="reversefootnote">&#8617;</a></p></li></ol></div>
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3><ul>
<li><a href="https://twitter.com/share">Tweet</a></li><li><a href="https://facebook.com/sharer">Facebook</a></li>
</ul></div>
</div></article>
<div id="jp-relatedposts"><h3>Related posts</h3><p><a href="/other/">Another harbour</a></p></div>
<div id="comments" class="comments-area"><h2 class="comments-title">Be First to Comment</h2>
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">Leave a Reply</h3>
<form action="/wp-comments-post.php" method="post" id="commentform">
<p class="comment-notes">Your email address will not be published. Required fields are marked *</p>
<p><label for="comment">Comment</label><textarea id="comment" name="comment"></textarea></p>
<p><input name="submit" type="submit" value="Post Comment"></p></form></div></div>
</main></div>
<footer><p>Proudly powered by WordPress</p></footer>
</body></html>"""


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        status, headers, body = self.routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Length" not in headers and not headers.get("X-No-Length"):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    jpeg = {"Content-Type": "image/jpeg"}
    _Handler.routes = {
        "/2021/03/the-quiet-harbour/": (200, {"Content-Type": "text/html; charset=utf-8"},
                                        _wordpress_page(base).encode()),
        "/img/quay-400.jpg": (200, jpeg, _jpeg(400, 225, (40, 90, 140))),
        "/img/quay-1600.jpg": (200, jpeg, _jpeg(1600, 900, (40, 90, 140))),
        "/img/quay-3200.jpg": (200, jpeg, _jpeg(3200, 1800, (40, 90, 140))),
        "/img/market.jpg": (200, jpeg, _jpeg(600, 400, (150, 60, 30))),
        "/to-private": (302, {"Location": "http://10.20.30.40/admin"}, b""),
        "/to-other-port": (302, {"Location": "http://127.0.0.1:9/"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/big": (200, {"Content-Type": "text/html"}, b"<p>" + b"x" * 5000 + b"</p>"),
        "/big-unannounced": (200, {"Content-Type": "text/html", "X-No-Length": "1", "Connection": "close"},
                             b"<p>" + b"x" * 5000 + b"</p>"),
        "/bomb.png": (200, {"Content-Type": "image/png"}, _bomb_png()),
        "/not-an-image.jpg": (200, {"Content-Type": "text/html"}, b"<html>nope</html>"),
        "/feed.zip": (200, {"Content-Type": "application/zip"}, b"PK\x03\x04"),
    }
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield base
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def wordpress_essay(server: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("wp") / "harbour"
    code = build(["import", f"{server}/2021/03/the-quiet-harbour/", "-o", str(folder)])
    text = (folder / "essay.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return {"code": code, "folder": folder, "front": yaml.safe_load(front), "body": body}


def test_wordpress_page_becomes_an_essay(wordpress_essay: dict, server: str) -> None:
    assert wordpress_essay["code"] == 0
    front = wordpress_essay["front"]
    assert front["title"] == "The Quiet Harbour"
    assert front["author"] == "Mira Okafor"
    assert str(front["date"]) == "2021-03-04"
    assert front["lang"] == "en-GB"
    assert front["description"] == "How a fishing town changed after its cannery closed."
    assert front["source_url"] == f"{server}/2021/03/the-quiet-harbour/"
    assert front["notes"]["lead"] and "prompts" not in front["notes"]
    body = wordpress_essay["body"]
    for paragraph in PARAGRAPHS[:2] + PARAGRAPHS[3:]:
        assert paragraph in body
    assert "The Quiet Harbour" not in body  # the headline is the title, not repeated


def test_wordpress_chrome_is_gone(wordpress_essay: dict) -> None:
    body = wordpress_essay["body"]
    for phrase in (*CHROME, "Proudly powered", "Another harbour", "Posted on", "tracking"):
        assert phrase not in body, phrase


def test_lazy_srcset_figure_has_its_largest_useful_image(wordpress_essay: dict) -> None:
    body, folder = wordpress_essay["body"], wordpress_essay["folder"]
    assert ('![Boats along the quay in February.](images/quay-1600.jpg){alt="Fishing boats moored three deep '
            'along a stone quay" credit="Photo: Jan Berger"}') in body
    with Image.open(folder / "images" / "quay-1600.jpg") as im:
        assert im.size == (1600, 900)
    assert not (folder / "images" / "quay-3200.jpg").exists()  # beyond ~2400 px: not wanted
    assert not (folder / "images" / "quay-400.jpg").exists()


def test_wp_caption_credit_kept_apart(wordpress_essay: dict) -> None:
    body = wordpress_essay["body"]
    assert ('![The Saturday market.](images/market.jpg){alt="Market stalls in the square" '
            'credit="Source: Town archive"}') in body


def test_footnote_called_where_it_was(wordpress_essay: dict) -> None:
    body = wordpress_essay["body"]
    assert PARAGRAPHS[2][:60] + "[^1]" + PARAGRAPHS[2][60:] in body
    assert "[^1]: The customs house was built in 1852." in body
    assert "↩" not in body


def test_imported_essay_builds_clean(wordpress_essay: dict, corpus_import: dict) -> None:
    """Built with the corpus sample (one EPUBCheck JVM for all); `check` finds no error in it either."""
    findings = corpus_import["wordpress-test-page"]["epubcheck"]
    if findings is None:
        pytest.skip("EPUBCheck needs Java and the epubcheck jar: run ./run test")
    assert findings == [], "\n".join(str(f) for f in findings)
    assert build(["check", str(wordpress_essay["folder"])]) == 0


# --- the fetcher -------------------------------------------------------------------------------------------


def test_redirect_to_a_private_address_is_refused(server: str) -> None:
    fetcher = Fetcher.for_url(f"{server}/to-private")
    with pytest.raises(FetchError, match="local or private"):
        fetcher.get(f"{server}/to-private", ("text/html",))


def test_redirect_to_another_local_port_is_refused(server: str) -> None:
    with pytest.raises(FetchError, match="local or private"):
        Fetcher.for_url(server).get(f"{server}/to-other-port", ("text/html",))


def test_a_public_page_never_reaches_loopback(server: str) -> None:
    # A fetcher made for a page elsewhere trusts no local host: a page naming 127.0.0.1 gets nothing from it.
    before = len(_Handler.seen)
    with pytest.raises(FetchError, match="local or private"):
        Fetcher.for_url("https://example.org/article").picture(f"{server}/img/market.jpg")
    assert len(_Handler.seen) == before


def test_redirect_loop_stops(server: str) -> None:
    with pytest.raises(FetchError, match="redirects"):
        Fetcher.for_url(server).get(f"{server}/loop", ("text/html",))


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_oversize_response_is_refused(server: str, path: str) -> None:
    with pytest.raises(FetchError, match="limit"):
        Fetcher.for_url(server, max_response=1000).get(f"{server}{path}", ("text/html",))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/",
                                 "javascript:alert(1)"])
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="scheme"):
        Fetcher().get(url, ("text/html",))


def test_import_of_a_file_url_fails_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert build(["import", "file:///etc/passwd", "-o", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: file:///etc/passwd: ") and "scheme" in err[0]
    assert not (tmp_path / "x").exists()


def test_decompression_bomb_is_refused(server: str) -> None:
    with pytest.raises(FetchError, match="decompression bomb"):
        Fetcher.for_url(server).picture(f"{server}/bomb.png")
    with pytest.raises(FetchError, match="decompression bomb"):
        open_picture(_bomb_png())


def test_content_types_are_checked(server: str) -> None:
    with pytest.raises(FetchError, match="content type"):
        Fetcher.for_url(server).picture(f"{server}/not-an-image.jpg")
    with pytest.raises(FetchError, match="content type"):
        Fetcher.for_url(server).get(f"{server}/feed.zip", ("text/html",))


# --- saved pages ---------------------------------------------------------------------------------------------


def _article(figure: str, extra: str = "") -> str:
    paras = "".join(f"<p>{t}</p>" for t in PARAGRAPHS[:2]) + figure + "".join(f"<p>{t}</p>" for t in PARAGRAPHS[2:])
    return (f"<html lang='en'><head><meta charset='utf-8'><title>The Quiet Harbour</title></head><body><article>"
            f"<h1>The Quiet Harbour</h1>{paras}{extra}</article></body></html>")


def test_saved_page_reads_its_files_folder_only(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    page = tmp_path / "saved" / "harbour.html"
    (page.parent / "harbour_files").mkdir(parents=True)
    (page.parent / "harbour_files" / "quay.jpg").write_bytes(_jpeg(800, 450, (10, 20, 30)))
    (tmp_path / "secret.jpg").write_bytes(_jpeg(800, 450, (200, 0, 0)))
    figure = ("<figure><img src='harbour_files/quay.jpg' alt='Boats at the quay'><figcaption>The quay.</figcaption>"
              "</figure><figure><img src='../secret.jpg' alt='A secret'><figcaption>Not ours.</figcaption></figure>")
    canonical = '<link rel="canonical" href="https://news.example.org/harbour">'
    page.write_text(_article(figure).replace("</head>", canonical + "</head>"), encoding="utf-8")
    out = tmp_path / "essay"
    assert build(["import", str(page), "-o", str(out)]) == 0
    text = (out / "essay.md").read_text(encoding="utf-8")
    assert '![The quay.](images/quay.jpg){alt="Boats at the quay"}' in text
    assert "<!-- image not kept: ../secret.jpg — Not ours. -->" in text
    assert sorted(p.name for p in (out / "images").iterdir()) == ["quay.jpg"]
    err = capsys.readouterr().err
    assert "../secret.jpg not kept: outside the page's _files folder" in err


def test_mhtml_page_and_its_images(tmp_path: Path) -> None:
    related = email.mime.multipart.MIMEMultipart("related")
    related["Snapshot-Content-Location"] = "https://news.example.org/harbour"
    figure = "<figure><img src='https://news.example.org/img/quay.jpg' alt='Boats'><figcaption>The quay. " \
             "© Jan Berger</figcaption></figure>"
    html_part = email.mime.text.MIMEText(_article(figure), "html", "utf-8")
    html_part["Content-Location"] = "https://news.example.org/harbour"
    related.attach(html_part)
    image = email.mime.image.MIMEImage(_jpeg(640, 360, (90, 90, 90)), "jpeg")
    image["Content-Location"] = "https://news.example.org/img/quay.jpg"
    related.attach(image)
    source = tmp_path / "harbour.mhtml"
    source.write_bytes(related.as_bytes())
    out = tmp_path / "essay"
    assert build(["import", str(source), "-o", str(out), "-q"]) == 0
    text = (out / "essay.md").read_text(encoding="utf-8")
    assert '![The quay.](images/quay.jpg){alt="Boats" credit="© Jan Berger"}' in text
    assert (out / "images" / "quay.jpg").is_file()


def test_hostile_page_reaches_the_book_as_text(tmp_path: Path) -> None:
    hostile = ('<p>Note <script>alert(1)</script><img src="x" onerror="alert(1)"> <a href="javascript:alert(1)">'
               'click</a> and the literal &lt;script&gt;alert(2)&lt;/script&gt; {: .x} [^9] *stars* `tick` '
               '<a href="https://example.org/a_(b)">a link</a> --&gt; done.</p><h2>About C#</h2>'
               f'<p>{PARAGRAPHS[0]}</p>')
    page = tmp_path / "hostile.html"
    page.write_text(_article("", hostile), encoding="utf-8")
    out = tmp_path / "essay"
    assert build(["import", str(page), "-o", str(out), "-q"]) == 0
    text = (out / "essay.md").read_text(encoding="utf-8")
    assert "alert(1)" not in text and "javascript" not in text and "onerror" not in text
    epub = tmp_path / "hostile.epub"
    assert build(["epub", str(out), "-o", str(epub), "-q", "--no-page-list"]) == 0
    import zipfile

    xhtml = zipfile.ZipFile(epub).read("EPUB/essay.xhtml").decode()
    assert "<script" not in xhtml
    assert "&lt;script&gt;alert(2)&lt;/script&gt; {: .x} [^9] *stars* `tick`" in xhtml
    assert 'href="https://example.org/a_%28b%29"' in xhtml
    assert "<h2" in xhtml and "About C#</h2>" in xhtml


# --- footnotes in the web's forms ----------------------------------------------------------------------------

_CALL_AT = PARAGRAPHS[1][:40]
_FOOTNOTE_FORMS = {
    "pandoc": ('<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a>',
               '<section class="footnotes" role="doc-endnotes"><hr><ol><li id="fn1"><p>The note.'
               '<a href="#fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li></ol></section>'),
    "word": ('<a href="#_ftn1" name="_ftnref1"><span class="MsoFootnoteReference">[1]</span></a>',
             '<div><hr><div id="ftn1"><p class="MsoFootnoteText"><a href="#_ftnref1" name="_ftn1">[1]</a> '
             'The note.</p></div></div>'),
    "google-docs": ('<sup><a href="#ftnt1" id="ftnt_ref1">[1]</a></sup>',
                    '<hr><div><p><a href="#ftnt_ref1" id="ftnt1">[1]</a><span> The note.</span></p></div>'),
    "substack": ('<a class="footnote-anchor" id="footnote-anchor-1" href="#footnote-1">1</a>',
                 '<div class="footnote"><a id="footnote-1" href="#footnote-anchor-1" class="footnote-number">1</a>'
                 '<div class="footnote-content"><p>The note.</p></div></div>'),
    "wordpress": ('<sup data-fn="abc" class="fn"><a href="#abc" id="abc-link">1</a></sup>',
                  '<ol class="wp-block-footnotes"><li id="abc">The note. <a href="#abc-link" '
                  'aria-label="Jump to footnote reference 1">↩︎</a></li></ol>'),
    "sidenote": ('<label for="sn-1" class="margin-toggle sidenote-number"></label><input type="checkbox" '
                 'id="sn-1" class="margin-toggle"/><span class="sidenote">The note.</span>', ""),
    "notes-list": ("<sup>1</sup>", "<h2>Notes</h2><ol><li>The note.</li></ol>"),
    "wp-footnotes": ('<sup class="footnote"><a href="#footnote_0_9" id="identifier_0_9" class="footnote-link '
                     'footnote-identifier-link">1</a></sup>',
                     '<ol class="footnotes"><li id="footnote_0_9" class="footnote">The note. [<a href="#identifier_0_9"'
                     ' class="footnote-link footnote-back-link">&#8617;</a>]</li></ol>'),
    "modern-footnotes": ('<sup class="modern-footnotes-footnote" data-mfn="1"><a href="javascript:void(0)">1</a></sup>'
                         '<span class="modern-footnotes-footnote__note" data-mfn="1">The note.</span>', ""),
    "mediawiki": ('<sup id="cite_ref-1" class="reference"><a href="#cite_note-1">[1]</a></sup>',
                  '<h2>References</h2><ol class="references"><li id="cite_note-1"><span class="mw-cite-backlink"><b>'
                  '<a href="#cite_ref-1">^</a></b></span> <span class="reference-text">The note.</span></li></ol>'),
}


@pytest.mark.parametrize("form", _FOOTNOTE_FORMS)
def test_footnote_forms_become_markdown_footnotes(form: str, tmp_path: Path) -> None:
    call, notes = _FOOTNOTE_FORMS[form]
    paras = [f"<p>{t}</p>" for t in PARAGRAPHS]
    paras[1] = f"<p>{_CALL_AT}{call}{PARAGRAPHS[1][40:]}</p>"
    page = tmp_path / "page.html"
    page.write_text(f"<html lang='en'><head><meta charset='utf-8'><title>The Quiet Harbour</title></head><body>"
                    f"<article><h1>The Quiet Harbour</h1>{''.join(paras)}{notes}</article></body></html>",
                    encoding="utf-8")
    out = tmp_path / "essay"
    assert build(["import", str(page), "-o", str(out), "-q"]) == 0
    body = (out / "essay.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert f"{_CALL_AT}[^1]{PARAGRAPHS[1][40:]}" in body
    assert re.search(r"^\[\^1\]: The note\.\s*$", body, re.M), body
    assert "[1]" not in body and "↩" not in body and body.count("The note.") == 1
    assert "Notes" not in body and "References" not in body


def test_numbered_lists_code_and_indices_come_through_as_written(tmp_path: Path) -> None:
    """What trafilatura's HTML recasts is put back from the page: an ``<ol start>`` (it writes ``<ul>``),
    inline code (a ``<pre>`` cutting the sentence apart), a ``<pre>`` (a one-line quotation) and one whose lines
    are ``<br>``; a superscript and a subscript are marked (10³ read as 103)."""
    extra = ("<ol start='3'><li>Third, read the gauge before the tide turns</li><li>Fourth, write it in the book"
             "</li></ol><p>The weir passes 10<sup>3</sup> litres of H<sub>2</sub>O a second; type <code>ls -l"
             "</code> to see the files and <code>cd /srv</code> to move.</p>"
             "<pre>line one\n    line two, indented\nline three</pre>"
             "<pre><code>first();<br>second();<br>third();</code></pre>")
    page = tmp_path / "page.html"
    page.write_text(_article("", extra), encoding="utf-8")
    out = tmp_path / "essay"
    assert build(["import", str(page), "-o", str(out), "-q"]) == 0
    body = (out / "essay.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert "3. Third, read the gauge before the tide turns\n4. Fourth, write it in the book" in body
    assert "10^3^ litres of H~2~O a second; type `ls -l` to see the files and `cd /srv` to move." in body
    assert "```\nline one\n    line two, indented\nline three\n```" in body
    assert "```\nfirst();\nsecond();\nthird();\n```" in body


# --- the seed capture and the command's contract -------------------------------------------------------------


def _words(markdown: str) -> list[str]:
    body = markdown.split("---\n", 2)[2]
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    body = "\n".join(line for line in body.splitlines() if not line.startswith("!["))
    return re.findall(r"\w+(?:[’']\w+)*", body)


def test_seed_imports_to_the_projects_essay(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "seed"
    assert build(["import", str(SEED), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    text = (out / "essay.md").read_text(encoding="utf-8")
    assert _words(text) == _words(ESSAY.read_text(encoding="utf-8"))
    front = yaml.safe_load(text.split("---\n", 2)[1])
    assert front["title"] == "China’s Costly Inaction" and front["lang"] == "en"
    assert "<!-- figure not in the capture: A North Korean soldiers patrols the Sino-Korean border. (Source:) -->" \
        in text
    for phrase in (*CHROME, "Required fields"):
        assert phrase not in text
    assert captured.out.strip() == f"{out} (1240 words, 0 images)"
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "A North Korean soldiers patrols" in warnings[0] and "Source:" in warnings[0]
    assert build(["epub", str(out), "-o", str(tmp_path / "seed.epub"), "-q", "--no-page-list"]) == 0


def test_several_sources_unique_slugs_and_no_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    parent = tmp_path / "content"
    (parent / "chinas-costly-inaction").mkdir(parents=True)
    (parent / "chinas-costly-inaction" / "essay.md").write_text("mine", encoding="utf-8")
    code = build(["import", str(SEED), str(SEED), str(tmp_path / "missing.html"), "-o", str(parent)])
    assert code == 1
    err = capsys.readouterr().err
    assert "chinas-costly-inaction/essay.md exists; pass --force" in err
    assert "missing.html: not found" in err
    assert (parent / "chinas-costly-inaction" / "essay.md").read_text(encoding="utf-8") == "mine"
    assert (parent / "chinas-costly-inaction-2" / "essay.md").is_file()
    assert not list(parent.glob(".*import-tmp"))
    assert build(["import", str(SEED), "-o", str(parent / "chinas-costly-inaction"), "--force", "-q"]) == 0
    assert (parent / "chinas-costly-inaction" / "essay.md").read_text(encoding="utf-8").startswith("---\ntitle:")


# --- the Readability corpus ----------------------------------------------------------------------------------

# A fixed sample across kinds (news, blogs, Wikipedia, right-to-left, CJK, lazy images, tables, hostile
# markup) for the suite; benchmarks/import_corpus.py imports and checks all 130.
SAMPLE = ["001", "ars-1", "bbc-1", "blogger", "cnn", "folha", "guardian-1", "hukumusume", "keep-tabular-data",
          "lazy-image-1", "lemonde-1", "mathjax", "medium-1", "nytimes-2", "qq", "rtl-1", "wikipedia",
          "wordpress", "yahoo-4", "js-link-replacement"]


def _corpus_pages() -> list[Path]:
    """Every fifth page and the EPUB sample: about 40 pages of the 130, the same ones every run."""
    if not READABILITY.is_dir():
        return []
    pages = sorted(p for p in READABILITY.iterdir() if (p / "source.html").is_file())
    return [p for i, p in enumerate(pages) if i % 5 == 0 or p.name in SAMPLE]


@pytest.fixture(scope="session")
def corpus_import(tmp_path_factory: pytest.TempPathFactory, wordpress_essay: dict) -> dict[str, dict]:
    """The pages imported (about 0.1 s each); the EPUB sample, and the WordPress test page's essay, built and
    checked in one JVM."""
    if not READABILITY.is_dir():
        pytest.skip(f"the Readability corpus is not at {READABILITY}")
    out = tmp_path_factory.mktemp("readability")
    results: dict[str, dict] = {}
    for page in _corpus_pages():
        folder = out / page.name
        code = build(["import", str(page / "source.html"), "-o", str(folder), "-q"])
        front = yaml.safe_load((folder / "essay.md").read_text(encoding="utf-8").split("---\n", 2)[1]) \
            if code == 0 else {}
        results[page.name] = {"code": code, "folder": folder, "front": front,
                              "expected": json.loads((page / "expected-metadata.json").read_text(encoding="utf-8"))}
    epubs = {}
    results["wordpress-test-page"] = {"folder": wordpress_essay["folder"]}
    for name in [*SAMPLE, "wordpress-test-page"]:
        epub = out / f"{name}.epub"
        assert build(["epub", str(results[name]["folder"]), "-o", str(epub), "-q", "--no-page-list"]) == 0, name
        epubs[name] = epub
    reports = validate.epubcheck(list(epubs.values())) if validate.epubcheck_available() else None
    for name, epub in epubs.items():
        results[name]["epubcheck"] = reports[epub] if reports is not None else None
    return results


def test_corpus_pages_import(corpus_import: dict) -> None:
    failed = [name for name, r in corpus_import.items() if r.get("code", 0) != 0]
    assert not failed and len(corpus_import) >= 40, failed


@pytest.mark.parametrize("name", SAMPLE)
def test_corpus_sample_builds_with_epubcheck_clean(corpus_import: dict, name: str) -> None:
    findings = corpus_import[name]["epubcheck"]
    if findings is None:
        pytest.skip("EPUBCheck needs Java and the epubcheck jar: run ./run test")
    assert findings == [], "\n".join(str(f) for f in findings)


def _agreement() -> Callable[[dict, dict], dict[str, bool | None]]:
    """The benchmark's own scoring (``benchmarks/import_corpus.py``), so the test and the figures in the
    README are counted the same way."""
    spec = importlib.util.spec_from_file_location("import_corpus", ROOT / "benchmarks" / "import_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.agreement


def test_metadata_agreement_with_readability(corpus_import: dict) -> None:
    """Floors just below what the importer reaches (see the README for the figures)."""
    agreement = _agreement()
    titles, bylines, dates, langs = [], [], [], []
    for r in corpus_import.values():
        if "expected" not in r:
            continue
        found = agreement(r["front"], r["expected"])
        titles.append(found["headline"])
        for kind, seen in (("byline", bylines), ("date", dates), ("lang", langs)):
            if found[kind] is not None:
                seen.append(found[kind])
    rate = {k: sum(v) / len(v) for k, v in (("title", titles), ("byline", bylines), ("date", dates),
                                             ("lang", langs))}
    print(f"agreement on {len(titles)} pages: {rate}")
    assert rate["title"] >= FLOORS["title"], rate
    assert rate["byline"] >= FLOORS["byline"], rate
    assert rate["date"] >= FLOORS["date"], rate
    assert rate["lang"] >= FLOORS["lang"], rate


FLOORS = {"title": 0.96, "byline": 0.78, "date": 0.9, "lang": 0.98}  # on this sample: 1.0, 0.81, 1.0, 1.0


def test_the_notes_lead_is_in_the_pages_language(tmp_path: Path) -> None:
    """An Arabic page's Notes section opens in Arabic (labels.json), not with the English lead."""
    from essaybook.labels import label

    words = "سجل كتبة الري منسوب النيل كل يوم منذ القرن التاسع عشر، وما زالت دفاترهم محفوظة في دار الوثائق. "
    page = tmp_path / "page.html"
    page.write_text("<html lang='ar' dir='rtl'><head><meta charset='utf-8'><title>النهر والدفتر</title></head><body>"
                    f"<article><h1>النهر والدفتر</h1><p>{words * 4}</p><p>{words * 3}</p></article></body></html>",
                    encoding="utf-8")
    out = tmp_path / "essay"
    assert build(["import", str(page), "-o", str(out), "-q"]) == 0
    front = (out / "essay.md").read_text(encoding="utf-8").split("---\n", 2)[1]
    assert f"lead: {label('ar', 'notes_lead')}" in front and "Questions" not in front
