"""Every script: an essay per script built for real (conftest.books, validated with the others in
test_books.py), read back from the PDF's fonts and text; the cover's drawn text measured; labels, dates and
direction from CLDR; the glyph check against what really prints."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image

from essaybook import cover, fonts, labels, run
from essaybook.check import check_paths
from essaybook.check.output_rules import _pdf_findings
from essaybook.metadata import Metadata

from conftest import SCRIPT_ESSAYS, TEST_ESSAYS

NS = {"h": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf"}
LANGS = {"arabic-essay": "ar", "hebrew-essay": "he", "hindi-essay": "hi", "greek-essay": "el",
         "greek-polytonic-essay": "el-polyton", "russian-essay": "ru", "vietnamese-essay": "vi",
         "vietnamese-nfd-essay": "vi", "japanese-essay": "ja", "chinese-simplified-essay": "zh-CN",
         "chinese-traditional-essay": "zh-TW", "emoji-essay": "en"}
RTL = ["arabic-essay", "hebrew-essay"]
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
A4_WIDTH = 595.28
MM = 72 / 25.4


# --- the PDF's embedded fonts: no .notdef, no empty glyph ----------------------------------------------------


@dataclass
class _Font:
    type3: bool
    data: bytes | None  # the embedded font file
    to_unicode: dict[int, str]
    shown: set[int]  # glyph ids the pages draw


def _shown_glyphs(pdf: Path) -> dict[str, _Font]:
    """Each font the pages draw text with, and the glyph ids shown (WeasyPrint writes Identity-H CID fonts, two
    bytes a glyph, and one-byte Type 3 fonts for bitmap emoji)."""
    found: dict[str, _Font] = {}
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            resources = page.resources.get("/Font", {})
            current = None
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "Tf":
                    current = str(operands[0])
                    continue
                if op not in ("Tj", "TJ") or current is None:
                    continue
                font = resources[current]
                name = str(font.get("/BaseFont", current))
                if name not in found:
                    type3 = str(font.get("/Subtype")) == "/Type3"
                    data = None
                    if not type3:
                        descriptor = font["/DescendantFonts"][0]["/FontDescriptor"]
                        stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
                        data = stream.read_bytes() if stream is not None else None
                    found[name] = _Font(type3, data, _to_unicode(font), set())
                width = 1 if found[name].type3 else 2
                for s in (operands[0] if op == "TJ" else [operands[0]]):
                    if isinstance(s, pikepdf.String):
                        raw = bytes(s)
                        found[name].shown.update(int.from_bytes(raw[i:i + width], "big")
                                                 for i in range(0, len(raw), width))
    return found


def _to_unicode(font: pikepdf.Object) -> dict[int, str]:
    cmap = font.get("/ToUnicode")
    if cmap is None:
        return {}
    text = cmap.read_bytes().decode("latin-1")
    out = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for gid, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            out[int(gid, 16)] = bytes.fromhex(uni).decode("utf-16-be", errors="replace")
    return out


def _bad_glyphs(pdf: Path) -> list[str]:
    """Glyphs shown that are .notdef (id 0) or have no outline though their text is visible."""
    bad = []
    for name, font in _shown_glyphs(pdf).items():
        if 0 in font.shown:
            bad.append(f"{name}: .notdef for {font.to_unicode.get(0, '?')!r}")
        if font.type3:
            continue
        assert font.data is not None, f"{name} is not embedded"
        tt = TTFont(io.BytesIO(font.data))
        order = tt.getGlyphOrder()
        # WeasyPrint draws a colour emoji as an image over its (empty) glyph: only .notdef is wrong there.
        bitmap = "CBDT" in tt or "sbix" in tt or "Color-Emoji" in name
        for gid in sorted(font.shown - {0}):
            chars = font.to_unicode.get(gid, "")
            if gid >= len(order):  # WeasyPrint draws a missing glyph as an unused id that shows .notdef
                bad.append(f"{name}: .notdef (glyph {gid}) for {chars!r}")
                continue
            if bitmap or not chars or all(not fonts.needs_glyph(c) for c in chars):
                continue
            if "glyf" in tt:
                empty = tt["glyf"][order[gid]].numberOfContours == 0
            else:
                empty = len(tt["CFF "].cff.topDictIndex[0].CharStrings[order[gid]].bytecode or b"") <= 2
            if empty:
                bad.append(f"{name}: empty glyph {gid} for {chars!r}")
    return bad


@pytest.mark.parametrize("name", SCRIPT_ESSAYS)
def test_no_notdef_or_empty_glyph_in_the_pdf(books: dict[str, dict[str, Path]], name: str) -> None:
    assert not _bad_glyphs(books[name]["pdf"])


def test_the_glyph_reader_sees_a_box(tmp_path: Path) -> None:
    """The check above can fail: a private-use character prints as .notdef, and the build says so."""
    essay = tmp_path / "essay.md"
    essay.write_text("---\ntitle: Boxes\nlang: en\n---\n\nA private character \ue000 here.\n", encoding="utf-8")
    out = tmp_path / "boxes.pdf"
    assert run(["pdf", str(essay), "-o", str(out), "-q"]) == 0
    assert any(".notdef" in b for b in _bad_glyphs(out))


# --- right to left --------------------------------------------------------------------------------------------


def _lines(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """(page, xMin, yMin, xMax, text) of every line pdftotext finds, bidi controls stripped."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True
                         ).stdout.decode("utf-8", errors="replace")
    root = etree.fromstring(out.encode(), etree.XMLParser(recover=True))
    lines = []
    for number, page in enumerate(root.iter("{*}page"), start=1):
        for line in page.iter("{*}line"):
            words = [w for w in line.iter("{*}word")]
            text = BIDI_CONTROLS.sub("", " ".join(w.text or "" for w in words))
            # A paragraph number stands in the margin beside its line: leave it out of the line's extent.
            body = [w for w in words if not re.fullmatch(r"\d+", BIDI_CONTROLS.sub("", w.text or ""))] or words
            lines.append((number, min(float(w.get("xMin")) for w in body), float(line.get("yMin")),
                          max(float(w.get("xMax")) for w in body), text))
    return lines


