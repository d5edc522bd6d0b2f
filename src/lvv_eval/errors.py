"""Error types shared by the package.

Input problems are collected first and raised together, so a user sees every
problem in a file at once. Each :class:`Problem` names the file, the row as the
user sees it in a spreadsheet (header = row 1, first data row = row 2), the
column, the offending value and the rule it breaks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable

import pandas as pd


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    file
        Path or name of the input file (``""`` when not from a file).
    row
        Row number as shown in a spreadsheet (header is row 1), or ``None``
        when the problem concerns the whole file or a column.
    column
        Column name as written in the file, or ``None``.
    value
        The offending value, as text.
    rule
        The rule that was broken, in plain words.
    """

    file: str
    row: int | None
    column: str | None
    value: str
    rule: str

    def __str__(self) -> str:
        where = [self.file or "<input>"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: value {self.value!r}: {self.rule}"


class LvvEvalError(Exception):
    """Base class of the package's own errors."""


class InputValidationError(LvvEvalError, ValueError):
    """Raised with every :class:`Problem` found in an input, not only the first."""

    def __init__(self, problems: Iterable[Problem], summary: str | None = None) -> None:
        self.problems: list[Problem] = sorted(
            problems, key=lambda p: (p.file, p.row if p.row is not None else -1, p.column or "", p.rule)
        )
        head = summary or f"{len(self.problems)} problem(s) found"
        lines = [head] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    def to_frame(self) -> pd.DataFrame:
        """Return the problems as a table (one row per problem)."""
        return pd.DataFrame(
            [asdict(p) for p in self.problems], columns=["file", "row", "column", "value", "rule"]
        )


class ConfigError(LvvEvalError, ValueError):
    """A parameter, scheme or configuration file is invalid."""
