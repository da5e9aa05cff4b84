"""Personas of the exchange tests: citizens in the register, agency systems with real keys and
real access tokens from Dancu's OAuth provider, and a gateway client that speaks X-Road REST.

Systems authenticate exactly as in production: an EC key pair per system, its public JWK set
registered with identity, a ``private_key_jwt`` client assertion posted to ``/oidc/token`` for a
client-credentials token with the ``exchange`` scope.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from joserfc import jwt
from joserfc.jwk import ECKey

from dancu.core.audit import Actor
from dancu.core.models import ActorKind
from dancu.core.text import fold, split_name
from dancu.exchange import limits
from dancu.exchange.actions import do_grant_access, do_register_system
from dancu.exchange.authentication import forget_tokens
from dancu.exchange.catalogue import provider_path
from dancu.exchange.models import MemberSystem
from dancu.identity.actions.clients import do_register_client
from dancu.registry.models import DatePrecision, IdentityCard, Person, Residence, ResidenceKind

ADMIN = Actor(kind=ActorKind.OFFICER, id="admin-test")
OFFICER_ID = "VN031000000042"
BASE = "/" + provider_path()


@pytest.fixture(autouse=True)
def _gateway_state() -> Iterator[None]:
    """Each test starts with no remembered tokens or rate leases."""
    forget_tokens()
    limits.reset_leases()
    yield
    forget_tokens()
    limits.reset_leases()


# --- the register ----------------------------------------------------------------------------


def make_person(
    personal_id: str,
    full_name: str,
    birth_date: dt.date,
    sex: str,
    *,
    precision: str = DatePrecision.DAY,
    commune_code: str = "31105",
    address_line: str = "Số 12 ngõ 34 phố Lạch Tray",
    card_issued_on: dt.date | None = None,
    phone: str = "",
) -> Person:
    parts = split_name(full_name)
    person = Person.objects.create(
        personal_id=personal_id,
        full_name=full_name,
        surname=parts.surname,
        middle_name=parts.middle,
        given_name=parts.given,
        name_key=fold(full_name),
        birth_date=birth_date,
        birth_precision=precision,
        birth_year=birth_date.year,
        sex=sex,
        commune_code=commune_code,
        phone=phone,
    )
    Residence.objects.create(
        person=person,
        kind=ResidenceKind.PERMANENT,
        province_code="31",
        commune_code=commune_code,
        address_line=address_line,
        is_active=True,
    )
    if card_issued_on is not None:
        IdentityCard.objects.create(
            person=person,
            number=personal_id,
            kind=IdentityCard.Kind.CCCD_2021,
            issued_on=card_issued_on,
            expires_on=dt.date(2040, 5, 12),
        )
    return person


@pytest.fixture
def person_lan(db: None) -> Person:
    return make_person(
        "031190012345",
        "Nguyễn Thị Lan",
        dt.date(1990, 5, 12),
        "female",
        card_issued_on=dt.date(2021, 6, 7),
        phone="0912345678",
    )


@pytest.fixture
def person_minh(db: None) -> Person:
    return make_person("031201004567", "Trần Văn Minh", dt.date(2001, 3, 4), "male", commune_code="31107")


@pytest.fixture
def person_hung(db: None) -> Person:
    """Registered with a year of birth only."""
    return make_person("031085007890", "Lê Văn Hùng", dt.date(1985, 1, 1), "male", precision=DatePrecision.YEAR)


@pytest.fixture
def citizen_lan(person_lan: Person) -> Any:
    """Lan's level-2 e-ID account."""
    from dancu.identity.actions.accounts import do_create_citizen_account

    return do_create_citizen_account(
        person_lan,
        password=None,
        level=2,
        via="police",
        phone=person_lan.phone,
        phone_verified=True,
        actor=Actor(kind=ActorKind.OFFICER, id="police-test"),
    )


@pytest.fixture
def admin_user(db: None) -> Any:
    from dancu.identity.actions.staff import do_create_admin

    user, _ = do_create_admin("quantri", password="mat-khau-rat-dai-cua-quan-tri", actor=Actor.system("test"))
    return user


# --- agency systems --------------------------------------------------------------------------


@dataclass
class System:
    """An agency system as it runs in production: its key, its client id, its token."""

    system: MemberSystem
    key: ECKey
    token: str = ""
    token_expires: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def client_id(self) -> str:
        return self.system.client_id

    @property
    def xroad_id(self) -> str:
        return self.system.xroad_id


def new_key() -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": uuid.uuid4().hex[:8], "use": "sig", "alg": "ES256"})


def public_jwks(key: ECKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False)]}


