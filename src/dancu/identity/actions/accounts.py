"""Citizen e-ID accounts: self-registration (level 1), guardians, raising to level 2, locking.

The rules are those of Decree 69/2024/NĐ-CP (docs/standards/decree-69-2024.md): level 1 is
self-registered online from 14 years old with details that match the register and a phone
proven by a one-time code; under 14 a guardian with a level-2 account registers the child;
level 2 is issued by the police after checking the person in front of them, from 6 years old.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from dancu.core import audit
from dancu.core.access import OfficerRole
from dancu.core.audit import Actor
from dancu.core.text import exact_key
from dancu.identity import errors
from dancu.identity.actions.codes import check_verify_code, do_send_code, normalise_phone
from dancu.identity.actions.sessions import do_end_sessions_of_user
from dancu.identity.actions.tokens import do_revoke_tokens_of_user
from dancu.identity.actors import actor_of
from dancu.identity.errors import IdentityError
from dancu.identity.levels import MIN_AGE_LEVEL2, MIN_AGE_SELF_REGISTRATION, age_on
from dancu.identity.models import CodePurpose, EidLevel, LockReason, OneTimeCode, RegisteredVia, User, UserKind
from dancu.identity.passwords import PasswordPolicyError, check_password_policy
from dancu.registry.models import IdentityCard, Person, PersonStatus

__all__ = [
    "LevelEvidence",
    "check_complete_self_registration",
    "check_lock_by_authority",
    "check_lock_by_citizen",
    "check_raise_level",
    "check_register_ward",
    "check_set_password",
    "check_start_self_registration",
    "check_start_unlock_by_citizen",
    "check_unlock_by_authority",
    "check_unlock_by_citizen",
    "do_create_citizen_account",
    "do_lock_account",
    "do_lock_on_death",
    "do_unlock_account",
    "password_context",
]


def password_context(user: User | None = None, person: Person | None = None, phone: str = "") -> tuple[str, ...]:
    """Words a password must not be built from: the person's ID, phone, birth date and name."""
    person = person or (user.person if user is not None else None)
    words = [phone or (user.phone if user is not None else "")]
    if user is not None:
        words.append(user.username)
    if person is not None:
        birth = person.birth_date
        words += [person.personal_id, person.full_name, person.given_name, birth.strftime("%d%m%Y"), birth.isoformat()]
    return tuple(w for w in words if w)


def _policy(password: str, *, has_second_factor: bool, context: tuple[str, ...]) -> str:
    try:
        return check_password_policy(password, has_second_factor=has_second_factor, context=context)
    except PasswordPolicyError as exc:
        raise IdentityError(f"password_{exc.code}", exc.message) from exc


# --- level 1: online self-registration ---------------------------------------------------------


def check_start_self_registration(*, personal_id: str, full_name: str, birth_date: dt.date, phone: str) -> OneTimeCode:
    """Check the details against the register and send a code to ``phone``.

    A mismatch says only "does not match" (never which field), so the form cannot be used to
    probe the register.
    """
    phone = normalise_phone(phone)
    if not phone:
        raise IdentityError("invalid_phone", "Số điện thoại không hợp lệ / Invalid phone number")
    person = Person.objects.filter(personal_id=personal_id.strip()).first()
    if (
        person is None
        or exact_key(person.full_name) != exact_key(full_name)
        or person.birth_date != birth_date
        or normalise_phone(person.phone) != phone
    ):
        raise IdentityError("not_in_register", errors.NOT_IN_REGISTER)
    if person.status == PersonStatus.DECEASED:
        raise IdentityError("not_in_register", errors.NOT_IN_REGISTER)
    if User.objects.filter(person=person).exists():
        raise IdentityError("already_registered", errors.ALREADY_REGISTERED)
    if age_on(person.birth_date, timezone.localdate()) < MIN_AGE_SELF_REGISTRATION:
        raise IdentityError("too_young", errors.TOO_YOUNG_SELF)
    return do_send_code(CodePurpose.REGISTER, phone, person=person)


