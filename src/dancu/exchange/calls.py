"""A call to the gateway: who calls (the authenticated system), for what (service and purpose),
on whose behalf (the officer), for which dossier, under which request id; and its audit entry.

:func:`open_call` checks everything that does not depend on the request body, in a fixed order
(system known and active, ``X-Road-Client`` matching the token, purpose and officer named, rate
and quota), so every refusal is the same for the same headers.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from django.db import OperationalError, connection, transaction

from dancu.core.audit import Actor, record
from dancu.core.models import ActorKind, AuditEntry, Outcome
from dancu.exchange import limits
from dancu.exchange.catalogue import SERVICES
from dancu.exchange.error_codes import ErrorCode, ExchangeError
from dancu.exchange.policy import PolicySnapshot, SystemEntry, policy_and_token

__all__ = [
    "FAILED",
    "HEADER_CLIENT",
    "HEADER_ISSUE",
    "HEADER_PURPOSE",
    "HEADER_USER",
    "LOCK_WAIT_MS",
    "OK",
    "REFUSED",
    "Call",
    "Served",
    "audit_call",
    "call_transaction",
    "encode_json",
    "open_call",
    "sha256_hex",
]

HEADER_CLIENT: Final = "X-Road-Client"
HEADER_USER: Final = "X-Road-UserId"
HEADER_ISSUE: Final = "X-Road-Issue"
#: Dancu's addition to the X-Road headers: the purpose code from the catalogue (legal basis).
HEADER_PURPOSE: Final = "X-Road-Purpose"

# X-Road-UserId: a country prefix then the officer's identifier (X-Road REST protocol §4.3).
_USER_ID = re.compile(r"^[A-Z]{2}[A-Za-z0-9._@:\-]{1,98}$")
_ISSUE = re.compile(r"^[\w./:\-]{1,60}$")
_PURPOSE = re.compile(r"^[A-Za-z0-9._\-]{1,60}$")


@dataclass(frozen=True, slots=True)
class Served:
    """A response a service produced and audited: its exact body and status."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"
    #: The problem code when ``status`` is an error (already audited by the service).
    code: str = ""


@dataclass(frozen=True, slots=True)
class Call:
    system: SystemEntry
    policy: PolicySnapshot
    service: str
    purpose: str
    officer: str
    dossier: str
    request_id: str

    @property
    def actor(self) -> Actor:
        return Actor(
            kind=ActorKind.MACHINE,
            id=self.system.client_id,
            on_behalf_of=self.officer,
            organisation=self.system.member_code,
        )


def open_call(
    *,
    client_id: str,
    service: str,
    xroad_client: str | None,
    token_id: str | None = None,
    user_id: str | None,
    purpose: str | None,
    issue: str | None,
    request_id: str,
) -> Call:
    """Check the caller (and that its token ``token_id`` is still unrevoked) and the X-Road
    headers of a call to ``service``; raise :class:`ExchangeError` on the first problem."""
    policy, token_live = policy_and_token(token_id)
    system = policy.systems_by_client.get(client_id)
    if system is None:
        raise ExchangeError(
            ErrorCode.ACCESS_DENIED,
            "Ứng dụng này không phải hệ thống thành viên của nền tảng trao đổi / this client is not an exchange member system",
        )
    if not system.active:
        raise ExchangeError(ErrorCode.CLIENT_SUSPENDED)
    if not token_live:
        raise ExchangeError(ErrorCode.UNAUTHENTICATED, "Mã truy cập đã bị thu hồi / the access token has been revoked")
    if not xroad_client:
        raise _missing(HEADER_CLIENT)
    if xroad_client.strip().strip("/") != system.xroad_id:
        raise ExchangeError(
            ErrorCode.CLIENT_MISMATCH,
            f"{HEADER_CLIENT} phải là {system.xroad_id} / {HEADER_CLIENT} must be {system.xroad_id}",
        )
    needs_purpose = SERVICES[service].needs_purpose if service in SERVICES else False
    officer = (user_id or "").strip()
    purpose_code = (purpose or "").strip()
    if needs_purpose:
        if not officer:
            raise _missing(HEADER_USER)
        if not _USER_ID.match(officer):
            raise _invalid(
                HEADER_USER,
                "mã quốc gia và mã cán bộ, ví dụ VN031… / a country prefix and the officer's id, e.g. VN031…",
            )
        if not purpose_code:
            raise _missing(HEADER_PURPOSE)
        if not _PURPOSE.match(purpose_code):
            raise _invalid(HEADER_PURPOSE, "mã mục đích trong danh mục / a purpose code from the catalogue")
    dossier = (issue or "").strip()
    if dossier and not _ISSUE.match(dossier):
        raise _invalid(HEADER_ISSUE, "tối đa 60 ký tự chữ, số, . / : - / at most 60 letters, digits, . / : -")
    limits.take(system)
    return Call(
        system=system,
        policy=policy,
        service=service,
        purpose=purpose_code,
        officer=officer,
        dossier=dossier,
        request_id=request_id,
    )


def _missing(header: str) -> ExchangeError:
    return ExchangeError(
        ErrorCode.MISSING_HEADER,
        f"Thiếu tiêu đề {header} / the {header} header is required",
        extra={"header": header},
    )


def _invalid(header: str, expected: str) -> ExchangeError:
    return ExchangeError(
        ErrorCode.INVALID_HEADER,
        f"Tiêu đề {header} không hợp lệ: cần {expected} / invalid {header}",
        extra={"header": header},
    )


#: How long a call waits for SQLite's write lock before answering 503 (PostgreSQL takes no lock
#: on this path: reads and appends only).
LOCK_WAIT_MS: Final = 2000

#: On SQLite the calls of one process take the single writer's lock one at a time, queueing here
#: in order. Left to SQLite's busy handler, the threads of a process poll for the lock with
#: sleeps of up to 100 ms, and a thread that just missed it waits longest: the tail grew with
#: the number of threads.
_sqlite_writer = threading.Lock()


@contextmanager
def call_transaction() -> Iterator[None]:
    """The transaction a call reads and audits in. On SQLite the wait for the single writer's
    lock is bounded, so an overloaded embedded database answers 503 instead of holding the
    caller for the connection's full busy timeout."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    started = time.monotonic()
    if not _sqlite_writer.acquire(timeout=LOCK_WAIT_MS / 1000):
        raise OperationalError("database is locked: the gateway's writers are queued beyond the wait limit")
    try:
        left = max(1, LOCK_WAIT_MS - int((time.monotonic() - started) * 1000))
        usual = int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {left}")
        try:
            with transaction.atomic():
                yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {usual}")
    finally:
        _sqlite_writer.release()


def encode_json(value: Any) -> bytes:
    """The exact bytes a response carries (and its audit entry hashes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def audit_call(
    call: Call,
    *,
    outcome: str,
    body: bytes,
    subject_personal_id: str = "",
    fields: Sequence[str] = (),
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write the call's audit entry (in the caller's transaction), bound to the response body
    by its SHA-256."""
    return record(
        action=f"exchange.{call.service}",
        actor=call.actor,
        outcome=outcome,
        subject_personal_id=subject_personal_id,
        purpose=call.purpose,
        dossier=call.dossier,
        fields=fields,
        details={"client": call.system.xroad_id, **(details or {})},
        response_hash=sha256_hex(body),
        request_id=call.request_id,
    )


OK: Final = Outcome.OK
REFUSED: Final = Outcome.REFUSED
FAILED: Final = Outcome.FAILED
