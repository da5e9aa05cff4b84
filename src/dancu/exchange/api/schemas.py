"""The typed shapes of the gateway's requests and responses (and of its OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints, field_validator

from dancu.exchange.services.verify import VerifyQuery

PersonalId = Annotated[str, StringConstraints(pattern=r"^[0-9]{12}$")]
BirthDate = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]
CommuneCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,10}$")]
Text200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text300 = Annotated[str, StringConstraints(min_length=1, max_length=300)]
NameMatch = Literal["exact", "folded"]
FieldName = Literal[
    "full_name",
    "birth_date",
    "sex",
    "permanent_address",
    "status",
    "deceased_on",
    "ethnicity",
    "religion",
    "nationality",
    "hometown",
    "birthplace",
    "household",
    "parents",
    "spouse",
    "card",
    "former_ids",
    "phone",
]
ChangeKindName = Literal["birth", "death", "residence_changed", "name_changed", "card_issued"]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


# --- problems --------------------------------------------------------------------------------


class Problem(Schema):
    """RFC 9457 problem details; ``code`` is stable."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    instance: str | None = None
    header: str | None = None
    fields: list[str] | None = None


# --- headers ---------------------------------------------------------------------------------


class DataHeaders(Schema):
    """X-Road headers every data call carries (``X-Road-Id`` is optional: generated and echoed)."""

    x_road_client: str = Field(
        alias="X-Road-Client", max_length=200, description="INSTANCE/CLASS/MEMBER/SUBSYSTEM of the calling system"
    )
    x_road_user_id: str = Field(
        alias="X-Road-UserId", max_length=100, description="Country prefix + the officer's id, e.g. VN031087000123"
    )
    x_road_purpose: str = Field(alias="X-Road-Purpose", max_length=60, description="Purpose code from the catalogue")
    x_road_issue: str | None = Field(None, alias="X-Road-Issue", max_length=60, description="Dossier number")
    x_road_id: str | None = Field(None, alias="X-Road-Id", max_length=100, description="Request id (echoed)")


class MetaHeaders(Schema):
    x_road_client: str = Field(alias="X-Road-Client", max_length=200)
    x_road_id: str | None = Field(None, alias="X-Road-Id", max_length=100)


# --- verify ----------------------------------------------------------------------------------


class AddressIn(Strict):
    commune_code: CommuneCode | None = None
    address_line: Text300 | None = None


class VerifyRecord(Strict):
    personal_id: PersonalId
    full_name: Text200 | None = None
    birth_date: BirthDate | None = None
    sex: Literal["male", "female"] | None = None
    permanent_address: AddressIn | None = None

    @field_validator("birth_date")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = [int(p) for p in value.split("-")]
        try:
            dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        except ValueError as exc:
            raise ValueError("ngày sinh không tồn tại / no such date") from exc
        return value

    def query(self) -> VerifyQuery:
        address = self.permanent_address
        return VerifyQuery(
            personal_id=self.personal_id,
            full_name=self.full_name,
            birth_date=self.birth_date,
            sex=self.sex,
            commune_code=address.commune_code if address else None,
            address_line=address.address_line if address else None,
        )


class VerifyIn(VerifyRecord):
    name_match: NameMatch = "exact"


class Matches(Schema):
    full_name: bool | None = None
    birth_date: bool | None = None
    sex: bool | None = None
    permanent_address: bool | None = None
    card: bool | None = None


class Answer(Schema):
    """GovStack Digital Registries ``exists`` answer."""

    status: bool
    message: str


class VerifyOut(Schema):
    personal_id: str
    found: bool
    matches: Matches
    answer: Answer
    refused: str | None = None


class BatchVerifyIn(Strict):
    records: list[VerifyRecord] = Field(min_length=1, max_length=5000)
    name_match: NameMatch = "exact"


class BatchVerifyOut(Schema):
    results: list[VerifyOut]


class BatchJobOut(Schema):
    job_id: str
    status: Literal["queued", "running", "done", "failed"]
    rows: int
    found: int
    created_at: str
    finished_at: str | None = None
    expires_at: str
    error: str | None = None
    result_url: str | None = None


# --- read ------------------------------------------------------------------------------------


class ReadIn(Strict):
    personal_id: PersonalId
    fields: list[FieldName] | None = Field(None, min_length=1, max_length=17)


class AddressOut(Schema):
    province_code: str
    commune_code: str
    address_line: str


class HouseholdOut(Schema):
    code: str
    relation_to_head: str
    head_personal_id: str | None = None


class ParentsOut(Schema):
    father_personal_id: str | None = None
    mother_personal_id: str | None = None


class SpouseOut(Schema):
    personal_id: str


class CardOut(Schema):
    number: str
    kind: str
    issued_on: str
    expires_on: str | None = None


class PersonData(Schema):
    full_name: str | None = None
    birth_date: str | None = None
    sex: str | None = None
    permanent_address: AddressOut | None = None
    status: str | None = None
    deceased_on: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    nationality: str | None = None
    hometown: str | None = None
    birthplace: str | None = None
    household: HouseholdOut | None = None
    parents: ParentsOut | None = None
    spouse: SpouseOut | None = None
    card: CardOut | None = None
    former_ids: list[str] | None = None
    phone: str | None = None


class ReadOut(Schema):
    personal_id: str
    data: PersonData


# --- changes ---------------------------------------------------------------------------------


class ChangeOut(Schema):
    id: str
    kind: str
    personal_id: str
    occurred_on: str | None = None
    fields: list[str]
    recorded_at: str


class ChangesOut(Schema):
    events: list[ChangeOut]
    next_cursor: str


class SubscriptionIn(Strict):
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=500)]
    kinds: list[ChangeKindName] = Field(min_length=1, max_length=5)


class SubscriptionOut(Schema):
    id: int
    url: str
    kinds: list[str]
    purpose: str
    active: bool
    created_at: str
    secret: str | None = Field(None, description="Shown once, when the subscription is created")


class SubscriptionsOut(Schema):
    subscriptions: list[SubscriptionOut]


# --- card QR ---------------------------------------------------------------------------------


class CardQrIn(Strict):
    qr: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class CardQrOut(Schema):
    personal_id: str | None = None
    found: bool
    matches: Matches
    card_current: bool
    answer: Answer


# --- usage (Data Tracker) --------------------------------------------------------------------


class UsageOut(Schema):
    logtime: str
    action: str
    receiverCode: str  # noqa: N815 — Data Tracker's findUsage names
    receiverName: str  # noqa: N815
    receiverSystem: str  # noqa: N815
    officer: str
    purpose: str
    fields: list[str]
    outcome: str


class UsagesOut(Schema):
    totalUsages: int  # noqa: N815
    usages: list[UsageOut]


# --- metadata --------------------------------------------------------------------------------


class EndpointOut(Schema):
    method: str
    path: str


class ServiceOut(Schema):
    xroad_instance: str
    member_class: str
    member_code: str
    subsystem_code: str
    service_code: str
    service_version: str
    object_type: Literal["SERVICE"] = "SERVICE"
    service_type: Literal["REST"] = "REST"
    title: str
    endpoint_list: list[EndpointOut]


class MethodsOut(Schema):
    service: list[ServiceOut]


class ClientIdOut(Schema):
    xroad_instance: str
    member_class: str
    member_code: str
    subsystem_code: str | None = None
    object_type: Literal["MEMBER", "SUBSYSTEM"]


class ClientOut(Schema):
    id: ClientIdOut
    name: str


class ClientsOut(Schema):
    member: list[ClientOut]


OpenApiOut = dict[str, Any]
