"""A short middleware stack for the gateway's machine-to-machine calls (``/r1/...``).

Agency systems call with a bearer token: no cookie, no session, no CSRF token, no login, no
flash message, no language choice. Running the web pages' middleware for them cost more CPU
than the ``verify`` service itself, so :class:`GatewayMiddleware` (placed right after Django's
``SecurityMiddleware``) hands ``/r1/`` requests to a stack of its own and resolves them against
the gateway's URLs only. That stack keeps everything a gateway answer needs: the request id
(``X-Request-Id``), the security headers (HSTS, ``nosniff``, referrer policy and cross-origin
opener policy from ``SecurityMiddleware``, ``X-Frame-Options`` and the content security policy),
``Content-Length``; rate limits, authentication, audit and the problem+json errors stay in the
API itself. Every other path goes down the full stack as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.urls import URLPattern, URLResolver, get_resolver, include, path

from dancu.core.middleware import RequestIdMiddleware, SecurityHeadersMiddleware

__all__ = ["GATEWAY_PREFIX", "GatewayMiddleware"]

#: Where the X-Road REST API is mounted (``dancu.exchange.urls``).
GATEWAY_PREFIX: Final = "/r1/"

Handler = Callable[[HttpRequest], Any]


def _gateway_resolver() -> URLResolver:
    """A resolver that holds only the gateway's URL patterns, with the same namespaces as in
    the project's URL map (``exchange:exchange-api:…``), so ``/r1/`` paths resolve without
    trying every web page first."""
    from dancu.exchange import urls

    mounted: list[URLPattern | URLResolver] = [
        p for p in urls.urlpatterns if isinstance(p, URLResolver) and str(p.pattern) == GATEWAY_PREFIX.lstrip("/")
    ]
    return URLResolver(get_resolver().pattern, [path("", include((mounted, urls.app_name)))])


class GatewayMiddleware:
    """Send ``/r1/`` requests through the gateway's short stack; everything else goes on."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.resolver: URLResolver | None = None
        handler: Handler = convert_exception_to_response(self._view)
        # Outermost first, as in settings.MIDDLEWARE.
        stack: tuple[Callable[[Handler], Handler], ...] = (
            RequestIdMiddleware,
            CommonMiddleware,
            XFrameOptionsMiddleware,
            SecurityHeadersMiddleware,
        )
        for middleware in reversed(stack):
            handler = convert_exception_to_response(middleware(handler))
        self.gateway = handler

    def __call__(self, request: HttpRequest) -> HttpResponse:
        handler = self.gateway if request.path_info.startswith(GATEWAY_PREFIX) else self.get_response
        response: HttpResponse = handler(request)
        return response

    def _view(self, request: HttpRequest) -> HttpResponse:
        if self.resolver is None:
            # Built on the first call: the URL map imports every app, which is not ready yet
            # when Django instantiates middleware.
            self.resolver = _gateway_resolver()
        match = self.resolver.resolve(request.path_info)
        request.resolver_match = match
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
        return response
