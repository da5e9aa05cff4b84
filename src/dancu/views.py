"""The web shell: the home page that sends each kind of user to their workspace, and health."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dancu import __version__


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and ``dancu serve``'s caller."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001 — report, never raise, from a health probe
        database = "unavailable"
    status = 200 if database == "ok" else 503
    response = JsonResponse(
        {
            "status": "ok" if status == 200 else "degraded",
            "database": database,
            "vendor": connection.vendor,
            "version": __version__,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response
