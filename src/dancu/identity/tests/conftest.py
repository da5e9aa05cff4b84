"""Personas for identity's tests: citizen_lan (level 2), citizen_minh (level 1), person_hoa (in
the register, no account), officers, the insurance system, two relying parties.

Register persons are created directly with the registry's models (the register's own actions
are another app's business). Passwords follow the policy: 15+ characters for password-only
citizens, 8+ for staff who always use TOTP.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client as HttpClient

from dancu.core.access import OfficerRole
from dancu.identity import keys
from dancu.identity.actions import do_register_client
from dancu.identity.models import EidLevel, User
from dancu.identity.tests.flows import (
    COMMUNE_A,
    COMMUNE_B,
    ISSUER,
    REDIRECT_URI,
    Machine,
    RelyingParty,
    citizen_account,
    exchange_code,
    get_code,
    log_in,
    make_person,
    officer,
    pkce_pair,
    rp_key,
)
from dancu.registry.models import Household, Person, Sex


@pytest.fixture(autouse=True)
def _identity_settings(settings: LazySettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test: its own signing keys, a fixed issuer, the session policy middleware on."""
    monkeypatch.setenv("DANCU_OIDC_KEY_DIR", str(tmp_path / "oidc-keys"))
    monkeypatch.delenv("DANCU_SMS_BACKEND", raising=False)
    settings.DANCU_BASE_URL = ISSUER
    middleware = list(settings.MIDDLEWARE)
    if "dancu.identity.sessions.SessionPolicyMiddleware" not in middleware:
        at = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
        middleware.insert(at, "dancu.identity.sessions.SessionPolicyMiddleware")
        settings.MIDDLEWARE = middleware
    keys._store.invalidate()
    yield
    keys._store.invalidate()


@pytest.fixture
def citizen_lan(db: None) -> User:
    """Phạm Thị Lan, level 2, commune A, head of her household."""
    household = Household.objects.create(code="HP-0001", commune_code=COMMUNE_A, address_line="Số 12 đường Lạch Tray")
    person = make_person(
        "031190001234",
        "Phạm Thị Lan",
        birth_date=dt.date(1990, 3, 14),
        sex=Sex.FEMALE,
        phone="0912345678",
        household=household,
    )
    household.head = person
    household.save(update_fields=["head"])
    return citizen_account(person, level=EidLevel.LEVEL2)


@pytest.fixture
def citizen_minh(db: None) -> User:
    """Nguyễn Văn Minh, level 1, commune A."""
    person = make_person(
        "031095004321", "Nguyễn Văn Minh", birth_date=dt.date(1995, 8, 2), sex=Sex.MALE, phone="0987654321"
    )
    return citizen_account(person, level=EidLevel.LEVEL1)


@pytest.fixture
def person_hoa(db: None) -> Person:
    """Trần Thị Hoà, 30, in the register with no account yet (registers in the tests)."""
    return make_person(
        "031196007777", "Trần Thị Hoà", birth_date=dt.date(1996, 11, 20), sex=Sex.FEMALE, phone="0903111222"
    )


@pytest.fixture
def officer_commune_a(db: None) -> User:
    return officer("hotich.a", OfficerRole.CIVIL_STATUS, communes=(COMMUNE_A,))


@pytest.fixture
def officer_commune_b(db: None) -> User:
    return officer("hotich.b", OfficerRole.CIVIL_STATUS, communes=(COMMUNE_B,))


@pytest.fixture
def police_officer(db: None) -> User:
    return officer("congan.a", OfficerRole.POLICE_REGISTRATION, communes=(COMMUNE_A,))


@pytest.fixture
def police_officer_b(db: None) -> User:
    return officer("congan.b", OfficerRole.POLICE_REGISTRATION, communes=(COMMUNE_B,))


@pytest.fixture
def leader(db: None) -> User:
    return officer("lanhdao", OfficerRole.LEADER, province_wide=True)


@pytest.fixture
def insurance_system(db: None) -> Machine:
    """The social-insurance agency's system: client credentials with a secret."""
    registered = do_register_client("Hệ thống BHXH", "exchange", organisation="VN/GOV/BHXH/CSDL")
    assert registered.secret is not None
    return Machine(registered.client, registered.secret)


@pytest.fixture
def portal_rp(db: None) -> RelyingParty:
    """The public-service portal: private_key_jwt, any level."""
    key = rp_key()
    registered = do_register_client(
        "Cổng dịch vụ công tỉnh",
        "oidc",
        [REDIRECT_URI],
        {"keys": [key.as_dict(private=False)]},
        post_logout_redirect_uris=["https://rp.example/logged-out"],
    )
    return RelyingParty(registered.client, key)


@pytest.fixture
def hospital_rp(db: None) -> RelyingParty:
    """The hospital system: requires level 2 whatever it asks."""
    key = rp_key()
    registered = do_register_client(
        "Bệnh viện Việt Tiệp",
        "oidc",
        ["https://hospital.example/cb"],
        {"keys": [key.as_dict(private=False)]},
        min_level=2,
    )
    return RelyingParty(registered.client, key)


@pytest.fixture
def level2_tokens(client: HttpClient, citizen_lan: User, portal_rp: RelyingParty) -> dict[str, Any]:
    """Lan logged in to the portal and its tokens."""
    log_in(client, citizen_lan)
    verifier, challenge = pkce_pair()
    code, _ = get_code(client, portal_rp, challenge)
    response = exchange_code(client, portal_rp, code, verifier)
    assert response.status_code == 200, response.content
    return dict(response.json())
