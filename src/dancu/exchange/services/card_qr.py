"""``card-qr``: is this chip ID card's QR consistent with the register, and is the card current?"""

from __future__ import annotations

from django.db import DatabaseError
from django.utils import timezone

from dancu.exchange.calls import OK, Call, Served, audit_call, call_transaction, encode_json
from dancu.exchange.card_qr import CardQrError, parse_card_qr
from dancu.exchange.consent import require_consent
from dancu.exchange.error_codes import ErrorCode, ExchangeError
from dancu.exchange.person_data import fetch_for_verify
from dancu.exchange.policy import authorise
from dancu.exchange.services.verify import VerifyQuery, compare
from dancu.registry.models import IdentityCard

__all__ = ["CHECKED_FIELDS", "verify_card_qr"]

CHECKED_FIELDS = ("full_name", "birth_date", "sex", "card")


def verify_card_qr(call: Call, qr: str) -> Served:
    """Compare the QR's name, birth date and sex with the register and look for the card it
    claims (same issue date, still current)."""
    grant = authorise(call.policy, call.system, service=call.service, purpose=call.purpose, fields=CHECKED_FIELDS)
    try:
        card = parse_card_qr(qr)
    except CardQrError as exc:
        raise ExchangeError(ErrorCode.INVALID_REQUEST, str(exc), extra={"reason": exc.reason}) from None
    query = VerifyQuery(
        personal_id=card.personal_id,
        full_name=card.full_name,
        birth_date=card.birth_date.isoformat(),
        sex=card.sex,
    )
    try:
        with call_transaction():
            if grant.requires_consent:
                require_consent(
                    member_id=call.system.member_id,
                    purpose_id=call.policy.purposes[call.purpose].id,
                    personal_id=card.personal_id,
                    fields=CHECKED_FIELDS,
                )
            row = fetch_for_verify([card.personal_id]).get(card.personal_id)
            matches = compare(query, row, None, "exact")
            card_found = False
            card_current = False
            if row is not None:
                issued = (
                    IdentityCard.objects.filter(person_id=row.pk, issued_on=card.issued_on)
                    .order_by("-is_current")
                    .values_list("is_current", "expires_on")
                    .first()
                )
                if issued is not None:
                    card_found = True
                    is_current, expires_on = issued
                    card_current = bool(is_current) and (expires_on is None or expires_on >= timezone.localdate())
            matches["card"] = card_found
            status = row is not None and all(matches.values()) and card_current
            if row is None:
                message = "Không tìm thấy số định danh / Personal ID not found"
            elif status:
                message = "Thẻ hợp lệ và khớp với cơ sở dữ liệu dân cư / Card valid and matching the register"
            elif not card_current and card_found:
                message = "Thẻ không còn hiệu lực / The card is no longer valid"
            else:
                message = "Thông tin trên thẻ không khớp / The card does not match the register"
            body = encode_json(
                {
                    "personal_id": card.personal_id,
                    "found": row is not None,
                    "matches": matches,
                    "card_current": card_current,
                    "answer": {"status": status, "message": message},
                }
            )
            audit_call(
                call,
                outcome=OK,
                body=body,
                subject_personal_id=card.personal_id,
                fields=CHECKED_FIELDS,
                details={"version": "v1"},
            )
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return Served(body)
