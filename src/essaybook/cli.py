"""The command line: parse arguments, call ``build``, print results and errors. No logic of its own.

stdout carries only the paths written (so scripts can use them); warnings, progress and errors go to stderr.
Every error a person can fix is one line and exit status 1; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import typer

from essaybook import __version__
from essaybook.errors import EssaybookError
from essaybook.paper import PAPERS

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Turn an essay in Markdown (with YAML front matter) into an EPUB 3 and a print handout PDF.",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


class _Stderr:
    """rich's console on stderr, made on first use: importing rich costs ~20 ms a command that prints nothing."""

    _console = None

    def __getattr__(self, name: str):
        if _Stderr._console is None:
            from rich.console import Console

            _Stderr._console = Console(stderr=True, highlight=False, soft_wrap=True)
        return getattr(_Stderr._console, name)


err = _Stderr()


Paper = StrEnum("Paper", {name: name for name in PAPERS})  # the sizes paper.PAPERS knows


class Sheet(StrEnum):
    a4 = "a4"
    letter = "letter"


# Options whose value may be left out (``--booklet`` means ``--booklet a4``); typer's parser cannot say so.
_OPTIONAL_VALUES = {"--booklet": ("a4", "letter"), "--two-up": ("a4", "letter")}


# readable=False: an unreadable essay is reported by essaybook in its one-line form, not by click.
SourceArg = Annotated[Path | None, typer.Argument(readable=False, show_default=False,
                                                  help="An essay's .md file or its folder. Default: every essay "
                                                       "under content/.")]
OutputOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Output file (when one essay is built).",
                                                show_default=False)]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the full traceback of an error.")]
NumbersOpt = Annotated[bool | None, typer.Option("--paragraph-numbers/--no-paragraph-numbers",
                                                 help="Number paragraphs (default: on, or the front matter's "
                                                      "paragraph_numbers).", show_default=False)]
ForceOpt = Annotated[bool, typer.Option("--force", help="Rebuild even when nothing has changed.")]
DuplexOpt = Annotated[bool, typer.Option("--duplex", help="Course packs: each essay starts on a right-hand page "
                                                          "(for printing on both sides).")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Essays built (or a pack's essays parsed) "
                                             "at once (default: one per core).", show_default=False)]
PaperOpt = Annotated[Paper | None, typer.Option("--paper", help="Paper size (default: the front matter's "
                                                                "paper, else a4).", show_default=False)]


