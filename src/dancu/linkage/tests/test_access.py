"""Who may use the linkage pages: refusals are clear, audited, and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dancu.core.models import AuditEntry
from dancu.identity.models import User
from dancu.linkage.engine.messy import MessyExtract
from dancu.linkage.models import LinkJob, ReviewDecision, ReviewItem, ReviewState, Source
from dancu.linkage.tests.conftest import run_upload, upload_extract, with_lookalikes, write_extract_csv
from dancu.registry.synthetic import PersonRow

pytestmark = pytest.mark.django_db


def _nothing_uploaded(settings: Any) -> bool:
    uploads = Path(settings.MEDIA_ROOT) / "linkage" / "uploads"
    return not uploads.exists() or not list(uploads.iterdir())


def test_it_sends_an_anonymous_visitor_to_log_in(client: Client) -> None:
    response = client.get(reverse("linkage:index"))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


@pytest.mark.parametrize(
    ("persona", "reason"),
    [
        ("citizen_lan", "Chỉ cán bộ được liên kết dữ liệu / Only officers may use record linkage"),
        ("officer_without_role", "Chỉ cán bộ được liên kết dữ liệu / Only officers may use record linkage"),
        (
            "officer_commune_a",
            "Vai trò của bạn không được phép liên kết dữ liệu / Your role may not use record linkage",
        ),
        ("auditor", "Vai trò của bạn không được phép liên kết dữ liệu / Your role may not use record linkage"),
        (
            "insurance_officer_commune",
            "Liên kết dữ liệu cần phạm vi toàn tỉnh / Record linkage needs a province-wide jurisdiction",
        ),
    ],
)
def test_it_refuses_an_upload_from_anyone_but_a_province_wide_linkage_officer(
    client: Client,
    request: pytest.FixtureRequest,
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    settings: Any,
    persona: str,
    reason: str,
) -> None:
    user: User = request.getfixturevalue(persona)
    client.force_login(user)

    response = upload_extract(client, write_extract_csv(messy(5), tmp_path / "x.csv"))

    assert response.status_code == 403
    assert reason in response.content.decode()
    assert LinkJob.objects.count() == 0
    assert Source.objects.count() == 0
    assert _nothing_uploaded(settings)
    refusal = AuditEntry.objects.get(action="linkage.refused")
    assert (refusal.actor_id, refusal.outcome) == (user.username, "refused")
    assert refusal.details["what"] == reverse("linkage:upload")


def test_it_lets_a_department_admin_upload(client: Client, department_admin: User) -> None:
    client.force_login(department_admin)
    assert client.get(reverse("linkage:upload")).status_code == 200


def test_it_refuses_results_to_a_commune_officer_and_a_citizen(
    client: Client,
    insurance_officer: User,
    officer_commune_a: User,
    citizen_lan: User,
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(insurance_officer)
    job = run_upload(client, django_capture_on_commit_callbacks, write_extract_csv(messy(10), tmp_path / "x.csv"))
    audited = AuditEntry.objects.count()

    for outsider in (officer_commune_a, citizen_lan):
        client.force_login(outsider)
        for name in ("results", "download", "status", "review_list", "progress"):
            assert client.get(reverse(f"linkage:{name}", args=[job.public_id])).status_code == 403
        assert client.get(reverse("linkage:journal")).status_code == 403

    new = AuditEntry.objects.filter(id__gt=0).order_by("id")[audited:]
    assert [e.action for e in new] == ["linkage.refused"] * 12
    assert not AuditEntry.objects.filter(action__in=["linkage.results.view", "linkage.results.download"]).exists()


def test_it_lets_an_auditor_read_but_not_decide(
    client: Client,
    insurance_officer: User,
    auditor: User,
    register: list[PersonRow],
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(insurance_officer)
    extract = with_lookalikes(messy(30, seed=5), register)
    job = run_upload(client, django_capture_on_commit_callbacks, write_extract_csv(extract, tmp_path / "x.csv"))
    item = ReviewItem.objects.filter(job=job).first()
    assert item is not None
    client.force_login(auditor)

    assert client.get(reverse("linkage:results", args=[job.public_id])).status_code == 200
    page = client.get(reverse("linkage:review_item", args=[job.public_id, item.row_number]))
    response = client.post(
        reverse("linkage:review_item", args=[job.public_id, item.row_number]), {"decision": "confirm"}
    )

    assert page.status_code == 200
    assert 'name="decision"' not in page.content.decode()
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.state == ReviewState.PENDING
    assert ReviewDecision.objects.count() == 0
    before = job.review
    job.refresh_from_db()
    assert job.review == before
    refused = AuditEntry.objects.filter(action="linkage.refused").get()
    assert refused.actor_id == auditor.username
