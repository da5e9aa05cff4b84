"""The linkage pages in a real Chromium: upload, mapping, the progress bar moving to 100%, the
results, and a review row whose candidate is rejected and then settled as none of them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from dancu.identity.models import User
from dancu.linkage.engine.messy import MessyExtract
from dancu.linkage.models import JobStatus, LinkJob, ReviewDecision, ReviewItem, ReviewState
from dancu.linkage.tasks import run_link_job
from dancu.linkage.tests.conftest import with_lookalikes, write_extract_csv
from dancu.registry.synthetic import PersonRow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")
def test_it_moves_the_progress_bar_to_100_percent_and_opens_the_results(
    live_server: Any,
    settings: Any,
    insurance_officer: User,
    register: list[PersonRow],
    messy: Callable[..., MessyExtract],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls below are plain
    # blocking calls between browser steps, which is what this switch allows.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The job waits in the queue until this test runs it, so the page shows it moving.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    extract = write_extract_csv(with_lookalikes(messy(60, seed=4), register), tmp_path / "bhxh.csv")
    client = Client()
    client.force_login(insurance_officer)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    seen: list[int] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="vi-VN")
            context.add_cookies(
                [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            def on_response(response: Any) -> None:
                if response.status >= 400 and not response.url.endswith("/favicon.ico"):
                    errors.append(f"{response.status} {response.url}")
                if response.url.endswith("/trang-thai.json"):
                    seen.append(int(json.loads(response.text())["percent"]))

            page.on("response", on_response)

            page.goto(live_server.url + reverse("linkage:upload"))
            page.get_by_label("Nguồn dữ liệu / Source").fill("BHXH Hải Phòng")
            page.get_by_label("Tệp trích xuất (CSV hoặc XLSX) / Extract file (CSV or XLSX)").set_input_files(
                str(extract)
            )
            page.get_by_role("button", name="Tải lên và xem ánh xạ cột").click()
            page.wait_for_url("**/cot/")
            assert page.get_by_label("HO_TEN").input_value() == "full_name"
            page.get_by_role("button", name="Xác nhận và bắt đầu liên kết").click()
            page.wait_for_url("**/lien-ket/phien/*/")
            bar = page.locator("#job-progress-bar")
            assert bar.get_attribute("value") == "0"
            page.wait_for_function("() => document.querySelector('#job-progress-bar') !== null")

            job = LinkJob.objects.get()
            assert job.status == JobStatus.QUEUED
            assert run_link_job.call(job.pk) == "done"

            page.wait_for_function("() => document.querySelector('#job-progress-bar')?.value === 100", timeout=15_000)
            assert page.locator("[data-percent]").inner_text() == "100%"
            page.wait_for_url("**/ket-qua/", timeout=15_000)
            assert page.get_by_role("heading", level=1).inner_text() == "Kết quả liên kết: BHXH Hải Phòng"

            # Review: reject the engine's candidate for the first row, then settle it as none.
            first = ReviewItem.objects.filter(job=job).order_by("row_number").first()
            assert first is not None
            page.goto(live_server.url + reverse("linkage:review_item", args=[job.public_id, first.row_number]))
            page.get_by_label("Lý do / Reason").fill("Anh em sinh đôi")
            page.get_by_role("button", name="Không phải người này").click()
            page.wait_for_selector("#engine-rejected")
            assert page.get_by_role("button", name="Không phải người này").count() == 0
            page.get_by_label("Lý do / Reason").fill("Chưa đăng ký thường trú")
            page.get_by_role("button", name="Không ai trong số này").click()
            page.wait_for_url(lambda url: f"/xem-xet/{first.row_number}/" not in url)
            first.refresh_from_db()
            assert (first.state, first.rejected_candidates) == (ReviewState.REJECTED, [first.personal_id])
            assert list(ReviewDecision.objects.order_by("id").values_list("decision", "reason")) == [
                ("reject", "Anh em sinh đôi"),
                ("none", "Chưa đăng ký thường trú"),
            ]
            assert errors == []
        finally:
            browser.close()
            # Inside Playwright's greenlet the ORM opened its own connection: close it, or
            # PostgreSQL refuses to drop the test database at the end.
            connections.close_all()

    # The bar only ever moves forward, and the last status the page read was 100%.
    assert seen == sorted(seen)
    assert seen[-1] == 100
