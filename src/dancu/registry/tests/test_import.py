"""The import contract: CSV and XLSX, Vietnamese headers, all or nothing, the report of bad rows,
--skip-invalid, re-imports that change nothing, pre-2025 units, and history on changes."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from dancu.core.models import AuditEntry, OutboxEvent
from dancu.registry.importing import ImportRefusedError, import_file
from dancu.registry.models import (
    FormerIdNumber,
    Household,
    HouseholdChange,
    ImportBatch,
    LifeEvent,
    Person,
    PersonChange,
    Residence,
)
from dancu.registry.queries import register_counts
from dancu.registry.tests.conftest import COMMUNE_A, COMMUNE_B, HEADER, PEOPLE, TEST_ACTOR, people, write_csv

pytestmark = pytest.mark.django_db


def _everything() -> dict[str, Any]:
    """Every register table's rows, to assert that a refusal changed nothing."""
    counts = register_counts()
    del counts["import_batches"]  # the log of imports, not register data
    return {
        "counts": counts,
        "persons": list(Person.objects.order_by("id").values()),
        "households": list(Household.objects.order_by("id").values()),
        "residences": list(Residence.objects.order_by("id").values()),
    }


def test_it_imports_a_csv_file(tmp_path: Path) -> None:
    report = import_file(write_csv(tmp_path / "register.csv", PEOPLE), actor=TEST_ACTOR)

    assert report.counts() | {"seconds": 0} == {
        "file": "register.csv",
        "sha256": report.sha256,
        "applied": True,
        "batch_id": report.batch_id,
        "rows": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "households_created": 2,
        "households_updated": 0,
        "mapped_units": 0,
        "errors": 0,
        "warnings": 0,
        "bulk_mode": False,
        "seconds": 0,
    }
    hung = Person.objects.select_related("household", "spouse").get(personal_id="031085000101")
    assert (hung.surname, hung.middle_name, hung.given_name, hung.name_key) == ("Trần", "Văn", "Hùng", "tran van hung")
    assert (hung.birth_date, hung.birth_precision, hung.birth_year, hung.sex) == (
        dt.date(1985, 3, 2),
        "day",
        1985,
        "male",
    )
    assert hung.spouse is not None
    assert hung.spouse.personal_id == "031188000102"
    assert hung.household is not None
    assert hung.household.code == "HP-A1"
    assert hung.household.head_id == hung.pk
    assert (hung.household.commune_code, hung.household.address_line) == (COMMUNE_A, "Số 12 phố Minh Khai")
    assert (hung.religion, hung.phone, hung.commune_code, hung.created_by_import_id) == (
        "Không",
        "0912345678",
        COMMUNE_A,
        report.batch_id,
    )
    assert list(FormerIdNumber.objects.filter(person=hung).values_list("number", "kind")) == [("031456789", "cmnd9")]
    khoi = Person.objects.get(personal_id="031212000103")
    assert (khoi.father_id, khoi.mother_id) == (hung.pk, hung.spouse_id)
    hung_the_elder = Person.objects.get(personal_id="031079000104")
    assert (hung_the_elder.birth_date, hung_the_elder.birth_precision, hung_the_elder.ethnicity) == (
        dt.date(1979, 1, 1),
        "year",
        "Tày",
    )
    hoa = Person.objects.get(personal_id="031145000105")
    assert (hoa.status, hoa.deceased_on, hoa.full_name, hoa.commune_code) == (
        "deceased",
        dt.date(2020, 5, 5),
        "Lê Thị Hoà",
        COMMUNE_B,
    )
    [residence] = Residence.objects.filter(person=hung)
    assert (
        residence.kind,
        residence.province_code,
        residence.commune_code,
        residence.recorded_unit_code,
        residence.recorded_unit_era,
        residence.recorded_unit_name,
        residence.address_line,
        residence.is_active,
    ) == ("permanent", "31", COMMUNE_A, COMMUNE_A, "current", "Phường Hồng Bàng", "Số 12 phố Minh Khai", True)
    [entry] = AuditEntry.objects.filter(action="registry.import")
    assert (entry.actor_id, entry.outcome, entry.object_id) == ("tests", "ok", str(report.batch_id))
    assert (entry.details["sha256"], entry.details["created"], entry.details["rows"]) == (report.sha256, 5, 5)
    batch = ImportBatch.objects.get()
    assert (batch.rows, batch.created, batch.unchanged, batch.households_created, batch.sha256) == (
        5,
        5,
        0,
        2,
        report.sha256,
    )
    assert PersonChange.objects.count() == 0  # creations are the batch's, see ADR 0002