@pytest.mark.parametrize("name", RTL)
def test_right_to_left_lines_start_at_the_right_margin(books: dict[str, dict[str, Path]], name: str) -> None:
    """Every line of the essay, its footnotes and the Notes page starts at the text block's right edge (the
    binding margin, 36 mm, is on the right); only the title block is centred."""
    right_edge = A4_WIDTH - 36 * MM
    rows: dict[tuple[int, float], list[tuple[int, float, float, float, str]]] = {}
    for ln in sorted(_lines(books[name]["pdf"]), key=lambda ln: (ln[0], ln[2])):
        if re.fullmatch(r"\d+", ln[4].strip()):
            continue  # a paragraph number alone in the margin
        if 62 < ln[2] < 775 and not (ln[0] == 1 and ln[2] < 300):  # page 1 opens with the centred title block
            # pdftotext splits a line where its direction changes, its parts a point or two apart: join them
            key = next((k for k in rows if k[0] == ln[0] and abs(k[1] - ln[2]) < 4), (ln[0], ln[2]))
            rows.setdefault(key, []).append(ln)
    body = [(key, max(p[3] for p in parts), " ".join(p[4] for p in parts)) for key, parts in rows.items()
            if any(re.search("[\u0590-\u06ff]", p[4]) for p in parts)]
    assert len(body) >= 8
    # A list's numbers stand just inside the edge (the prompts' "1." ends 3-5 pt short of it); a quotation is
    # indented 1.5 em (of its 0.95 em type) on both sides.
    quote_edge = right_edge - 1.5 * 0.95 * 11
    off = [row for row in body if not (right_edge - 5 <= row[1] <= right_edge + 1 or abs(row[1] - quote_edge) < 1)]
    assert not off, off


@pytest.mark.parametrize("name", [n for n in SCRIPT_ESSAYS if n not in RTL])
def test_justified_lines_stay_inside_the_text_block(books: dict[str, dict[str, Path]], name: str) -> None:
    """WeasyPrint 70 sets a justified line too wide when its words and spaces come from different faces (it ran
    7 pt into the margin in Hindi with Charis's spaces): no line may end past the right margin."""
    right_edge = A4_WIDTH - 26 * MM
    over = [ln for ln in _lines(books[name]["pdf"]) if ln[3] > right_edge + 1]
    assert not over, over


