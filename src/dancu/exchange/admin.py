"""The gateway in the Django admin: read-only views of members, systems, grants, consents and
deliveries; revoking grants and suspending systems go through the actions (audited, and the
policy stamp moves so the next call sees it). Onboarding decisions have their own page
(``/quan-ly/ket-noi/``) because they need a written reason."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from dancu.core.admin import ReadOnlyAdmin
from dancu.exchange.actions import do_revoke_access, do_set_system_status
from dancu.exchange.models import (
    AccessGrant,
    BatchJob,
    ChangeEvent,
    ConsentEvent,
    ConsentRecord,
    Member,
    MemberSystem,
    OnboardingRequest,
    Purpose,
    Subscription,
    SystemStatus,
    WebhookDelivery,
)
from dancu.identity.actors import actor_of


def _actor(request: HttpRequest) -> Any:
    return actor_of(request.user)  # type: ignore[arg-type]  # the admin only lets authenticated staff in


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("name", "member_class", "code", "sector")
    search_fields = ("name", "=code")


@admin.register(MemberSystem)
class MemberSystemAdmin(ReadOnlyAdmin):
    list_display = ("name", "member", "code", "client_id", "status", "rate_per_minute", "quota_per_day")
    list_filter = ("status",)
    actions = ("suspend", "reactivate")

    @admin.action(description="Tạm dừng kết nối / Suspend")
    def suspend(self, request: HttpRequest, queryset: QuerySet[MemberSystem]) -> None:
        for system in queryset.select_related("member"):
            do_set_system_status(system, SystemStatus.SUSPENDED, actor=_actor(request), reason="admin")
        messages.success(request, "Đã tạm dừng / Suspended")

    @admin.action(description="Mở lại kết nối / Reactivate")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[MemberSystem]) -> None:
        for system in queryset.select_related("member"):
            do_set_system_status(system, SystemStatus.ACTIVE, actor=_actor(request), reason="admin")
        messages.success(request, "Đã mở lại / Reactivated")


@admin.register(Purpose)
class PurposeAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "lawful_basis", "legal_reference", "active")


@admin.register(AccessGrant)
class AccessGrantAdmin(ReadOnlyAdmin):
    list_display = ("system", "service", "purpose", "requires_consent", "valid_until", "granted_at", "revoked_at")
    list_filter = ("service", "requires_consent")
    actions = ("revoke",)

    @admin.action(description="Thu hồi quyền / Revoke")
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessGrant]) -> None:
        for grant in queryset.filter(revoked_at__isnull=True):
            do_revoke_access(grant.pk, actor=_actor(request), reason="admin")
        messages.success(request, "Đã thu hồi / Revoked")


@admin.register(OnboardingRequest)
class OnboardingRequestAdmin(ReadOnlyAdmin):
    list_display = ("member_name", "system_name", "status", "submitted_at", "decided_at")
    list_filter = ("status",)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ("record_id", "personal_id", "member", "purpose", "state", "valid_until", "version")
    search_fields = ("=personal_id",)


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ("record", "version", "event_type", "at", "hash")


@admin.register(ChangeEvent)
class ChangeEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "occurred_on", "recorded_at")
    list_filter = ("kind",)


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("system", "url", "purpose", "active", "created_at")
    exclude = ("secret_encrypted",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event", "subscription", "status", "attempts", "next_attempt_at", "last_status_code")
    list_filter = ("status",)


@admin.register(BatchJob)
class BatchJobAdmin(ReadOnlyAdmin):
    list_display = ("job_id", "system", "status", "rows", "found", "created_at", "finished_at")
    exclude = ("input_csv", "result_csv")
