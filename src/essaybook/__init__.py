"""essaybook: an essay in Markdown becomes an EPUB 3 for e-readers and a print handout PDF.

The public API is deliberately tiny (in the manner of mdformat): ``run(argv) -> int`` runs the command line
and ``build`` is the pipeline the CLI drives.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("essaybook")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"


def run(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` and return its exit status instead of exiting."""
    from essaybook.cli import run as _run

    return _run(argv)
