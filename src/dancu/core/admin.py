"""The audit log in the Django admin: read-only, for superusers and auditors; and the admin's
search kept out of URLs (:class:`SearchInSessionMixin`), for every app's admin."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from dancu.core.models import AuditCheckpoint, AuditEntry, OutboxEvent

SAVED_SEARCH_VAR = "s"
SEARCH_POSTED = "_search"
_SESSION_KEY = "dancu_admin_searches"
_SEARCHES_KEPT = 20


def _stored_search(request: HttpRequest, model_label: str) -> str | None:
    """The search term behind the request's ``?s=`` token, or None (no token, unknown, expired,
    or made for another model's list)."""
    token = request.GET.get(SAVED_SEARCH_VAR)
    if not token:
        return None
    stored = request.session.get(_SESSION_KEY, {}).get(token)
    if not stored or stored[0] != model_label:
        return None
    return str(stored[1])


class _SearchInSessionChangeList(ChangeList):
    """A change list whose search term comes from the session (by the ``?s=`` token) and whose
    links (pages, sorting, filters, dates) carry that token instead of the term."""

    def get_filters_params(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        lookup_params: dict[str, Any] = super().get_filters_params(params)
        lookup_params.pop(SAVED_SEARCH_VAR, None)
        return lookup_params

    def get_queryset(self, request: HttpRequest, exclude_parameters: list[str | None] | None = None) -> QuerySet[Any]:
        self.query = _stored_search(request, self.opts.label) or ""
        return super().get_queryset(request, exclude_parameters)

    @property
    def search_action(self) -> str:
        """Where the search form posts: this list with its filters and order, a new search."""
        kept = {k: v for k, v in self.filter_params.items() if k not in (SEARCH_VAR, SAVED_SEARCH_VAR, PAGE_VAR)}
        return "?" + urlencode(sorted(kept.items()), doseq=True)


class SearchInSessionMixin:
    """Keep the change list's search term out of URLs (DESIGN: no personal data in URLs).

    The stock admin searches with ``GET ?q=<term>``, and the term (a personal ID, a name, a
    username) then spreads into every pagination, sorting and filter link and into
    ``_changelist_filters``, so into browser history, proxy and server logs. Here the search box
    POSTs (with the CSRF token); the term is kept in the session under a random token and the list
    is shown at ``?s=<token>``, which pagination, sorting, filters and the way back from an object
    carry instead. A ``?q=`` that still arrives (an old bookmark) is moved into the session the
    same way. Put it before ``admin.ModelAdmin`` in the bases.
    """

    change_list_template: ClassVar[Any] = "admin/dancu/search_in_session_change_list.html"

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return _SearchInSessionChangeList

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        model_admin: Any = self
        searched = request.method == "POST" and SEARCH_POSTED in request.POST
        if searched or SEARCH_VAR in request.GET:
            if not model_admin.has_view_or_change_permission(request):
                raise PermissionDenied
            term = request.POST.get(SEARCH_VAR, "") if searched else request.GET.get(SEARCH_VAR, "")
            return self._show_search(request, term.strip())
        if SAVED_SEARCH_VAR in request.GET and _stored_search(request, model_admin.opts.label) is None:
            return self._show_search(request, "")  # an expired search: the unsearched list
        response: HttpResponse = super().changelist_view(request, extra_context)  # type: ignore[misc]
        return response

    def _show_search(self, request: HttpRequest, term: str) -> HttpResponseRedirect:
        params = request.GET.copy()
        for name in (SEARCH_VAR, SAVED_SEARCH_VAR, PAGE_VAR):
            params.pop(name, None)
        if term:
            token = secrets.token_urlsafe(16)
            searches = dict(request.session.get(_SESSION_KEY, {}))
            searches[token] = [self.opts.label, term]  # type: ignore[attr-defined]  # a ModelAdmin's
            request.session[_SESSION_KEY] = dict(list(searches.items())[-_SEARCHES_KEPT:])
            params[SAVED_SEARCH_VAR] = token
        query = params.urlencode()
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)


class ReadOnlyAdmin(SearchInSessionMixin, admin.ModelAdmin):  # type: ignore[type-arg]  # shared by models of several types
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
