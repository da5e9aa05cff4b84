"""The indicators per source — linked clean, with differences, awaiting review, unmatched — as
JSON for monitoring: from ``dancu link-stats`` and from the linkage pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from dancu.cli import build_app
from dancu.identity.models import User
from dancu.linkage.engine.messy import MessyExtract
from dancu.linkage.models import ReviewItem
from dancu.linkage.tests.conftest import BHXH, run_upload, with_lookalikes, write_extract_csv
from dancu.registry.synthetic import PersonRow

pytestmark = pytest.mark.django_db


def test_it_reports_each_sources_shares_after_review_as_json(
    client: Client,
    insurance_officer: User,
    department_admin: User,
    register: list[PersonRow],
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(insurance_officer)
    extract = with_lookalikes(messy(40, seed=5), register)
    job = run_upload(client, django_capture_on_commit_callbacks, write_extract_csv(extract, tmp_path / "x.csv"))
    item = ReviewItem.objects.filter(job=job).order_by("row_number").first()
    assert item is not None
    client.post(
        reverse("linkage:review_item", args=[job.public_id, item.row_number]), {"choice": "none", "reason": "Khác"}
    )
    job.refresh_from_db()

    result = CliRunner().invoke(build_app(), ["link-stats"])
    page = client.get(reverse("linkage:indicators")).json()
    client.force_login(department_admin)
    other_agency = client.get(reverse("linkage:indicators")).json()

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report == page
    (source,) = report["sources"]
    assert (source["source"], source["agency"], source["job"]) == ("BHXH Hải Phòng", BHXH, str(job.public_id))
    assert (source["rows"], source["review"], source["unmatched"]) == (job.rows, job.review, job.unmatched)
    assert source["matched_clean"] + source["matched_with_differences"] == job.matched
    assert source["shares"] == {
        "clean": round(job.matched_clean / job.rows, 6),
        "with_differences": round(job.matched_with_differences / job.rows, 6),
        "review": round(job.review / job.rows, 6),
        "unmatched": round(job.unmatched / job.rows, 6),
    }
    assert sum(source["shares"].values()) == pytest.approx(1.0, abs=1e-5)
    assert other_agency == {"sources": []}
    assert json.loads(CliRunner().invoke(build_app(), ["link-stats", "--agency", "SO-YTE-HP"]).stdout) == {
        "sources": []
    }