def check_complete_self_registration(*, code_id: str, code: str, password: str) -> User:
    """With the right code and an acceptable password, open the level-1 account."""
    try:
        pending = OneTimeCode.objects.select_related("person").get(pk=code_id, purpose=CodePurpose.REGISTER)
    except (OneTimeCode.DoesNotExist, ValueError):
        raise IdentityError("code_expired", errors.CODE_EXPIRED) from None
    person = pending.person
    if person is None:
        raise IdentityError("code_expired", errors.CODE_EXPIRED)
    # The password is checked before the code is spent, so a refused password can be retyped.
    value = _policy(password, has_second_factor=False, context=password_context(person=person, phone=pending.phone))
    otp = check_verify_code(code_id, code, CodePurpose.REGISTER)
    if User.objects.filter(person=person).exists():
        raise IdentityError("already_registered", errors.ALREADY_REGISTERED)
    return do_create_citizen_account(
        person,
        password=value,
        level=EidLevel.LEVEL1,
        via=RegisteredVia.SELF,
        phone=otp.phone,
        phone_verified=True,
        actor=Actor(kind="citizen", id=person.personal_id),
    )


def do_create_citizen_account(
    person: Person,
    *,
    password: str | None,
    level: int,
    via: str,
    phone: str,
    phone_verified: bool,
    actor: Actor,
    guardian: User | None = None,
) -> User:
    """Open a citizen account tied to ``person``; the username is the personal ID."""
    now = timezone.now()
    with transaction.atomic():
        user = User(
            username=person.personal_id,
            kind=UserKind.CITIZEN,
            display_name=person.full_name,
            person=person,
            eid_level=level,
            level_changed_at=now,
            registered_via=via,
            guardian=guardian,
            phone=phone,
            phone_verified_at=now if phone_verified else None,
            password_changed_at=now if password else None,
        )
        user.set_password(password)
        user.save()
        audit.record(
            action="identity.account_registered",
            actor=actor,
            subject_personal_id=person.personal_id,
            object_type="account",
            object_id=user.pk,
            details={"level": level, "via": via, "guardian": guardian.username if guardian else ""},
        )
    return user


def check_register_ward(guardian: User, child_personal_id: str, *, password: str | None = None) -> User:
    """A parent with a level-2 account opens a level-1 account for their child under 14.

    The child's account has no password of its own until the child is 14 and sets one; the
    guardian's phone receives its codes.
    """
    if not guardian.is_citizen or guardian.eid_level < EidLevel.LEVEL2 or guardian.person is None:
        raise IdentityError(
            "guardian_level2_required",
            "Người đại diện cần tài khoản định danh mức 2 / The guardian needs a level-2 account",
        )
    child = Person.objects.filter(personal_id=child_personal_id.strip()).first()
    parent = guardian.person
    if child is None or parent.pk not in (child.father_id, child.mother_id):
        raise IdentityError(
            "not_guardian",
            "Không phải con của bạn theo Cơ sở dữ liệu dân cư / The register does not show this child as yours",
        )
    if child.status == PersonStatus.DECEASED:
        raise IdentityError("deceased", errors.DECEASED)
    if age_on(child.birth_date, timezone.localdate()) >= MIN_AGE_SELF_REGISTRATION:
        raise IdentityError(
            "ward_too_old", "Từ đủ 14 tuổi, công dân tự đăng ký / From 14, citizens register by themselves"
        )
    if User.objects.filter(person=child).exists():
        raise IdentityError("already_registered", errors.ALREADY_REGISTERED)
    value = None
    if password:
        value = _policy(password, has_second_factor=False, context=password_context(person=child))
    return do_create_citizen_account(
        child,
        password=value,
        level=EidLevel.LEVEL1,
        via=RegisteredVia.GUARDIAN,
        phone=guardian.phone,
        phone_verified=guardian.phone_verified_at is not None,
        actor=actor_of(guardian),
        guardian=guardian,
    )