def _xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


VIETNAMESE_HEADER = [
    "Số định danh cá nhân",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Quốc tịch",
    "Số CMND cũ",
    "Số hộ",
    "Quan hệ với chủ hộ",
    "Số định danh của cha",
    "Số định danh của mẹ",
    "Số định danh của vợ/chồng",
    "Mã tỉnh",
    "Mã xã",
    "Tên xã",
    "Địa chỉ",
    "Số điện thoại",
    "Tình trạng",
]


def test_it_imports_an_xlsx_file_with_vietnamese_headers_and_excel_numbers(tmp_path: Path) -> None:
    # Excel keeps IDs typed as numbers (losing the leading 0) and dates as dates.
    rows = [
        [
            int(p["personal_id"]),
            p["full_name"],
            dt.datetime.fromisoformat(p["birth_date"]) if len(p["birth_date"]) == 10 else int(p["birth_date"]),
            p["sex"],
            p["ethnicity"],
            p["nationality"],
            p.get("old_id_number", ""),
            p["household_id"],
            p["relation_to_head"],
            p.get("father_id", ""),
            p.get("mother_id", ""),
            p.get("spouse_id", ""),
            int(p["province_code"]),
            p["commune_code"],
            p["commune_name"],
            p["address_line"],
            p.get("phone", ""),
            "Đã mất" if p["status"] == "deceased" else "Còn sống",
        ]
        for p in PEOPLE
    ]
    report = import_file(_xlsx(tmp_path / "so-ho.xlsx", VIETNAMESE_HEADER, rows), actor=TEST_ACTOR)

    assert (report.created, report.rejected, report.households_created, report.columns[:3]) == (
        5,
        0,
        2,
        ["personal_id", "full_name", "birth_date"],
    )
    assert sorted(Person.objects.values_list("personal_id", "birth_precision", "status")) == [
        ("031079000104", "year", "alive"),
        ("031085000101", "day", "alive"),
        ("031145000105", "day", "deceased"),
        ("031188000102", "day", "alive"),
        ("031212000103", "day", "alive"),
    ]


def test_it_accepts_upper_case_header_aliases_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "\ufeffSO_DINH_DANH;HO_TEN;NGAY_SINH;GIOI_TINH;MA_XA;TEN_XA;DIA_CHI;COT_LA\n"
        "031085000101;TRẦN VĂN HÙNG;02/03/1985;NAM;11311;Hồng Bàng;Số 12 phố Minh Khai;x\n",
        encoding="utf-8",
    )
    report = import_file(path, actor=TEST_ACTOR)

    assert (report.created, report.columns, report.ignored_columns) == (
        1,
        ["personal_id", "full_name", "birth_date", "sex", "commune_code", "commune_name", "address_line"],
        ["COT_LA"],
    )
    person = Person.objects.get()
    # Columns the file lacks give the model's defaults; names are written in title case.
    assert (person.full_name, person.birth_date, person.sex, person.ethnicity, person.nationality, person.status) == (
        "Trần Văn Hùng",
        dt.date(1985, 3, 2),
        "male",
        "Kinh",
        "Việt Nam",
        "alive",
    )


BAD_ROWS = [
    dict(PEOPLE[0], spouse_id=""),
    dict(PEOPLE[1], personal_id="03118800010", spouse_id=""),
    dict(PEOPLE[2], birth_date="2012-02-30"),
    dict(PEOPLE[3], sex="X"),
    dict(PEOPLE[4], commune_code="99999", commune_name=""),
    dict(PEOPLE[0], personal_id="031086000106", spouse_id="", relation_to_head="Con"),
    dict(PEOPLE[0], spouse_id=""),
    dict(PEOPLE[2], personal_id="031212000107", father_id="031060000999", mother_id=""),
    dict(PEOPLE[3], personal_id="031079000108", ethnicity="Xyz", relation_to_head="Con"),
    dict(PEOPLE[3], personal_id="031079000109", phone="12345", relation_to_head="Con"),
    dict(
        PEOPLE[3],
        personal_id="031079000110",
        province_code="",
        commune_code="00004",
        commune_name="",
        relation_to_head="Con",
    ),
    dict(PEOPLE[3], personal_id="031079000111", status="", relation_to_head="Con"),
    dict(PEOPLE[0], personal_id="031085000112", spouse_id="", old_id_number=""),
]

