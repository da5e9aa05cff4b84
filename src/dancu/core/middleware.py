"""Request-wide middleware: a request id on every request, and security headers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")


def request_id_of(request: HttpRequest) -> str:
    """The id of this request: the caller's ``X-Road-Id``/``X-Request-Id`` when well formed,
    else one we generate. Audit entries carry it so a caller can trace its call."""
    return str(getattr(request, "request_id", "")) or current_request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Road-Id") or request.headers.get("X-Request-Id") or ""
        rid = given if _REQUEST_ID_OK.match(given) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]  # attribute added for downstream code
        token = current_request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response.headers.setdefault("X-Request-Id", rid)
        return response


# Pages use only our own static files: no inline scripts, no third-party origins.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages behind a login show personal data: never keep them in a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class LanguageMiddleware:
    """Vietnamese first: the language is the one the user chose (the language cookie that
    Django's ``set_language`` view writes), else Vietnamese — never the browser's
    Accept-Language, which on most office machines says English."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
