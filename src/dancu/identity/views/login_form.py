"""The login form, shown by the login page and by the authorization endpoint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dancu.identity.federation.config import upstream_config
from dancu.identity.forms import LoginForm
from dancu.identity.views.form_targets import allow_form_targets, relying_party_origin

__all__ = ["login_page"]


def login_page(
    request: HttpRequest, *, next_url: str, form: LoginForm | None = None, status: int = 200
) -> HttpResponse:
    """The login form, returning to ``next_url`` (also shown by the authorization endpoint)."""
    upstream = upstream_config()
    context = {
        "form": form or LoginForm(),
        "next": next_url,
        "upstream_name": upstream.name if upstream is not None else "",
    }
    response = render(request, "identity/login.html", context, status=status)
    return allow_form_targets(response, relying_party_origin(next_url))
