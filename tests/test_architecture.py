"""The data flows one way: the packagers consume the rendered page and never reach back into the parser, nor
into each other. This test keeps that direction visible when someone adds an import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "essaybook"
PARSING = {"parse", "extensions", "sanitize", "source", "metadata", "dialect", "mdext"}
FORBIDDEN = {
    "xhtml": PARSING | {"epub", "pdf", "build", "cli"},
    "epub": PARSING | {"pdf", "pagination", "build", "cli"},
    "pdf": PARSING | {"epub", "build", "cli"},
    "model": PARSING - {"metadata"} | {"xhtml", "epub", "pdf", "build", "cli"},
    "parse": {"xhtml", "epub", "pdf", "build", "cli"},
}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "essaybook":
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("essaybook."):
            names.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("essaybook.")}
    return names


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_imports_flow_one_way(module: str) -> None:
    wrong = imported_modules(SRC / f"{module}.py") & FORBIDDEN[module]
    assert not wrong, f"essaybook.{module} must not import {sorted(wrong)}"
