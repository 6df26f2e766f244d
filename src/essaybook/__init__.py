"""essaybook: an essay in Markdown becomes an EPUB 3 for e-readers and a print handout PDF.

The public API is deliberately tiny (in the manner of mdformat): ``run(argv) -> int`` runs the command line
and ``build`` is the pipeline the CLI drives.
"""

# The one place the version is written (pyproject.toml reads it from here): asking importlib.metadata at
# import time would cost every command ~40 ms of scanning sys.path.
__version__ = "0.1.0"


def run(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` and return its exit status instead of exiting."""
    from essaybook.cli import run as _run

    return _run(argv)
