"""Demo members of the gateway, so an operator of a demo province sees it working: a hospital
that may only verify (yes/no) for a medical examination, and social insurance that verifies and
reads a set of fields to issue health-insurance cards. Idempotent.

Each system authenticates as in production (``private_key_jwt``) with an EC key generated at demo
time and written under ``DANCU_HOME/demo/exchange/`` (mode 600, never in the repository);
``dancu demo`` prints the ``dancu exchange token`` command that gets an access token with it,
and a ``curl`` call to make with the token.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from joserfc import jwt
from joserfc.jwk import ECKey

from dancu.core.audit import Actor
from dancu.exchange.actions import check_submit_onboarding, do_approve_onboarding
from dancu.exchange.catalogue import provider_path
from dancu.exchange.models import AccessGrant, MemberSystem
from dancu.exchange.person_data import birth_date_text
from dancu.registry.models import Person, PersonStatus

__all__ = ["DEMO_SYSTEMS", "DemoSystem", "client_assertion", "create_demo_exchange", "key_dir", "load_key"]

_ACTOR = Actor.system("dancu-demo")
_CORE = ["full_name", "birth_date", "sex"]


@dataclass(frozen=True, slots=True)
class DemoSystem:
    member_class: str
    member_code: str
    member_name: str
    sector: str
    system_code: str
    system_name: str
    #: (service, purpose code, fields)
    grants: tuple[tuple[str, str, tuple[str, ...]], ...]


DEMO_SYSTEMS = (
    DemoSystem(
        member_class="GOV",
        member_code="BV-VIETTIEP",
        member_name="Bệnh viện Hữu nghị Việt Tiệp (demo)",
        sector="hospital",
        system_code="his",
        system_name="Hệ thống thông tin bệnh viện",
        grants=(("verify", "YT.KHAM-BENH", tuple(_CORE)),),
    ),
    DemoSystem(
        member_class="GOV",
        member_code="BHXH-HP",
        member_name="Bảo hiểm xã hội thành phố Hải Phòng (demo)",
        sector="social_insurance",
        system_code="tiep-nhan",
        system_name="Hệ thống tiếp nhận hồ sơ",
        grants=(
            ("verify", "BHYT.CAP-THE", (*_CORE, "permanent_address")),
            ("read", "BHYT.CAP-THE", (*_CORE, "permanent_address", "household")),
        ),
    ),
)


def key_dir() -> Path:
    return Path(settings.DANCU_HOME) / "demo" / "exchange"


def _key_file(spec: DemoSystem) -> Path:
    return key_dir() / f"{spec.member_code}.{spec.system_code}.pem"


def _new_key(path: Path) -> ECKey:
    """A fresh P-256 key, written as PKCS#8 PEM readable by its owner only."""
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(pem)
    return load_key(path)


def load_key(path: Path) -> ECKey:
    """A system's EC private key from its PEM file, with its thumbprint as ``kid``."""
    key = ECKey.import_key(path.read_bytes(), parameters={"use": "sig", "alg": "ES256"})
    key.ensure_kid()
    return key


def client_assertion(client_id: str, key: ECKey, audience: str, *, lifetime: int = 120) -> str:
    """A ``private_key_jwt`` client assertion (RFC 7523) for the token endpoint ``audience``."""
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + lifetime,
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def _system(spec: DemoSystem) -> tuple[MemberSystem, bool]:
    """The demo system, registered (with a new key) when it is not there yet."""
    found = (
        MemberSystem.objects.select_related("member")
        .filter(member__member_class=spec.member_class, member__code=spec.member_code, code=spec.system_code)
        .first()
    )
    if found is not None:
        return found, _key_file(spec).exists()
    key = _new_key(_key_file(spec))
    # Through the same request and approval an agency's system goes through, so the operator
    # finds the demo systems among the approved onboarding requests, with their audit trail.
    with transaction.atomic():
        request = check_submit_onboarding(
            member_class=spec.member_class,
            member_code=spec.member_code,
            member_name=spec.member_name,
            sector=spec.sector,
            system_code=spec.system_code,
            system_name=spec.system_name,
            jwks={"keys": [key.as_dict(private=False)]},
            contact_email="",
            requested_access=[
                {"service": service, "purpose": purpose, "fields": list(fields)}
                for service, purpose, fields in spec.grants
            ],
            justification="Hệ thống mẫu của tỉnh demo / the demo province's sample system",
            actor=_ACTOR,
        )
        system = do_approve_onboarding(request.pk, actor=_ACTOR, note="dancu demo")
    return MemberSystem.objects.select_related("member").get(pk=system.pk), True


def _example(system: MemberSystem, spec: DemoSystem, person: Person | None) -> str:
    service, purpose, fields = spec.grants[-1]
    body: dict[str, Any] = {"personal_id": person.personal_id if person else "031190012345"}
    if service == "read":
        body["fields"] = list(fields)
    elif person is not None:
        body.update(
            full_name=person.full_name,
            birth_date=birth_date_text(person.birth_date, person.birth_precision),
            sex=person.sex,
        )
    return (
        f"curl -s -X POST {settings.DANCU_BASE_URL}/{provider_path()}/{service}/v1 "
        '-H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" '
        f'-H "X-Road-Client: {system.xroad_id}" -H "X-Road-UserId: VN031000000042" '
        f"-H \"X-Road-Purpose: {purpose}\" -d '{json.dumps(body, ensure_ascii=False)}'"
    )


def create_demo_exchange() -> list[dict[str, Any]]:
    """Register the demo systems (once) and say, for each, how to call the gateway as it."""
    person = Person.objects.filter(status=PersonStatus.ALIVE).order_by("id").first()
    summary = []
    for spec in DEMO_SYSTEMS:
        system, has_key = _system(spec)
        key_file = _key_file(spec)
        grants = AccessGrant.objects.filter(system=system, revoked_at__isnull=True).select_related("purpose")
        entry: dict[str, Any] = {
            "member": system.member.name,
            "system": system.xroad_id,
            "client_id": system.client_id,
            "grants": [f"{g.service} · {g.purpose.code} · {', '.join(g.fields)}" for g in grants.order_by("pk")],
            "key_file": str(key_file),
        }
        if has_key:
            entry["get_token"] = f"TOKEN=$(dancu exchange token --client-id {system.client_id} --key {key_file})"
            entry["call"] = _example(system, spec, person)
        else:
            entry["note"] = (
                "Khóa riêng không còn trong DANCU_HOME: tạo lại cơ sở dữ liệu demo / "
                "the private key is no longer in DANCU_HOME: re-create the demo database"
            )
        summary.append(entry)
    return summary
