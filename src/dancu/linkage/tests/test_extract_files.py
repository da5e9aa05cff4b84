"""Uploaded extracts: typed by content, headers read exactly as the engine reads them."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dancu.linkage.engine.reading import read_extract
from dancu.linkage.extract_files import ExtractFileError, detect_kind, peek_extract, store_extract
from dancu.linkage.models import FileKind

# Header cells as agencies write them: Vietnamese letters, spaces, punctuation, digits.
header_text = st.text(
    alphabet=st.sampled_from("abcdeghiklmnopqrstuvxyĐđÂâĂăÊêÔôƠơƯưÁáÀàẢảÃãẠạẾếỀềỂểỄễỆệ _-/()0123456789"),
    min_size=1,
    max_size=24,
).filter(lambda s: s.strip() == s and s != "")
headers_strategy = st.lists(header_text, min_size=3, max_size=8, unique=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headers=headers_strategy, delimiter=st.sampled_from([",", ";", "\t"]))
def test_it_reads_csv_headers_as_the_engine_does(tmp_path: Path, headers: list[str], delimiter: str) -> None:
    path = tmp_path / "x.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerow([f"giá trị {i}" for i in range(len(headers))])

    preview = peek_extract(path, FileKind.CSV)

    _, mapping = read_extract(path, dict.fromkeys(headers, "") | {headers[0]: "full_name"})
    assert preview.headers == headers
    assert [*mapping.fields.values(), *mapping.unmapped] == headers
    assert preview.rows == [[f"giá trị {i}" for i in range(len(headers))]]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headers=headers_strategy, title=st.booleans())
def test_it_reads_xlsx_headers_below_a_title_as_the_engine_does(
    tmp_path: Path, headers: list[str], title: bool
) -> None:
    path = tmp_path / "x.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append(["DANH SÁCH ĐỐI TƯỢNG"])
    sheet.append(headers)
    sheet.append([f"v{i}" for i in range(len(headers))])
    book.save(path)

    preview = peek_extract(path, detect_kind(path))

    _, mapping = read_extract(path, dict.fromkeys(headers, "") | {headers[0]: "full_name"})
    assert preview.headers == headers
    assert [*mapping.fields.values(), *mapping.unmapped] == headers
    assert preview.rows == [[f"v{i}" for i in range(len(headers))]]


def test_it_types_files_by_content_not_by_name(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["STT", "Họ tên", "Ngày sinh"])
    disguised = tmp_path / "trich-xuat.csv"
    book.save(disguised)
    text = tmp_path / "trich-xuat.xlsx"
    text.write_text("STT;Họ tên;Ngày sinh\n1;An;1990\n", encoding="utf-8")

    assert detect_kind(disguised) == FileKind.XLSX
    assert detect_kind(text) == FileKind.CSV


def test_it_accepts_a_utf8_sample_cut_inside_a_character(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    # 65,535 ASCII bytes then "ễ" (3 bytes): the 64 KiB sample ends inside the character.
    path.write_bytes(b"a" * 65535 + "ễ\n".encode())
    assert detect_kind(path) == FileKind.CSV


def test_it_stores_an_upload_under_a_random_name_with_its_hash(settings: Any, tmp_path: Path) -> None:
    stored = store_extract([b"STT,H\xe1\xbb\x8d t\xc3\xaan\n", b"1,An\n"])
    again = store_extract([b"STT,H\xe1\xbb\x8d t\xc3\xaan\n1,An\n"])

    assert stored.kind == FileKind.CSV
    assert stored.size == 19
    assert stored.sha256 == "a92d346ee6074618806179993d8dbf1a6c3c3f4affed00e73bee6091db43b293"
    assert stored.name.startswith("linkage/uploads/")
    assert stored.name.endswith(".csv")
    assert again.sha256 == stored.sha256
    assert again.name != stored.name
    stored_path = Path(settings.MEDIA_ROOT) / stored.name
    assert stored_path.read_bytes() == "STT,Họ tên\n1,An\n".encode()


def test_it_removes_a_refused_upload(settings: Any, tmp_path: Path) -> None:
    with pytest.raises(ExtractFileError, match="The file is too large"):
        store_extract([b"x" * 600, b"y" * 600], limit=1000)
    with pytest.raises(ExtractFileError, match="neither CSV nor XLSX"):
        store_extract([b"\x00\x01\x02"])
    uploads = Path(settings.MEDIA_ROOT) / "linkage" / "uploads"
    assert list(uploads.iterdir()) == []
