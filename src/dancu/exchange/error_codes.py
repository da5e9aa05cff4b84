"""The gateway's refusals, each with a stable code, an HTTP status and a bilingual title.

Domain code raises :class:`ExchangeError`; the API turns it into an RFC 9457 problem document
(``application/problem+json``) whose ``code`` member callers can rely on across versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

__all__ = ["PROBLEM_BASE", "ErrorCode", "ExchangeError", "problem_of"]

PROBLEM_BASE: Final = "https://dancu.vn/problems/"


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "unauthenticated"
    MISSING_HEADER = "missing_header"
    INVALID_HEADER = "invalid_header"
    CLIENT_MISMATCH = "client_mismatch"
    CLIENT_SUSPENDED = "client_suspended"
    UNKNOWN_PURPOSE = "unknown_purpose"
    INVALID_REQUEST = "invalid_request"
    ACCESS_DENIED = "access_denied"
    FIELD_NOT_GRANTED = "field_not_granted"
    CONSENT_REQUIRED = "consent_required"
    PERSON_NOT_FOUND = "person_not_found"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    QUOTA_EXCEEDED = "quota_exceeded"
    OVERLOADED = "overloaded"
    AUDIT_UNAVAILABLE = "audit_unavailable"


@dataclass(frozen=True, slots=True)
class _Kind:
    status: int
    title: str


_KINDS: Final[dict[ErrorCode, _Kind]] = {
    ErrorCode.UNAUTHENTICATED: _Kind(401, "Chưa xác thực hệ thống / Client not authenticated"),
    ErrorCode.MISSING_HEADER: _Kind(400, "Thiếu tiêu đề bắt buộc / Missing required header"),
    ErrorCode.INVALID_HEADER: _Kind(400, "Tiêu đề không hợp lệ / Invalid header"),
    ErrorCode.CLIENT_MISMATCH: _Kind(
        403, "X-Road-Client không khớp với hệ thống đã xác thực / X-Road-Client does not match the authenticated system"
    ),
    ErrorCode.CLIENT_SUSPENDED: _Kind(403, "Hệ thống đã bị tạm dừng kết nối / Client system is suspended"),
    ErrorCode.UNKNOWN_PURPOSE: _Kind(400, "Mục đích không có trong danh mục / Purpose not in the catalogue"),
    ErrorCode.INVALID_REQUEST: _Kind(400, "Yêu cầu không hợp lệ / Invalid request"),
    ErrorCode.ACCESS_DENIED: _Kind(
        403, "Không được cấp quyền cho dịch vụ và mục đích này / No access granted for this service and purpose"
    ),
    ErrorCode.FIELD_NOT_GRANTED: _Kind(403, "Trường dữ liệu chưa được cấp quyền / Field not granted"),
    ErrorCode.CONSENT_REQUIRED: _Kind(403, "Cần sự đồng ý của công dân / The citizen's consent is required"),
    ErrorCode.PERSON_NOT_FOUND: _Kind(404, "Không tìm thấy công dân / Person not found"),
    ErrorCode.NOT_FOUND: _Kind(404, "Không tìm thấy / Not found"),
    ErrorCode.METHOD_NOT_ALLOWED: _Kind(405, "Phương thức không được hỗ trợ / Method not allowed"),
    ErrorCode.CONFLICT: _Kind(409, "Xung đột trạng thái / Conflict"),
    ErrorCode.RATE_LIMITED: _Kind(429, "Vượt quá tần suất cho phép / Rate limit exceeded"),
    ErrorCode.QUOTA_EXCEEDED: _Kind(429, "Vượt quá hạn mức trong ngày / Daily quota exceeded"),
    ErrorCode.OVERLOADED: _Kind(503, "Hệ thống đang quá tải, vui lòng thử lại / Service overloaded, retry later"),
    ErrorCode.AUDIT_UNAVAILABLE: _Kind(
        503, "Không ghi được nhật ký, không trả dữ liệu / Audit log unavailable, no data returned"
    ),
}


class ExchangeError(Exception):
    """A refusal: ``code`` is stable; ``detail`` says what, in Vietnamese then English.

    ``subject_personal_id`` is set when the refused call named a person, so the refusal shows in
    that citizen's "who used my data"; ``retry_after`` (seconds) becomes a ``Retry-After`` header.
    """

    def __init__(
        self,
        code: ErrorCode,
        detail: str = "",
        *,
        subject_personal_id: str = "",
        retry_after: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.detail = detail or _KINDS[code].title
        self.subject_personal_id = subject_personal_id
        self.retry_after = retry_after
        self.extra = extra or {}
        super().__init__(f"{code}: {self.detail}")

    @property
    def status(self) -> int:
        return _KINDS[self.code].status

    @property
    def title(self) -> str:
        return _KINDS[self.code].title


def problem_of(error: ExchangeError, *, instance: str = "") -> dict[str, Any]:
    """The RFC 9457 problem document of ``error``; ``instance`` is the request id."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + error.code.value,
        "title": error.title,
        "status": error.status,
        "code": error.code.value,
        "detail": error.detail,
    }
    if instance:
        body["instance"] = f"urn:x-road-id:{instance}"
    body.update(error.extra)
    return body
