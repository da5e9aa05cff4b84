"""What the gateway offers: its own X-Road identity, the services with their endpoints, the data
fields a policy can grant, and the register's change-event kinds.

These are code, not data, because each service and field is implemented here; the purposes
(legal bases) that a call names are data (:class:`dancu.exchange.models.Purpose`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.conf import settings

__all__ = [
    "CHANGE_KINDS",
    "FIELDS",
    "INSTANCE",
    "PROVIDER",
    "SERVICES",
    "VERIFY_FIELDS",
    "ChangeKind",
    "Endpoint",
    "Field",
    "Service",
    "provider_path",
]

#: The X-Road instance of the exchange (one per country).
INSTANCE: Final = "VN"


@dataclass(frozen=True, slots=True)
class Provider:
    """Dancu's own identifier as a service provider: ``INSTANCE/CLASS/MEMBER/SUBSYSTEM``."""

    instance: str
    member_class: str
    member_code: str
    subsystem_code: str

    @property
    def path(self) -> str:
        return f"{self.instance}/{self.member_class}/{self.member_code}/{self.subsystem_code}"


PROVIDER: Final = Provider(INSTANCE, "GOV", f"DANCU-{settings.DANCU_PROVINCE_CODE}", "registry")


def provider_path() -> str:
    """``r1/VN/GOV/DANCU-31/registry``: the URL prefix of every service (X-Road REST ``r1``)."""
    return f"r1/{PROVIDER.path}"


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str


@dataclass(frozen=True, slots=True)
class Service:
    """A versioned service; its endpoints are paths under ``/<code>``."""

    code: str
    version: str
    title: str
    endpoints: tuple[Endpoint, ...]
    #: Whether calls must name a purpose and an officer (metadata calls need neither).
    needs_purpose: bool = True


SERVICES: Final[dict[str, Service]] = {
    s.code: s
    for s in (
        Service(
            "verify",
            "v1",
            "Xác thực thông tin công dân (có/không) / Verify a citizen's data (yes/no)",
            (Endpoint("POST", "/v1"),),
        ),
        Service(
            "read",
            "v1",
            "Khai thác thông tin công dân theo chính sách / Read the fields the policy grants",
            (Endpoint("POST", "/v1"),),
        ),
        Service(
            "batch-verify",
            "v1",
            "Xác thực theo lô / Batch verification",
            (
                Endpoint("POST", "/v1"),
                Endpoint("POST", "/v1/jobs"),
                Endpoint("GET", "/v1/jobs/{job_id}"),
                Endpoint("GET", "/v1/jobs/{job_id}/result"),
            ),
        ),
        Service(
            "changes",
            "v1",
            "Thông báo biến động dân cư / Change notifications",
            (
                Endpoint("GET", "/v1"),
                Endpoint("GET", "/v1/subscriptions"),
                Endpoint("POST", "/v1/subscriptions"),
                Endpoint("DELETE", "/v1/subscriptions/{subscription_id}"),
            ),
        ),
        Service(
            "card-qr",
            "v1",
            "Xác thực mã QR trên thẻ căn cước / Verify the QR code of a chip ID card",
            (Endpoint("POST", "/v1"),),
        ),
        Service(
            "usage",
            "v1",
            "Ai đã sử dụng dữ liệu của công dân / Who used a citizen's data (findUsage)",
            (Endpoint("GET", "/v1"),),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Field:
    """A data item a policy can grant, with the citizen-facing label."""

    name: str
    label: str
    #: Whether ``verify`` can answer yes/no about it.
    verifiable: bool = False


FIELDS: Final[dict[str, Field]] = {
    f.name: f
    for f in (
        Field("full_name", "Họ và tên / Full name", verifiable=True),
        Field("birth_date", "Ngày sinh / Date of birth", verifiable=True),
        Field("sex", "Giới tính / Sex", verifiable=True),
        Field("permanent_address", "Nơi thường trú / Permanent residence", verifiable=True),
        Field("status", "Tình trạng (còn sống/đã mất) / Alive or deceased"),
        Field("deceased_on", "Ngày mất / Date of death"),
        Field("ethnicity", "Dân tộc / Ethnicity"),
        Field("religion", "Tôn giáo / Religion"),
        Field("nationality", "Quốc tịch / Nationality"),
        Field("hometown", "Quê quán / Home town"),
        Field("birthplace", "Nơi đăng ký khai sinh / Place of birth registration"),
        Field("household", "Hộ gia đình / Household"),
        Field("parents", "Cha, mẹ / Parents"),
        Field("spouse", "Vợ/chồng / Spouse"),
        Field("card", "Thẻ căn cước / Identity card"),
        Field("former_ids", "Số CMND cũ / Former ID numbers"),
        Field("phone", "Số điện thoại / Phone number"),
    )
}

VERIFY_FIELDS: Final = tuple(f.name for f in FIELDS.values() if f.verifiable)


@dataclass(frozen=True, slots=True)
class ChangeKind:
    """A change event of the register: the domain event it comes from and the fields it touches.

    A client receives events whose fields intersect the fields of its ``changes`` grant.
    """

    code: str
    domain_event: str
    fields: tuple[str, ...]
    label: str


CHANGE_KINDS: Final[dict[str, ChangeKind]] = {
    k.code: k
    for k in (
        ChangeKind("birth", "registry.person_born", ("full_name", "birth_date"), "Khai sinh / Birth"),
        ChangeKind("death", "registry.person_died", ("status", "deceased_on"), "Khai tử / Death"),
        ChangeKind(
            "residence_changed",
            "registry.residence_changed",
            ("permanent_address",),
            "Thay đổi nơi thường trú / Change of permanent residence",
        ),
        ChangeKind("name_changed", "registry.name_changed", ("full_name",), "Thay đổi họ tên / Name change"),
        ChangeKind("card_issued", "registry.card_issued", ("card",), "Cấp thẻ căn cước / New ID card"),
    )
}