EXPECTED_ERRORS = [
    (3, "personal_id", "03118800010", "personal_id.invalid", "Số định danh không hợp lệ / Invalid personal ID: phải có 12 chữ số, nhận được 11 / must have 12 digits, got 11"),
    (4, "birth_date", "2012-02-30", "date.impossible", "Không có ngày 2012-02-30 / there is no such date as 2012-02-30"),
    (5, "sex", "X", "sex.unknown", "Giới tính 'X' không rõ; ghi Nam hoặc Nữ / sex 'X' is not Nam or Nữ"),
    (6, "commune_code", "99999", "unit.unknown", "Không có xã, phường mã 99999 / no commune has code 99999"),
    (7, "personal_id", "031086000106", "personal_id.birth_year_mismatch", "Số định danh không hợp lệ / Invalid personal ID: số mang năm sinh 1986, hồ sơ ghi 1985 / the number encodes birth year 1986, the record says 1985"),
    (8, "personal_id", "031085000101", "personal_id.duplicate", "Số định danh trùng với dòng 2 / personal ID repeats row 2"),
    (9, "father_id", "031060000999", "reference.unknown", "Không có người mang số 031060000999 trong tệp hoặc trong sổ / nobody with ID 031060000999 in the file or the register"),
    (10, "ethnicity", "Xyz", "ethnicity.unknown", "'Xyz' không thuộc 54 dân tộc / 'Xyz' is not one of the 54 ethnic groups"),
    (11, "phone", "12345", "phone.invalid", "Số điện thoại phải có 10 hoặc 11 chữ số, bắt đầu bằng 0 / a phone number has 10 or 11 digits and starts with 0"),
    (12, "commune_code", "00004", "unit.outside_province", "Xã 00004 (Phường Ba Đình) ngoài tỉnh mã 31 / commune 00004 is outside province 31"),
    (13, "status", "", "required", "Ô bắt buộc đang trống / this cell is required"),
    (14, "relation_to_head", "Chủ hộ", "household.two_heads", "Hộ HP-A1 đã có chủ hộ ở dòng 2 / household HP-A1 already has its head at row 2"),
]  # fmt: skip


def test_it_reports_every_bad_row_column_value_and_reason(tmp_path: Path) -> None:
    with pytest.raises(ImportRefusedError) as refused:
        import_file(write_csv(tmp_path / "bad.csv", BAD_ROWS), actor=TEST_ACTOR)

    report = refused.value.report
    assert [(e.row, e.column, e.value, e.code, e.message) for e in report.errors] == EXPECTED_ERRORS
    assert (report.applied, report.rows, report.rejected) == (False, 13, 12)
    assert (
        str(refused.value)
        == "Tệp bị từ chối, không có thay đổi nào (12 lỗi) / File refused, nothing was changed (12 errors)"
    )
    assert report.text().splitlines()[0] == (
        "dòng/row 3, cột/column personal_id, giá trị/value '03118800010': Số định danh không hợp lệ / "
        "Invalid personal ID: phải có 12 chữ số, nhận được 11 / must have 12 digits, got 11"
    )


def test_it_changes_nothing_when_one_row_is_bad(tmp_path: Path) -> None:
    import_file(write_csv(tmp_path / "register.csv", PEOPLE), actor=TEST_ACTOR)
    before = _everything()
    changed = people(p031085000101={"phone": "0987654321"}, p031079000104={"birth_date": "1979-13-01"})

    with pytest.raises(ImportRefusedError):
        import_file(write_csv(tmp_path / "update.csv", changed), actor=TEST_ACTOR)

    assert _everything() == before
    assert ImportBatch.objects.count() == 1
    failed = AuditEntry.objects.get(action="registry.import", outcome="failed")
    assert (failed.details["file"], failed.details["errors"], failed.details["rows"]) == ("update.csv", 1, 5)


