"""Read a sectoral extract (CSV, XLSX, Arrow or rows) into one text column per engine field."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type stubs
import pyarrow.compute as pc  # type: ignore[import-untyped]  # pyarrow ships no type stubs
import pyarrow.csv as pacsv  # type: ignore[import-untyped]  # pyarrow ships no type stubs

from .headers import HeaderMapping, recognise_headers

__all__ = ["ExtractError", "read_extract"]

#: What ``link`` accepts as an extract: a CSV/XLSX path, an Arrow table, or rows.
Extract: TypeAlias = "str | Path | pa.Table | Iterable[Mapping[str, Any]]"


class ExtractError(ValueError):
    """An extract that cannot be read or lacks the columns linkage needs."""


def _cell_text(value: Any) -> str:
    """A cell as text that keeps its meaning: dates as ISO, whole floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_rows(source: Extract) -> tuple[list[str], list[list[str]]]:
    if isinstance(source, pa.Table):
        headers = list(source.column_names)
        columns = [[_cell_text(v) for v in col.to_pylist()] for col in source.columns]
        return headers, [list(r) for r in zip(*columns, strict=True)] if columns else []
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            return _read_xlsx(path)
        return _read_csv(path)
    rows = list(source)
    keys: list[str] = []
    for row in rows:
        for key in row:
            if key not in keys:
                keys.append(key)
    return keys, [[_cell_text(row.get(h)) for h in keys] for row in rows]


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(65536)
            handle.seek(0)
            try:
                dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(handle, dialect)
            headers = next(reader, [])
            return headers, [row for row in reader if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError) as exc:
        raise ExtractError(f"Không đọc được tệp / Cannot read the file: {exc}") from exc


def _read_xlsx(path: Path) -> tuple[list[str], list[list[str]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ExtractError(f"Không đọc được tệp Excel / Cannot read the workbook: {exc}") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    # Agencies often put a title above the table: the header is the first row with
    # at least three filled cells.
    headers: list[str] = []
    for row in rows:
        filled = [c for c in row if c not in (None, "")]
        if len(filled) >= 3:
            headers = [_cell_text(c).strip() for c in row]
            break
    data = [[_cell_text(c) for c in row] for row in rows if any(c not in (None, "") for c in row)]
    book.close()
    return headers, data


def _as_text_table(source: Extract) -> pa.Table:
    """The extract as a table of text columns named by its own headers (renamed if repeated)."""
    if isinstance(source, pa.Table):
        columns = []
        for column in source.columns:
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                columns.append(pc.fill_null(column.cast(pa.string()), ""))
            else:
                columns.append(pa.array([_cell_text(v) for v in column.to_pylist()], pa.string()))
        return pa.table(columns, names=_unique(list(source.column_names)))
    if isinstance(source, (str, Path)) and Path(source).suffix.lower() not in {".xlsx", ".xlsm"}:
        fast = _read_csv_arrow(Path(source))
        if fast is not None:
            return fast
    headers, rows = _read_rows(source)
    width = len(headers)
    return pa.table(
        [pa.array([row[i] if i < len(row) else "" for row in rows], pa.string()) for i in range(width)],
        names=_unique(headers),
    )


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        out.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
    return out


def _read_csv_arrow(path: Path) -> pa.Table | None:
    """Read a CSV with pyarrow (fast, all text); None when it needs the forgiving reader."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sample = handle.read(65536)
    except (OSError, UnicodeDecodeError) as exc:
        raise ExtractError(f"Không đọc được tệp / Cannot read the file: {exc}") from exc
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    headers = next(csv.reader(sample.splitlines()[:1], dialect), [])
    if not headers:
        return None
    names = [f"c{i}" for i in range(len(headers))]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=dialect.delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None  # ragged rows or a stray encoding: the csv module copes
    return table.rename_columns(_unique([h.strip() for h in headers]))


def read_extract(source: Extract, overrides: Mapping[str, str] | None = None) -> tuple[pa.Table, HeaderMapping]:
    """Read ``source`` and return (table of engine fields as text, header mapping).

    The table has ``row_id`` (the extract's own row number column when there is
    one, else the 1-based data row number) and one column per recognised field.
    """
    table = _as_text_table(source)
    mapping = recognise_headers(table.column_names, overrides)
    if "full_name" not in mapping.fields:
        raise ExtractError(
            "Không tìm thấy cột họ tên / No full-name column found; "
            "hãy chỉ định bằng tệp ánh xạ / name it in a mapping file"
        )
    columns = {name: pc.utf8_trim_whitespace(table.column(header)) for name, header in mapping.fields.items()}
    if "family_name" in columns:
        # "Họ đệm" and "Tên" in two columns: the engine reads one full name.
        family = columns.pop("family_name")
        joined = pc.binary_join_element_wise(family, columns["full_name"], " ")
        columns["full_name"] = pc.utf8_trim_whitespace(joined)
    n = table.num_rows
    if "row_id" not in columns or pc.count_distinct(columns["row_id"]).as_py() != n:
        # A missing or non-unique row-number column: the data row number is the key.
        columns["row_id"] = pa.array([str(i) for i in range(1, n + 1)], pa.string())
    return pa.table(columns), mapping
