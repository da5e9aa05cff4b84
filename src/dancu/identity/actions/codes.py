"""One-time codes sent by SMS: to prove a phone at registration, to step up, to unlock."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dancu.identity import errors
from dancu.identity.errors import IdentityError
from dancu.identity.models import CodePurpose, OneTimeCode, User
from dancu.identity.sms import get_sender
from dancu.registry.models import Person

__all__ = [
    "CODE_LIFETIME",
    "MAX_ATTEMPTS",
    "check_verify_code",
    "do_send_code",
    "mask_phone",
    "normalise_phone",
]

CODE_LIFETIME = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
# At most this many codes per phone per hour, and one per RESEND_GAP for the same purpose (a
# registration code followed at once by a step-up code is normal; the same code asked for
# again and again is not).
MAX_PER_HOUR = 5
RESEND_GAP = dt.timedelta(seconds=30)
_PHONE = re.compile(r"^0[1-9][0-9]{8,9}$")
_MESSAGES = {
    CodePurpose.REGISTER: "Ma xac thuc dang ky tai khoan dinh danh Dancu: {code}. Het han sau 5 phut. Khong chia se ma nay.",
    CodePurpose.STEP_UP: "Ma xac thuc dang nhap Dancu: {code}. Het han sau 5 phut. Khong chia se ma nay.",
    CodePurpose.UNLOCK: "Ma mo khoa tai khoan Dancu: {code}. Het han sau 5 phut. Khong chia se ma nay.",
    CodePurpose.PHONE_CHANGE: "Ma xac nhan so dien thoai moi Dancu: {code}. Het han sau 5 phut.",
}


def normalise_phone(phone: str) -> str:
    """A Vietnamese phone number in national form ("+84 912 345 678" -> "0912345678"), or ""."""
    digits = re.sub(r"[^0-9+]", "", phone)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _PHONE.match(digits) else ""


def mask_phone(phone: str) -> str:
    """ "0912345678" -> "091****678": enough for the person to recognise, not to harvest."""
    return phone[:3] + "*" * max(len(phone) - 6, 0) + phone[-3:] if len(phone) > 6 else "***"


def _hash(code_id: uuid.UUID, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def do_send_code(purpose: str, phone: str, *, user: User | None = None, person: Person | None = None) -> OneTimeCode:
    """Create a code for ``phone`` and send it; refuse when the phone asked for too many."""
    now = timezone.now()
    recent = OneTimeCode.objects.filter(phone=phone, created_at__gt=now - dt.timedelta(hours=1))
    if recent.count() >= MAX_PER_HOUR or recent.filter(purpose=purpose, created_at__gt=now - RESEND_GAP).exists():
        raise IdentityError("code_rate_limited", errors.CODE_RATE)
    code = f"{secrets.randbelow(1_000_000):06d}"
    otp = OneTimeCode(
        purpose=purpose, phone=phone, user=user, person=person, created_at=now, expires_at=now + CODE_LIFETIME
    )
    otp.code_hash = _hash(otp.id, code)
    otp.save()
    message = _MESSAGES[CodePurpose(purpose)].format(code=code)
    # The message leaves only if the transaction that created the code commits.
    transaction.on_commit(lambda: get_sender().send(phone, message))
    return otp


def check_verify_code(code_id: str | uuid.UUID, code: str, purpose: str) -> OneTimeCode:
    """Consume the code if ``code`` is right; count the attempt otherwise.

    Raises ``code_expired`` (unknown, used or expired), ``code_too_many`` or ``code_wrong``.
    """
    now = timezone.now()
    try:
        otp = OneTimeCode.objects.get(pk=code_id, purpose=purpose)
    except (OneTimeCode.DoesNotExist, ValueError, TypeError):
        raise IdentityError("code_expired", errors.CODE_EXPIRED) from None
    if otp.consumed_at is not None or otp.expires_at <= now:
        raise IdentityError("code_expired", errors.CODE_EXPIRED)
    if otp.attempts >= MAX_ATTEMPTS:
        raise IdentityError("code_too_many", errors.CODE_TOO_MANY)
    if not hmac.compare_digest(otp.code_hash, _hash(otp.id, code.strip())):
        # Callers verify in autocommit mode, so the count survives the refusal.
        OneTimeCode.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
        raise IdentityError("code_wrong", errors.CODE_WRONG)
    # Single use even under concurrency: only one request can flip consumed_at.
    if not OneTimeCode.objects.filter(pk=otp.pk, consumed_at__isnull=True).update(consumed_at=now):
        raise IdentityError("code_expired", errors.CODE_EXPIRED)
    otp.consumed_at = now
    return otp