@pytest.mark.parametrize("name", RTL)
def test_right_to_left_paragraph_numbers_are_in_the_right_margin(books: dict[str, dict[str, Path]],
                                                                 name: str) -> None:
    out = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(books[name]["pdf"]), "-"],
                         capture_output=True, text=True, check=True).stdout
    numbers = [float(x) for x, word in re.findall(r'xMin="([\d.]+)"[^>]*>(\d)</word>', out)]
    in_right_margin = [x for x in numbers if x > A4_WIDTH - 36 * MM]
    in_left_margin = [x for x in numbers if x < 26 * MM]
    assert len(in_right_margin) >= 3 and not in_left_margin, numbers


@pytest.mark.parametrize("name", RTL)
def test_right_to_left_epub_documents_and_spine(books: dict[str, dict[str, Path]], name: str) -> None:
    with zipfile.ZipFile(books[name]["epub"]) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        assert opf.find("opf:spine", NS).get("page-progression-direction") == "rtl"
        for doc in ("cover.xhtml", "nav.xhtml", "essay.xhtml", "notes.xhtml"):
            assert etree.fromstring(z.read(f"EPUB/{doc}")).get("dir") == "rtl", doc


@pytest.mark.parametrize("name", RTL)
def test_check_outputs_reads_right_to_left_folios(books: dict[str, dict[str, Path]], name: str) -> None:
    findings = _pdf_findings(books[name]["pdf"], f"{name}.pdf", LANGS[name])
    assert not [f for f in findings if f.rule == "pdf-folio"], findings


# --- faces ------------------------------------------------------------------------------------------------


FACES = {"arabic-essay": "Noto-Naskh-Arabic", "hebrew-essay": "Noto-Serif-Hebrew",
         "hindi-essay": "Noto-Serif-Devanagari",
         "greek-essay": "Gentium-Book-Plus", "greek-polytonic-essay": "Gentium-Book-Plus",
         "emoji-essay": "Noto-Color-Emoji", "chinese-traditional-essay": "CJK-TC", "japanese-essay": "CJK-JP"}


@pytest.mark.parametrize("name", sorted(FACES))
def test_each_script_is_set_in_its_face(books: dict[str, dict[str, Path]], name: str) -> None:
    names = [str(n) for n in _shown_glyphs(books[name]["pdf"])]
    assert any(FACES[name] in n for n in names), names


def test_greek_is_set_in_one_face(books: dict[str, dict[str, Path]]) -> None:
    """Charis has a third of the Greek letters: a Greek book's text must not mix it in."""
    names = [n for n in _shown_glyphs(books["greek-essay"]["pdf"]) if "Charis" in n]
    assert not names, names


# --- the cover -----------------------------------------------------------------------------------------------