def test_it_refuses_a_file_without_a_required_column(tmp_path: Path) -> None:
    header = [c for c in HEADER if c != "commune_code"]
    with pytest.raises(ImportRefusedError) as refused:
        import_file(write_csv(tmp_path / "nocommune.csv", PEOPLE, header), actor=TEST_ACTOR)

    assert [(p.code, p.message) for p in refused.value.report.file_problems] == [
        (
            "header.missing",
            "Thiếu cột bắt buộc commune_code (Mã xã / Commune code) / required column commune_code is missing",
        )
    ]
    assert Person.objects.count() == 0


def test_it_names_rows_with_more_cells_than_the_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ragged.csv", PEOPLE[:2])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("031079000104,Trần Văn Hưng,1979,Nam,,,,,,,,,31,11329,,,,alive,,,extra\n")

    with pytest.raises(ImportRefusedError) as refused:
        import_file(path, actor=TEST_ACTOR)

    assert [(e.row, e.code, e.message) for e in refused.value.report.errors] == [
        (4, "row.too_many_cells", "Dòng có 21 ô, tiêu đề có 20 / the row has 21 cells, the header 20")
    ]


def test_it_imports_good_rows_and_writes_rejects_with_skip_invalid(tmp_path: Path) -> None:
    rows = [
        *PEOPLE[:3],
        dict(PEOPLE[3], sex="X"),  # bad
        dict(PEOPLE[4], household_id="HP-B2", relation_to_head="Chủ hộ"),
        dict(
            PEOPLE[2], personal_id="031215000106", birth_date="2015", father_id="031079000104", mother_id=""
        ),  # its father is refused
    ]
    rejects = tmp_path / "rejects.csv"

    report = import_file(
        write_csv(tmp_path / "mixed.csv", rows), actor=TEST_ACTOR, skip_invalid=True, rejects_path=rejects
    )

    assert (report.created, report.rejected, report.applied, report.rejects_file) == (4, 2, True, str(rejects))
    assert sorted(Person.objects.values_list("personal_id", flat=True)) == [
        "031085000101",
        "031145000105",
        "031188000102",
        "031212000103",
    ]
    with rejects.open(encoding="utf-8", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == [*HEADER, "row", "errors"]
    assert [(line[0], line[3], line[-2], line[-1]) for line in written[1:]] == [
        ("031079000104", "X", "5", "sex: Giới tính 'X' không rõ; ghi Nam hoặc Nữ / sex 'X' is not Nam or Nữ"),
        (
            "031215000106",
            "Nam",
            "7",
            "father_id: Người này (dòng 5) bị từ chối / refers to row 5, which is refused",
        ),
    ]


def test_it_changes_nothing_when_the_same_file_is_imported_again(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "register.csv", PEOPLE)
    import_file(path, actor=TEST_ACTOR)
    before = _everything()

    again = import_file(path, actor=TEST_ACTOR)

    assert (again.created, again.updated, again.unchanged, again.households_created, again.households_updated) == (
        0,
        0,
        5,
        0,
        0,
    )
    assert _everything() == before
    assert (PersonChange.objects.count(), HouseholdChange.objects.count(), LifeEvent.objects.count()) == (0, 0, 0)
    assert ImportBatch.objects.count() == 2


def test_it_maps_pre_2025_unit_codes_and_keeps_the_original(tmp_path: Path) -> None:
    rows = [
        # Former Hải Dương (30), Phường Bình Hàn, now part of Phường Thành Đông (10507).
        dict(PEOPLE[3], household_id="HD-1", province_code="30", commune_code="10510", commune_name="Phường Bình Hàn"),
        # 11311 is Phường Hồng Bàng now and was Phường Minh Khai before: the name tells them apart.
        dict(PEOPLE[0], household_id="HP-2", spouse_id="", commune_name="Phường Minh Khai"),
        # Former Phường Trần Phú was split: its main successor, with a warning.
        dict(
            PEOPLE[1],
            household_id="HD-3",
            relation_to_head="Chủ hộ",
            spouse_id="",
            province_code="30",
            commune_code="10528",
            commune_name="",
        ),
    ]
    report = import_file(write_csv(tmp_path / "old-codes.csv", rows), actor=TEST_ACTOR)

    assert (report.created, report.mapped_units) == (3, 3)
    mapped = {
        r.person.personal_id: (r.commune_code, r.recorded_unit_code, r.recorded_unit_era, r.recorded_unit_name)
        for r in Residence.objects.select_related("person")
    }
    assert mapped == {
        "031079000104": ("10507", "10510", "former", "Phường Bình Hàn"),
        "031085000101": ("11311", "11311", "former", "Phường Minh Khai"),
        "031188000102": ("10532", "10528", "former", "Phường Trần Phú"),
    }
    assert Person.objects.get(personal_id="031079000104").commune_code == "10507"
    assert [(w.row, w.code) for w in report.warnings] == [(4, "unit.split")]


def test_it_keeps_before_and_after_when_a_file_changes_a_person(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    import_file(write_csv(tmp_path / "register.csv", PEOPLE), actor=TEST_ACTOR)
    hung = Person.objects.get(personal_id="031085000101")
    changed = people(
        p031085000101={"phone": "0987654321", "address_line": "Số 40 phố Điện Biên Phủ"},
        p031188000102={"full_name": "Nguyễn Thị Lan Anh", "old_id_number": "031999888"},
        p031079000104={"status": "deceased", "deceased_date": "2026-01-02"},
    )

    with django_capture_on_commit_callbacks(execute=False):
        report = import_file(write_csv(tmp_path / "update.csv", changed), actor=TEST_ACTOR)

    assert (report.updated, report.unchanged, report.households_updated) == (3, 2, 1)
    history = {
        c.person.personal_id: (c.action, c.before, c.after, c.import_batch_id)
        for c in PersonChange.objects.select_related("person")
    }
    assert history == {
        "031085000101": (
            "registry.import.update",
            {"address_line": "Số 12 phố Minh Khai", "phone": "0912345678"},
            {"address_line": "Số 40 phố Điện Biên Phủ", "phone": "0987654321"},
            report.batch_id,
        ),
        "031188000102": (
            "registry.import.update",
            {"full_name": "Nguyễn Thị Lan", "middle_name": "Thị", "given_name": "Lan", "name_key": "nguyen thi lan", "former_ids": []},
            {"full_name": "Nguyễn Thị Lan Anh", "middle_name": "Thị Lan", "given_name": "Anh", "name_key": "nguyen thi lan anh", "former_ids": ["031999888"]},
            report.batch_id,
        ),
        "031079000104": (
            "registry.import.update",
            {"status": "alive", "deceased_on": None},
            {"status": "deceased", "deceased_on": "2026-01-02"},
            report.batch_id,
        ),
    }  # fmt: skip
    hung.refresh_from_db()
    assert (hung.phone, hung.version, hung.import_digest is not None) == ("0987654321", 2, True)
    residences = list(
        Residence.objects.filter(person=hung).order_by("id").values_list("address_line", "is_active", "valid_to")
    )
    assert residences == [
        ("Số 12 phố Minh Khai", False, timezone.localdate()),
        ("Số 40 phố Điện Biên Phủ", True, None),
    ]
    [household_change] = HouseholdChange.objects.all()
    assert (household_change.before, household_change.after) == (
        {"address_line": "Số 12 phố Minh Khai"},
        {"address_line": "Số 40 phố Điện Biên Phủ"},
    )
    events = sorted((e.kind, e.payload["personal_id"]) for e in OutboxEvent.objects.all())
    assert events == [
        ("registry.name_changed", "031188000102"),
        ("registry.person_died", "031079000104"),
        ("registry.residence_changed", "031085000101"),
    ]
    died = OutboxEvent.objects.get(kind="registry.person_died")
    assert died.payload == {"personal_id": "031079000104", "deceased_on": "2026-01-02", "occurred_on": "2026-01-02"}
    assert sorted(LifeEvent.objects.values_list("kind", flat=True)) == ["death", "name_change", "residence_change"]


def test_it_rebuilds_indexes_around_a_bulk_load(tmp_path: Path) -> None:
    def indexes() -> set[str]:
        with connection.cursor() as cursor:
            return {
                name
                for table in ("registry_person", "registry_household", "registry_residence", "registry_formeridnumber")
                for name, info in connection.introspection.get_constraints(cursor, table).items()
                if info["index"] or info["foreign_key"]
            }

    def defaults() -> list[tuple[str, str, str]]:
        if connection.vendor != "postgresql":
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name, column_name, column_default FROM information_schema.columns "
                "WHERE table_name LIKE 'registry\\_%%' AND column_default IS NOT NULL ORDER BY 1, 2"
            )
            return cursor.fetchall()

    before = indexes(), defaults()
    report = import_file(write_csv(tmp_path / "register.csv", PEOPLE), actor=TEST_ACTOR, bulk_min_rows=1)

    assert (report.bulk_mode, report.created, Person.objects.filter(spouse__isnull=False).count()) == (True, 5, 2)
    assert (indexes(), defaults()) == before
    # The values common to every row (written as the columns' defaults on PostgreSQL) are there.
    batch = ImportBatch.objects.get()
    persons = Person.objects.values_list("version", "created_by_import_id", "other_names", "email")
    assert {(v, b, tuple(names), email) for v, b, names, email in persons} == {(1, batch.pk, (), "")}
    assert set(Residence.objects.values_list("kind", "is_active", "valid_from")) == {("permanent", True, None)}
    assert Person.objects.filter(created_at=batch.started_at).count() == 5
    # Unique constraints dropped for the load hold again.
    first, second = Person.objects.order_by("id")[:2]
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=second.pk).update(public_id=first.public_id)