def _version(value: bool) -> None:
    if value:
        print(f"essaybook {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Turn an essay in Markdown (with YAML front matter) into an EPUB 3 and a print handout PDF."""


@app.command()
def epub(source: SourceArg = None, output: OutputOpt = None, quiet: QuietOpt = False, debug: DebugOpt = False,
         numbers: NumbersOpt = None, paper: PaperOpt = None, force: ForceOpt = False,
         page_list: Annotated[bool, typer.Option("--page-list/--no-page-list",
                                                 help="Page numbers that match the print handout.")] = True,
         duplex: DuplexOpt = False, jobs: JobsOpt = None) -> None:
    """Build the EPUB 3 of one essay or course pack, or of every essay under content/ and pack under packs/."""
    _run_build(source, output, ("epub",), quiet, debug, numbers, paper, page_list, force=force, duplex=duplex,
               jobs=jobs)


@app.command()
def pdf(source: SourceArg = None, output: OutputOpt = None, quiet: QuietOpt = False, debug: DebugOpt = False,
        numbers: NumbersOpt = None, paper: PaperOpt = None, force: ForceOpt = False,
        booklet: Annotated[Sheet | None, typer.Option(
            "--booklet", help="Impose for saddle stitching: A5 pages on A4 sheets (--booklet, --booklet a4) or "
                              "half-letter on US Letter (--booklet letter), into build/<slug>-booklet.pdf.",
            show_default=False)] = None,
        two_up: Annotated[Sheet | None, typer.Option(
            "--two-up", help="Impose two pages to a side in reading order (1-2, 3-4), on A4 (default) or "
                             "letter, into build/<slug>-2up.pdf.", show_default=False)] = None,
        duplex: DuplexOpt = False, jobs: JobsOpt = None) -> None:
    """Build the print handout PDF of one essay or course pack, or of every essay under content/ and pack under
    packs/ into build/<slug>.pdf."""
    _run_build(source, output, ("pdf",), quiet, debug, numbers, paper, True, force=force,
               booklet=booklet.value if booklet else None, two_up=two_up.value if two_up else None,
               duplex=duplex, jobs=jobs)


@app.command()
def build(source: SourceArg = None, quiet: QuietOpt = False, debug: DebugOpt = False,
          numbers: NumbersOpt = None, paper: PaperOpt = None, force: ForceOpt = False,
          out_dir: Annotated[Path, typer.Option("--out-dir", help="Folder for the outputs.")] = Path("build"),
          jobs: JobsOpt = None, duplex: DuplexOpt = False) -> None:
    """Build the EPUB and the PDF of an essay or course pack, or of every essay under content/ and pack under
    packs/ (each essay is parsed once for both)."""
    _run_build(source, None, ("epub", "pdf"), quiet, debug, numbers, paper, True, out_dir=out_dir, force=force,
               jobs=jobs, duplex=duplex)


@app.command()
def check(source: SourceArg = None, debug: DebugOpt = False,
          outputs: Annotated[bool, typer.Option("--outputs", help="Also build both formats in a temporary folder "
                                                "and check them: EPUBCheck, Ace, the PDF's fonts, tags and folios.")
                             ] = False,
          fmt: Annotated[Literal["text", "json"], typer.Option("--format", help="text: file:line:col: severity: "
                                                               "message \\[rule]; json: a list of objects.")] = "text",
          ) -> None:
    """Report every problem in an essay at once, as an editor would; exit 1 if any is an error."""
    from essaybook import check as c

    with _errors_reported(debug):
        findings = c.check_paths(source, outputs=outputs)
    print(c.render(findings, fmt), end="")
    if fmt == "text":
        err.print(c.summary(findings), markup=False)
    raise typer.Exit(1 if c.has_errors(findings) else 0)


@app.command("import")
def import_pages(
    sources: Annotated[list[str], typer.Argument(help="URLs (http/https), saved pages (.html/.htm with their "
                                                "_files folder, .mhtml/.mht) or plain-text captures (.txt).",
                                                metavar="SOURCE", show_default=False)],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The essay folder (one SOURCE; default "
                                                "content/<slug>), or the parent folder (several; default "
                                                "content/).", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing essay.md.")] = False,
    quiet: QuietOpt = False, debug: DebugOpt = False,
) -> None:
    """Turn web pages into essay folders (essay.md + images/): the article, its figures and footnotes, no chrome."""
    from essaybook.importer import import_sources

    failed = False
    with _errors_reported(debug):
        for outcome in import_sources(sources, output, force=force, raise_errors=debug):
            if outcome.error:
                failed = True
                err.print(f"error: {outcome.error}", markup=False)
                continue
            if not quiet:
                for warning in outcome.warnings:
                    err.print(f"warning: {warning}", markup=False)
            images = f", {outcome.images} image{'s' if outcome.images != 1 else ''}"
            print(f"{outcome.folder} ({outcome.words} words{images})", flush=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def preview(
    source: Annotated[Path | None, typer.Argument(readable=False, show_default=False,
                                                  help="An essay's .md file or its folder. Default: the only essay "
                                                       "under content/.")] = None,
    port: Annotated[int | None, typer.Option("--port", min=0, max=65535, show_default=False,
                                             help="Port to serve on (default: 8417 or the next free one; 0: any "
                                                  "free port).")] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Anything but loopback lets others on "
                                                     "the network read the essay.")] = "127.0.0.1",
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open a browser.")] = False,
    paper: PaperOpt = None, numbers: NumbersOpt = None, debug: DebugOpt = False,
) -> None:
    """Show the e-book and the handout side by side in a browser, rebuilt each time you save."""
    from essaybook import build as b
    from essaybook.preview import preview as serve

    options = b.Options(paper=paper.value if paper else None, paragraph_numbers=numbers)
    with _errors_reported(debug):
        serve(source, options=options, host=host, port=port, open_browser=not no_open,
              say=lambda line: err.print(line, markup=False))


def _run_build(source: Path | None, output: Path | None, formats: tuple[str, ...], quiet: bool, debug: bool,
               numbers: bool | None, paper: Paper | None, page_list: bool, out_dir: Path = Path("build"),
               force: bool = False, jobs: int | None = None, booklet: str | None = None,
               two_up: str | None = None, duplex: bool = False) -> None:
    from essaybook import build as b

    options = b.Options(paper=paper.value if paper else None, paragraph_numbers=numbers, page_list=page_list,
                        booklet=booklet, two_up=two_up, duplex=duplex)
    with _errors_reported(debug):
        if booklet and two_up:
            raise EssaybookError("--booklet and --two-up are two ways of putting the pages on sheets; choose one")
        paths = b.essays_in(source)
        if not paths:
            raise EssaybookError("no essays found; put one in content/<slug>/essay.md or pass its path",
                                 path=Path("content"))
        if output is not None and len(paths) > 1:
            raise EssaybookError(f"-o names one file, but {len(paths)} essays would be built; pass one SOURCE")
        if output is None:
            _make_default_folder(out_dir)
        worst = 0
        # With --debug everything runs in this process and errors propagate, so the traceback is the real one.
        jobs = 1 if debug else jobs
        layout, stamps = b.start_layout_process(paths, formats, out_dir=out_dir, output=output, options=options,
                                                force=force, jobs=jobs)  # before the spinner's thread starts
        outcomes = b.build_all(paths, formats, out_dir=out_dir, output=output, options=options, force=force,
                               jobs=jobs, raise_errors=debug, layout_process=layout, stamps=stamps)
        with (err.status(f"building {len(paths)} essay(s)…", spinner="dots") if not quiet else contextlib.nullcontext(),
              contextlib.closing(layout) if layout is not None else contextlib.nullcontext()):
            for outcome in outcomes:
                worst = max(worst, outcome.exit_code)
                if not quiet:
                    for warning in outcome.warnings:
                        err.print(f"warning: {warning}", markup=False)
                if outcome.error:
                    for line in outcome.error.split("\n"):
                        err.print(f"error: {line}", markup=False)
                    continue
                if not quiet:
                    for w in outcome.written:
                        print(f"{w.path} ({_size(w.size)}{', unchanged' if w.reused else ''})", flush=True)
                        if w.note:
                            err.print(w.note, markup=False)
        if worst:
            raise typer.Exit(worst)


@contextlib.contextmanager
def _errors_reported(debug: bool) -> Iterator[None]:
    """The one place errors become output: a person's error is one line and its exit status, anything else
    an "internal error" line (exit 2); --debug lets them through with their traceback."""
    try:
        yield
    except (typer.Exit, SystemExit):
        raise
    except EssaybookError as exc:
        if debug:
            raise
        for line in str(exc).split("\n"):  # SourceProblems: one line per problem
            err.print(f"error: {line}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("interrupted; previous outputs are unchanged", markup=False)
        raise typer.Exit(130) from None
    except Exception as exc:
        if debug:
            raise
        err.print(f"error: internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it",
                  markup=False)
        raise typer.Exit(2) from None


def _make_default_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EssaybookError(f"cannot create the output folder ({exc.strerror}); choose another with -o",
                             path=folder) from exc


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def run(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv``; return the exit status instead of exiting (for embedding and tests)."""
    argv = _with_optional_values(list(sys.argv[1:] if argv is None else argv))
    _no_stray_log_lines()
    try:
        result = app(args=argv, prog_name="essaybook", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception as exc:
        # Usage errors from the click that typer bundles: shown as click shows them, in standalone mode too.
        if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            return exc.exit_code
        raise
    return result if isinstance(result, int) else 0


def _with_optional_values(argv: list[str]) -> list[str]:
    """``--booklet`` alone becomes ``--booklet=a4``; ``--booklet letter`` is left as it is."""
    out = []
    for i, arg in enumerate(argv):
        choices = _OPTIONAL_VALUES.get(arg)
        if choices and (i + 1 >= len(argv) or argv[i + 1] not in choices):
            arg = f"{arg}={choices[0]}"
        out.append(arg)
    return out


def _no_stray_log_lines() -> None:
    """Libraries that log through the root logger's module functions (ziafont's ``logging.debug``, under the
    handout's math) make Python configure a handler on stderr, which then prints any library's records as raw
    ``ERROR:weasyprint:…`` lines beside essaybook's own one-line warnings. What essaybook hears from WeasyPrint
    it collects and says in its own words (``pdf._weasyprint_warnings``); the root logger gets a handler that
    prints nothing, so Python configures none."""
    import logging

    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())


def main() -> None:
    sys.exit(run(sys.argv[1:]))
