"""``essaybook check``: read an essay the way a careful editor would and report every problem at once.

The build stops at the first thing it cannot use; an author working through a draft wants the whole list, each
item pointing at its line, as ruff and flake8 do. So the checks reuse the build's own pieces (the loader, the
front matter validation, the Markdown dialect, the sanitiser's allow-list, the asset checks), turn what they
raise into findings, and carry on.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from essaybook import build
from essaybook.check.findings import ERROR, RULES, WARNING, Finding
from essaybook.check.output_rules import check_outputs
from essaybook.check.source_rules import check_essay
from essaybook.errors import EssaybookError

__all__ = ["ERROR", "RULES", "WARNING", "Finding", "check_essay", "check_outputs", "check_paths", "has_errors",
           "render", "summary"]


def check_paths(source: Path | None, *, outputs: bool = False) -> list[Finding]:
    """The essay SOURCE names, or every essay under content/: one list, sorted so it reads like the files."""
    paths = build.essays_in(source)
    if not paths:
        raise EssaybookError("no essays found; put one in content/<slug>/essay.md or pass its path",
                             path=Path("content"))
    findings = [f for path in paths for f in check_essay(path)]
    if outputs:
        findings += check_outputs(paths, blocked={f.file for f in findings if f.severity == ERROR})
    return sorted(set(findings), key=lambda f: (f.file, f.line, f.col, f.rule, f.message))


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def render(findings: list[Finding], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dataclasses.asdict(f) for f in findings], ensure_ascii=False, indent=2) + "\n"
    return "".join(f"{f}\n" for f in findings)


def summary(findings: list[Finding]) -> str:
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    if not findings:
        return "no problems found"
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