def _foreign_keys() -> list[tuple[str, str, bool, int]]:
    """The register's foreign keys on PostgreSQL: (table, name, validated, oid: a new one when
    the key was dropped and added again)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, convalidated, oid::int FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text LIKE 'registry\\_%%' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def _assert_references_enforced() -> None:
    """A residence of a person who does not exist is refused."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(IntegrityError), transaction.atomic():
            Residence.objects.create(person_id=10**9, kind="permanent", province_code="31", commune_code="31000")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's foreign-key triggers")
def test_a_bulk_load_keeps_postgresql_foreign_keys_valid_without_a_second_pass(tmp_path: Path) -> None:
    before = _foreign_keys()
    assert before
    assert all(valid for _, _, valid, _ in before)

    report = import_file(write_csv(tmp_path / "register.csv", PEOPLE), actor=TEST_ACTOR, bulk_min_rows=1)

    assert report.bulk_mode
    # The same keys (same oids) stayed in place and valid: nothing was dropped, nothing was left
    # for a VALIDATE after the commit.
    assert report.stages.get("validate", 0.0) < 1.0
    assert _foreign_keys() == before
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    _assert_references_enforced()
    assert Person.objects.filter(spouse__isnull=False).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's roles")
def test_a_role_that_may_not_turn_off_triggers_bulk_loads_with_foreign_keys_validated(tmp_path: Path) -> None:
    # A role without the superuser attribute (nor SET on session_replication_role) that owns the
    # tables through membership, as a deployment's application role would. Roles are created in
    # the test's transaction and go with its rollback.
    role = f"dancu_import_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        cursor.execute(f'CREATE ROLE "{role}" NOSUPERUSER INHERIT')
        cursor.execute(f'GRANT "{owner}" TO "{role}"')
        cursor.execute(f'SET ROLE "{role}"')
    try:
        before = _foreign_keys()
        report = import_file(write_csv(tmp_path / "register.csv", PEOPLE), actor=TEST_ACTOR, bulk_min_rows=1)
        assert (report.bulk_mode, report.created) == (True, 5)
        after = _foreign_keys()
        # The same keys, validated; those of the tables written are new ones (dropped for the
        # load and added again).
        assert [key[:3] for key in after] == [key[:3] for key in before]
        written = ("registry_person", "registry_household", "registry_residence", "registry_formeridnumber")
        assert not {key[3] for key in after if key[0] in written} & {key[3] for key in before}
        _assert_references_enforced()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache")
def test_it_puts_sqlite_settings_back_after_an_import(tmp_path: Path) -> None:
    def settings() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA threads")
            return cache_size, cursor.fetchone()[0]

    before = settings()
    import_file(write_csv(tmp_path / "register.csv", PEOPLE), actor=TEST_ACTOR, bulk_min_rows=1)
    assert settings() == before


def test_it_does_not_count_rows_of_blank_cells(tmp_path: Path) -> None:
    blank = dict.fromkeys(HEADER, " ")
    tail = dict.fromkeys(HEADER, "")
    # A row that starts blank but has a cell further on is a row (refused: it lacks its ID).
    late = {**tail, "full_name": "Lê Văn Tám"}
    report = import_file(
        write_csv(tmp_path / "register.csv", [PEOPLE[0], blank, PEOPLE[1], late, tail]),
        actor=TEST_ACTOR,
        skip_invalid=True,
    )

    assert (report.rows, report.created, report.rejected) == (3, 2, 1)
    assert {e.row for e in report.errors} == {5}
