"""``usage``: who used a citizen's data, for the national portal (Estonia's Data Tracker
``findUsage``: newest first, paged, with the receiving organisation and system)."""

from __future__ import annotations

import datetime as dt

from django.db import DatabaseError

from dancu.exchange.calls import OK, Call, Served, audit_call, call_transaction, encode_json
from dancu.exchange.consent import require_consent
from dancu.exchange.error_codes import ErrorCode, ExchangeError
from dancu.exchange.policy import authorise
from dancu.exchange.queries import usage_of

__all__ = ["find_usage"]


def find_usage(
    call: Call,
    personal_id: str,
    *,
    start: dt.datetime | None,
    end: dt.datetime | None,
    offset: int,
    limit: int,
) -> Served:
    grant = authorise(
        call.policy, call.system, service=call.service, purpose=call.purpose, subject_personal_id=personal_id
    )
    try:
        with call_transaction():
            if grant.requires_consent:
                require_consent(
                    member_id=call.system.member_id,
                    purpose_id=call.policy.purposes[call.purpose].id,
                    personal_id=personal_id,
                    fields=(),
                )
            page = usage_of(personal_id, start=start, end=end, offset=offset, limit=limit)
            body = encode_json(
                {
                    "totalUsages": page.total,
                    "usages": [
                        {
                            "logtime": u.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
                            "action": u.action_label,
                            "receiverCode": u.organisation_code,
                            "receiverName": u.organisation_name,
                            "receiverSystem": u.system_name,
                            "officer": u.officer,
                            "purpose": u.purpose_code,
                            "fields": list(u.fields),
                            "outcome": u.outcome,
                        }
                        for u in page.items
                    ],
                }
            )
            audit_call(call, outcome=OK, body=body, subject_personal_id=personal_id, details={"version": "v1"})
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return Served(body)
