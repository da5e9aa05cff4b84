"""Administrators' pages: registering clients, and the demo SMS outbox."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dancu.identity import sessions
from dancu.identity.actions import do_register_client
from dancu.identity.actors import actor_of
from dancu.identity.errors import IdentityError
from dancu.identity.forms import ClientForm
from dancu.identity.models import Client, LoginSession, SmsMessage, UserKind


def _admin_or_redirect(request: HttpRequest) -> LoginSession | HttpResponse:
    login = sessions.current_login(request)
    if login is None:
        return redirect(f"{reverse('identity:login')}?next={request.path}")
    if login.user.kind != UserKind.ADMIN:
        return render(request, "identity/forbidden.html", {"message": _("Chỉ quản trị viên")}, status=403)
    return login


@never_cache
@require_http_methods(["GET", "POST"])
def clients(request: HttpRequest) -> HttpResponse:
    """List clients and register a new one; a generated secret is shown once, here."""
    login = _admin_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    form = ClientForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            jwks = json.loads(data["jwks"]) if data["jwks"].strip() else None
            registered = do_register_client(
                data["name"],
                data["kind"],
                [u.strip() for u in data["redirect_uris"].splitlines() if u.strip()],
                jwks,
                min_level=data["min_level"],
                organisation=data["organisation"],
                actor=actor_of(login.user),
            )
        except json.JSONDecodeError:
            form.add_error("jwks", _("JSON không hợp lệ"))
        except IdentityError as exc:
            form.add_error(None, exc.message)
        else:
            created = registered.as_json()
            form = ClientForm()
    return render(
        request,
        "identity/clients.html",
        {"form": form, "created": created, "clients": Client.objects.order_by("-created_at")[:200]},
        status=400 if form.errors else 200,
    )


@never_cache
@require_GET
def sms_outbox(request: HttpRequest) -> HttpResponse:
    """The demo outbox: text messages the outbox sender kept instead of sending."""
    login = _admin_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    return render(
        request, "identity/sms_outbox.html", {"messages_sent": SmsMessage.objects.order_by("-created_at")[:100]}
    )