# --- level 2: in person, by the police ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelEvidence:
    """What the officer checked with the person in front of them (all required)."""

    card_number: str
    face_matches_card: bool
    fingerprints_match: bool
    guardian_present: bool = False
    note: str = ""

    def checked(self) -> list[str]:
        items = ["identity_card"]
        if self.face_matches_card:
            items.append("face")
        if self.fingerprints_match:
            items.append("fingerprints")
        if self.guardian_present:
            items.append("guardian_present")
        return items


def check_raise_level(officer: User, account: User, evidence: LevelEvidence) -> User:
    """A police registration officer raises a citizen's account to level 2 after checking the
    person's current ID card, face and fingerprints in person; audited with that evidence."""
    if not officer.is_officer or officer.officer_role != OfficerRole.POLICE_REGISTRATION or officer.is_locked:
        raise IdentityError("not_allowed", errors.NOT_ALLOWED)
    person = account.person
    if not account.is_citizen or person is None:
        raise IdentityError("not_citizen", "Không phải tài khoản công dân / Not a citizen account")
    if not officer.jurisdiction.covers(person.commune_code):
        raise IdentityError("out_of_jurisdiction", errors.OUT_OF_JURISDICTION)
    if account.is_locked:
        raise IdentityError("account_locked", errors.ACCOUNT_LOCKED)
    if account.eid_level >= EidLevel.LEVEL2:
        raise IdentityError("already_level2", "Tài khoản đã ở mức 2 / The account is already level 2")
    age = age_on(person.birth_date, timezone.localdate())
    if age < MIN_AGE_LEVEL2:
        raise IdentityError(
            "too_young_level2", "Tài khoản mức 2 cấp cho công dân từ đủ 6 tuổi / Level 2 is issued from 6 years old"
        )
    if age < MIN_AGE_SELF_REGISTRATION and not evidence.guardian_present:
        raise IdentityError(
            "guardian_required",
            "Dưới 14 tuổi cần có người đại diện hợp pháp đi cùng / Under 14, a guardian must be present",
        )
    if not (evidence.face_matches_card and evidence.fingerprints_match):
        raise IdentityError(
            "evidence_incomplete",
            "Cần đối chiếu khuôn mặt và vân tay / Face and fingerprints must both be checked",
        )
    card = IdentityCard.objects.filter(person=person, is_current=True, number=evidence.card_number.strip()).first()
    if card is None:
        raise IdentityError(
            "card_mismatch",
            "Số thẻ căn cước không khớp thẻ hiện hành của công dân / The card number is not the citizen's current card",
        )
    now = timezone.now()
    with transaction.atomic():
        previous = account.eid_level
        account.eid_level = EidLevel.LEVEL2
        account.level_changed_at = now
        account.save(update_fields=["eid_level", "level_changed_at"])
        audit.record(
            action="identity.level_raised",
            actor=actor_of(officer),
            subject_personal_id=person.personal_id,
            object_type="account",
            object_id=account.pk,
            details={
                "from": previous,
                "to": int(EidLevel.LEVEL2),
                "evidence": evidence.checked(),
                "card_kind": card.kind,
                "note": evidence.note[:300],
            },
        )
    return account


# --- locking -------------------------------------------------------------------------------------


def do_lock_account(account: User, *, reason: str, actor: Actor, note: str = "") -> bool:
    """Lock: no login, every session ended, every token revoked. False if already locked for
    this reason (locking is idempotent, so a redelivered death event changes nothing)."""
    if account.is_locked and account.lock_reason == reason:
        return False
    now = timezone.now()
    with transaction.atomic():
        account.locked_at = now
        account.lock_reason = reason
        account.lock_note = note[:300]
        account.is_active = False
        account.save(update_fields=["locked_at", "lock_reason", "lock_note", "is_active"])
        audit.record(
            action="identity.account_locked",
            actor=actor,
            subject_personal_id=account.person.personal_id if account.person is not None else "",
            object_type="account",
            object_id=account.pk,
            details={"reason": reason, "note": note[:300]},
        )
        do_end_sessions_of_user(account, reason="account_locked", actor=actor)
        do_revoke_tokens_of_user(account, reason="account_locked", actor=actor)
    return True


