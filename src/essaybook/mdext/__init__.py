"""Small Python-Markdown extensions, one construct each, for the Markdown that other tools' authors write.

Each extension reads and reports through the ``Context`` that ``dialect.make_markdown`` hangs on the Markdown
instance: the essay's source (its folder, for embeds and bibliographies), its metadata (the title, for the
repeated heading), and a list of ``rules.Diagnostic`` the build prints and ``check`` reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from markdown import Markdown

from essaybook.rules import Diagnostic

T = TypeVar("T")


@dataclass
class Context:
    path: Path | None = None  # the essay's file (None: a fragment, e.g. a Notes prompt)
    folder: Path | None = None
    body: str = ""  # the Markdown as written, to find a construct's line
    body_line: int = 1
    title: str | None = None
    bibliography: str | None = None
    bibliography_line: int | None = None
    csl: str | None = None
    csl_line: int | None = None
    lang: str = "en"
    references_title: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def line_of(self, needle: str) -> int | None:
        index = self.body.find(needle) if needle else -1
        return self.body_line + self.body.count("\n", 0, index) if index >= 0 else None

    def report(self, rule: str, message: str, needle: str = "", line: int | None = None) -> None:
        diagnostic = Diagnostic(rule, message, self.path, line or self.line_of(needle))
        if diagnostic not in self.diagnostics:
            self.diagnostics.append(diagnostic)

    def report_found(self, rule: str, message: str, found: dict[str, str]) -> None:
        """One report for constructs of one kind (``found``: each name, and the text it was first met as), at
        the line of the first: what a preprocessor that rewrites them all says once."""
        if found:
            self.report(rule, message, needle=next(iter(found.values())))


def attached(md: Markdown, name: str, make: Callable[[], T]) -> T:
    """State an extension keeps for one conversion, on the Markdown instance that runs it (made on first use)."""
    state = getattr(md, name, None)
    if state is None:
        state = make()
        setattr(md, name, state)
    return state


def context(md: Markdown) -> Context:
    return attached(md, "eb_context", Context)


_ARGUMENT = re.compile(r"""([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")


def arguments(text: str) -> dict[str, str]:
    """A shortcode's ``name="value"``, ``name='value'`` and ``name=value`` arguments (Hugo's, WordPress's)."""
    return {m.group(1): next(g for g in m.group(2, 3, 4) if g is not None) for m in _ARGUMENT.finditer(text)}


# Inline code spans, kept as they are by the preprocessors that rewrite text (fenced code is stashed by then).
CODE_SPAN = re.compile(r"(?<!\\)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)


def outside_code(pattern: re.Pattern[str], text: str, replace) -> str:
    """``pattern.sub(replace, text)`` everywhere but inside inline code spans."""
    out, last = [], 0
    for m in CODE_SPAN.finditer(text):
        out.append(pattern.sub(replace, text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(pattern.sub(replace, text[last:]))
    return "".join(out)
