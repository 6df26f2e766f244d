"""What a check reports: one finding per problem, with its place, severity and rule."""

from __future__ import annotations

from dataclasses import dataclass

from essaybook.rules import ERROR, RULES, WARNING

__all__ = ["ERROR", "RULES", "WARNING", "Finding"]


@dataclass(frozen=True)
class Finding:
    """One problem, where it is: ``line`` and ``col`` count from 1; 0 means the whole file or no column."""

    file: str
    line: int
    col: int
    severity: str
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message} [{self.rule}]"
