"""The preview's one doorway into the build: every call it makes to the pipeline is in this module.

The preview builds exactly what ``essaybook build`` builds, through ``build.load`` and ``build.make_outputs``,
into a private temporary folder, and reads the files back. So the e-book on the left is the EPUB a reader
gets and the pages on the right are the PDF that prints; when the pipeline changes, this module is the only
place that may have to follow. Two steps, because the e-book needs no print layout and should appear at once:

1. ``ebook``: the EPUB without its page list (parse, render, package: a few tens of milliseconds);
2. ``handout``: the PDF and the EPUB again with its page list, from one layout of the handout.
"""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path

from essaybook import build
from essaybook.errors import display_path
from essaybook.model import Document
from essaybook.source import resolve_source, slug_for
from essaybook.styles import user_styles_dir

Options = build.Options


@dataclasses.dataclass(frozen=True)
class Problem:
    """One line of the problems list: a build warning or a finding of ``essaybook check``."""

    severity: str  # "error" or "warning"
    rule: str
    message: str
    file: str  # as the CLI shows it (relative to the working directory when possible)
    path: str  # absolute, for an editor link
    line: int
    col: int


def resolve(source: Path | None) -> Path:
    """The one essay a preview shows: SOURCE, or the only essay under ``content/``."""
    from essaybook.errors import EssaybookError

    paths = build.essays_in(source)
    if not paths:
        raise EssaybookError("no essays found; put one in content/<slug>/essay.md or pass its path",
                             path=Path("content"))
    if len(paths) > 1:
        raise EssaybookError(f"{len(paths)} essays under content/; preview one, e.g. essaybook preview "
                             f"{display_path(paths[0].parent if paths[0].name == 'essay.md' else paths[0])}")
    return resolve_source(paths[0])


def watched_folders(path: Path) -> list[Path]:
    """What a change to rebuilds for: the essay's folder, the user's ``styles/``, and the shipped sheets."""
    folders = [path.resolve().parent]
    user = user_styles_dir(path.resolve().parent)
    if user is not None:
        folders.append(user.resolve())
    shipped = resources.files("essaybook") / "styles"
    if isinstance(shipped, Path) and shipped.is_dir():  # an installed package on disk (not a zip)
        folders.append(shipped.resolve())
    return folders


def load(path: Path) -> Document:
    return build.load(path)


def ebook(doc: Document, options: Options, out_dir: Path) -> Path:
    """The EPUB without the page list: no print layout, so it is ready almost at once."""
    target = out_dir / f"{slug_for(doc.source_path)}.epub"
    build.make_outputs(doc, {"epub": target}, dataclasses.replace(options, page_list=False))
    return target


def handout(doc: Document, options: Options, out_dir: Path) -> tuple[Path, Path]:
    """The PDF and the EPUB with its page list, both from one layout of the handout."""
    slug = slug_for(doc.source_path)
    targets = {"epub": out_dir / f"{slug}.full.epub", "pdf": out_dir / f"{slug}.pdf"}
    build.make_outputs(doc, targets, dataclasses.replace(options, page_list=True))
    return targets["epub"], targets["pdf"]


def layout(path: Path, options: Options, out_dir: Path) -> tuple[str, str, str, list[Problem]]:
    """In the layout worker: load the essay afresh and lay out its handout; plain data comes back."""
    doc = load(path)
    epub, pdf = handout(doc, options, out_dir)
    return str(epub), str(pdf), paper(doc, options), warnings(doc)


def warm_up() -> None:
    """What a fresh layout worker loads before its first job (WeasyPrint's import is most of a second)."""
    from essaybook.weasy import weasyprint  # noqa: F401


def paper(doc: Document, options: Options) -> str:
    return options.paper or doc.metadata.paper


def warnings(doc: Document) -> list[Problem]:
    """What the build recorded while making the outputs (``doc.warnings``, handout warnings included)."""
    return [_problem(d.severity, d.rule, d.message, d.path or doc.source_path, d.line or 0, d.col)
            for d in doc.warnings]


def findings(path: Path) -> list[Problem]:
    """``essaybook check``'s source findings for the essay (it never raises for the essay's own faults)."""
    from essaybook.check import check_essay

    return [_problem(f.severity, f.rule, f.message, Path(f.file), f.line, f.col) for f in check_essay(path)]


def error_problems(exc: Exception, path: Path, rule: str = "build-failed") -> list[Problem]:
    """The lines of an error that stopped the build, as problems (SourceProblems carries several), under
    ``rule`` unless they bring their own."""
    diagnostics = [*getattr(exc, "errors", ()), *getattr(exc, "warnings", ())]  # errors.SourceProblems
    if diagnostics:
        return [_problem(d.severity, d.rule, d.message, d.path or path, d.line or 0, d.col) for d in diagnostics]
    where = getattr(exc, "path", None) or path
    return [_problem("error", rule, getattr(exc, "message", str(exc)), Path(where),
                     getattr(exc, "line", None) or 0, 0)]


def _problem(severity: str, rule: str, message: str, path: Path, line: int, col: int) -> Problem:
    absolute = Path(path).resolve()
    return Problem(severity, rule, message, display_path(absolute), str(absolute), line, col)
