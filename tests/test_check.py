"""essaybook check: a draft's every problem at once, each at its line with its rule; the project's essay clean."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from essaybook import run, validate
from essaybook.check import RULES, Finding, check_paths, output_rules

ROOT = Path(__file__).resolve().parents[1]
DRAFT = ROOT / "tests" / "fixtures" / "check" / "draft" / "essay.md"
DRAFT_FILE = "tests/fixtures/check/draft/essay.md"

# (line, column, rule): one of each problem the check knows in prose, figures and front matter.
DRAFT_FINDINGS = [
    (2, 1, "lang-missing"),
    (2, 1, "title-missing"),
    (3, 1, "front-matter-unknown-key"),
    (4, 1, "front-matter-date"),
    (5, 1, "front-matter-invalid"),
    (8, 105, "doubled-word"),
    (13, 54, "footnote-undefined"),
    (16, 1, "heading-skip"),
    (18, 1, "image-low-resolution"),
    (20, 29, "smart-quotes"),
    (21, 1, "alt-missing"),
    (23, 1, "image-too-large"),
    (25, 1, "alt-repeats-caption"),
    (27, 1, "caption-incomplete"),
    (29, 37, "space-before-punctuation"),
    (29, 68, "html-removed"),
    (31, 39, "link-broken"),
    (31, 89, "link-scheme"),
    (35, 1, "footnote-unused"),
]


def test_draft_reports_each_problem_at_its_place_and_nothing_else() -> None:
    findings = check_paths(DRAFT)
    assert [(f.line, f.col, f.rule) for f in findings] == DRAFT_FINDINGS
    assert {f.file for f in findings} == {DRAFT_FILE}
    assert all(f.severity == RULES[f.rule] for f in findings)


def test_the_projects_essay_has_no_findings(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_paths(None) == []  # every essay under content/
    assert run(["check"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == "no problems found"


def test_text_format_is_one_line_per_finding(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", str(DRAFT)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(DRAFT_FINDINGS)
    assert lines[3] == (f"{DRAFT_FILE}:4:1: error: date 'next Tuesday' is not a date; write it as YYYY-MM-DD "
                        "(or YYYY-MM, or YYYY) [front-matter-date]")


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", str(DRAFT), "--format", "json"]) == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert captured.err == ""
    assert all(set(item) == {"file", "line", "col", "severity", "message", "rule"} for item in data)
    assert [(d["line"], d["col"], d["rule"]) for d in data] == DRAFT_FINDINGS
    assert data[2] == {"file": DRAFT_FILE, "line": 3, "col": 1, "severity": "warning",
                       "message": "unknown front matter key 'autor' ignored; did you mean 'author'?",
                       "rule": "front-matter-unknown-key"}


def essay(folder: Path, body: str, front: str = "title: T\nlang: en\n") -> Path:
    """An essay whose body starts on line 5 (its first text on line 6), with a sharp 1000×600 picture."""
    (folder / "images").mkdir(parents=True, exist_ok=True)
    Image.new("P", (1000, 600), 1).save(folder / "images" / "a.png")
    path = folder / "essay.md"
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


def test_exit_status_is_0_with_only_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = essay(tmp_path, "\nThe tide turned , slowly.\n")
    assert run(["check", str(path)]) == 0
    assert capsys.readouterr().out.endswith(":6:17: warning: space before ','; remove it [space-before-punctuation]\n")


@pytest.mark.parametrize(("raw", "line", "message"), [
    (b"---\ntitle: T\n---\n\ncaf\xe9\n", 5, "not UTF-8 text (byte 0xe9 at offset 21); save the file as UTF-8"),
    (b"---\ntitle: T\nsubject: [a, b\n---\n\nText.\n", 3, "front matter is not valid YAML ("),
    (b"---\n- a\n- b\n---\n\nText.\n", 2, "front matter must be a mapping of 'key: value' lines"),
])
def test_a_source_that_cannot_be_loaded_is_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     raw: bytes, line: int, message: str) -> None:
    path = tmp_path / "essay.md"
    path.write_bytes(raw)
    assert run(["check", str(path), "--format", "json"]) == 1
    [finding] = json.loads(capsys.readouterr().out)
    assert (finding["line"], finding["rule"], finding["severity"]) == (line, "source-unreadable", "error")
    assert finding["message"].startswith(message)


def test_no_such_source_is_an_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", str(tmp_path / "nope.md")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: {tmp_path / 'nope.md'}: no such file or folder; check the path\n"


CASES = {
    "code is not prose": (
        "\nText with `the the`, `word ,` and `\"x` in code.\n\n```\nx = \"the the\" , y\n```\n\n"
        "    indented \"code\" , the the\n", []),
    "a link is found at its line, not in code fenced in a list item above it": (
        "\n- Example:\n\n  ~~~\n  [down](#nowhere)\n  ~~~\n\n[down](#nowhere)\n", [(12, "link-broken")]),
    "code and links leave no gap before punctuation": (
        "\nRecorded as `T`, counted. See [the site](https://example.org), then.\n", []),
    "ellipses and grammatical doubles": (
        "\nHe paused ... and went on. She paused . . . and stopped. What it had had was that that.\n", []),
    "doubled word across a line break": ("\nIt was the\nthe end.\n", [(7, "doubled-word")]),
    "a letter and its vowel sign are one word, Devanagari's doubles are found": (
        "\nहजारीप्रसाद द्विवेदी ने लिखा। यह\nयह दोहराव है।\n", [(7, "doubled-word")]),
    "Hebrew's gershayim is no quotation mark": ("\nצה\"ל ותשי\"ג, \"ציטוט\".\n", []),
    "French spacing": ("\nBonjour ; ça va ? Oui : très bien ! Non , merci.\n", [(6, "space-before-punctuation")]),
    "setext headings count too": (
        "\nPart\n====\n\nText.\n\nDetail\n------\n\n#### Deep\n", [(14, "heading-skip")]),
    "footnote labels are case-sensitive": (
        "\nText[^A].\n\n[^a]: Note.\n", [(6, "footnote-undefined"), (8, "footnote-unused")]),
    "links to headings resolve, others do not": (
        "\n[up](#the-quay), [down](#nowhere), [mail](mailto:a@example.org), [web](https://example.org).\n\n"
        "## The quay\n", [(6, "link-broken")]),
    "raw HTML keeps straight quotes": (
        "\n<p>He said \"yes\" and it's done.</p>\n", [(6, "smart-quotes")] * 3),
    "quotes turned the wrong way": (
        "\n\"...and then\" he said.\n\n“Hello,“ she said.\n", [(6, "smart-quotes"), (8, "smart-quotes")]),
    "German quotes typed as German sets them are right, turned the wrong way are found": (
        "\nEr sagte „Ja“ und „Nein“.\n\n\"...und dann\" sagte sie nichts.\n", [(8, "smart-quotes")]),
    "an image embedded by its name alone is reported at its embed": (
        "\nA paragraph.\n\nAnother one.\n\n![[a.png|A stone quay.]]\n", [(10, "alt-repeats-caption")]),
    "figure without caption, empty credit": (
        "\n![](images/a.png){alt=\"A stone quay.\"}\n\n"
        "![The quay.](images/a.png){alt=\"A stone quay.\" credit=\"\"}\n",
        [(6, "caption-incomplete"), (8, "caption-incomplete")]),
    "a raw figure's own caption is its caption": (
        "\n<figure><img src=\"images/a.png\" alt=\"A stone quay.\"><figcaption>The quay, 1930.</figcaption></figure>\n",
        []),
    "raw image without alt": ("\nSee <img src=\"images/a.png\"> here.\n", [(6, "alt-missing")]),
    "images that cannot be used": (
        "\n![Map.](images/missing.png){alt=\"A map.\"}\n\n![Map.](../secret.png){alt=\"A map.\"}\n",
        [(6, "image-unusable"), (8, "image-unusable")]),
    "an image on the web is left out, said at its line": (
        "\nA chart ![the chart](https://example.org/c.png) here.\n", [(6, "image-remote")]),
    "control characters": ("\nText\x07 here.\n", [(6, "control-characters")]),
    "empty body": ("\n  \n", [(5, "body-empty")]),
}
FRONT = {
    "French spacing": "title: T\nlang: fr\n",
    "a letter and its vowel sign are one word, Devanagari's doubles are found": "title: T\nlang: hi\n",
    "Hebrew's gershayim is no quotation mark": "title: T\nlang: he\n",
    "German quotes typed as German sets them are right, turned the wrong way are found": "title: T\nlang: de\n",
}


@pytest.mark.parametrize("name", CASES)
def test_rule_cases(tmp_path: Path, name: str) -> None:
    body, expected = CASES[name]
    path = essay(tmp_path / "e", body, FRONT.get(name, "title: T\nlang: en\n"))
    assert [(f.line, f.rule) for f in check_paths(path)] == expected


def test_every_bad_front_matter_key_is_reported(tmp_path: Path) -> None:
    front = "title: T\nlang: en\nauthor: 12\nsubject: {a: b}\npaper: b5\ncover: x.jpg\ndate: 2020-13-01\n"
    path = essay(tmp_path, "\nText.\n", front)
    found = [(f.line, f.col, f.rule, f.message) for f in check_paths(path)]
    assert found == [
        (4, 1, "front-matter-invalid", "'author' must be text or a list of text, not a number (12)"),
        (5, 1, "front-matter-invalid", "'subject' must be text or a list of text, not a mapping"),
        (6, 1, "front-matter-invalid", "paper 'b5' is not one of a4, letter, a5"),
        (7, 1, "image-unusable", f"image 'x.jpg' not found (looked in {tmp_path}/)"),
        (8, 1, "front-matter-date",
         "'date' holds an impossible date (month must be in 1..12); write a real one as YYYY-MM-DD"),
    ]


def test_tool_findings_become_places_in_the_book() -> None:
    epubcheck = validate.Finding("epubcheck", "ERROR", "RSC-005", "bad", "EPUB/essay.xhtml:12:5")
    assert output_rules._tool_finding("e.epub", epubcheck) == Finding("e.epub/EPUB/essay.xhtml", 12, 5, "error",
                                                               "epubcheck: bad", "RSC-005")
    ace = validate.Finding("ace", "moderate", "heading-order", "skips", "essay.xhtml (h4:nth-child(2))")
    assert output_rules._tool_finding("e.epub", ace) == Finding("e.epub/essay.xhtml", 0, 0, "warning",
                                                         "ace: skips (h4:nth-child(2))", "heading-order")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_pdf_checks_on_a_bare_pdf(tmp_path: Path) -> None:
    pikepdf = pytest.importorskip("pikepdf")
    pdf = pikepdf.new()
    pdf.add_blank_page()
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    pdf.pages[0].Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    pdf.save(tmp_path / "bare.pdf")
    found = [f.rule for f in output_rules._pdf_findings(tmp_path / "bare.pdf", "bare.pdf", "en")]
    assert found == ["pdf-fonts", "pdf-untagged", "pdf-lang", "pdf-folio"]


@pytest.mark.skipif(not validate.epubcheck_available(), reason="EPUBCheck needs java and the epubcheck jar")
def test_outputs_of_the_projects_essay_pass_every_tool(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    ran: list[str] = []
    real = {name: getattr(validate, name) for name in ("epubcheck", "ace")}
    for name in real:
        def spy(*args, _name=name, **kwargs):
            ran.append(_name)
            return real[_name](*args, **kwargs)

        monkeypatch.setattr(validate, name, spy)
    assert run(["check", "--outputs", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert ran == (["epubcheck", "ace"] if validate.ace_available() else ["epubcheck"])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_outputs_report_words_the_pdf_lost_as_errors(tmp_path: Path) -> None:
    """`check --outputs` compares the PDF's words with the EPUB's: here a handout against another essay's
    EPUB, so the words are missing from the PDF (an error, with its page) and the notes are not beside calls."""
    pytest.importorskip("pikepdf")
    from essaybook import build as builder

    from conftest import TEST_ESSAYS

    made = {}
    for name in ("footnotes-and-tables", "figures-and-names"):
        doc = builder.load(TEST_ESSAYS / name / "essay.md")
        made[name] = {fmt: tmp_path / f"{name}.{fmt}" for fmt in ("epub", "pdf")}
        builder.make_outputs(doc, made[name], builder.Options())
    same = output_rules.fidelity_findings(made["footnotes-and-tables"]["pdf"], made["footnotes-and-tables"]["epub"],
                                          "footnotes-and-tables.pdf")
    assert same == []
    crossed = output_rules.fidelity_findings(made["footnotes-and-tables"]["pdf"], made["figures-and-names"]["epub"],
                                             "footnotes-and-tables.pdf")
    missing = [f for f in crossed if f.rule == "pdf-words-missing"]
    assert missing and all(f.severity == "error" and f.message.startswith("page ") for f in missing)


def test_a_folio_is_found_where_pdftotext_runs_a_code_line_into_it() -> None:
    from essaybook.check.output_rules import has_folio

    assert has_folio("text\n--42 / 131\n", 42, 131)  # pandoc's manual, page 42: a YAML block's last '---'
    assert has_folio("text\n\n42 / 131\n", 42, 131)
    assert not has_folio("text\n142 / 131\n", 42, 131)
    assert not has_folio("see 42 / 131 pages\n", 42, 131)
