"""``dancu link EXTRACT --out RESULT.csv`` end to end (DESIGN.md §4)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dancu.cli import build_app
from dancu.core.models import AuditEntry
from dancu.linkage.engine.messy import MessyExtract
from dancu.linkage.models import JobStatus, LinkJob, ReviewItem
from dancu.linkage.tests.conftest import write_extract_csv

pytestmark = pytest.mark.django_db


def _link(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(), ["link", *args])
    return result.exit_code, result.stdout, result.stderr


def test_it_links_a_messy_extract_and_writes_the_contract_columns(
    tmp_path: Path, messy: Callable[..., MessyExtract]
) -> None:
    extract = messy(120, seed=3)
    path = write_extract_csv(extract, tmp_path / "bhxh.csv")
    out = tmp_path / "result.csv"

    code, stdout, stderr = _link(str(path), "--out", str(out), "--source", "BHXH Hải Phòng", "--agency", "BHXH-HP")

    assert code == 0, stderr
    # The mapping is shown.
    assert "STT" in stderr
    assert "row_id" in stderr
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:5] == ["row_id", "personal_id", "status", "score", "differences"]
    assert [r["row_id"] for r in rows] == [str(n) for n in range(1, 121)]
    assert {r["status"] for r in rows} <= {"matched", "review", "unmatched"}
    summary = json.loads(stdout)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("matched", "review", "unmatched")}
    assert (summary["matched"], summary["review"], summary["unmatched"]) == (
        counts["matched"],
        counts["review"],
        counts["unmatched"],
    )
    assert summary["rows"] == 120
    assert summary["register_persons"] == 400
    # Known answer: matched rows name the person the extract row was made from.
    matched = [r for r in rows if r["status"] == "matched"]
    right = sum(extract.truth[r["row_id"]] == r["personal_id"] for r in matched)
    assert len(matched) >= 90
    assert right / len(matched) >= 0.97
    for row in matched:
        assert 0.0 <= float(row["score"]) <= 1.0
        assert isinstance(json.loads(row["differences"]), dict)
    job = LinkJob.objects.get(public_id=summary["job"])
    assert job.status == JobStatus.DONE
    assert (job.source.name, job.source.agency, job.agency, summary["agency"]) == (
        "BHXH Hải Phòng",
        "BHXH-HP",
        "BHXH-HP",
        "BHXH-HP",
    )
    assert ReviewItem.objects.filter(job=job).count() == counts["review"]
    run = AuditEntry.objects.get(action="linkage.job.run", object_id=str(job.public_id))
    assert run.details["register_persons"] == 400
    assert run.details["rows"] == 120
    assert run.actor_id.startswith("cli:")


def test_it_prints_the_detected_mapping_as_a_mapping_file(tmp_path: Path, messy: Callable[..., MessyExtract]) -> None:
    path = write_extract_csv(messy(5, header_style=1), tmp_path / "so_y_te.csv")

    code, stdout, _ = _link(str(path), "--out", str(tmp_path / "r.csv"), "--show-mapping")

    assert code == 0
    assert json.loads(stdout) == {
        "STT": "row_id",
        "Họ và tên": "full_name",
        "Ngày sinh": "birth_date",
        "Giới tính": "sex",
        "Số định danh": "personal_id",
        "Nơi thường trú": "address",
        "Điện thoại": "phone",
    }
    assert not (tmp_path / "r.csv").exists()
    assert LinkJob.objects.count() == 0


def test_it_refuses_an_extract_without_a_name_column_and_writes_nothing(tmp_path: Path, register: object) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("STT,Mã số BHXH,Ngày sinh,Giới tính\n1,3101234567,01/02/1990,Nam\n", encoding="utf-8")
    out = tmp_path / "r.csv"

    code, _, stderr = _link(str(path), "--out", str(out))

    assert code == 2
    assert "full_name" in stderr
    assert "Họ và tên" in stderr
    assert not out.exists()
    assert LinkJob.objects.count() == 0


def test_it_accepts_a_mapping_file_that_names_the_column(tmp_path: Path, register: object) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("STT,Người tham gia,NS\n1,Nguyễn Văn An,1990\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Người tham gia": "full_name"}), encoding="utf-8")
    out = tmp_path / "r.csv"

    code, stdout, stderr = _link(str(path), "--out", str(out), "--mapping", str(mapping))

    assert code == 0, stderr
    assert json.loads(stdout)["rows"] == 1
    with out.open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["row_id"] == "1"


def test_it_names_an_unknown_field_in_the_mapping_file(tmp_path: Path, register: object) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("STT,Họ tên\n1,Nguyễn Văn An\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Họ tên": "ho_ten"}), encoding="utf-8")

    code, _, stderr = _link(str(path), "--out", str(tmp_path / "r.csv"), "--mapping", str(mapping))

    assert code == 2
    assert "ho_ten" in stderr
    assert "Unknown field" in stderr
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "XLS"),
        (b"STT,H\xf4 t\xean\n1,Nguy\xean\n", "not UTF-8"),  # Windows-1258 bytes
        (b"PK\x03\x04garbage", "damaged"),
    ],
)
def test_it_refuses_an_unreadable_file_and_writes_nothing(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "extract.csv"
    path.write_bytes(content)
    out = tmp_path / "r.csv"

    code, _, stderr = _link(str(path), "--out", str(out))

    assert code == 2
    assert reason in stderr
    assert not out.exists()
