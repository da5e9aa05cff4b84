"""Accounts: citizens' e-ID accounts, officers and administrators."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from dancu.core.access import Jurisdiction, OfficerRole


class UserKind(models.TextChoices):
    CITIZEN = "citizen", "Công dân / Citizen"
    OFFICER = "officer", "Cán bộ / Officer"
    ADMIN = "admin", "Quản trị / Administrator"


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
    """Anyone who logs in. Citizens log in with their personal ID; officers with an officer code."""

    username = models.CharField("tên đăng nhập / username", max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=UserKind.choices, default=UserKind.CITIZEN)
    display_name = models.CharField(max_length=200, blank=True)
    person = models.OneToOneField(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    officer_role = models.CharField(max_length=32, choices=OfficerRole.choices, blank=True)
    province_wide = models.BooleanField(default=False)
    commune_codes = models.JSONField(default=list, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]  # django-stubs types the default manager narrower

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def actor_id(self) -> str:
        return self.username

    @property
    def is_officer(self) -> bool:
        return self.kind == UserKind.OFFICER and bool(self.officer_role)

    @property
    def jurisdiction(self) -> Jurisdiction:
        if not self.is_officer:
            return Jurisdiction()
        return Jurisdiction(province_wide=self.province_wide, communes=frozenset(self.commune_codes))