def client_assertion(client_id: str, key: ECKey) -> str:
    from dancu.identity.oidc.server import endpoint_url

    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": endpoint_url("token_endpoint"),
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 120,
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def fetch_token(client: Client, client_id: str, key: ECKey) -> dict[str, Any]:
    """A client-credentials token from ``/oidc/token`` (RFC 7523 ``private_key_jwt``)."""
    response = client.post(
        "/oidc/token",
        {
            "grant_type": "client_credentials",
            "scope": "exchange",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client_assertion(client_id, key),
        },
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def register_system(
    *, member_class: str, member_code: str, member_name: str, sector: str, system_code: str, system_name: str
) -> System:
    key = new_key()
    registered = do_register_client(
        f"{member_name} · {system_name}",
        "exchange",
        jwks=public_jwks(key),
        organisation=f"{member_class}/{member_code}",
        actor=ADMIN,
    )
    system = do_register_system(
        member_class=member_class,
        member_code=member_code,
        member_name=member_name,
        sector=sector,
        system_code=system_code,
        system_name=system_name,
        client_id=registered.client.client_id,
        actor=ADMIN,
    )
    return System(system=MemberSystem.objects.select_related("member").get(pk=system.pk), key=key)


@pytest.fixture
def insurance_system(db: None) -> System:
    """Hải Phòng social insurance's intake system: verify, read, batch and change events."""
    s = register_system(
        member_class="GOV",
        member_code="BHXH-HP",
        member_name="Bảo hiểm xã hội thành phố Hải Phòng",
        sector="social_insurance",
        system_code="tiep-nhan",
        system_name="Hệ thống tiếp nhận hồ sơ",
    )
    core = ["full_name", "birth_date", "sex", "permanent_address"]
    do_grant_access(s.system, service="verify", purpose_code="BHYT.CAP-THE", fields=core, actor=ADMIN)
    do_grant_access(s.system, service="read", purpose_code="BHYT.CAP-THE", fields=[*core, "household"], actor=ADMIN)
    do_grant_access(s.system, service="batch-verify", purpose_code="BHYT.CAP-THE", fields=core, actor=ADMIN)
    do_grant_access(
        s.system,
        service="changes",
        purpose_code="BHXH.CHE-DO",
        fields=["status", "deceased_on", "full_name", "permanent_address"],
        actor=ADMIN,
    )
    return s


@pytest.fixture
def bank_system(db: None) -> System:
    """A commercial bank's e-KYC: verify and card QR by law; reading the phone only on consent."""
    s = register_system(
        member_class="COM",
        member_code="0100112437",
        member_name="Ngân hàng TMCP Ngoại thương Việt Nam",
        sector="bank",
        system_code="ekyc",
        system_name="Định danh khách hàng điện tử",
    )
    do_grant_access(
        s.system, service="verify", purpose_code="NH.KYC", fields=["full_name", "birth_date", "sex"], actor=ADMIN
    )
    do_grant_access(
        s.system,
        service="card-qr",
        purpose_code="NH.KYC",
        fields=["full_name", "birth_date", "sex", "card"],
        actor=ADMIN,
    )
    do_grant_access(
        s.system,
        service="read",
        purpose_code="DV.DONG-Y",
        fields=["full_name", "phone", "permanent_address"],
        requires_consent=True,
        actor=ADMIN,
    )
    return s


@pytest.fixture
def portal_system(db: None) -> System:
    """The national public-service portal: shows citizens who used their data."""
    s = register_system(
        member_class="GOV",
        member_code="VPCP",
        member_name="Cổng Dịch vụ công quốc gia",
        sector="portal",
        system_code="dvcqg",
        system_name="Cổng DVCQG",
    )
    do_grant_access(s.system, service="usage", purpose_code="DVC.LICH-SU", fields=[], actor=ADMIN)
    return s


# --- the gateway, as a client sees it --------------------------------------------------------


class Gateway:
    """Calls the X-Road REST API with a system's token and headers."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def token(self, system: System) -> str:
        if not system.token or system.token_expires < time.time() + 30:
            body = fetch_token(self.client, system.client_id, system.key)
            system.token = body["access_token"]
            system.token_expires = time.time() + int(body["expires_in"])
        return system.token

    def headers(
        self,
        system: System,
        *,
        purpose: str | None,
        officer: str | None = OFFICER_ID,
        issue: str | None = None,
        request_id: str | None = None,
        xroad_client: str | None = None,
    ) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token(system)}", "X-Road-Client": xroad_client or system.xroad_id}
        if purpose is not None:
            headers["X-Road-Purpose"] = purpose
        if officer is not None:
            headers["X-Road-UserId"] = officer
        if issue is not None:
            headers["X-Road-Issue"] = issue
        if request_id is not None:
            headers["X-Road-Id"] = request_id
        return headers

    def post(self, system: System, path: str, body: Any, *, purpose: str | None, **options: Any) -> Any:
        return self.client.post(
            f"{BASE}/{path}",
            data=json.dumps(body),
            content_type="application/json",
            headers=self.headers(system, purpose=purpose, **options),
        )

    def get(
        self,
        system: System,
        path: str,
        *,
        purpose: str | None = None,
        params: dict[str, Any] | None = None,
        **options: Any,
    ) -> Any:
        return self.client.get(f"{BASE}/{path}", params or {}, headers=self.headers(system, purpose=purpose, **options))

    def delete(self, system: System, path: str, *, purpose: str | None, **options: Any) -> Any:
        return self.client.delete(f"{BASE}/{path}", headers=self.headers(system, purpose=purpose, **options))


@pytest.fixture
def gateway(client: Client) -> Gateway:
    return Gateway(client)


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records each request, answers the next scripted status."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = state.statuses.pop(0) if state.statuses else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/dancu-hook"
    yield state
    server.shutdown()
    server.server_close()
