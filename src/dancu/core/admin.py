"""The audit log in the Django admin: read-only, for superusers and auditors."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dancu.core.models import AuditCheckpoint, AuditEntry, OutboxEvent


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # shared by models of several types
    """Nothing here can be added, changed or deleted through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "at",
        "actor_kind",
        "actor_id",
        "organisation",
        "action",
        "outcome",
        "subject_personal_id",
        "purpose",
    )
    list_filter = ("actor_kind", "outcome", "action")
    search_fields = ("=subject_personal_id", "=actor_id", "=request_id", "=dossier")
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "head_hash", "key_id")


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "created_at", "delivered_at", "attempts")
    list_filter = ("kind",)
