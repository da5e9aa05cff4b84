"""Reading extracts as agencies export them: CSV dialects, Excel with a title, Arrow."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from dancu.linkage.engine.reading import ExtractError, read_extract


def test_it_reads_a_semicolon_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bhxh.csv"
    path.write_text(
        "\ufeffSTT;HO_TEN;NGAY_SINH;SO_CCCD\n7;Nguyễn Văn An ; 01/02/1990;'031090000001\n9;Lê Thị Bình;1985;\n",
        encoding="utf-8",
    )
    table, mapping = read_extract(path)
    assert mapping.fields == {
        "row_id": "STT",
        "full_name": "HO_TEN",
        "birth_date": "NGAY_SINH",
        "personal_id": "SO_CCCD",
    }
    assert table.to_pylist() == [
        {"row_id": "7", "full_name": "Nguyễn Văn An", "birth_date": "01/02/1990", "personal_id": "'031090000001"},
        {"row_id": "9", "full_name": "Lê Thị Bình", "birth_date": "1985", "personal_id": ""},
    ]


def test_it_reads_a_ragged_csv_with_the_forgiving_reader(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("HO_TEN,NAM_SINH,GHI_CHU\nTrần Văn C,1970\nPhạm Thị D,1971,x,y\n", encoding="utf-8")
    table, _ = read_extract(path)
    assert table.column("full_name").to_pylist() == ["Trần Văn C", "Phạm Thị D"]
    assert table.column("birth_year").to_pylist() == ["1970", "1971"]
    assert table.column("row_id").to_pylist() == ["1", "2"]


def test_it_reads_an_excel_sheet_below_its_title(tmp_path: Path) -> None:
    path = tmp_path / "danh_sach.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH NGƯỜI THAM GIA BẢO HIỂM Y TẾ"])
    sheet.append(["STT", "Họ và tên", "Ngày sinh", "Số định danh"])
    sheet.append([1, "Nguyễn Văn An", datetime(1990, 2, 1), 31090000001])
    book.save(path)
    table, _ = read_extract(path)
    assert table.to_pylist() == [
        {"row_id": "1", "full_name": "Nguyễn Văn An", "birth_date": "1990-02-01", "personal_id": "31090000001"}
    ]


def test_it_reads_an_arrow_table_and_numbers_rows_without_a_unique_key() -> None:
    source = pa.table({"STT": [1, 1], "Họ tên": ["A B", None], "Năm sinh": [1980, 1981]})
    table, _ = read_extract(source)
    assert table.to_pylist() == [
        {"row_id": "1", "full_name": "A B", "birth_year": "1980"},
        {"row_id": "2", "full_name": "", "birth_year": "1981"},
    ]


def test_it_refuses_an_extract_without_names() -> None:
    with pytest.raises(ExtractError, match="No full-name column"):
        read_extract([{"STT": 1, "Ngày sinh": "1990"}])


def test_it_joins_surname_and_given_name_written_in_two_columns() -> None:
    table, mapping = read_extract([{"Họ đệm": "Nguyễn Văn", "Tên": "An", "Năm sinh": 1990}])
    assert mapping.fields["family_name"] == "Họ đệm"
    assert table.column("full_name").to_pylist() == ["Nguyễn Văn An"]
    assert "family_name" not in table.column_names
