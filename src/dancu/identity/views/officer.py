"""The police officer's e-ID desk: find a citizen's account, raise it to level 2 after checking
the person in front of them, lock or unlock it with a reason.

The personal ID searched for goes in the form body and the account's pages are named by its
random ``public_id``, never by its database id: no personal data and nothing guessable in a URL
(ADR 9)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dancu.core import audit
from dancu.core.access import OfficerRole
from dancu.identity import sessions
from dancu.identity.actions import (
    LevelEvidence,
    check_lock_by_authority,
    check_raise_level,
    check_unlock_by_authority,
)
from dancu.identity.actors import actor_of
from dancu.identity.errors import IdentityError
from dancu.identity.forms import AccountSearchForm, LevelEvidenceForm, ReasonForm
from dancu.identity.models import LoginSession, User, UserKind
from dancu.registry.models import IdentityCard


def _officer_or_redirect(request: HttpRequest) -> LoginSession | HttpResponse:
    login = sessions.current_login(request)
    if login is None:
        return redirect(f"{reverse('identity:login')}?next={reverse('identity:officer_accounts')}")
    user = login.user
    if not user.is_officer or user.officer_role != OfficerRole.POLICE_REGISTRATION:
        return render(
            request,
            "identity/forbidden.html",
            {"message": _("Chỉ cán bộ đăng ký cư trú (công an)")},
            status=403,
        )
    return login


@never_cache
@require_http_methods(["GET", "POST"])
def accounts(request: HttpRequest) -> HttpResponse:
    """Search by personal ID (in the form body, never in the URL)."""
    login = _officer_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    form = AccountSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = (
            User.objects.select_related("person")
            .filter(kind=UserKind.CITIZEN, person__personal_id=form.cleaned_data["personal_id"])
            .first()
        )
        if account is None or account.person is None or not login.user.jurisdiction.covers(account.person.commune_code):
            form.add_error(None, _("Không tìm thấy tài khoản trong địa bàn của bạn"))
        else:
            return redirect("identity:officer_account", public_id=account.public_id)
    return render(request, "identity/officer_accounts.html", {"form": form}, status=400 if form.errors else 200)


def _account_in_reach(login: LoginSession, public_id: uuid.UUID) -> User:
    account = User.objects.select_related("person").filter(public_id=public_id, kind=UserKind.CITIZEN).first()
    if account is None or account.person is None or not login.user.jurisdiction.covers(account.person.commune_code):
        raise Http404
    return account


@never_cache
@require_http_methods(["GET"])
def account_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    login = _officer_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    account = _account_in_reach(login, public_id)
    assert account.person is not None
    audit.record(
        action="identity.account_viewed",
        actor=actor_of(login.user),
        subject_personal_id=account.person.personal_id,
        object_type="account",
        object_id=account.pk,
        fields=["eid_level", "status", "current_card"],
    )
    card = IdentityCard.objects.filter(person=account.person, is_current=True).order_by("-issued_on").first()
    return render(
        request,
        "identity/officer_account.html",
        {
            "account": account,
            "person": account.person,
            "card": card,
            "level_form": LevelEvidenceForm(),
            "reason_form": ReasonForm(),
        },
    )


@require_POST
def raise_level(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    login = _officer_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    account = _account_in_reach(login, public_id)
    form = LevelEvidenceForm(request.POST)
    if form.is_valid():
        try:
            check_raise_level(login.user, account, LevelEvidence(**form.cleaned_data))
        except IdentityError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã nâng tài khoản lên mức 2"))
    else:
        messages.error(request, _("Thông tin kiểm tra chưa đủ"))
    return redirect("identity:officer_account", public_id=account.public_id)


@require_POST
def lock_account(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    login = _officer_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    account = _account_in_reach(login, public_id)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise IdentityError("reason_required", "Cần ghi rõ lý do / A reason is required")
        if request.POST.get("action") == "unlock":
            check_unlock_by_authority(login.user, account, note=form.cleaned_data["note"])
            messages.success(request, _("Đã mở khóa tài khoản"))
        else:
            check_lock_by_authority(login.user, account, note=form.cleaned_data["note"])
            messages.success(request, _("Đã khóa tài khoản"))
    except IdentityError as exc:
        messages.error(request, exc.message)
    return redirect("identity:officer_account", public_id=account.public_id)