def _ink_box(png: bytes) -> tuple[int, int, int, int] | None:
    """The bounding box of everything drawn inside the frame (the frame's rule itself left out)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    inner = image.crop((cover.FRAME + 8, cover.FRAME + 8, cover.WIDTH - cover.FRAME - 8,
                        cover.HEIGHT - cover.FRAME - 8))
    paper = Image.new("RGB", (1, 1), cover._PAPER).convert("L").getpixel((0, 0))
    mask = inner.point(lambda v: 255 if abs(v - paper) > 40 else 0)
    box = mask.getbbox()
    return None if box is None else (box[0] + cover.FRAME + 8, box[1] + cover.FRAME + 8,
                                     box[2] + cover.FRAME + 8, box[3] + cover.FRAME + 8)


COVERS = {
    "long-title": Metadata(title=("The Long Road Between Two Countries, and the River That Marks It: " * 3)[:200],
                           authors=("Mira Okafor",)),
    "twelve-authors": Metadata(title="Twelve Voices", subtitle="A Conversation",
                               authors=tuple(f"Author{n} Surname{n}" for n in range(1, 13))),
    "arabic": Metadata(title="مكتبة على طريق الحرير", subtitle="كيف تنتقل الكتب بين المدن",
                       authors=("ليلى حداد", "John Smith"), lang="ar"),
    "hebrew": Metadata(title="ספרייה בדרך המשי", authors=("נועה כהן",), lang="he"),
    "hindi": Metadata(title="रेशम मार्ग पर एक पुस्तकालय", authors=("अनीता शर्मा",), lang="hi"),
    "greek": Metadata(title="Ἡ βιβλιοθήκη τοῦ δρόμου τοῦ μεταξιοῦ", authors=("Γιώργος Παπαδόπουλος",), lang="el"),
    "russian": Metadata(title="Библиотека на Шёлковом пути", authors=("Анна Иванова",), lang="ru"),
    "vietnamese-nfd": Metadata(title=unicodedata.normalize("NFD", "Thư viện trên Con đường Tơ lụa"),
                               authors=(unicodedata.normalize("NFD", "Nguyễn Thị Hương"),), lang="vi"),
    "japanese": Metadata(title="シルクロードの図書館：書物はどのように都市を旅したか", authors=("山田花子",),
                         lang="ja"),
    "korean": Metadata(title="비단길 위의 도서관: 책은 어떻게 도시를 여행했나", authors=("김민지",), lang="ko"),
    "chinese": Metadata(title="絲路上的圖書館：書籍如何在城市之間流傳", authors=("陳美玲",), lang="zh-TW"),
    "emoji": Metadata(title="Fire 🔥 and the World 🌍 🙂 🇯🇵 👩‍👩‍👧‍👦", authors=("Sam Lee",)),
}


@pytest.fixture(scope="module")
def covers() -> dict[str, cover.Cover]:
    return {name: cover.draw_cover(meta) for name, meta in COVERS.items()}


@pytest.mark.parametrize("name", COVERS)
def test_the_cover_text_lies_inside_its_frame(covers: dict[str, cover.Cover], name: str) -> None:
    drawn = covers[name]
    assert drawn.lines and not drawn.missing
    for line in drawn.lines:
        left, top, right, bottom = line.box
        assert left >= cover.MARGIN - 2 and right <= cover.WIDTH - cover.MARGIN + 2, line
        assert top > cover.FRAME and bottom < cover.HEIGHT - cover.FRAME, line
    ink = _ink_box(drawn.png)  # and what is really on the image agrees
    assert ink is not None
    assert ink[0] >= cover.MARGIN - 4 and ink[2] <= cover.WIDTH - cover.MARGIN + 4, ink
    assert ink[3] < cover.HEIGHT - cover.FRAME - 20, ink


def test_many_authors_are_shortened(covers: dict[str, cover.Cover]) -> None:
    names = " ".join(ln.text for ln in covers["twelve-authors"].lines[2:])
    assert names == "Author1 Surname1, Author2 Surname2, and 10 others"


def test_the_cover_is_small_and_reproducible(covers: dict[str, cover.Cover]) -> None:
    assert all(len(c.png) < 120_000 for c in covers.values())
    assert cover.draw_cover(COVERS["arabic"]).png == covers["arabic"].png
    assert Image.open(io.BytesIO(covers["arabic"].png)).mode == "P"


@pytest.mark.parametrize("name", SCRIPT_ESSAYS)
def test_the_books_cover_has_no_box(books: dict[str, dict[str, Path]], name: str) -> None:
    with zipfile.ZipFile(books[name]["epub"]) as z:
        png = z.read("EPUB/cover.png")
    assert _ink_box(png) is not None


# --- labels, dates, names ------------------------------------------------------------------------------------

CONTENTS = {"ar": "المحتويات", "he": "תוכן העניינים", "hi": "विषय-सूची", "el": "Περιεχόμενα",
            "el-polyton": "Περιεχόμενα", "ru": "Содержание", "vi": "Mục lục", "ja": "目次", "zh-CN": "目录",
            "zh-TW": "目錄", "en": "Contents"}


@pytest.mark.parametrize("name", SCRIPT_ESSAYS)
def test_labels_are_in_the_books_language(books: dict[str, dict[str, Path]], name: str) -> None:
    lang = LANGS[name]
    with zipfile.ZipFile(books[name]["epub"]) as z:
        nav = etree.fromstring(z.read("EPUB/nav.xhtml"))
        notes = etree.fromstring(z.read("EPUB/notes.xhtml"))
    assert nav.find(".//h:h1", NS).text == CONTENTS[lang]
    assert notes.find(".//h:h2", NS).text == labels.label(lang, "notes")
    pdf_text = BIDI_CONTROLS.sub("", subprocess.run(["pdftotext", str(books[name]["pdf"]), "-"],
                                                    capture_output=True, text=True, check=True).stdout)
    assert labels.label(lang, "notes") in pdf_text


def test_devanagari_reads_back_from_the_pdf_as_written(books: dict[str, dict[str, Path]]) -> None:
    """Every word of the Hindi essay, its conjuncts and the vowel signs drawn before their consonants
    included, is the text poppler reads out of the PDF (actual_text.py); it read "कताबें" for "किताबें"."""
    source = (TEST_ESSAYS / "hindi-essay" / "essay.md").read_text(encoding="utf-8")
    words = Counter(re.findall(r"[\u0900-\u097f]+", source.split("---", 2)[2]))
    pdf_text = subprocess.run(["pdftotext", str(books["hindi-essay"]["pdf"]), "-"], capture_output=True,
                              text=True, check=True).stdout
    read = Counter(re.findall(r"[\u0900-\u097f]+", unicodedata.normalize("NFC", pdf_text)))
    assert {"किताबें", "क्षत्रिय", "श्रद्धा", "द्वार", "ज्ञान"} <= set(words)
    assert not words - read, sorted(words - read)  # each word as often as the essay has it, at least


def test_thai_and_tamil_read_back_from_the_pdf_as_written(tmp_path: Path) -> None:
    essay = tmp_path / "essay.md"
    thai, tamil = "ภาษาไทยเป็นภาษาที่สวยงาม", "தமிழ் மொழி மிகவும் பழமையானது"
    essay.write_text(f"---\ntitle: Scripts\nlang: th\n---\n\n{thai}\n\n<span lang=\"ta\">{tamil}</span>\n",
                     encoding="utf-8")
    out = tmp_path / "scripts.pdf"
    assert run(["pdf", str(essay), "-o", str(out), "-q"]) == 0
    text = unicodedata.normalize("NFC", subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                                                       check=True).stdout)
    assert thai in text and tamil in text, text


@pytest.mark.parametrize("name", ["greek-essay", "russian-essay", "japanese-essay", "chinese-simplified-essay"])
def test_a_link_prints_its_page_in_the_books_words(books: dict[str, dict[str, Path]], name: str) -> None:
    """"(p. 2)" is English: a Greek handout says "(σ. 2)", a Chinese one "（第2页）" (labels.json)."""
    lang = LANGS[name]
    before, after = labels.label(lang, "page_before"), labels.label(lang, "page_after")
    text = subprocess.run(["pdftotext", str(books[name]["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    shown = re.findall(re.escape(before.strip()) + r"\s*(\d+)\s*" + re.escape(after.strip()), text)
    assert shown and all(int(n) >= 1 for n in shown), (before, after)
    assert "(p.\u00a0" not in text and "(p. " not in text


def test_traditional_chinese_gets_traditional_labels() -> None:
    for tag in ("zh-TW", "zh-HK", "zh-Hant", "zh-Hant-TW"):
        assert (labels.label(tag, "contents"), labels.label(tag, "notes")) == ("目錄", "筆記"), tag
    for tag in ("zh", "zh-CN", "zh-Hans", "zh-SG"):
        assert (labels.label(tag, "contents"), labels.label(tag, "notes")) == ("目录", "笔记"), tag


def test_dates_and_name_lists_follow_cldr() -> None:
    assert labels.human_date("2014-01-05", "fr") == "5 janvier 2014"
    assert labels.human_date("2014-01-05", "de") == "5. Januar 2014"
    assert labels.human_date("2014-01-05", "en-GB") == "5 January 2014"
    assert labels.human_date("2014-01", "ru") == "январь 2014\u202fг."
    assert labels.human_date("2014-01-05", "ja") == "2014年1月5日"
    assert labels.human_date("2014", "ko") == "2014년"
    assert labels.join_names(["A", "B", "C"], "fr") == "A, B et C"
    assert labels.join_names(["A", "B", "C"], "en") == "A, B, and C"
    assert labels.short_names([f"N{i}" for i in range(12)], "de") == "N0, N1 und 10 weitere"


def test_every_language_has_every_label() -> None:
    tables = labels._tables()
    wanted = {"en", "fr", "de", "es", "it", "pt", "nl", "ru", "ar", "he", "el", "tr", "pl", "hi", "vi", "id", "ja",
              "ko", "zh-Hans", "zh-Hant"}
    assert wanted <= set(tables)
    for lang, table in tables.items():
        assert set(table) == set(tables["en"]), lang
        assert labels.label(lang, "qr_alt", url="U").count("U") == 1


def test_an_untranslated_language_falls_back_with_one_warning(tmp_path: Path) -> None:
    essay = tmp_path / "essay.md"
    essay.write_text("---\ntitle: Habari\nlang: sw\n---\n\nHabari ya leo.\n", encoding="utf-8")
    found = [f for f in check_paths(essay) if f.rule == "labels-fallback"]
    assert len(found) == 1 and "'sw'" in found[0].message and found[0].line == 3
    assert labels.label("sw", "contents") == "Contents"
    assert labels.human_date("2014-01-05", "sw") != "2014-01-05"  # CLDR knows Swahili dates


def test_direction_from_cldr_and_the_front_matter() -> None:
    assert [labels.direction(t) for t in ("ar", "he", "fa", "ur", "yi", "en", "el", "zh-TW")] == \
        ["rtl"] * 5 + ["ltr"] * 3
    assert labels.direction("en", "rtl") == "rtl" and labels.direction("ar", "ltr") == "ltr"


def test_dir_in_the_front_matter_is_checked(tmp_path: Path) -> None:
    essay = tmp_path / "essay.md"
    essay.write_text("---\ntitle: Sideways\ndir: sideways\n---\n\nText.\n", encoding="utf-8")
    found = check_paths(essay)
    assert any("dir" in f.message and f.line == 3 and f.severity == "error" for f in found), found


# --- the glyph check -----------------------------------------------------------------------------------------


def test_no_false_positive_for_scripts_that_print() -> None:
    assert fonts.missing_characters("שלום 𝒜 𝔽 𝟙 🇯🇵 👩‍👩‍👧‍👦 ❤️ क्षत्रिय ᾠδή") == []


def test_the_glyph_warning_counts_lists_and_places(tmp_path: Path) -> None:
    chars = "".join(chr(0xE000 + i) for i in range(25))
    parts = [(2, "title: x\n"), (5, "Some text.\n\nHere: " + chars + "\n")]
    [warning] = fonts.glyph_diagnostics(fonts.missing_characters(chars), parts, tmp_path / "essay.md")
    assert warning.rule == "glyph-missing" and warning.line == 7
    assert warning.message.startswith("25 private use characters") and "and 5 more" in warning.message
    [hindi] = fonts.glyph_diagnostics(["क"], [(1, "क")], None)
    assert "fonts-noto-core" in hindi.message and "Devanagari" in hindi.message


@pytest.mark.parametrize("name", SCRIPT_ESSAYS)
def test_plain_check_finds_no_missing_glyph(name: str) -> None:
    assert not [f for f in check_paths(TEST_ESSAYS / name) if f.rule in ("glyph-missing", "labels-fallback")]


def test_plain_check_reports_a_missing_glyph_at_its_line(tmp_path: Path) -> None:
    essay = tmp_path / "essay.md"
    essay.write_text("---\ntitle: Boxes\nlang: en\n---\n\nFine.\n\nA private \ue001 character.\n", encoding="utf-8")
    found = [f for f in check_paths(essay) if f.rule == "glyph-missing"]
    assert len(found) == 1 and found[0].line == 8 and "U+E001" in found[0].message


def test_a_missing_script_face_names_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Greek essay on a machine without Gentium stops with the apt-get line (fontconfig's answer faked)."""
    from essaybook.errors import EnvironmentProblem

    monkeypatch.setattr(fonts, "_installed", lambda family: family != fonts.GREEK.family)
    needed = fonts.faces_for("λόγος and Latin")
    assert needed == (fonts.GREEK,)
    with pytest.raises(EnvironmentProblem, match="apt-get install -y fonts-sil-gentiumplus"):
        fonts.require_faces(fonts.BOOK_FACES + needed)
    fonts.require_faces(fonts.BOOK_FACES + fonts.faces_for("Latin only, Кириллица"))


