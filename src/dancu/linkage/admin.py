"""Read-only admin views of the linkage tables: every change goes through the linkage pages
and their actions, which audit it; the admin only lets administrators look."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dancu.core.admin import SearchInSessionMixin
from dancu.linkage.models import LinkJob, ReviewDecision, Source, SourceIndicator


class ReadOnlyAdmin(SearchInSessionMixin, admin.ModelAdmin):  # type: ignore[type-arg]  # generic over any model here
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ("name", "agency", "created_by", "created_at")
    list_filter = ("agency",)
    search_fields = ("name", "agency")


@admin.register(SourceIndicator)
class SourceIndicatorAdmin(ReadOnlyAdmin):
    list_display = ("source", "rows", "matched_clean", "matched_with_differences", "review", "unmatched", "updated_at")


@admin.register(LinkJob)
class LinkJobAdmin(ReadOnlyAdmin):
    list_display = (
        "public_id", "agency", "source", "channel", "status", "rows", "matched", "review", "unmatched", "created_at"
    )  # fmt: skip
    list_filter = ("status", "channel", "agency")
    exclude = ("headers", "mapping")


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    list_display = ("decided_at", "source", "row_id", "decision", "personal_id", "decided_by")
    list_filter = ("decision", "source")
