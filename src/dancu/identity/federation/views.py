"""Logging in through the upstream provider: the start (redirect there) and the callback."""

from __future__ import annotations

import hmac
import time
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dancu.core import audit
from dancu.core.models import ActorKind, Outcome
from dancu.identity import sessions
from dancu.identity.actions.federation import check_federated_login
from dancu.identity.errors import IdentityError
from dancu.identity.federation.client import AuthorizationStart, UpstreamError, complete_login, start_login
from dancu.identity.federation.config import upstream_config
from dancu.identity.levels import level_of_acr
from dancu.identity.oidc.tokens import issuer
from dancu.identity.views.login import safe_next
from dancu.identity.views.oidc import pending_request_level

PENDING_KEY = "dancu_upstream"
PENDING_TTL = 600


def callback_url() -> str:
    return issuer() + reverse("identity:upstream_callback")


def _refuse(request: HttpRequest, message: str, *, status: int = 403) -> HttpResponse:
    return render(request, "identity/forbidden.html", {"message": message}, status=status)


@never_cache
@require_GET
def upstream_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the upstream, asking for the level the pending request needs."""
    config = upstream_config()
    if config is None:
        raise Http404
    next_url = safe_next(request)
    needed = pending_request_level(next_url)
    acr_values = config.upstream_acr_for_level(needed) if needed else None
    try:
        started = start_login(config, redirect_uri=callback_url(), acr_values=acr_values)
    except (UpstreamError, OSError) as exc:
        return _refuse(request, f"Không kết nối được {config.name} / Cannot reach {config.name} ({exc})", status=502)
    request.session[PENDING_KEY] = {
        "state": started.state,
        "nonce": started.nonce,
        "verifier": started.code_verifier,
        "next": next_url,
        "needed": needed,
        "at": int(time.time()),
    }
    return HttpResponseRedirect(started.url)


@never_cache
@require_GET
def upstream_callback(request: HttpRequest) -> HttpResponse:
    """Check ``state``, redeem the code, link the account, log in at the upstream's level."""
    config = upstream_config()
    if config is None:
        raise Http404
    pending: Any = request.session.pop(PENDING_KEY, None)
    state = request.GET.get("state", "")
    if (
        not isinstance(pending, dict)
        or time.time() - int(pending.get("at", 0)) > PENDING_TTL
        or not hmac.compare_digest(str(pending.get("state", "")), state)
    ):
        return _refuse(
            request, "Phiên đăng nhập không hợp lệ, hãy thử lại / Invalid login attempt; please start again", status=400
        )
    if request.GET.get("iss") and request.GET["iss"] != config.issuer:
        return _refuse(request, "Phản hồi từ nhà cung cấp khác / A response from another provider", status=400)
    if "error" in request.GET:
        return _refuse(
            request,
            f"{config.name} từ chối đăng nhập / {config.name} refused the login: {request.GET.get('error', '')[:100]}",
        )
    started = AuthorizationStart(
        url="", state=state, nonce=str(pending["nonce"]), code_verifier=str(pending["verifier"])
    )
    try:
        login = complete_login(config, code=request.GET.get("code", ""), redirect_uri=callback_url(), started=started)
        user, local_acr = check_federated_login(login, config)
    except (UpstreamError, OSError) as exc:
        audit.record(
            action="identity.federated_login_failed",
            actor=audit.Actor(kind=ActorKind.SYSTEM, id=f"upstream:{config.issuer}"),
            outcome=Outcome.FAILED,
            details={"reason": str(exc)[:300]},
        )
        return _refuse(
            request,
            f"Không xác minh được đăng nhập từ {config.name} / Could not verify the login from {config.name}",
            status=502,
        )
    except IdentityError as exc:
        return _refuse(request, exc.message)
    needed = int(pending.get("needed", 0))
    if level_of_acr(local_acr) < needed:
        return _refuse(
            request,
            f"Dịch vụ yêu cầu tài khoản định danh mức {needed}; {config.name} xác thực ở mức {level_of_acr(local_acr)}"
            f" / The service requires level {needed}; {config.name} authenticated level {level_of_acr(local_acr)}",
        )
    sessions.start_session(
        request, user, amr=login.amr or ["fed"], method="upstream", upstream_issuer=config.issuer, acr=local_acr
    )
    return HttpResponseRedirect(str(pending["next"]))
