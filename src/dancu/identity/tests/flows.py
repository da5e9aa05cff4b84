"""How a browser and a relying party go through identity's flows in tests, and the register
persons the personas stand on."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pyotp
from django.test import Client as HttpClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from dancu.core.audit import Actor
from dancu.identity.actions import do_create_citizen_account, do_create_officer
from dancu.identity.models import Client, RegisteredVia, TotpDevice, User
from dancu.registry.models import Household, IdentityCard, Person, Residence, ResidenceKind

COMMUNE_A = "11311"
COMMUNE_B = "11320"
CITIZEN_PASSWORD = "hoa sen trong dam nuoc trong"
STAFF_PASSWORD = "can bo 2026 hp"
REDIRECT_URI = "https://rp.example/callback"
ISSUER = "http://127.0.0.1:8000"


def make_person(
    personal_id: str,
    full_name: str,
    *,
    birth_date: dt.date,
    sex: str,
    phone: str,
    commune_code: str = COMMUNE_A,
    card_number: str | None = None,
    household: Household | None = None,
) -> Person:
    surname, *middle, given = full_name.split()
    person = Person.objects.create(
        personal_id=personal_id,
        full_name=full_name,
        surname=surname,
        middle_name=" ".join(middle),
        given_name=given,
        name_key=full_name.lower(),
        birth_date=birth_date,
        birth_year=birth_date.year,
        sex=sex,
        phone=phone,
        commune_code=commune_code,
        household=household,
        relation_to_head="Chủ hộ" if household is not None else "",
    )
    Residence.objects.create(
        person=person,
        kind=ResidenceKind.PERMANENT,
        province_code="31",
        commune_code=commune_code,
        address_line="Số 12 đường Lạch Tray",
    )
    IdentityCard.objects.create(
        person=person,
        number=card_number or personal_id,
        kind=IdentityCard.Kind.CCCD_2021,
        issued_on=dt.date(2021, 6, 1),
    )
    return person


def citizen_account(person: Person, *, level: int, with_password: bool = True) -> User:
    return do_create_citizen_account(
        person,
        password=CITIZEN_PASSWORD if with_password else None,
        level=level,
        via=RegisteredVia.SELF,
        phone=person.phone,
        phone_verified=True,
        actor=Actor.system("tests"),
    )


def officer(username: str, role: str, *, communes: tuple[str, ...] = (), province_wide: bool = False) -> User:
    user, _ = do_create_officer(
        username,
        display_name=username,
        role=role,
        password=STAFF_PASSWORD,
        communes=communes,
        province_wide=province_wide,
        actor=Actor.system("tests"),
    )
    return user


def totp_now(user: User, *, offset_steps: int = 0) -> str:
    device = TotpDevice.objects.get(user=user)
    totp = pyotp.TOTP(device.secret)
    return totp.at(int(time.time()) + 30 * offset_steps)


@dataclass
class Machine:
    client: Client
    secret: str


@dataclass
class RelyingParty:
    client: Client
    key: RSAKey

    def assertion(self, *, audience: str = ISSUER + "/oidc/token", **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.client.client_id,
            "sub": self.client.client_id,
            "aud": audience,
            "iat": now,
            "exp": now + 60,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key, algorithms=["RS256"])

    def auth_form(self, **overrides: Any) -> dict[str, str]:
        return {
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": self.assertion(**overrides),
        }


def rp_key() -> RSAKey:
    key = RSAKey.generate_key(2048, auto_kid=True)
    return key


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def log_in(http: HttpClient, user: User, password: str | None = None) -> None:
    """Log ``user`` in through the real pages (password, then TOTP for staff)."""
    response = http.post("/dang-nhap/", {"username": user.username, "password": password or _password_of(user)})
    assert response.status_code == 302, response.content.decode()[:2000]
    if response["Location"].startswith("/dang-nhap/ma-xac-thuc/"):
        response = http.post("/dang-nhap/ma-xac-thuc/", {"code": totp_now(user)})
        assert response.status_code == 302, response.content.decode()[:2000]


def _password_of(user: User) -> str:
    return CITIZEN_PASSWORD if user.kind == "citizen" else STAFF_PASSWORD


def authorize_params(rp: RelyingParty, challenge: str, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": rp.client.client_id,
        "redirect_uri": rp.client.redirect_uris[0],
        "scope": "openid profile birthdate",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v != ""}


def get_code(http: HttpClient, rp: RelyingParty, challenge: str, **extra: str) -> tuple[str, dict[str, list[str]]]:
    """Run the authorization request as a logged-in browser, consenting if asked; return the
    code and the redirect's query parameters."""
    params = authorize_params(rp, challenge, **extra)
    response = http.get("/oidc/authorize?" + urlencode(params))
    if response.status_code == 200 and b'name="decision"' in response.content:
        response = http.post("/oidc/authorize", {**params, "decision": "allow"})
    assert response.status_code == 302, response.content.decode()[:3000]
    location = response["Location"]
    assert location.startswith(params["redirect_uri"]), location
    query = parse_qs(urlsplit(location).query)
    return query["code"][0], query


def exchange_code(http: HttpClient, rp: RelyingParty, code: str, verifier: str, **extra: str) -> Any:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": rp.client.redirect_uris[0],
        "code_verifier": verifier,
    }
    form.update(rp.auth_form())
    form.update(extra)
    return http.post("/oidc/token", {k: v for k, v in form.items() if v != ""})
