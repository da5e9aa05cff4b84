"""Per-system rate limits (calls per minute) and quotas (calls per day).

The counters live in the database (:class:`~dancu.exchange.models.Allowance`) so that every web
process draws from the same allowance; a process leases a slice of it at a time (about 2 % of the
window's limit) and spends the slice in memory. The hot path therefore writes to the database
once per slice, not once per call. Leased calls a process does not spend before the window ends
are lost, which errs on the strict side; the limit is never exceeded.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Final

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dancu.exchange.error_codes import ErrorCode, ExchangeError
from dancu.exchange.models import Allowance
from dancu.exchange.policy import SystemEntry

__all__ = ["reset_leases", "take"]

MINUTE: Final = "minute"
DAY: Final = "day"
_SECONDS: Final = {MINUTE: 60, DAY: 86_400}


@dataclass(slots=True)
class _Lease:
    window_start: dt.datetime
    limit: int
    remaining: int


_lock = threading.Lock()
_leases: dict[tuple[int, str], _Lease] = {}


def reset_leases() -> None:
    """Forget this process's leases (tests, and after an administrator changes a limit)."""
    with _lock:
        _leases.clear()


def _window_start(now: dt.datetime, period: str) -> dt.datetime:
    if period == MINUTE:
        return now.replace(second=0, microsecond=0)
    # Quotas follow the local calendar day (Asia/Ho_Chi_Minh), as operators count them.
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def take(system: SystemEntry, *, now: dt.datetime | None = None) -> None:
    """Spend one call of ``system``'s rate and quota; raise 429 when either is used up and 503
    when the counters cannot be reached."""
    at = now or timezone.now()
    _take_one(system.id, MINUTE, system.rate_per_minute, at)
    _take_one(system.id, DAY, system.quota_per_day, at)


def _take_one(system_id: int, period: str, limit: int, now: dt.datetime) -> None:
    start = _window_start(now, period)
    key = (system_id, period)
    with _lock:
        lease = _leases.get(key)
        if lease is not None and lease.window_start == start and lease.limit == limit and lease.remaining > 0:
            lease.remaining -= 1
            return
    granted = _lease(system_id, period, start, limit)
    if granted <= 0:
        end = start + dt.timedelta(seconds=_SECONDS[period])
        retry_after = max(1, int((end - now).total_seconds()) + 1)
        code = ErrorCode.RATE_LIMITED if period == MINUTE else ErrorCode.QUOTA_EXCEEDED
        raise ExchangeError(
            code,
            f"Đã dùng hết {limit} lượt/{'phút' if period == MINUTE else 'ngày'}, thử lại sau {retry_after} giây / "
            f"all {limit} calls per {period} used, retry in {retry_after} s",
            retry_after=retry_after,
        )
    with _lock:
        _leases[key] = _Lease(window_start=start, limit=limit, remaining=granted - 1)


def _lease(system_id: int, period: str, start: dt.datetime, limit: int) -> int:
    """Draw up to a slice of the window's allowance from the database; return how many calls."""
    wanted = max(1, limit // 50)
    for _ in range(3):
        try:
            with transaction.atomic():
                row = (
                    Allowance.objects.select_for_update()
                    .filter(system_id=system_id, period=period, window_start=start)
                    .values_list("pk", "used")
                    .first()
                )
                if row is None:
                    granted = min(wanted, limit)
                    Allowance.objects.create(system_id=system_id, period=period, window_start=start, used=granted)
                    return granted
                pk, used = row
                granted = max(0, min(wanted, limit - used))
                if granted:
                    Allowance.objects.filter(pk=pk).update(used=F("used") + granted)
                return granted
        except IntegrityError:
            continue  # another process created the window's row first: read it again
        except DatabaseError as exc:
            raise ExchangeError(ErrorCode.OVERLOADED, retry_after=1) from exc
    raise ExchangeError(ErrorCode.OVERLOADED, retry_after=1)
