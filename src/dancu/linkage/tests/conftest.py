"""Fixtures of the linkage tests: a small synthetic register in the database, messy extracts
made from it, and officer personas."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse

from dancu.core.access import OfficerRole
from dancu.identity.models import User, UserKind
from dancu.linkage.engine.messy import MessyExtract, make_messy_extract
from dancu.linkage.models import LinkJob
from dancu.linkage.tests.registers import load_register
from dancu.registry.synthetic import PersonRow, generate_province

REGISTER_SIZE = 400


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: LazySettings, tmp_path: Path) -> None:
    """Uploads, results and work files of each test stay in its own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DANCU_HOME = tmp_path / "home"


@pytest.fixture
def register(db: None) -> list[PersonRow]:
    """A synthetic province of 400 persons, loaded into the register."""
    return load_register(generate_province(REGISTER_SIZE, seed=2025))


@pytest.fixture
def messy(register: list[PersonRow]) -> Callable[..., MessyExtract]:
    """Make a messy extract of the loaded register: ``messy(size, seed=…, header_style=…)``."""

    def make(size: int, *, seed: int = 1, header_style: int | None = 0) -> MessyExtract:
        rows = [dataclasses.asdict(r) for r in register]
        return make_messy_extract(rows, size, seed=seed, header_style=header_style)

    return make


def write_extract_csv(extract: MessyExtract, path: Path) -> Path:
    """Write a messy extract as the agency would export it (UTF-8 CSV with its own headers)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=extract.headers)
        writer.writeheader()
        for row in extract.rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return path


def _officer(username: str, role: str, *, province_wide: bool = True, **extra: Any) -> User:
    return User.objects.create_user(
        username,
        "mat-khau-rat-dai-123",
        kind=UserKind.OFFICER,
        officer_role=role,
        province_wide=province_wide,
        commune_codes=[] if province_wide else ["11359"],
        display_name=username,
        **extra,
    )


#: The agencies of the personas (member organisation codes).
BHXH = "BHXH-HP"
SO_YTE = "SO-YTE-HP"


@pytest.fixture
def insurance_officer(db: None) -> User:
    """Cán bộ BHXH with province-wide jurisdiction: may run and review BHXH's jobs."""
    return _officer("bhxh_lan", OfficerRole.SOCIAL_INSURANCE, organisation=BHXH)


@pytest.fixture
def insurance_colleague(db: None) -> User:
    """A second officer of the same agency (BHXH): sees and reviews its jobs too."""
    return _officer("bhxh_tuan", OfficerRole.SOCIAL_INSURANCE, organisation=BHXH)


@pytest.fixture
def department_admin(db: None) -> User:
    """The health department's administrator: another agency than BHXH."""
    return _officer("so_yte_quan", OfficerRole.DEPARTMENT_ADMIN, organisation=SO_YTE)


@pytest.fixture
def insurance_officer_without_agency(db: None) -> User:
    """A social-insurance officer whose account names no agency: refused (deny by default)."""
    return _officer("bhxh_vo_chu", OfficerRole.SOCIAL_INSURANCE)


@pytest.fixture
def auditor(db: None) -> User:
    return _officer("kiem_toan_ha", OfficerRole.AUDITOR)


@pytest.fixture
def officer_commune_a(db: None) -> User:
    """A commune civil-status officer: no linkage role."""
    return _officer("tuphap_xa_a", OfficerRole.CIVIL_STATUS, province_wide=False)


@pytest.fixture
def insurance_officer_commune(db: None) -> User:
    """A social-insurance officer limited to one commune: refused (linkage needs the province)."""
    return _officer("bhxh_xa_a", OfficerRole.SOCIAL_INSURANCE, province_wide=False, organisation=BHXH)


@pytest.fixture
def officer_without_role(db: None) -> User:
    return _officer("canbo_moi", "")


@pytest.fixture
def citizen_lan(db: None) -> User:
    return User.objects.create_user("031190000001", "mat-khau-rat-dai-123", kind=UserKind.CITIZEN)


# One diacritic or letter changed in the given name: how twins and siblings differ (Hùng/Hưng),
# which the engine sends to review rather than guess.
_LOOKALIKE = {"ù": "ư", "ư": "ù", "ì": "í", "ả": "ạ", "ạ": "ả", "ê": "ế", "ế": "ê", "à": "á", "á": "à", "ó": "ò",
              "ò": "ó", "u": "ư", "a": "ă", "o": "ô", "ô": "ơ", "i": "y", "y": "i", "e": "ê"}  # fmt: skip


def with_lookalikes(extract: MessyExtract, register: list[PersonRow], count: int = 12) -> MessyExtract:
    """Append rows for registered persons whose given name differs by one letter or mark and
    who carry no ID: the rows an officer has to review."""
    header = dict(
        zip(("row_id", "full_name", "birth_date", "sex", "personal_id", "address"), extract.headers, strict=False)
    )
    number = len(extract.rows)
    for person in register[10 : 10 + count]:
        *family, given = person.full_name.split()
        at = next((i for i, ch in enumerate(given) if ch in _LOOKALIKE), None)
        if at is None:
            continue
        number += 1
        twin = given[:at] + _LOOKALIKE[given[at]] + given[at + 1 :]
        row = dict.fromkeys(extract.headers, "")
        row[header["row_id"]] = number
        row[header["full_name"]] = " ".join([*family, twin])
        row[header["birth_date"]] = person.birth_date
        row[header["sex"]] = person.sex
        row[header["address"]] = f"{person.address_line}, {person.commune_name}"
        extract.rows.append(row)
        extract.truth[str(number)] = ""
    return extract


def upload_extract(client: Client, path: Path, source: str = "BHXH Hải Phòng") -> Any:
    """Post an extract file to the upload page."""
    with path.open("rb") as handle:
        return client.post(reverse("linkage:upload"), {"source": source, "extract": handle})


def confirm_mapping(client: Client, job: LinkJob, changes: dict[str, str] | None = None) -> Any:
    """Post the job's suggested mapping, with ``changes`` ({header: field}) applied."""
    mapping = dict(job.mapping) | (changes or {})
    data = {f"col_{i}": mapping[h] for i, h in enumerate(job.headers)}
    return client.post(reverse("linkage:mapping", args=[job.public_id]), data)


def run_upload(
    client: Client, django_capture_on_commit_callbacks: Any, path: Path, source: str = "BHXH Hải Phòng"
) -> LinkJob:
    """Upload and confirm an extract, running the job at once; return the finished job."""
    response = upload_extract(client, path, source)
    assert response.status_code == 302, response.content.decode()[-2000:]
    job = LinkJob.objects.latest("id")
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm_mapping(client, job).status_code == 302
    job.refresh_from_db()
    return job