def test_the_layout_probe_reads_pangos_glyphs(tmp_path: Path) -> None:
    """The build's glyph check reads the laid-out handout (not fontconfig's guess): it must see the runs, their
    faces, and the box Pango drew for a private-use character."""
    from essaybook import pagination, pdf
    from essaybook.build import load
    from essaybook.xhtml import render_page

    essay = tmp_path / "essay.md"
    essay.write_text("---\ntitle: Probe\nlang: en\n---\n\nשלום and λόγος and a box \ue000 here.\n", encoding="utf-8")
    doc = load(essay)
    handout = pdf.render_handout(render_page(doc), doc, paper="a4")
    runs = pagination.text_runs(handout.document)
    assert runs is not None, "WeasyPrint's layout could not be read"
    assert [c for r in runs for c in r.unknown] == ["\ue000"]
    assert {"Noto Serif Hebrew", "Gentium Book Plus"} <= {r.family for r in runs}
    [warning] = [w for w in handout.warnings if w.rule == "glyph-missing"]
    assert warning.line == 6 and "U+E000" in warning.message


def test_right_to_left_list_numbers_hang_on_the_right_and_addresses_read_as_typed(tmp_path: Path) -> None:
    """In a Hebrew handout an ordered list's numbers hang in the right-hand indent (they stood in the left
    margin, outside the text block), and a web address, typed in the text or listed under Links, keeps its
    trailing slash at its end ("/https://…" before)."""
    from essaybook.check.print_fidelity import pdf_words

    folder = tmp_path / "he"
    folder.mkdir()
    (folder / "essay.md").write_text(
        "---\ntitle: רשימה\nlang: he\nparagraph_numbers: false\n---\n\nשלושה שלבים בתרגום:\n\n"
        "1. קריאה ראשונה של הטקסט כולו\n2. טיוטה\n3. עריכה\n\n"
        "ראו https://example.org/archive/ ואת [הארכיון](https://archive.example.org/volume-12/) שם.\n",
        encoding="utf-8")
    assert run(["pdf", str(folder), "-o", str(tmp_path / "he.pdf"), "-q"]) == 0
    words = pdf_words(tmp_path / "he.pdf")
    right_edge = A4_WIDTH - 36 * MM
    markers = [w for w in words if re.fullmatch(r"[123]\.|\.[123]", w.text)]
    assert len(markers) == 3 and all(right_edge - 30 < w.x0 and w.x1 <= right_edge + 1 for w in markers), markers
    texts = [w.text for w in words]
    assert "https://example.org/archive/" in texts and "https://archive.example.org/volume-12/" in texts, texts


