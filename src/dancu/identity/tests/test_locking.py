"""Locking: by the citizen (lost phone, unlock with a code), by the police (with a reason), and
automatically when the register records a death."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client as HttpClient

from dancu.core.events import deliver_pending, publish
from dancu.core.models import AuditEntry, OutboxEvent
from dancu.identity.actions import check_lock_by_authority, check_unlock_by_authority, do_lock_on_death
from dancu.identity.errors import IdentityError
from dancu.identity.models import LockReason, LoginSession, SmsMessage, User
from dancu.identity.queries import authenticate_bearer
from dancu.identity.tests.flows import CITIZEN_PASSWORD, log_in

pytestmark = pytest.mark.django_db


def test_it_locks_the_account_of_a_person_who_died(
    client: HttpClient, level2_tokens: dict[str, Any], citizen_lan: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        publish("registry.person_died", {"personal_id": "031190001234"})
    citizen_lan.refresh_from_db()
    assert citizen_lan.lock_reason == LockReason.DEATH
    assert not citizen_lan.is_active
    assert authenticate_bearer(level2_tokens["access_token"]) is None
    assert LoginSession.objects.get(user=citizen_lan).end_reason == "account_locked"
    assert OutboxEvent.objects.get().delivered_at is not None
    entry = AuditEntry.objects.get(action="identity.account_locked")
    assert entry.actor_id == "registry.person_died"
    assert entry.subject_personal_id == "031190001234"


def test_it_ignores_a_redelivered_death_event(citizen_lan: User) -> None:
    assert do_lock_on_death("031190001234") is True
    assert do_lock_on_death("031190001234") is False
    assert AuditEntry.objects.filter(action="identity.account_locked").count() == 1


def test_it_delivers_a_pending_death_event_later(citizen_lan: User) -> None:
    publish("registry.person_died", {"personal_id": "031190001234"})
    assert deliver_pending() == 1
    citizen_lan.refresh_from_db()
    assert citizen_lan.lock_reason == LockReason.DEATH


def test_it_lets_a_citizen_lock_and_then_unlock_with_a_code(
    client: HttpClient, citizen_minh: User, django_capture_on_commit_callbacks: Any
) -> None:
    log_in(client, citizen_minh)
    response = client.post("/tai-khoan/khoa/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    citizen_minh.refresh_from_db()
    assert citizen_minh.lock_reason == LockReason.SELF
    with django_capture_on_commit_callbacks(execute=True):
        login = client.post("/dang-nhap/", {"username": citizen_minh.username, "password": CITIZEN_PASSWORD})
    assert login["Location"] == "/dang-nhap/mo-khoa/"
    message = SmsMessage.objects.get(to="0987654321")
    found = re.search(r"(\d{6})", message.body)
    assert found is not None
    unlocked = client.post("/dang-nhap/mo-khoa/", {"code": found.group(1)})
    assert unlocked.status_code == 302
    citizen_minh.refresh_from_db()
    assert not citizen_minh.is_locked
    assert client.get("/tai-khoan/").status_code == 200


def test_it_does_not_unlock_without_the_password(client: HttpClient, citizen_minh: User) -> None:
    log_in(client, citizen_minh)
    client.post("/tai-khoan/khoa/")
    response = client.post("/dang-nhap/", {"username": citizen_minh.username, "password": "not the password at all"})
    assert response.status_code == 400
    assert SmsMessage.objects.count() == 0


def test_it_lets_the_police_lock_with_a_reason_and_unlock(police_officer: User, citizen_minh: User) -> None:
    with pytest.raises(IdentityError) as no_reason:
        check_lock_by_authority(police_officer, citizen_minh, note="  ")
    assert no_reason.value.code == "reason_required"
    check_lock_by_authority(police_officer, citizen_minh, note="Quyết định số 12/QĐ-CA")
    citizen_minh.refresh_from_db()
    assert citizen_minh.lock_reason == LockReason.AUTHORITY
    assert citizen_minh.lock_note == "Quyết định số 12/QĐ-CA"
    check_unlock_by_authority(police_officer, citizen_minh, note="Hết hiệu lực quyết định")
    citizen_minh.refresh_from_db()
    assert citizen_minh.is_active
    assert [
        e.details.get("note") for e in AuditEntry.objects.filter(action__startswith="identity.account_").order_by("id")
    ] == [
        None,
        "Quyết định số 12/QĐ-CA",
        "Hết hiệu lực quyết định",
    ]


def test_it_never_unlocks_the_account_of_a_person_who_died(police_officer: User, citizen_minh: User) -> None:
    do_lock_on_death(citizen_minh.username)
    citizen_minh.refresh_from_db()
    with pytest.raises(IdentityError) as refused:
        check_unlock_by_authority(police_officer, citizen_minh, note="nhầm")
    assert refused.value.code == "deceased"
    citizen_minh.refresh_from_db()
    assert citizen_minh.is_locked


def test_it_refuses_a_lock_by_an_officer_without_the_police_role(officer_commune_a: User, citizen_minh: User) -> None:
    with pytest.raises(IdentityError) as refused:
        check_lock_by_authority(officer_commune_a, citizen_minh, note="x")
    assert refused.value.code == "not_allowed"
    citizen_minh.refresh_from_db()
    assert not citizen_minh.is_locked
