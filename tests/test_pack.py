"""A course pack of three essays of our own (tests/course: one with footnotes, a figure and a source URL, one in
French with a footnote, one without a rights line), built once through the CLI and read back: the EPUB's nav
and page list, the PDF's contents numbers, folios, running heads, notes and permissions page, and a booklet."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from PIL import Image

from conftest import ROOT, build
from pdf_reading import document_language, page_texts, structure_tags
from test_booklet import sides

PACK = ROOT / "tests" / "course" / "packs" / "week-3.yml"
TITLES = ["The River’s Ledgers", "La place du marché", "The Night Ferry"]
NS = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


@pytest.fixture(scope="session")
def pack_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("pack")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        # Two jobs: laid out essay by essay in parallel and stitched (pack_stitch.py); one job: one layout.
        assert build(["build", str(PACK), "--out-dir", str(out), "--force", "--jobs", "2"]) == 0
        assert build(["build", str(PACK), "--out-dir", str(out / "single"), "--force", "--jobs", "1"]) == 0
        assert build(["pdf", str(PACK), "--booklet", "-o", str(out / "booklet.pdf"), "--force"]) == 0
    return {"epub": out / "week-3.epub", "pdf": out / "week-3.pdf", "booklet": out / "booklet.pdf",
            "single-epub": out / "single" / "week-3.epub", "single-pdf": out / "single" / "week-3.pdf",
            "stderr": err.getvalue()}


@pytest.fixture(scope="session")
def pages(pack_books) -> list[str]:
    return page_texts(pack_books["pdf"])


def _heads(pdf: Path) -> list[str]:
    """The running heads: the band above the text block on A4 (24 mm top margin)."""
    return [" ".join(t.split()) for t in page_texts(pdf, crop=(0, 62))]


def _folios(pdf: Path) -> list[str]:
    return [" ".join(t.split()) for t in page_texts(pdf, crop=(790, 842))]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_nav_lists_the_essays_in_order(pack_books) -> None:
    with zipfile.ZipFile(pack_books["epub"]) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
    top = nav.xpath("//h:nav[@epub:type='toc']/h:ol/h:li/h:a", namespaces=NS)
    texts = ["".join(a.itertext()) for a in top]
    hrefs = [a.get("href") for a in top]
    assert [t.split(" — ")[0] for t in texts[1:4]] == TITLES
    assert hrefs[1:4] == ["e1-essay.xhtml", "e2-essay.xhtml", "e3-essay.xhtml"]
    assert texts[-1] == "Permissions" and texts[-2] == "Seminar notes"
    nested = nav.xpath("//h:nav[@epub:type='toc']/h:ol/h:li[2]/h:ol/h:li/h:a/@href", namespaces=NS)
    assert "e1-essay.xhtml#e1-what-the-ledgers-agree-on" in nested and "e1-notes.xhtml" in nested


def test_each_essay_keeps_its_own_front_matter_in_the_epub(pack_books) -> None:
    with zipfile.ZipFile(pack_books["epub"]) as z:
        opf = z.read("EPUB/content.opf").decode()
        french = etree.fromstring(z.read("EPUB/e2-essay.xhtml"))
        ids = [el.get("id") for name in z.namelist() if name.endswith(".xhtml")
               for el in etree.fromstring(z.read(name)).iter() if el.get("id")]
    assert french.get("lang") == "fr" and french.xpath("//h:h1/text()", namespaces=NS) == ["La place du marché"]
    assert "<dc:creator" in opf and "Dr Helen Okafor" in opf
    assert "Ada Lindqvist</dc:creator>" not in opf  # an essay's author never becomes the pack's
    assert opf.count('property="dcterms:hasPart"') == 3
    assert len(ids) == len(set(ids))


def test_page_list_has_one_entry_per_pdf_page(pack_books, pages) -> None:
    with zipfile.ZipFile(pack_books["epub"]) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
    entries = nav.xpath("//h:nav[@epub:type='page-list']//h:a/@href", namespaces=NS)
    assert [e.split("#")[1] for e in entries] == [f"page-{n}" for n in range(1, len(pages) + 1)]


def test_contents_page_numbers_point_at_each_essays_title(pages) -> None:
    contents = pages[1]
    assert contents.lstrip().startswith("Contents")
    for title in TITLES:
        found = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents, flags=re.M)
        assert found, (title, contents)
        page = int(found[1])
        text_block = _flat(page_texts_cropped(pages, page))
        assert text_block.startswith(title), (title, page, text_block[:80])
    numbers = [int(n) for n in re.findall(r"(\d+)\s*$", contents, flags=re.M)]
    assert numbers == sorted(numbers) and numbers[-1] == len(pages)  # the permissions page is last


def page_texts_cropped(pages: list[str], page: int) -> str:
    """The text of ``page`` (from 1) without its running head."""
    lines = [ln for ln in pages[page - 1].split("\n") if ln.strip()]
    return "\n".join(lines[1:]) if lines and not lines[0].startswith(tuple(t[:6] for t in TITLES)) else \
        "\n".join(lines)


def test_folios_run_through_the_whole_pack(pack_books, pages) -> None:
    assert _folios(pack_books["pdf"]) == [f"{n} / {len(pages)}" for n in range(1, len(pages) + 1)]


def test_running_heads_follow_the_essay_and_skip_its_first_page(pack_books, pages) -> None:
    heads = _heads(pack_books["pdf"])
    starts = {title: next(i for i, t in enumerate(pages) if _flat(t).startswith(title)) for title in TITLES}
    expected = {"The River’s Ledgers": "River Ledgers Ada Lindqvist",  # its short_title
                "La place du marché": "La place du marché Camille Besson"}
    seen = set()
    for title, start in starts.items():
        assert heads[start] == "", f"a running head on the first page of {title}"
        following = starts[TITLES[TITLES.index(title) + 1]] if title != TITLES[-1] else start + 1
        for i in range(start + 1, following):
            assert heads[i] == expected[title], (i + 1, heads[i])
            seen.add(heads[i])
    assert len(seen) == 2  # the heads change with the essay
    assert heads[0] == heads[1] == "" and heads[-1] == ""  # title page, contents, permissions


def test_notes_on_their_calls_page_and_numbered_per_essay(pages) -> None:
    flat = [_flat(t) for t in pages]
    for call, note in (("drew a small wave.", "The waves are drawn"), ("in storms.", "The county’s reports"),
                       ("times of day.", "The miller’s duty"), ("class project.", "The notebook is kept"),
                       ("page in the archive.", "She lists every day"),
                       ("les droits de place.", "Les registres des droits")):
        on = [i for i, t in enumerate(flat) if call in t]
        assert len(on) == 1, call
        assert note in flat[on[0]], f"note '{note}' not on page {on[0] + 1}"
    assert "1. Les registres des droits" in " ".join(flat)  # footnote numbers restart in the second essay
    assert "5. She lists every day" in " ".join(flat)


def test_permissions_page_names_each_rights_line(pages) -> None:
    last = _flat(pages[-1])
    assert last.startswith("Permissions")
    for rights in ("© 2020 Ada Lindqvist. Reproduced for classroom use with permission.",
                   "© 2018 Camille Besson. Reproduit avec l’autorisation de l’autrice.",
                   "No rights statement was given for this essay"):
        assert rights in last, rights
    # An address may break after a slash at a line's end (print_moves): pdftotext then reads a space there.
    assert "example.org/essays/river" in last.replace("/ ", "/")


def test_missing_rights_is_a_warning_naming_the_pack_line_and_essay(pack_books) -> None:
    said = [ln for ln in pack_books["stderr"].splitlines() if "no 'rights' line" in ln]
    assert said and said[0].startswith("warning: tests/course/packs/week-3.yml:20: essay "
                                       "tests/course/content/night-ferry/essay.md")


def test_qr_code_only_for_the_essay_with_a_source(pages) -> None:
    with_qr = [i for i, t in enumerate(pages) if "Scan to read the original" in t]
    assert len(with_qr) == 1 and _flat(pages[with_qr[0]]).startswith(TITLES[0])


def test_pdf_is_tagged_with_bookmarks_per_essay(pack_books) -> None:
    assert document_language(pack_books["pdf"]) == "en"
    assert any(tag == "Figure" and "/Alt" in attrs for tag, attrs in structure_tags(pack_books["pdf"]))
    with pikepdf.open(pack_books["pdf"]) as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
    for title in TITLES:
        assert title in titles


def test_pack_booklet_keeps_the_permissions_page_last(pack_books, pages) -> None:
    read = sides(pack_books["booklet"])
    total = read[0]["left"]["folio"][1]
    assert total % 4 == 0 and total >= len(pages)
    by_page = {s[h]["folio"][0]: " ".join(s[h]["words"]) for s in read for h in ("left", "right")}
    assert by_page[1].startswith("Records and Places")
    assert by_page[total].startswith("Permissions")
    assert f"booklet: {total} pages" in pack_books["stderr"]
    assert by_page[total - 1] == ""  # a ruled Notes page (padding, or the Notes section's own) before it


def test_parallel_layout_gives_the_single_layouts_pages(pack_books, pages) -> None:
    """The stitched handout (parts laid out in parallel, folios and contents numbers stamped) has the single
    layout's pages: the same text on every page, folios, running heads and contents numbers included; the
    same bookmarks; and the EPUB built from it the same page list."""
    single = page_texts(pack_books["single-pdf"])
    assert [_flat(t) for t in pages] == [_flat(t) for t in single]
    assert _folios(pack_books["pdf"]) == _folios(pack_books["single-pdf"])
    assert _heads(pack_books["pdf"]) == _heads(pack_books["single-pdf"])
    outlines = []
    for pdf in (pack_books["pdf"], pack_books["single-pdf"]):
        with pikepdf.open(pdf) as doc, doc.open_outline() as outline:
            outlines.append([(item.title, [c.title for c in item.children]) for item in outline.root])
    assert outlines[0] == outlines[1]
    for n in range(1, len(pages) + 1):  # and the same pixels
        assert _pixels(pack_books["pdf"], n) == _pixels(pack_books["single-pdf"], n), f"page {n} differs"
    with zipfile.ZipFile(pack_books["epub"]) as a, zipfile.ZipFile(pack_books["single-epub"]) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name


def _pixels(pdf: Path, page: int) -> bytes:
    png = subprocess.run(["pdftoppm", "-png", "-r", "40", "-gray", "-f", str(page), "-l", str(page), str(pdf)],
                         capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png)).tobytes()


def test_stitched_pdf_structure_is_sound(pack_books) -> None:
    """Every page's marked content is in the merged structure tree, links keep their structure parents, the
    stamped folios are artifacts, and the essays are parts of one document."""
    with pikepdf.open(pack_books["pdf"]) as pdf:
        tree = pdf.Root.StructTreeRoot
        nums = tree.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        assert [str(k.S) for k in tree.K[0].K] == ["/Part"] * 5  # front matter, three essays, back matter
        for page in pdf.pages:
            contents = page.Contents
            data = b"".join(c.read_bytes() for c in contents) if isinstance(contents, pikepdf.Array) \
                else contents.read_bytes()
            marked = [int(m) for m in re.findall(rb"/MCID (\d+)", data)]
            assert marked and all("/S" in parents[int(page.StructParents)][m] for m in marked)
            assert re.search(rb"/Artifact\s*<<\s*/Type\s*/Pagination\s*>>\s*BDC", data)
            for annot in page.get("/Annots", []):
                assert str(parents[int(annot.StructParent)].S) == "/Link"


def test_an_essay_prints_in_a_pack_as_it_prints_alone(tmp_path: Path) -> None:
    """The print moves a handout makes are made on each essay of a pack too (pdf.prepare_text): math drawn,
    link addresses listed, "(p. N)" after a link to a heading, lettered lists kept, notes continued; and a
    right-to-left essay keeps its direction, in the PDF and in its EPUB document."""
    content = tmp_path / "content"
    (content / "one").mkdir(parents=True)
    (content / "one" / "essay.md").write_text(
        "---\ntitle: Gauges\nlang: en\nrights: CC BY 4.0\n---\n\nThe curve $Q = a(h - h_0)^b$ rules. See "
        "[the survey](https://example.org/hollow-ways) and [the findings](#findings).\n\n## Findings\n\n"
        "(a) Low flows.\n(b) High flows.\n", encoding="utf-8")
    (content / "two").mkdir()
    (content / "two" / "essay.md").write_text(
        "---\ntitle: النهر والدفتر\nlang: ar\nrights: CC BY 4.0\n---\n\nسجل كتبة الري منسوب النيل كل يوم.\n",
        encoding="utf-8")
    (tmp_path / "packs").mkdir()
    pack = tmp_path / "packs" / "week.yml"
    pack.write_text("title: Week\neditors: [A. Teacher]\nlang: en\nrights: For the class.\nessays:\n"
                    "  - ../content/one\n  - ../content/two\n", encoding="utf-8")
    out = tmp_path / "out"
    for jobs in ("1", "2"):
        assert build(["build", str(pack), "--out-dir", str(out / jobs), "--force", "--jobs", jobs, "-q"]) == 0
        text = _flat("\n".join(page_texts(out / jobs / "week.pdf")))
        assert "https://example.org/hollow-ways" in text and "Links" in text
        assert re.search(r"the findings \(p\.\s\d+\)", text), text
        assert "a. Low flows." in text and "b. High flows." in text  # lettered, as alone
        assert "Q = a(h" not in text  # the formula is drawn, not left as its letters
        with zipfile.ZipFile(out / jobs / "week.epub") as z:
            arabic = etree.fromstring(z.read("EPUB/e2-essay.xhtml"))
        assert arabic.get("dir") == "rtl" and arabic.find(".//h:section", NS).get("dir") == "rtl"
