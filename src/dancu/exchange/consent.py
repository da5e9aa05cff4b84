"""Consent as the gateway checks it, and the evidence form of a consent record (its ISO/IEC TS
27560 snapshot and the SHA-256 hash chained from one version to the next)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from dancu.exchange.error_codes import ErrorCode, ExchangeError
from dancu.exchange.models import ConsentRecord, ConsentState

__all__ = ["GENESIS", "hash_snapshot", "require_consent", "snapshot_of"]

GENESIS = "0" * 64


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def snapshot_of(record: ConsentRecord) -> dict[str, Any]:
    """The record as ISO/IEC TS 27560 names its parts: notice, processing, event state."""
    return {
        "record_id": str(record.record_id),
        "version": record.version,
        "data_subject": record.personal_id,
        "notice": {"url": record.notice_url, "language": record.notice_language},
        "processing": {
            "purpose": record.purpose.code,
            "purpose_title": record.purpose.title,
            "legal_basis": record.purpose.lawful_basis,
            "data_categories": sorted(record.fields),
            "controller": {"member_class": record.member.member_class, "member_code": record.member.code},
            "recipient": record.member.name,
            "withdrawal_method": record.withdrawal_method,
            "jurisdiction": record.jurisdiction,
        },
        "state": record.state,
        "given_at": _iso(record.given_at),
        "withdrawn_at": _iso(record.withdrawn_at),
        "valid_until": _iso(record.valid_until),
        "method": record.method,
        "expressed_by": record.expressed_by,
    }


def hash_snapshot(snapshot: dict[str, Any], prev_hash: str) -> str:
    body = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(prev_hash.encode() + body.encode()).hexdigest()


def require_consent(
    *, member_id: int, purpose_id: int, personal_id: str, fields: Iterable[str], now: dt.datetime | None = None
) -> None:
    """Raise ``consent_required`` unless the citizen's consent to this member and purpose is
    given, unexpired and covers ``fields``."""
    record = (
        ConsentRecord.objects.filter(personal_id=personal_id, member_id=member_id, purpose_id=purpose_id)
        .only("state", "valid_until", "fields")
        .first()
    )
    at = now or timezone.now()
    if record is None:
        vi, en = "công dân chưa đồng ý", "the citizen has not given consent"
    elif record.state == ConsentState.WITHDRAWN:
        vi, en = "công dân đã rút lại sự đồng ý", "the citizen has withdrawn consent"
    elif record.valid_until is not None and record.valid_until <= at:
        until = timezone.localtime(record.valid_until).strftime("%d/%m/%Y")
        vi, en = f"sự đồng ý đã hết hạn ngày {until}", f"consent expired on {until}"
    else:
        missing = sorted(set(fields) - set(record.fields))
        if not missing:
            return
        names = ", ".join(missing)
        vi, en = f"sự đồng ý không bao gồm {names}", f"consent does not cover {names}"
    raise ExchangeError(
        ErrorCode.CONSENT_REQUIRED,
        f"Cần sự đồng ý của công dân: {vi} / The citizen's consent is required: {en}",
        subject_personal_id=personal_id,
    )