def test_a_latin_citation_in_right_to_left_text_reads_in_order_and_keeps_its_italics(tmp_path: Path) -> None:
    """``Khaled Fahmy, *All the Pasha's Men* (Cambridge, 1997)`` in an Arabic sentence, as scholarly notes cite:
    its words left to right in the order written (the emphasis broke the run, and the paragraph's direction put
    the title before the author and the brackets first), the title in italics, not in the bold an Arabic
    emphasis takes; in the EPUB the run is one ``dir="ltr"`` span."""
    from essaybook.check.print_fidelity import pdf_words

    folder = tmp_path / "ar"
    folder.mkdir()
    (folder / "essay.md").write_text(
        "---\ntitle: حواشي\nlang: ar\nparagraph_numbers: false\n---\n\n"
        "انظر Khaled Fahmy, *All the Pasha's Men* (Cambridge, 1997) للتفاصيل، و*مثال* هنا.\n", encoding="utf-8")
    assert run(["build", str(folder), "--out-dir", str(tmp_path / "out"), "-q"]) == 0
    words = pdf_words(tmp_path / "out" / "ar.pdf")
    line = next(w for w in words if w.text == "Khaled").y0
    latin = [w.text for w in sorted(words, key=lambda w: w.x0)
             if abs(w.y0 - line) < 2 and re.search("[A-Za-z]", w.text)]
    assert latin == ["Khaled", "Fahmy,", "All", "the", "Pasha’s", "Men", "(Cambridge,"], latin
    faces = subprocess.run(["pdffonts", str(tmp_path / "out" / "ar.pdf")], capture_output=True, text=True).stdout
    assert "Charis-SIL-Italic" in faces and "Noto-Naskh-Arabic-Bold" in faces  # the Latin title; the Arabic word
    with zipfile.ZipFile(tmp_path / "out" / "ar.epub") as z:
        page = z.read("EPUB/essay.xhtml").decode()
    assert '<span dir="ltr">Khaled Fahmy, <em class="latin">All the Pasha’s Men</em> (Cambridge, 1997)</span>' in page
