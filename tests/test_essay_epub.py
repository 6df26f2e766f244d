"""The project's own essay as an EPUB: the words, the figure, the Notes section, the metadata, the package."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from conftest import SEED, epub_files

NS = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
CHROME = ["Press \"Enter\" to skip to content", "Be First to Comment", "Leave a Reply",
          "Your email address will not be published", "Required fields are marked"]


def seed_essay_words() -> list[str]:
    """The essay's body in the web capture: after the caption, before the comment form."""
    paragraphs = [p.strip() for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    end = next(i for i, p in enumerate(paragraphs) if p.startswith("Be First"))
    return " ".join(paragraphs[3:end]).split()


def xhtml(files: dict[str, bytes], name: str) -> etree._Element:
    return etree.fromstring(files[f"EPUB/{name}"])


def text_without_paragraph_numbers(root: etree._Element) -> str:
    for span in root.xpath("//h:span[@class='pnum']", namespaces=NS):
        span.getparent().text = (span.getparent().text or "") + (span.tail or "")
        span.getparent().remove(span)
    body = root.find("h:body", NS)
    return " ".join("".join(body.itertext()).split())


def test_every_word_of_the_essay_survives_in_order(essay_epub: Path) -> None:
    text = text_without_paragraph_numbers(xhtml(epub_files(essay_epub), "essay.xhtml"))
    words = seed_essay_words()
    joined = " ".join(words)
    assert joined in text, "the essay's body is not in the EPUB word for word"
    assert len(words) > 1200


def test_no_web_chrome_survives(essay_epub: Path) -> None:
    everything = b"".join(epub_files(essay_epub).values()).decode("utf-8", "replace")
    for phrase in CHROME:
        assert phrase not in everything


def test_figure_has_alt_text_caption_and_credit(essay_epub: Path) -> None:
    root = xhtml(epub_files(essay_epub), "essay.xhtml")
    (figure,) = root.xpath("//h:figure", namespaces=NS)
    img = figure.find("h:img", NS)
    caption = figure.find("h:figcaption/h:span[@class='caption']", NS)
    credit = figure.find("h:figcaption/h:span[@class='credit']", NS)
    assert caption.text == "A North Korean soldier patrols the Sino-Korean border."
    assert img.get("alt").startswith("Simplified map") and img.get("alt") != caption.text
    assert "drawn for this edition" in credit.text
    assert figure.getparent().tag != f"{{{NS['h']}}}p"


def test_notes_section_ends_the_book(essay_epub: Path) -> None:
    files = epub_files(essay_epub)
    root = xhtml(files, "notes.xhtml")
    assert root.xpath("string(//h:h2)", namespaces=NS) == "Notes"
    assert len(root.xpath("//h:ol[@class='prompts']/h:li", namespaces=NS)) == 4
    opf = etree.fromstring(files["EPUB/content.opf"])
    spine = [i.get("idref") for i in opf.iterfind(".//opf:spine/opf:itemref", NS)]
    assert spine == ["cover", "nav", "essay", "notes"]


def test_package_metadata(essay_epub: Path) -> None:
    opf = etree.fromstring(epub_files(essay_epub)["EPUB/content.opf"])
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    md = opf.find("opf:metadata", NS)
    assert md.findtext("dc:title", namespaces=NS) == "China’s Costly Inaction"
    assert md.findtext("dc:language", namespaces=NS) == "en"
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", md.findtext("dc:identifier", namespaces=NS))
    assert md.find("dc:creator", NS) is None, "the seed names no author: none is invented"
    props = {m.get("property"): m.text for m in md.iterfind("opf:meta", NS) if m.get("property")}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", props["dcterms:modified"])
    assert props["dcterms:conformsTo"] == "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
    features = [m.text for m in md.iterfind("opf:meta[@property='schema:accessibilityFeature']", NS)]
    assert "alternativeText" in features
    assert props["schema:accessibilitySummary"]


def test_navigation_has_contents_and_landmarks(essay_epub: Path) -> None:
    nav = xhtml(epub_files(essay_epub), "nav.xhtml")
    toc = nav.xpath("//h:nav[@epub:type='toc']//h:a/@href", namespaces=NS)
    assert toc == ["essay.xhtml", "notes.xhtml"]
    landmarks = nav.xpath("//h:nav[@epub:type='landmarks']//h:a/@epub:type", namespaces=NS)
    assert landmarks == ["cover", "toc", "bodymatter", "backmatter"]


def test_zip_layout_is_what_readers_expect(essay_epub: Path) -> None:
    with zipfile.ZipFile(essay_epub) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/epub+zip"
        assert len({i.date_time for i in z.infolist()}) == 1


def test_every_document_has_language_and_title(essay_epub: Path) -> None:
    for name, data in epub_files(essay_epub).items():
        if name.endswith(".xhtml"):
            root = etree.fromstring(data)
            assert root.get("lang") == "en" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
            assert root.findtext("h:head/h:title", namespaces=NS), name


def test_stylesheet_respects_reader_settings(essay_epub: Path) -> None:
    css = epub_files(essay_epub)["EPUB/style.css"].decode()
    assert not re.search(r"font-size:\s*\d+(\.\d+)?px", css)
    body_rules = re.findall(r"(?:^|\})\s*body\s*\{([^}]*)\}", css)
    assert body_rules and not any(re.search(r"\b(color|font-family|background)\s*:", r) for r in body_rules)