def do_unlock_account(account: User, *, actor: Actor, note: str = "") -> None:
    with transaction.atomic():
        previous = account.lock_reason
        account.locked_at = None
        account.lock_reason = ""
        account.lock_note = ""
        account.is_active = True
        account.save(update_fields=["locked_at", "lock_reason", "lock_note", "is_active"])
        audit.record(
            action="identity.account_unlocked",
            actor=actor,
            subject_personal_id=account.person.personal_id if account.person is not None else "",
            object_type="account",
            object_id=account.pk,
            details={"previous_reason": previous, "note": note[:300]},
        )


def check_lock_by_citizen(user: User) -> None:
    """The citizen locks their own account (a lost phone); they can unlock it with a code."""
    if not user.is_citizen:
        raise IdentityError("not_allowed", errors.NOT_ALLOWED)
    do_lock_account(user, reason=LockReason.SELF, actor=actor_of(user))


def _check_authority(officer: User, account: User) -> None:
    if not officer.is_officer or officer.officer_role != OfficerRole.POLICE_REGISTRATION or officer.is_locked:
        raise IdentityError("not_allowed", errors.NOT_ALLOWED)
    if account.person is None or not officer.jurisdiction.covers(account.person.commune_code):
        raise IdentityError("out_of_jurisdiction", errors.OUT_OF_JURISDICTION)


def check_lock_by_authority(officer: User, account: User, *, note: str) -> None:
    """A police officer locks an account; the reason is required and recorded."""
    _check_authority(officer, account)
    if not note.strip():
        raise IdentityError("reason_required", "Cần ghi rõ lý do / A reason is required")
    do_lock_account(account, reason=LockReason.AUTHORITY, actor=actor_of(officer), note=note.strip())


def check_unlock_by_authority(officer: User, account: User, *, note: str) -> None:
    """A police officer unlocks an account (never one locked because its holder died)."""
    _check_authority(officer, account)
    if not account.is_locked:
        raise IdentityError("not_locked", "Tài khoản không bị khóa / The account is not locked")
    if account.lock_reason == LockReason.DEATH:
        raise IdentityError("deceased", errors.DECEASED)
    if not note.strip():
        raise IdentityError("reason_required", "Cần ghi rõ lý do / A reason is required")
    do_unlock_account(account, actor=actor_of(officer), note=note.strip())


def check_start_unlock_by_citizen(account: User) -> OneTimeCode:
    """After a correct password on a self-locked account: send an unlock code to its phone."""
    if account.lock_reason != LockReason.SELF or not account.phone:
        raise IdentityError("account_locked", errors.ACCOUNT_LOCKED)
    return do_send_code(CodePurpose.UNLOCK, account.phone, user=account)


def check_unlock_by_citizen(code_id: str, code: str) -> User:
    """Unlock a self-locked account with the code sent to its phone."""
    otp = check_verify_code(code_id, code, CodePurpose.UNLOCK)
    account = otp.user
    if account is None or account.lock_reason != LockReason.SELF:
        raise IdentityError("account_locked", errors.ACCOUNT_LOCKED)
    do_unlock_account(account, actor=actor_of(account), note="unlocked with a code sent to the phone")
    return account


def do_lock_on_death(personal_id: str) -> bool:
    """Lock the account of a person who died (subscriber of ``registry.person_died``)."""
    account = User.objects.select_related("person").filter(person__personal_id=personal_id).first()
    if account is None:
        return False
    return do_lock_account(account, reason=LockReason.DEATH, actor=Actor.system("registry.person_died"))


# --- passwords ---------------------------------------------------------------------------------


def check_set_password(user: User, new_password: str, *, actor: Actor, has_second_factor: bool) -> None:
    """Set a new password after the policy check; other sessions are ended (the current one is
    kept by the view, which re-establishes it)."""
    value = _policy(new_password, has_second_factor=has_second_factor, context=password_context(user=user))
    with transaction.atomic():
        user.set_password(value)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        audit.record(action="identity.password_changed", actor=actor, object_type="account", object_id=user.pk)
