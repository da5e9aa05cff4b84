"""Reading an import file (CSV or XLSX) into one table of text cells named by canonical column.

CSV is read by polars (multi-threaded, about a million rows a second); when polars refuses the
file (a row with more cells than the header, bytes that are not UTF-8) the file is read again with
Python's csv module so that the report can name every bad row. Excel files are read with
openpyxl; cells Excel turned into numbers get back the leading zeros their column requires.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import polars as pl

from dancu.registry.importing.columns import COLUMNS, REQUIRED, resolve_header
from dancu.registry.importing.report import FileProblem, RowError

__all__ = ["ROW", "Table", "read_table", "sha256_of"]

#: The name of the row-number column (the header is row 1).
ROW: Final = "row"

# Digits a column's values always have, for cells Excel stored as numbers ("031..." -> 31...).
_FIXED_WIDTH: Final[dict[str, int]] = {
    "personal_id": 12,
    "father_id": 12,
    "mother_id": 12,
    "spouse_id": 12,
    "old_id_number": 9,
    "province_code": 2,
    "commune_code": 5,
    "phone": 10,
}


@dataclass(slots=True)
class Table:
    """The rows of a file: ``frame`` has ``row`` (Int64) and one Utf8 column (no nulls) per
    column understood, in file order (``columns``)."""

    file_name: str
    sha256: str
    frame: pl.DataFrame
    columns: list[str]
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)
    # Rows refused while reading (more cells than the header), kept for the rejects file.
    unread_rows: list[tuple[int, list[str]]] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    """The SHA-256 of the file's bytes (hex): the identity of an import in the audit log."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_table(path: Path) -> Table:
    """Read PATH (``.csv``/``.txt`` or ``.xlsx``/``.xlsm``); never raises for bad content: file
    problems and unreadable rows are in the returned table."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    if suffix in {".xls", ".ods"}:
        return _refused(
            path,
            "format",
            f"Định dạng {suffix} không được hỗ trợ; lưu lại dưới dạng .xlsx hoặc .csv (UTF-8) / "
            f"{suffix} files are not supported; save as .xlsx or UTF-8 .csv",
        )
    return _read_csv(path)


def _refused(path: Path, code: str, message: str, sha256: str = "") -> Table:
    return Table(
        file_name=path.name,
        sha256=sha256 or (sha256_of(path) if path.exists() else ""),
        frame=pl.DataFrame({ROW: pl.Series([], dtype=pl.Int64)}),
        columns=[],
        problems=[FileProblem(code, message)],
    )


def _header_problems(headers: list[str]) -> tuple[dict[int, str], list[str], list[FileProblem]]:
    mapping, unknown, duplicates = resolve_header(headers)
    problems = [
        FileProblem(
            "header.duplicate",
            f"Cột {header!r} trùng với một cột {name} đã có / column {header!r} repeats column {name}",
        )
        for header, name in duplicates
    ]
    missing = sorted(REQUIRED - set(mapping.values()))
    problems.extend(
        FileProblem(
            "header.missing",
            f"Thiếu cột bắt buộc {name} ({COLUMNS[name].label}) / required column {name} is missing",
        )
        for name in missing
    )
    return mapping, unknown, problems


# --- CSV ---------------------------------------------------------------------------------------


def _sniff_separator(first_line: str) -> str:
    """Comma unless the header line has more semicolons or tabs (Excel's regional CSVs)."""
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def _read_csv(path: Path) -> Table:
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _refused(
            path,
            "encoding",
            "Tệp mã hóa UTF-16; hãy lưu dạng CSV UTF-8 / the file is UTF-16; save it as UTF-8 CSV",
            sha256,
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    first_end = data.find(b"\n")
    first_line = (data if first_end < 0 else data[:first_end]).decode("utf-8", errors="replace")
    if not first_line.strip():
        return _refused(path, "header.empty", "Tệp không có dòng tiêu đề / the file has no header row", sha256)
    separator = _sniff_separator(first_line)
    headers = next(csv.reader([first_line.rstrip("\r")], delimiter=separator))
    mapping, unknown, problems = _header_problems(headers)
    table = Table(
        file_name=path.name,
        sha256=sha256,
        frame=pl.DataFrame(),
        columns=[mapping[i] for i in sorted(mapping)],
        ignored_columns=unknown,
        problems=problems,
    )
    if problems:
        table.frame = pl.DataFrame({ROW: pl.Series([], dtype=pl.Int64)})
        return table
    positional = [f"c{i}" for i in range(len(headers))]
    try:
        frame = pl.read_csv(
            data,
            has_header=True,
            separator=separator,
            new_columns=positional,
            infer_schema=False,
            empty_string_is_null=False,
            encoding="utf8",
        )
    except pl.exceptions.ComputeError:
        _read_csv_slowly(table, data, separator, mapping, len(headers))
        return table
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    frame = frame.select(ROW, *(pl.col(f"c{i}").fill_null("").alias(mapping[i]) for i in sorted(mapping)))
    table.frame = _drop_empty_rows(frame, table.columns)
    return table


def _drop_empty_rows(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Rows with every cell blank (trailing lines of spreadsheet exports) are not rows."""
    if not columns:
        return frame
    # Nearly every row has its first cell; only the others need every cell looked at.
    first = pl.col(columns[0]).str.contains(r"\S")
    blank = frame.lazy().filter(~first).filter(pl.all_horizontal(~pl.col(c).str.contains(r"\S") for c in columns))
    empty = blank.select(ROW).collect().get_column(ROW)
    return frame.filter(~pl.col(ROW).is_in(empty.implode())) if empty.len() else frame


def _read_csv_slowly(table: Table, data: bytes, separator: str, mapping: dict[int, str], width: int) -> None:
    """The careful reader: names each row polars could not read, keeps the others."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = data.count(b"\n", 0, exc.start) + 1
        table.problems.append(
            FileProblem(
                "encoding",
                f"Dòng {row}: byte không phải UTF-8 ở vị trí {exc.start}; hãy lưu tệp dạng CSV UTF-8 / "
                f"row {row}: byte at offset {exc.start} is not UTF-8; save the file as UTF-8 CSV",
            )
        )
        table.frame = pl.DataFrame({ROW: pl.Series([], dtype=pl.Int64)})
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    next(reader, None)
    positions = sorted(mapping)
    rows: list[int] = []
    columns: list[list[str]] = [[] for _ in positions]
    for index, cells in enumerate(reader):
        row = index + 2
        if len(cells) > width:
            table.row_errors.append(
                RowError(
                    row,
                    "",
                    separator.join(cells[width:]),
                    "row.too_many_cells",
                    f"Dòng có {len(cells)} ô, tiêu đề có {width} / the row has {len(cells)} cells, the header {width}",
                )
            )
            table.unread_rows.append((row, [cells[p] if p < len(cells) else "" for p in positions]))
            continue
        rows.append(row)
        for column, position in zip(columns, positions, strict=True):
            column.append(cells[position] if position < len(cells) else "")
    frame = pl.DataFrame(
        {ROW: pl.Series(rows, dtype=pl.Int64)}
        | {mapping[p]: pl.Series(values, dtype=pl.Utf8) for p, values in zip(positions, columns, strict=True)}
    )
    table.frame = _drop_empty_rows(frame, table.columns)


# --- XLSX --------------------------------------------------------------------------------------


def _cell_text(value: Any, column: str) -> str:
    """A cell as the text the CSV would have held."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        width = _FIXED_WIDTH.get(column)
        # Excel drops leading zeros of numbers; these columns are fixed-width digit strings.
        if width is not None and 0 < len(text) < width:
            text = text.zfill(width)
        return text
    return str(value)


def _sheet_rows(path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def _read_xlsx(path: Path) -> Table:
    sha256 = sha256_of(path)
    try:
        rows = _sheet_rows(path)
        header_row = next(((n, v) for n, v in rows if any(c not in (None, "") for c in v)), None)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds for a damaged file
        return _refused(
            path,
            "format",
            f"Không đọc được tệp Excel ({type(exc).__name__}) / cannot read the Excel file ({type(exc).__name__})",
            sha256,
        )
    if header_row is None:
        return _refused(path, "header.empty", "Tệp không có dòng tiêu đề / the file has no header row", sha256)
    _, header_values = header_row
    headers = ["" if v is None else str(v) for v in header_values]
    mapping, unknown, problems = _header_problems(headers)
    table = Table(
        file_name=path.name,
        sha256=sha256,
        frame=pl.DataFrame({ROW: pl.Series([], dtype=pl.Int64)}),
        columns=[mapping[i] for i in sorted(mapping)],
        ignored_columns=unknown,
        problems=problems,
    )
    if problems:
        return table
    positions = sorted(mapping)
    numbers: list[int] = []
    columns: list[list[str]] = [[] for _ in positions]
    for number, values in rows:
        cells = [_cell_text(values[p] if p < len(values) else None, mapping[p]) for p in positions]
        if not any(cell.strip() for cell in cells):
            continue
        numbers.append(number)
        for column, cell in zip(columns, cells, strict=True):
            column.append(cell)
    table.frame = pl.DataFrame(
        {ROW: pl.Series(numbers, dtype=pl.Int64)}
        | {mapping[p]: pl.Series(values, dtype=pl.Utf8) for p, values in zip(positions, columns, strict=True)}
    )
    return table
