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
from essaybook.errors import EssaybookError, display_path

__all__ = ["ERROR", "RULES", "WARNING", "Finding", "check_essay", "check_outputs", "check_paths", "has_errors",
           "render", "summary"]


def check_paths(source: Path | None, *, outputs: bool = False) -> list[Finding]:
    """The essay SOURCE names, or every essay under content/: one list, sorted so it reads like the files."""
    paths = build.essays_in(source)
    if not paths:
        raise EssaybookError("no essays found; put one in content/<slug>/essay.md or pass its path",
                             path=Path("content"))
    from essaybook.source import is_pack

    packs = [p for p in paths if is_pack(p)]
    paths = [p for p in paths if not is_pack(p)]
    findings = [f for path in paths for f in check_essay(path)]
    for path in packs:
        found, essays = check_pack(path)
        findings += found
        paths += [e for e in essays if e not in paths]
    if outputs:
        findings += check_outputs(paths, blocked={f.file for f in findings if f.severity == ERROR})
    return sorted(set(findings), key=lambda f: (f.file, f.line, f.col, f.rule, f.message))


def check_pack(path: Path) -> tuple[list[Finding], list[Path]]:
    """The pack file as its build reads it (every problem at once), then every essay it lists, checked as
    alone, and what the pack's build says of them (a missing rights line). Returns the findings and the essays
    (``--outputs`` checks each essay's own outputs)."""
    from essaybook.errors import SourceError, SourceProblems
    from essaybook.pack import load_pack
    from essaybook.pack_build import load_collection

    try:
        pack = load_pack(path)
    except SourceProblems as exc:
        return [_finding(d) for d in exc.errors], []
    except SourceError as exc:
        return [Finding(display_path(exc.path or path), exc.line or 1, 0, ERROR, exc.message, "pack-invalid")], []
    essays = [e.path for e in pack.entries]
    findings = [_finding(d) for d in pack.warnings]
    findings += [f for essay in essays for f in check_essay(essay)]
    try:
        book = load_collection(path, jobs=1)
    except EssaybookError:  # an essay that does not build: its own findings above say why
        return findings, essays
    findings += [_finding(d) for d in book.warnings if d.rule.startswith("pack-")]
    return findings, essays


def _finding(d) -> Finding:
    return Finding(display_path(d.path), d.line or 1, d.col or 0, d.severity, d.message, d.rule)


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
