"""Authenticator apps (TOTP, RFC 6238): enrolment, confirmation and verification."""

from __future__ import annotations

import time

import pyotp
from django.db import transaction
from django.utils import timezone

from dancu.core import audit
from dancu.identity.actors import actor_of
from dancu.identity.errors import CODE_WRONG, IdentityError
from dancu.identity.models import TotpDevice, User

__all__ = ["ISSUER_NAME", "check_confirm_totp", "do_start_totp_enrolment", "provisioning_uri", "verify_totp"]

ISSUER_NAME = "Dancu"
STEP = 30


def do_start_totp_enrolment(user: User) -> TotpDevice:
    """A new, unconfirmed authenticator secret for ``user`` (replacing an unconfirmed one).

    A confirmed authenticator is replaced only through re-authentication (the view checks it),
    and stays in force until the new one is confirmed.
    """
    device, _ = TotpDevice.objects.get_or_create(user=user, defaults={"secret": pyotp.random_base32(32)})
    if device.confirmed_at is None:
        device.secret = pyotp.random_base32(32)
        device.last_step = 0
        device.save(update_fields=["secret", "last_step"])
    return device


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` URI an authenticator app scans (shown as a QR code)."""
    return pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=user.username, issuer_name=ISSUER_NAME)


def _matching_step(secret: str, code: str, last_step: int) -> int | None:
    """The time step ``code`` belongs to (now, or one step either side for clock drift), if it
    is later than the last one accepted."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    now_step = int(time.time()) // STEP
    for step in (now_step, now_step - 1, now_step + 1):
        if step > last_step and totp.generate_otp(step) == code:
            return step
    return None


def verify_totp(user: User, code: str, *, pending: bool = False) -> bool:
    """True when ``code`` is valid for the user's authenticator and not used before.

    ``pending=True`` checks the not-yet-confirmed secret during enrolment.
    """
    device = TotpDevice.objects.filter(user=user).first()
    if device is None or (device.confirmed_at is None) != pending:
        return False
    step = _matching_step(device.secret, code, device.last_step)
    if step is None:
        return False
    # Replay protection (RFC 6238 §5.2): only one request can move last_step forward to it.
    return bool(TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step))


def check_confirm_totp(user: User, code: str) -> TotpDevice:
    """Confirm the enrolment with a first valid code."""
    if not verify_totp(user, code, pending=True):
        raise IdentityError("totp_wrong", CODE_WRONG)
    with transaction.atomic():
        device = TotpDevice.objects.get(user=user)
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at"])
        audit.record(action="identity.totp_enrolled", actor=actor_of(user), object_type="account", object_id=user.pk)
    return device
