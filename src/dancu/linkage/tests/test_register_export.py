"""The register export: one row per person, in the engine's canonical columns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dancu.linkage.register_export import REGISTER_COLUMNS, write_register_parquet
from dancu.linkage.tests.registers import load_register
from dancu.registry.models import DatePrecision, FormerIdNumber, Person, Residence, ResidenceKind
from dancu.registry.synthetic import generate_province

pytestmark = pytest.mark.django_db


def test_it_exports_every_person_with_household_residence_family_and_former_id(tmp_path: Path) -> None:
    rows = load_register(generate_province(300, seed=7))
    seen: list[int] = []
    export = write_register_parquet(tmp_path / "register.parquet", progress=seen.append, batch_rows=128)
    table = pq.read_table(export.path)
    assert export.rows == 300
    assert seen == [128, 256, 300]
    assert tuple(table.column_names) == REGISTER_COLUMNS
    assert not (tmp_path / "register.parquet.part").exists()
    exported = {r["personal_id"]: r for r in table.to_pylist()}
    for row in rows:
        got = exported[row.personal_id]
        assert got == {
            "personal_id": row.personal_id,
            "full_name": row.full_name,
            "birth_date": row.birth_date,
            "sex": row.sex,
            "old_id_number": row.old_id_number or None,
            "household_id": row.household_id,
            "commune_code": row.commune_code,
            "commune_name": row.commune_name,
            "province_code": row.province_code,
            "address_line": row.address_line or None,
            "phone": row.phone or None,
            "father_id": row.father_id or None,
            "mother_id": row.mother_id or None,
            "spouse_id": row.spouse_id or None,
            "status": row.status,
            "former_commune_codes": None,
        }


def test_it_takes_the_active_permanent_residence_and_cuts_dates_to_their_precision(tmp_path: Path) -> None:
    row = load_register(generate_province(1, seed=3))[0]
    person = Person.objects.get(personal_id=row.personal_id)
    Residence.objects.filter(person=person).update(is_active=False)
    Residence.objects.create(
        person=person, kind=ResidenceKind.TEMPORARY, province_code="01", commune_code="00004", address_line="Tạm trú"
    )
    Residence.objects.create(
        person=person,
        kind=ResidenceKind.PERMANENT,
        province_code="31",
        commune_code="11359",
        address_line="Số 9 Lạch Tray",
    )
    FormerIdNumber.objects.create(person=person, number="012345678")
    Person.objects.filter(pk=person.pk).update(birth_date=dt.date(1990, 5, 17), birth_precision=DatePrecision.MONTH)

    (got,) = pq.read_table(write_register_parquet(tmp_path / "r.parquet").path).to_pylist()

    assert got["commune_code"] == "11359"
    assert got["address_line"] == "Số 9 Lạch Tray"
    assert got["old_id_number"] == min(n for n in ("012345678", row.old_id_number) if n)
    assert got["birth_date"] == "1990-05"
    # the earlier permanent residence and the temporary one: an agency may still give either
    assert set(got["former_commune_codes"].split(",")) == {row.commune_code, "00004"}


def test_it_writes_an_empty_file_for_an_empty_register(tmp_path: Path) -> None:
    export = write_register_parquet(tmp_path / "empty.parquet")
    assert export.rows == 0
    assert pq.read_table(export.path).num_rows == 0
