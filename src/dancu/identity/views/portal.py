"""The citizen's account page: level, login history, active sessions, consents; locking the
account; changing the password, phone or authenticator (after re-authentication)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dancu.core import audit
from dancu.identity import sessions
from dancu.identity.actions import (
    check_confirm_totp,
    check_lock_by_citizen,
    check_register_ward,
    check_set_password,
    check_verify_code,
    do_end_session,
    do_end_sessions_of_user,
    do_revoke_consent,
    do_send_code,
    do_start_totp_enrolment,
    needs_totp,
)
from dancu.identity.actions.codes import mask_phone, normalise_phone
from dancu.identity.actions.factors import provisioning_uri
from dancu.identity.actors import actor_of
from dancu.identity.errors import IdentityError
from dancu.identity.forms import CodeForm, NewPasswordForm, PhoneForm, WardForm
from dancu.identity.models import CodePurpose, LoginSession, TotpDevice
from dancu.identity.oidc.scopes import CLAIM_LABELS
from dancu.identity.queries import active_consents, active_sessions, get_client, login_history
from dancu.identity.views.login import qr_svg_data_uri, require_recent_auth


def _login_or_redirect(request: HttpRequest) -> LoginSession | HttpResponse:
    login = sessions.current_login(request)
    if login is None:
        return redirect(f"{reverse('identity:login')}?next={reverse('identity:account')}")
    return login


@never_cache
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    login = _login_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    user = login.user
    consents = [
        {"client": c.client, "claims": [CLAIM_LABELS.get(x, x) for x in c.claims], "granted_at": c.granted_at}
        for c in active_consents(user)
    ]
    return render(
        request,
        "identity/account.html",
        {
            "account": user,
            "login": login,
            "phone": mask_phone(user.phone) if user.phone else "",
            "history": login_history(user),
            "sessions": active_sessions(user),
            "consents": consents,
            "has_totp": TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists(),
        },
    )


@require_POST
def end_session(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    login = _login_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    target = LoginSession.objects.select_related("user", "user__person").filter(pk=session_id, user=login.user).first()
    if target is None:
        raise Http404
    if target.pk == login.pk:
        sessions.end_current(request, reason="ended_by_user")
        return redirect("home")
    do_end_session(target, reason="ended_by_user", actor=actor_of(login.user))
    messages.success(request, _("Đã kết thúc phiên đăng nhập"))
    return redirect("identity:account")


@require_POST
def revoke_consent(request: HttpRequest, client_id: str) -> HttpResponse:
    login = _login_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    client = get_client(client_id)
    if client is None or not do_revoke_consent(login.user, client):
        raise Http404
    messages.success(request, _("Đã thu hồi đồng ý chia sẻ với %(service)s") % {"service": client.name})
    return redirect("identity:account")


@require_POST
def lock(request: HttpRequest) -> HttpResponse:
    """The citizen locks their account (lost phone); every session ends, this one included."""
    login = _login_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    try:
        check_lock_by_citizen(login.user)
    except IdentityError as exc:
        messages.error(request, exc.message)
        return redirect("identity:account")
    sessions.end_current(request, reason="account_locked")
    messages.success(
        request,
        _("Tài khoản đã bị khóa. Để mở khóa, đăng nhập và nhập mã gửi tới số điện thoại của bạn"),
    )
    return redirect("home")


@never_cache
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    login = _login_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    if (again := require_recent_auth(request)) is not None:
        return again
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = login.user
        try:
            check_set_password(
                user, form.cleaned_data["password"], actor=actor_of(user), has_second_factor=needs_totp(user)
            )
        except IdentityError as exc:
            form.add_error("password", exc.message)
        else:
            # Every other session ends; this one goes on.
            do_end_sessions_of_user(user, reason="password_changed", actor=actor_of(user), keep=login)
            update_session_auth_hash(request, user)
            messages.success(request, _("Đã đổi mật khẩu"))
            return redirect("identity:account")
    return render(request, "identity/change_password.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def change_phone(request: HttpRequest) -> HttpResponse:
    """New phone: re-authenticate, then prove the new number with a code sent to it."""
    login = _login_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    if (again := require_recent_auth(request)) is not None:
        return again
    user = login.user
    phone_form = PhoneForm(request.POST if "phone" in request.POST else None)
    code_form = CodeForm(request.POST if "code" in request.POST else None)
    pending_id = request.session.get("dancu_phone_code")
    if request.method == "POST" and phone_form.is_bound and phone_form.is_valid():
        phone = normalise_phone(phone_form.cleaned_data["phone"])
        if not phone:
            phone_form.add_error("phone", _("Số điện thoại không hợp lệ"))
        else:
            try:
                otp = do_send_code(CodePurpose.PHONE_CHANGE, phone, user=user)
            except IdentityError as exc:
                phone_form.add_error("phone", exc.message)
            else:
                request.session["dancu_phone_code"] = str(otp.pk)
                pending_id = str(otp.pk)
    elif request.method == "POST" and code_form.is_bound and code_form.is_valid() and pending_id:
        try:
            otp = check_verify_code(pending_id, code_form.cleaned_data["code"], CodePurpose.PHONE_CHANGE)
        except IdentityError as exc:
            code_form.add_error("code", exc.message)
        else:
            if otp.user_id != user.pk:
                raise Http404
            with transaction.atomic():
                user.phone = otp.phone
                user.phone_verified_at = timezone.now()
                user.save(update_fields=["phone", "phone_verified_at"])
                audit.record(
                    action="identity.phone_changed", actor=actor_of(user), object_type="account", object_id=user.pk
                )
            request.session.pop("dancu_phone_code", None)
            messages.success(request, _("Đã đổi số điện thoại"))
            return redirect("identity:account")
    return render(
        request,
        "identity/change_phone.html",
        {"phone_form": phone_form, "code_form": code_form, "sent": bool(pending_id), "current": mask_phone(user.phone)},
        status=400 if phone_form.errors or code_form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def authenticator(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (after re-authentication)."""
    login = _login_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    if (again := require_recent_auth(request)) is not None:
        return again
    user = login.user
    existing = TotpDevice.objects.filter(user=user).first()
    replacing = request.method == "POST" and "replace" in request.POST
    if replacing and existing is not None:
        existing.delete()
        existing = None
    elif existing is not None and existing.confirmed_at is not None:
        return render(request, "identity/authenticator.html", {"confirmed": True})
    submitting = request.method == "POST" and not replacing
    device = existing if existing is not None and submitting else do_start_totp_enrolment(user)
    form = CodeForm(request.POST if submitting else None)
    if submitting and form.is_valid():
        try:
            check_confirm_totp(user, form.cleaned_data["code"])
        except IdentityError as exc:
            form.add_error("code", exc.message)
        else:
            sessions.add_factor(request, login, ["otp"])
            messages.success(request, _("Đã bật xác thực hai bước"))
            return redirect("identity:account")
    return render(
        request,
        "identity/authenticator.html",
        {"form": form, "qr": qr_svg_data_uri(provisioning_uri(user, device.secret)), "secret": device.secret},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def register_ward(request: HttpRequest) -> HttpResponse:
    """A parent with a level-2 account opens a level-1 account for their child under 14
    (Decree 69/2024): the register must show the child as theirs."""
    login = _login_or_redirect(request)
    if isinstance(login, HttpResponse):
        return login
    form = WardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = check_register_ward(login.user, form.cleaned_data["personal_id"])
        except IdentityError as exc:
            form.add_error("personal_id", exc.message)
        else:
            messages.success(
                request,
                f"Đã mở tài khoản mức 1 cho {account.display_name or account.username} / "
                "Level-1 account opened for your child",
            )
            return redirect("identity:account")
    return render(request, "identity/register_ward.html", {"form": form}, status=400 if form.errors else 200)
