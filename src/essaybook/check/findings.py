"""What a check reports: one finding per problem, with its place, severity and rule."""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING = "error", "warning"

#: Every rule of the essay's own checks and its severity. An error is something the build refuses, or that
#: leaves the book wrong for some reader; a warning is what an editor would fix before it goes out.
RULES = {
    "source-unreadable": ERROR,
    "title-missing": ERROR,
    "lang-missing": WARNING,
    "front-matter-unknown-key": WARNING,
    "front-matter-invalid": ERROR,
    "front-matter-date": ERROR,
    "control-characters": WARNING,
    "body-empty": ERROR,
    "heading-skip": WARNING,
    "footnote-undefined": ERROR,
    "footnote-unused": WARNING,
    "link-broken": WARNING,
    "link-scheme": WARNING,
    "alt-missing": ERROR,
    "alt-repeats-caption": WARNING,
    "caption-incomplete": WARNING,
    "image-unusable": ERROR,
    "image-low-resolution": WARNING,
    "image-too-large": WARNING,
    "smart-quotes": WARNING,
    "space-before-punctuation": WARNING,
    "doubled-word": WARNING,
    "html-removed": WARNING,
    # --outputs: the checks the test suite makes on the PDF; EPUBCheck and Ace bring their own rule ids.
    "build-failed": ERROR,
    "print-layout": WARNING,
    "pdf-fonts": ERROR,
    "pdf-untagged": ERROR,
    "pdf-lang": ERROR,
    "pdf-folio": ERROR,
    "tool-missing": WARNING,
}


@dataclass(frozen=True)
class Finding:
    """One problem, where it is: ``line`` and ``col`` count from 1; 0 means the whole file or no column."""

    file: str
    line: int
    col: int
    severity: str
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message} [{self.rule}]"
