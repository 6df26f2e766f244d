"""The one rule set: every rule essaybook reports, its severity, and the shape a report takes.

The build and ``essaybook check`` report from the same place. Whatever a build step refuses, drops, rewrites
or repairs, it records as a ``Diagnostic`` with a rule id from ``RULES``; the build prints those on stderr and
``check`` lists the same ones (plus its editorial rules) as findings at the same line. A new syntax or input
adds its rule here and records it where it is decided, never in a second reader of the source.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from essaybook.errors import display_path

ERROR, WARNING = "error", "warning"

#: Every rule and its severity. An error is something the build refuses, or that leaves the book wrong for some
#: reader; a warning is what an editor would fix before it goes out.
RULES: dict[str, str] = {
    # reading the source and its front matter
    "source-unreadable": ERROR,
    "title-missing": ERROR,
    "lang-missing": WARNING,
    "labels-fallback": WARNING,
    "front-matter-unknown-key": WARNING,
    "front-matter-invalid": ERROR,
    "front-matter-date": ERROR,
    "control-characters": WARNING,
    "front-matter-coerced": WARNING,
    "front-matter-draft": WARNING,
    "front-matter-cover": WARNING,
    "body-empty": ERROR,
    # what the build decides about the body
    "footnote-undefined": WARNING,
    "footnote-unused": WARNING,
    "link-broken": WARNING,
    "link-scheme": WARNING,
    "alt-missing": WARNING,
    "image-unusable": ERROR,
    "image-remote": WARNING,
    "image-site-path": WARNING,
    "html-removed": WARNING,
    # the Markdown dialects other tools write (dialect.py, mdext/)
    "template-tags": WARNING,
    "citation-missing": WARNING,
    "bibliography-missing": WARNING,
    "math-invalid": WARNING,
    "embed-unresolved": WARNING,
    "comment-unclosed": WARNING,
    "table-malformed": WARNING,
    "raw-format-dropped": WARNING,
    # editorial rules (check only: they change nothing in the book)
    "heading-skip": WARNING,
    "alt-repeats-caption": WARNING,
    "caption-incomplete": WARNING,
    "image-low-resolution": WARNING,
    "image-too-large": WARNING,
    "smart-quotes": WARNING,
    "space-before-punctuation": WARNING,
    "doubled-word": WARNING,
    # course packs: the pack file and the essays it lists
    "pack-invalid": ERROR,
    "pack-essay-missing": ERROR,
    "pack-essay-outside": ERROR,
    "pack-essay-duplicate": ERROR,
    "pack-nested": ERROR,
    "pack-essay-failed": ERROR,
    "pack-rights-missing": WARNING,
    # the print layout
    "print-layout": WARNING,
    "glyph-missing": WARNING,
    "footnote-moved": WARNING,
    "page-list-unavailable": WARNING,
    # `essaybook import`: what a page had that the essay does not keep as it was
    "import-image": WARNING,
    "import-caption": WARNING,
    "import-footnote": WARNING,
    "import-content": WARNING,
    "import-metadata": WARNING,
    # --outputs: the checks the test suite makes on the PDF; EPUBCheck and Ace bring their own rule ids.
    "build-failed": ERROR,
    "pdf-fonts": ERROR,
    "pdf-untagged": ERROR,
    "pdf-lang": ERROR,
    "pdf-folio": ERROR,
    "pdf-content-outside": ERROR,
    "pdf-words-missing": ERROR,
    "pdf-note-displaced": WARNING,
    "tool-missing": WARNING,
}

#: Editorial rules: the build changes nothing for them, so only ``check`` reports them (a build that warned
#: about every caption used as alt text, as the README documents, would bury the warnings that matter).
CHECK_ONLY = frozenset({
    "lang-missing", "heading-skip", "alt-repeats-caption", "caption-incomplete", "image-low-resolution",
    "image-too-large", "smart-quotes", "space-before-punctuation", "doubled-word",
})


@dataclass(frozen=True)
class Diagnostic:
    """One thing worth telling the author, at its place: ``line`` and ``col`` count from 1 (None/0: unknown)."""

    rule: str
    message: str
    path: Path | None = None
    line: int | None = None
    col: int = 0

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown rule {self.rule!r}: add it to essaybook.rules.RULES")

    @property
    def severity(self) -> str:
        return RULES[self.rule]

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = display_path(self.path)
        return f"{where}:{self.line}: {self.message}" if self.line else f"{where}: {self.message}"
