"""Booklets and 2-up sheets for the copy shop, read back from the imposed PDF: the sheet size, the folio printed
on each half of each side (left half vs right half, with pdftotext -bbox), the padding and the instructions."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from essaybook.impose import booklet_order, padding, two_up_order

from conftest import ESSAY, build

_FOLIO = re.compile(r"^(\d+)\s*/\s*(\d+)$")


def _run(args: list[str]) -> str:
    """The CLI in-process; returns what it printed on stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert build(args) == 0
    return err.getvalue()


@pytest.fixture(scope="session")
def imposed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    out = tmp_path_factory.mktemp("booklets")
    made = {}
    for name, args in {"booklet-a4": ["--booklet"], "booklet-letter": ["--booklet", "letter"],
                       "two-up": ["--two-up"]}.items():
        path = out / f"{name}.pdf"
        made[name] = (path, _run(["pdf", str(ESSAY), *args, "-o", str(path), "--force"]))
    return made


def sides(pdf: Path) -> list[dict]:
    """For each side of each sheet: its size in pt, and the folio and words of its left and right halves."""
    xml = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    root = etree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xml).encode())
    found = []
    for page in root.iter("{*}page"):
        width, height = float(page.get("width")), float(page.get("height"))
        halves: dict[str, dict] = {"left": {"words": [], "folio": None}, "right": {"words": [], "folio": None}}
        footer: dict[str, list[str]] = {"left": [], "right": []}
        for word in page.iter("{*}word"):
            half = "left" if float(word.get("xMax")) <= width / 2 else "right"
            if float(word.get("yMin")) > height - 60:  # the folio line, below the text block
                footer[half].append(word.text)
            else:
                halves[half]["words"].append(word.text)
        for half, words in footer.items():
            match = _FOLIO.match(" ".join(words))
            halves[half]["folio"] = (int(match[1]), int(match[2])) if match else None
        found.append({"size": (round(width), round(height)), **halves})
    return found


def test_booklet_order_by_hand() -> None:
    assert booklet_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert two_up_order(5) == [(1, 2), (3, 4), (5, None)]
    assert [padding(n) for n in (4, 5, 6, 7, 8)] == [0, 3, 2, 1, 0]
    with pytest.raises(ValueError):
        booklet_order(6)


@pytest.mark.parametrize(("name", "size"), [("booklet-a4", (842, 595)), ("booklet-letter", (792, 612))])
def test_booklet_sheets_carry_pages_in_saddle_stitch_order(imposed, name: str, size: tuple[int, int]) -> None:
    read = sides(imposed[name][0])
    assert all(s["size"] == size for s in read)  # landscape A4 or US Letter
    total = read[0]["left"]["folio"][1]
    assert total % 4 == 0 and len(read) == total // 2
    assert [(s["left"]["folio"], s["right"]["folio"]) for s in read] == \
        [((a, total), (b, total)) for a, b in booklet_order(total)]


@pytest.mark.parametrize("name", ["booklet-a4", "booklet-letter"])
def test_booklet_padding_is_ruled_notes_pages_and_page_one_is_the_essay(imposed, name: str) -> None:
    read = sides(imposed[name][0])
    total = read[0]["left"]["folio"][1]
    by_page = {s[h]["folio"][0]: s[h]["words"] for s in read for h in ("left", "right")}
    assert "Costly" in by_page[1] and "Inaction" in by_page[1]  # the first page is the title page
    assert "Notes" in " ".join(w for n in range(1, total + 1) for w in by_page[n])
    # The handout (A5) has 5 pages: the padding is the 3 pages after it, ruled pages with no text of their own
    # (only the running head), and the last is one of them, so the booklet ends on Notes pages.
    blank_text = [n for n in range(1, total + 1) if set(by_page[n]) <= {"China’s", "Costly", "Inaction"}]
    assert total == 8 and blank_text[-3:] == [6, 7, 8]


def test_booklet_instructions_on_stderr(imposed) -> None:
    said = imposed["booklet-a4"][1]
    assert "duplex" in said and "short edge" in said and "2 sheet(s) of A4" in said and "3 extra ruled" in said
    assert "US Letter" in imposed["booklet-letter"][1]


def test_two_up_is_reading_order(imposed) -> None:
    read = sides(imposed["two-up"][0])
    assert all(s["size"] == (842, 595) for s in read)
    pairs = [(s["left"]["folio"], s["right"]["folio"]) for s in read]
    total = pairs[0][0][1]
    assert pairs == [((a, total), (b, total) if b else None) for a, b in two_up_order(total)]
    assert "two-up" in imposed["two-up"][1]


def test_a_right_to_left_booklet_opens_from_the_right(tmp_path: Path) -> None:
    """An Arabic booklet's fold is on the right of its cover: sheet 1's front carries page 1 on its left half
    and the last page on its right, and the first spread reads 2 on the right, 3 on the left (every side
    mirrored); two-up reads from the right too."""
    from conftest import TEST_ESSAYS

    arabic = TEST_ESSAYS / "arabic-essay" / "essay.md"
    for args, name in ((["--booklet"], "booklet"), (["--two-up"], "two-up")):
        _run(["pdf", str(arabic), *args, "-o", str(tmp_path / f"{name}.pdf"), "--force"])
    read = sides(tmp_path / "booklet.pdf")
    total = read[0]["right"]["folio"][1]
    assert [(s["left"]["folio"], s["right"]["folio"]) for s in read] == \
        [((b, total), (a, total)) for a, b in booklet_order(total)]
    flat = sides(tmp_path / "two-up.pdf")
    assert (flat[0]["right"]["folio"][0], flat[0]["left"]["folio"][0]) == (1, 2)


def test_a_wide_table_turns_in_a_letter_booklet_too(tmp_path: Path) -> None:
    """Half-letter pages are given as lengths, which CSS cannot turn with ``landscape``: WeasyPrint dropped the
    landscape page's size ("Ignored `size: 139.7mm 215.9mm landscape`"), and the table's cells broke mid-word on
    a portrait page. The turned page swaps the lengths (paper.landscape_size)."""
    from essaybook.paper import IMPOSITION_PAPERS

    assert IMPOSITION_PAPERS["half-letter-booklet"].landscape_size == "215.9mm 139.7mm"
    essay = tmp_path / "essay.md"
    header = " | ".join(f"Column {n}" for n in range(1, 10))
    row = " | ".join(f"value {n}" for n in range(1, 10))
    essay.write_text(f"---\ntitle: Wide\nlang: en\n---\n\nText.\n\n| {header} |\n|{'---|' * 9}\n| {row} |\n",
                     encoding="utf-8")
    err = _run(["pdf", str(essay), "--booklet", "letter", "-o", str(tmp_path / "b.pdf"), "--force"])
    assert "Ignored" not in err and "invalid" not in err, err
