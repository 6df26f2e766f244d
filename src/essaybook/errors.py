"""One error shape for everything a person can fix: where, what, and what to do.

Every failure a user can act on is raised as an ``EssaybookError`` carrying the file and (when known) the line,
so the CLI can print it as one line in the form compilers made familiar: ``error: path:line: message``.
Library exceptions are translated into it at the boundary where they happen, never further out.
"""

from __future__ import annotations

from pathlib import Path


class EssaybookError(Exception):
    """A problem with the user's input or environment, reported as one line and exit status 1."""

    exit_code = 1

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def location(self) -> str:
        if self.path is None:
            return ""
        where = display_path(self.path)
        return f"{where}:{self.line}: " if self.line else f"{where}: "

    def __str__(self) -> str:
        return f"{self.location()}{self.message}"


class SourceError(EssaybookError):
    """The essay's text, front matter or resources cannot be used as they are."""


class EnvironmentProblem(EssaybookError):
    """Something the machine lacks (a font, Java); the message names the command that installs it."""


class OutputError(EssaybookError):
    """The output cannot be written (folder missing, not writable, disk full)."""


def display_path(path: Path | str) -> str:
    """Paths relative to the working directory when possible: shorter, and the same on every machine."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


class SourceProblems(SourceError):
    """Several problems found at once (MkDocs-style validation): each error a ``rules.Diagnostic``, printed as
    its own ``error: file:line: message`` line; the warnings found on the way travel along."""

    def __init__(self, errors: list, warnings: list = ()) -> None:
        errors = sorted(errors, key=lambda d: (str(d.path), d.line or 0, d.col))
        super().__init__(errors[0].message, path=errors[0].path, line=errors[0].line)
        self.errors = errors
        self.warnings = list(warnings)

    def __reduce__(self) -> tuple:  # across a process (layout_process): rebuilt from its diagnostics
        return (type(self), (self.errors, self.warnings))

    @property
    def diagnostics(self) -> list:
        """The errors, in the order of the source."""
        return self.errors

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.errors)
