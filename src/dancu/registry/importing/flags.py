"""The table under check and the errors found in it so far (shared by the import's checks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl

from dancu.registry.importing.cells import Problem
from dancu.registry.importing.reading import ROW
from dancu.registry.importing.report import RowError

__all__ = ["Rows"]


class Rows:
    """The rows being checked (``frame``), with the errors and warnings found so far."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []

    def bad_rows(self) -> list[int]:
        """The row numbers refused so far."""
        return sorted({e.row for e in self.errors})

    def flag(
        self,
        mask: pl.Expr,
        column: str,
        code: str,
        message: str | Callable[[str, str], str],
        *,
        value: pl.Expr | None = None,
        extra: pl.Expr | None = None,
        frame: pl.DataFrame | None = None,
    ) -> None:
        """Record an error for every row (of FRAME, default the table) where MASK holds. A
        callable MESSAGE gets the shown value and the row's EXTRA value (another cell it names)."""
        shown = (value if value is not None else pl.col(column)).cast(pl.Utf8).fill_null("").alias("_value")
        other = (extra if extra is not None else pl.lit("")).cast(pl.Utf8).fill_null("").alias("_extra")
        source = self.frame if frame is None else frame
        # Lazy, so that only the columns the mask and the message need are read.
        bad = source.lazy().filter(mask.fill_null(False)).select(ROW, shown, other).collect()
        for row, cell, more in bad.iter_rows():
            text = message(cell, more) if callable(message) else message
            self.errors.append(RowError(row, column, cell, code, text))

    def flag_problems(self, column: str, problems: dict[str, Problem], *, warning: bool = False) -> None:
        """Record the problem of each row whose COLUMN value is a key of PROBLEMS."""
        if not problems:
            return
        bad = self.frame.lazy().filter(pl.col(column).is_in(list(problems))).select(ROW, column).collect()
        target = self.warnings if warning else self.errors
        for row, cell in bad.iter_rows():
            problem = problems[cell]
            target.append(RowError(row, column, cell, problem.code, problem.message))

    def add(self, errors: Iterable[RowError]) -> int:
        """Record ERRORS; return how many."""
        before = len(self.errors)
        self.errors.extend(errors)
        return len(self.errors) - before
