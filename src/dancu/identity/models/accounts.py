"""Accounts: citizens' e-ID accounts (levels 1 and 2, Decree 69/2024), officers and administrators."""

from __future__ import annotations

import secrets
import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dancu.core.access import Jurisdiction, OfficerRole


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    OFFICER = "officer", _("Cán bộ")
    ADMIN = "admin", _("Quản trị viên")


class EidLevel(models.IntegerChoices):
    """The level of a citizen's e-ID account (Decree 69/2024 Art. 12); officers have none."""

    NONE = 0, _("Không có mức")
    LEVEL1 = 1, _("Mức 1")
    LEVEL2 = 2, _("Mức 2")


class LockReason(models.TextChoices):
    SELF = "self", _("Công dân tự khóa")
    AUTHORITY = "authority", _("Cơ quan có thẩm quyền khóa")
    DEATH = "death", _("Công dân đã mất")


class RegisteredVia(models.TextChoices):
    SELF = "self", _("Tự đăng ký trực tuyến")
    GUARDIAN = "guardian", _("Người đại diện đăng ký")
    OFFICER = "officer", _("Cán bộ cấp")
    FEDERATION = "federation", _("Liên kết định danh cấp trên")
    ADMIN = "admin", _("Quản trị tạo")


def new_subject_seed() -> str:
    return secrets.token_hex(16)


class UserManager(BaseUserManager["User"]):
    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("kind", UserKind.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in. Citizens log in with their personal ID; officers with an officer code.

    A locked account has ``is_active = False`` (so Django refuses its sessions at once) and a
    ``lock_reason``; its tokens stop working because every token check reads the account.
    """

    username = models.CharField("tên đăng nhập / username", max_length=64, unique=True)
    # The only id of an account in page URLs (the e-ID desk): random, so it says nothing about
    # the citizen (a citizen's username is their personal ID) and cannot be guessed (ADR 9).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=UserKind.choices, default=UserKind.CITIZEN)
    display_name = models.CharField(max_length=200, blank=True)
    person = models.OneToOneField(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    officer_role = models.CharField(max_length=32, choices=OfficerRole.choices, blank=True)
    province_wide = models.BooleanField(default=False)
    commune_codes = models.JSONField(default=list, blank=True)
    # The agency an officer works for: its member organisation code (``exchange.Member.code``,
    # e.g. "BHXH-HP"; an agency system's OIDC client carries class and code, "GOV/BHXH-HP", in
    # ``Client.organisation``). Blank for citizens and for staff of no agency.
    organisation = models.CharField("mã cơ quan / organisation code", max_length=100, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    eid_level = models.PositiveSmallIntegerField(choices=EidLevel.choices, default=EidLevel.NONE)
    level_changed_at = models.DateTimeField(null=True, blank=True)
    registered_via = models.CharField(max_length=12, choices=RegisteredVia.choices, default=RegisteredVia.ADMIN)
    guardian = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="wards")
    # The phone proven by a one-time code; where login and step-up codes are sent.
    phone = models.CharField(max_length=15, blank=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    lock_reason = models.CharField(max_length=10, choices=LockReason.choices, blank=True)
    lock_note = models.CharField(max_length=300, blank=True)
    # Secret per account from which each client's pairwise ``sub`` is derived, so relying
    # parties cannot correlate a citizen by subject identifier.
    subject_seed = models.CharField(max_length=32, default=new_subject_seed, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "tài khoản / account"
        verbose_name_plural = "tài khoản / accounts"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def actor_id(self) -> str:
        return self.username

    @property
    def is_citizen(self) -> bool:
        return self.kind == UserKind.CITIZEN

    @property
    def is_officer(self) -> bool:
        return self.kind == UserKind.OFFICER and bool(self.officer_role)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def jurisdiction(self) -> Jurisdiction:
        if not self.is_officer:
            return Jurisdiction()
        return Jurisdiction(province_wide=self.province_wide, communes=frozenset(self.commune_codes))
