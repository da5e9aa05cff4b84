"""``read``: the fields the policy grants this system for this purpose, nothing more."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DatabaseError

from dancu.exchange.calls import FAILED, OK, Call, Served, audit_call, call_transaction, encode_json
from dancu.exchange.consent import require_consent
from dancu.exchange.error_codes import ErrorCode, ExchangeError, problem_of
from dancu.exchange.person_data import read_fields
from dancu.exchange.policy import authorise

__all__ = ["read_person"]


def read_person(call: Call, personal_id: str, fields: Sequence[str] | None) -> Served:
    """Answer a ``read`` call: ``fields`` (default: every granted field) of one person.

    Asking for a field the grant does not hold is refused as a whole (``field_not_granted``),
    so a caller never mistakes a withheld field for an empty one. An unknown personal ID is a
    404 problem, audited as a failed read in the same transaction as the lookup.
    """
    grant = authorise(
        call.policy,
        call.system,
        service=call.service,
        purpose=call.purpose,
        fields=fields or (),
        subject_personal_id=personal_id,
    )
    released = sorted(set(fields) if fields else grant.fields)
    try:
        with call_transaction():
            if grant.requires_consent:
                require_consent(
                    member_id=call.system.member_id,
                    purpose_id=call.policy.purposes[call.purpose].id,
                    personal_id=personal_id,
                    fields=released,
                )
            data = read_fields(personal_id, released)
            if data is None:
                error = ExchangeError(
                    ErrorCode.PERSON_NOT_FOUND,
                    "Không có công dân mang số định danh này / No person has this personal ID",
                )
                body = encode_json(problem_of(error, instance=call.request_id))
                audit_call(
                    call,
                    outcome=FAILED,
                    body=body,
                    subject_personal_id=personal_id,
                    details={"version": "v1", "code": error.code.value},
                )
                return Served(body, status=error.status, content_type="application/problem+json", code=error.code.value)
            body = encode_json({"personal_id": personal_id, "data": data})
            audit_call(
                call, outcome=OK, body=body, subject_personal_id=personal_id, fields=released, details={"version": "v1"}
            )
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return Served(body)
