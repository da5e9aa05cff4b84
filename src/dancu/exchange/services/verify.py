"""``verify`` and ``batch-verify``: per-field yes/no answers about a person, no data returned.

Comparison rules (the same for one record, a batch and a file job):

- ``full_name``: ``exact`` ignores case, Unicode form, spacing and where the tone mark was typed
  ("Hoà" = "Hòa", but "Hùng" ≠ "Hưng"); ``folded`` also ignores every diacritic ("Nguyen Thi
  Thuy" = "Nguyễn Thị Thủy").
- ``birth_date``: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, compared at the coarser of the given
  precision and the register's (a person registered with a year of birth only matches on the year).
- ``sex``: ``male`` / ``female``.
- ``permanent_address``: the current commune code and/or the address line (diacritic- and
  punctuation-insensitive) of the active permanent residence; both must match when both are given.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import DatabaseError
from django.utils import timezone

from dancu.core.audit import record_many
from dancu.core.text import exact_key, fold
from dancu.exchange.calls import OK, REFUSED, Call, Served, audit_call, call_transaction, encode_json, sha256_hex
from dancu.exchange.consent import require_consent
from dancu.exchange.error_codes import ErrorCode, ExchangeError
from dancu.exchange.models import ConsentRecord, ConsentState
from dancu.exchange.person_data import VerifyRow, fetch_for_verify, permanent_residences
from dancu.exchange.policy import authorise
from dancu.registry.models import DatePrecision, Residence

__all__ = ["NAME_MATCHES", "VerifyQuery", "compare", "verify_many", "verify_one"]

NAME_MATCHES: Final = ("exact", "folded")
_LEVEL: Final = {DatePrecision.YEAR: 1, DatePrecision.MONTH: 2, DatePrecision.DAY: 3}
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class VerifyQuery:
    """What a caller claims about a person; ``None`` means "not asked"."""

    personal_id: str
    full_name: str | None = None
    birth_date: str | None = None
    sex: str | None = None
    commune_code: str | None = None
    address_line: str | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        asked = []
        if self.full_name is not None:
            asked.append("full_name")
        if self.birth_date is not None:
            asked.append("birth_date")
        if self.sex is not None:
            asked.append("sex")
        if self.commune_code is not None or self.address_line is not None:
            asked.append("permanent_address")
        return tuple(asked)


def _name_matches(given: str, row: VerifyRow, name_match: str) -> bool:
    if name_match == "folded":
        return fold(given) == (row.name_key or fold(row.full_name))
    return exact_key(given) == exact_key(row.full_name)


def _date_matches(given: str, value: dt.date, precision: str) -> bool:
    parts = [int(p) for p in given.split("-")]
    level = min(len(parts), _LEVEL.get(DatePrecision(precision), 3))
    return parts[:level] == [value.year, value.month, value.day][:level]


def _address_key(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def compare(query: VerifyQuery, row: VerifyRow | None, residence: Residence | None, name_match: str) -> dict[str, bool]:
    """Per asked field, whether the register agrees (all False when the person is unknown)."""
    if row is None:
        return dict.fromkeys(query.fields, False)
    matches: dict[str, bool] = {}
    if query.full_name is not None:
        matches["full_name"] = _name_matches(query.full_name, row, name_match)
    if query.birth_date is not None:
        matches["birth_date"] = _date_matches(query.birth_date, row.birth_date, row.birth_precision)
    if query.sex is not None:
        matches["sex"] = query.sex == row.sex
    if query.commune_code is not None or query.address_line is not None:
        ok = True
        if query.commune_code is not None:
            registered = residence.commune_code if residence is not None else row.commune_code
            ok = query.commune_code.strip() == registered
        if ok and query.address_line is not None:
            ok = residence is not None and _address_key(query.address_line) == _address_key(residence.address_line)
        matches["permanent_address"] = ok
    return matches


def _result(query: VerifyQuery, row: VerifyRow | None, matches: dict[str, bool]) -> dict[str, Any]:
    found = row is not None
    status = found and all(matches.values())
    if not found:
        message = "Không tìm thấy số định danh / Personal ID not found"
    elif status:
        message = "Thông tin khớp với cơ sở dữ liệu dân cư / Matches the population register"
    else:
        message = "Thông tin không khớp với cơ sở dữ liệu dân cư / Does not match the population register"
    return {
        "personal_id": query.personal_id,
        "found": found,
        "matches": matches,
        "answer": {"status": status, "message": message},
    }


def verify_one(call: Call, query: VerifyQuery, *, name_match: str = "exact") -> Served:
    """Answer one ``verify`` call and audit it; return the response body."""
    grant = authorise(
        call.policy,
        call.system,
        service=call.service,
        purpose=call.purpose,
        fields=query.fields,
        subject_personal_id=query.personal_id,
    )
    try:
        with call_transaction():
            if grant.requires_consent:
                require_consent(
                    member_id=call.system.member_id,
                    purpose_id=call.policy.purposes[call.purpose].id,
                    personal_id=query.personal_id,
                    fields=query.fields,
                )
            row = fetch_for_verify([query.personal_id]).get(query.personal_id)
            residence = None
            if row is not None and query.address_line is not None:
                residence = permanent_residences([row.pk]).get(row.pk)
            body = encode_json(_result(query, row, compare(query, row, residence, name_match)))
            audit_call(
                call,
                outcome=OK,
                body=body,
                subject_personal_id=query.personal_id,
                fields=query.fields,
                details={"version": "v1", "name_match": name_match},
            )
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return Served(body)


def verify_many(
    call: Call,
    queries: Sequence[VerifyQuery],
    *,
    name_match: str = "exact",
    job_id: str = "",
) -> tuple[bytes, list[dict[str, Any]]]:
    """Answer a batch: one read per 900 persons, one audit entry per record, one transaction.

    Records the citizen has not consented to (when the grant requires consent) are refused one
    by one, with their own refused audit entries. Returns the JSON body and the result items.
    """
    asked = sorted({f for q in queries for f in q.fields})
    grant = authorise(call.policy, call.system, service=call.service, purpose=call.purpose, fields=asked)
    now = timezone.now()
    try:
        with call_transaction():
            refused: set[str] = set()
            if grant.requires_consent:
                refused = _without_consent(call, queries, now)
            rows = fetch_for_verify([q.personal_id for q in queries if q.personal_id not in refused])
            need_address = [
                rows[q.personal_id].pk for q in queries if q.address_line is not None and q.personal_id in rows
            ]
            residences = permanent_residences(need_address) if need_address else {}
            results: list[dict[str, Any]] = []
            for query in queries:
                if query.personal_id in refused:
                    results.append(
                        {
                            "personal_id": query.personal_id,
                            "found": False,
                            "matches": {},
                            "answer": {
                                "status": False,
                                "message": "Cần sự đồng ý của công dân / The citizen's consent is required",
                            },
                            "refused": ErrorCode.CONSENT_REQUIRED.value,
                        }
                    )
                    continue
                row = rows.get(query.personal_id)
                residence = residences.get(row.pk) if row is not None else None
                results.append(_result(query, row, compare(query, row, residence, name_match)))
            body = encode_json({"results": results})
            digest = sha256_hex(body)
            details: dict[str, Any] = {"client": call.system.xroad_id, "version": "v1", "name_match": name_match}
            if job_id:
                details["job"] = job_id
            record_many(
                {
                    "action": f"exchange.{call.service}",
                    "actor": call.actor,
                    "outcome": REFUSED if "refused" in item else OK,
                    "subject_personal_id": query.personal_id,
                    "purpose": call.purpose,
                    "dossier": call.dossier,
                    "fields": list(query.fields),
                    "details": {**details, "index": index},
                    "response_hash": digest,
                    "request_id": call.request_id,
                }
                for index, (query, item) in enumerate(zip(queries, results, strict=True))
            )
    except DatabaseError as exc:
        raise ExchangeError(ErrorCode.AUDIT_UNAVAILABLE, retry_after=1) from exc
    return body, results


def _without_consent(call: Call, queries: Sequence[VerifyQuery], now: dt.datetime) -> set[str]:
    purpose_id = call.policy.purposes[call.purpose].id
    ids = list({q.personal_id for q in queries})
    records: dict[str, ConsentRecord] = {}
    for start in range(0, len(ids), 900):
        for consent in ConsentRecord.objects.filter(
            member_id=call.system.member_id, purpose_id=purpose_id, personal_id__in=ids[start : start + 900]
        ).only("personal_id", "state", "valid_until", "fields"):
            records[consent.personal_id] = consent
    refused = set()
    for query in queries:
        found = records.get(query.personal_id)
        if (
            found is None
            or found.state != ConsentState.GIVEN
            or (found.valid_until is not None and found.valid_until <= now)
            or not set(query.fields) <= set(found.fields)
        ):
            refused.add(query.personal_id)
    return refused
