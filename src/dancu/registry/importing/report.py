"""What an import found and did: the errors by row, column, value and reason; the counts; the
rejects file written under ``--skip-invalid``."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "FileProblem",
    "ImportRefusedError",
    "ImportReport",
    "RowError",
    "write_rejects",
]

# A value longer than this is cut in messages and reports: a whole pasted paragraph in one cell
# would drown the report.
_VALUE_SHOWN = 80


@dataclass(frozen=True, slots=True, order=True)
class RowError:
    """One bad cell. ``row`` counts the header as row 1, as a spreadsheet shows it; ``column`` is
    the canonical column name; ``code`` is stable, ``message`` is Vietnamese / English."""

    row: int
    column: str
    value: str
    code: str
    message: str

    def shown_value(self) -> str:
        return self.value if len(self.value) <= _VALUE_SHOWN else self.value[: _VALUE_SHOWN - 1] + "…"

    def line(self) -> str:
        """One line of the text report."""
        return f"dòng/row {self.row}, cột/column {self.column}, giá trị/value {self.shown_value()!r}: {self.message}"


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A problem with the file as a whole (unreadable, no header, a required column missing)."""

    code: str
    message: str


@dataclass(slots=True)
class ImportReport:
    """The outcome of one import, whether it was applied or refused."""

    file_name: str
    sha256: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    households_created: int = 0
    households_updated: int = 0
    mapped_units: int = 0
    batch_id: int | None = None
    applied: bool = False
    bulk_mode: bool = False
    columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    file_problems: list[FileProblem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    rejects_file: str = ""
    seconds: float = 0.0
    # Seconds spent in each stage (read, check, write, relax, persons, residences, indexes,
    # commit, validate), for benchmarks and slow-import diagnosis.
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.file_problems and not self.errors

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})

    def counts(self) -> dict[str, Any]:
        """The numbers of the report, as ``dancu registry import`` prints them."""
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "applied": self.applied,
            "batch_id": self.batch_id,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "households_created": self.households_created,
            "households_updated": self.households_updated,
            "mapped_units": self.mapped_units,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "bulk_mode": self.bulk_mode,
            "seconds": round(self.seconds, 2),
            **({"rejects_file": self.rejects_file} if self.rejects_file else {}),
            **({"ignored_columns": self.ignored_columns} if self.ignored_columns else {}),
        }

    def as_dict(self) -> dict[str, Any]:
        """Everything, for ``--report FILE.json``."""
        return {
            **self.counts(),
            "stages": {stage: round(seconds, 2) for stage, seconds in self.stages.items()},
            "file_problems": [asdict(p) for p in self.file_problems],
            "errors": [asdict(e) for e in self.errors],
            "warnings": [asdict(w) for w in self.warnings],
        }

    def text(self, limit: int | None = 200) -> str:
        """The human report: file problems, then each bad cell on its own line."""
        lines = [problem.message for problem in self.file_problems]
        shown = self.errors if limit is None else self.errors[:limit]
        lines.extend(error.line() for error in shown)
        if limit is not None and len(self.errors) > limit:
            more = len(self.errors) - limit
            lines.append(f"… và {more} lỗi nữa (xem --report) / … and {more} more errors (see --report)")
        return "\n".join(lines)


class ImportRefusedError(Exception):
    """The file was refused as a whole; the register is unchanged. ``report`` says why."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        problems = len(report.file_problems) + len(report.errors)
        super().__init__(
            f"Tệp bị từ chối, không có thay đổi nào ({problems} lỗi) / "
            f"File refused, nothing was changed ({problems} errors)"
        )


def write_rejects(
    path: Path,
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    errors: Sequence[RowError],
) -> int:
    """Write the refused rows (as read, with their row number and reasons) as UTF-8 CSV.

    The file can be corrected and imported again: its own columns come first, unchanged.
    Returns the number of rows written.
    """
    reasons: dict[int, list[str]] = {}
    for error in errors:
        reasons.setdefault(error.row, []).append(f"{error.column}: {error.message}")
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*header, "row", "errors"])
        for row_number, values in rows:
            writer.writerow([*values, row_number, " | ".join(reasons.get(row_number, []))])
            count += 1
    return count
