"""Identity in the Django admin: read-only views for administrators.

Writes go through identity's own pages and commands (every write is an audited action), so
nothing here adds, changes or deletes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dancu.core.admin import SearchInSessionMixin
from dancu.identity.models import Client, LoginEvent, User


class ReadOnlyAdmin(SearchInSessionMixin, admin.ModelAdmin):  # type: ignore[type-arg]  # generic over any identity model
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = (
        "username", "display_name", "kind", "eid_level", "officer_role", "organisation", "is_active", "lock_reason"
    )  # fmt: skip
    list_filter = ("kind", "eid_level", "officer_role", "is_active", "registered_via")
    search_fields = ("username", "display_name", "organisation")
    exclude = ("password", "subject_seed")


@admin.register(Client)
class ClientAdmin(ReadOnlyAdmin):
    list_display = ("client_id", "name", "kind", "auth_method", "min_level", "is_active", "created_at")
    list_filter = ("kind", "auth_method", "is_active")
    search_fields = ("client_id", "name", "organisation")
    exclude = ("secret_hash",)


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "outcome", "method", "client_name", "ip")
    list_filter = ("outcome", "method")
    date_hierarchy = "at"
