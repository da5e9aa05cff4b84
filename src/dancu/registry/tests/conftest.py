"""Personas and files for the register's tests.

Officers: ``officer_commune_a`` (civil status, Phường Hồng Bàng 11311), ``officer_commune_b``
(civil status, Phường Ngô Quyền 11329), ``police_officer`` (police registration, 11311),
``province_officer`` (department administrator, whole province). The register holds the
Trần family of household HP-A1 in commune A and the household HP-B1 in commune B, loaded
through the import like any register file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import pytest

from dancu.core.access import OfficerRole
from dancu.core.audit import Actor
from dancu.identity.models import User, UserKind
from dancu.registry.importing import ImportReport, import_file
from dancu.registry.importing.columns import CANONICAL_HEADER

COMMUNE_A = "11311"  # Phường Hồng Bàng (current)
COMMUNE_B = "11329"  # Phường Ngô Quyền (current)
TEST_ACTOR = Actor(kind="system", id="tests")

HEADER = [*CANONICAL_HEADER, "religion", "deceased_date"]

#: The register the tests start from, one dict per person (unlisted columns are empty).
PEOPLE: list[dict[str, str]] = [
    {
        "personal_id": "031085000101",
        "full_name": "Trần Văn Hùng",
        "birth_date": "1985-03-02",
        "sex": "Nam",
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
        "old_id_number": "031456789",
        "household_id": "HP-A1",
        "relation_to_head": "Chủ hộ",
        "spouse_id": "031188000102",
        "province_code": "31",
        "commune_code": COMMUNE_A,
        "commune_name": "Phường Hồng Bàng",
        "address_line": "Số 12 phố Minh Khai",
        "phone": "0912345678",
        "status": "alive",
        "religion": "Không",
    },
    {
        "personal_id": "031188000102",
        "full_name": "Nguyễn Thị Lan",
        "birth_date": "1988-07-15",
        "sex": "Nữ",
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
        "household_id": "HP-A1",
        "relation_to_head": "Vợ",
        "spouse_id": "031085000101",
        "province_code": "31",
        "commune_code": COMMUNE_A,
        "commune_name": "Phường Hồng Bàng",
        "address_line": "Số 12 phố Minh Khai",
        "status": "alive",
        "religion": "Phật giáo",
    },
    {
        "personal_id": "031212000103",
        "full_name": "Trần Minh Khôi",
        "birth_date": "2012-09-01",
        "sex": "Nam",
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
        "household_id": "HP-A1",
        "relation_to_head": "Con",
        "father_id": "031085000101",
        "mother_id": "031188000102",
        "province_code": "31",
        "commune_code": COMMUNE_A,
        "commune_name": "Phường Hồng Bàng",
        "address_line": "Số 12 phố Minh Khai",
        "status": "alive",
    },
    {
        "personal_id": "031079000104",
        "full_name": "Trần Văn Hưng",
        "birth_date": "1979",
        "sex": "Nam",
        "ethnicity": "Tày",
        "nationality": "Việt Nam",
        "household_id": "HP-B1",
        "relation_to_head": "Chủ hộ",
        "province_code": "31",
        "commune_code": COMMUNE_B,
        "commune_name": "Phường Ngô Quyền",
        "address_line": "Số 3 phố Lạch Tray",
        "status": "alive",
    },
    {
        "personal_id": "031145000105",
        "full_name": "Lê Thị Hoà",
        "birth_date": "1945-01-20",
        "sex": "Nữ",
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
        "household_id": "HP-B1",
        "relation_to_head": "Mẹ",
        "province_code": "31",
        "commune_code": COMMUNE_B,
        "commune_name": "Phường Ngô Quyền",
        "address_line": "Số 3 phố Lạch Tray",
        "status": "deceased",
        "deceased_date": "2020-05-05",
    },
]


def write_csv(path: Path, people: Iterable[dict[str, str]], header: list[str] | None = None) -> Path:
    """Write PEOPLE as a UTF-8 CSV with HEADER (default: canonical + religion, deceased_date)."""
    columns = header or HEADER
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for person in people:
            writer.writerow([person.get(c, "") for c in columns])
    return path


def people(**changes: dict[str, str]) -> list[dict[str, str]]:
    """A copy of PEOPLE with some persons' cells changed, by personal ID."""
    rows = [dict(p) for p in PEOPLE]
    for row in rows:
        row.update(changes.get(f"p{row['personal_id']}", {}))
    return rows


def _officer(username: str, role: str, *, communes: list[str] | None = None, province_wide: bool = False) -> User:
    return User.objects.create_user(
        username,
        "not-used-tests-log-in-with-force-login",
        kind=UserKind.OFFICER,
        display_name=username,
        officer_role=role,
        commune_codes=communes or [],
        province_wide=province_wide,
    )


@pytest.fixture
def officer_commune_a(db: None) -> User:
    return _officer("cb.hongbang", OfficerRole.CIVIL_STATUS, communes=[COMMUNE_A])


@pytest.fixture
def officer_commune_b(db: None) -> User:
    return _officer("cb.ngoquyen", OfficerRole.CIVIL_STATUS, communes=[COMMUNE_B])


@pytest.fixture
def police_officer(db: None) -> User:
    return _officer("ca.hongbang", OfficerRole.POLICE_REGISTRATION, communes=[COMMUNE_A])


@pytest.fixture
def province_officer(db: None) -> User:
    return _officer("so.quantri", OfficerRole.DEPARTMENT_ADMIN, province_wide=True)


@pytest.fixture
def register(db: None, tmp_path: Path) -> ImportReport:
    """The starting register, imported from a CSV file."""
    return import_file(write_csv(tmp_path / "register.csv", PEOPLE), actor=TEST_ACTOR)
