"""Logging in: password, second factor (authenticator app), forced enrolment for staff, unlocking
a self-locked account, stepping up to level 2, re-authenticating, logging out."""

from __future__ import annotations

from urllib.parse import quote

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dancu.identity import sessions, throttling
from dancu.identity.actions import (
    check_confirm_totp,
    check_password_login,
    check_start_unlock_by_citizen,
    check_unlock_by_citizen,
    check_verify_code,
    do_send_code,
    do_start_totp_enrolment,
    needs_totp,
    verify_totp,
)
from dancu.identity.actions.codes import mask_phone
from dancu.identity.actions.factors import provisioning_uri
from dancu.identity.errors import IdentityError
from dancu.identity.forms import CodeForm, LoginForm
from dancu.identity.models import CodePurpose, TotpDevice, User
from dancu.identity.views.form_targets import allow_form_targets, relying_party_origin
from dancu.identity.views.login_form import login_page
from dancu.identity.views.oidc import resume_authorization

PENDING_ATTEMPTS_KEY = "dancu_pending_attempts"
MAX_CODE_ATTEMPTS = 5
WRONG_LOGIN = gettext_lazy("Tên đăng nhập hoặc mật khẩu không đúng")


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The ``next`` URL when it stays on this site, else ``default`` (the portal)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=False
    ):
        return candidate
    return default or reverse("identity:account")


def _finish(request: HttpRequest, user: User, amr: list[str], next_url: str) -> HttpResponse:
    sessions.start_session(request, user, amr=amr, method="+".join(amr))
    # A login for a pending authorization request goes on with it in this same request (no
    # redirect back to the authorization endpoint first), as the OpenID provider would anyway.
    response = resume_authorization(request, next_url) or HttpResponseRedirect(next_url)
    response.set_cookie(
        throttling.DEVICE_COOKIE,
        throttling.device_cookie_value(user.username),
        max_age=throttling.DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Step 1: username and password."""
    next_url = safe_next(request)
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = check_password_login(
            form.cleaned_data["username"],
            form.cleaned_data["password"],
            ip=sessions.client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            device_cookie=request.COOKIES.get(throttling.DEVICE_COOKIE),
        )
        if result.outcome == "throttled":
            form.add_error(
                None,
                _("Đăng nhập sai nhiều lần, hãy thử lại sau %(seconds)s giây") % {"seconds": result.retry_after},
            )
            status = 429
        elif result.outcome == "failed" or result.user is None:
            form.add_error(None, WRONG_LOGIN)
            status = 400
        elif result.outcome == "locked":
            form.add_error(
                None,
                _("Tài khoản đang bị khóa; liên hệ cơ quan công an nơi cư trú"),
            )
            status = 403
        elif result.outcome == "self_locked":
            try:
                otp = check_start_unlock_by_citizen(result.user)
            except IdentityError as exc:
                form.add_error(None, exc.message)
                status = 403
            else:
                sessions.set_pending(request, result.user, amr=["pwd"], next_url=next_url, purpose="unlock")
                request.session["dancu_unlock_code"] = str(otp.pk)
                return redirect("identity:login_unlock")
        else:
            user = result.user
            if needs_totp(user):
                confirmed = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
                purpose = "login" if confirmed else "enrol"
                sessions.set_pending(request, user, amr=["pwd"], next_url=next_url, purpose=purpose)
                request.session[PENDING_ATTEMPTS_KEY] = 0
                return redirect("identity:login_totp" if confirmed else "identity:login_enrol")
            return _finish(request, user, ["pwd"], next_url)
    return login_page(request, next_url=next_url, form=form, status=status)


def _count_wrong_code(request: HttpRequest) -> bool:
    """Count a wrong code; True when the attempts are used up (the pending login is dropped)."""
    attempts = int(request.session.get(PENDING_ATTEMPTS_KEY, 0)) + 1
    request.session[PENDING_ATTEMPTS_KEY] = attempts
    if attempts >= MAX_CODE_ATTEMPTS:
        sessions.clear_pending(request)
        return True
    return False


@never_cache
@require_http_methods(["GET", "POST"])
def login_totp(request: HttpRequest) -> HttpResponse:
    """Step 2: the code of the authenticator app."""
    pending = sessions.get_pending(request, "login")
    if pending is None:
        return redirect("identity:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if verify_totp(pending.user, form.cleaned_data["code"]):
            return _finish(request, pending.user, ["pwd", "otp", "mfa"], pending.next_url)
        if _count_wrong_code(request):
            messages.error(request, _("Nhập sai quá nhiều lần, hãy đăng nhập lại"))
            return redirect("identity:login")
        form.add_error("code", _("Mã xác thực không đúng"))
    response = render(request, "identity/login_totp.html", {"form": form}, status=400 if form.errors else 200)
    return allow_form_targets(response, relying_party_origin(pending.next_url))


def qr_svg_data_uri(text: str) -> str:
    return str(segno.make(text, error="m").svg_data_uri(scale=4))


@never_cache
@require_http_methods(["GET", "POST"])
def login_enrol(request: HttpRequest) -> HttpResponse:
    """Staff without an authenticator set one up before their first login completes."""
    pending = sessions.get_pending(request, "enrol")
    if pending is None:
        return redirect("identity:login")
    device = TotpDevice.objects.filter(user=pending.user).first()
    if device is None or request.method == "GET":
        device = do_start_totp_enrolment(pending.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_confirm_totp(pending.user, form.cleaned_data["code"])
        except IdentityError as exc:
            form.add_error("code", exc.message)
        else:
            return _finish(request, pending.user, ["pwd", "otp", "mfa"], pending.next_url)
    uri = provisioning_uri(pending.user, device.secret)
    response = render(
        request,
        "identity/login_enrol.html",
        {"form": form, "qr": qr_svg_data_uri(uri), "secret": device.secret},
        status=400 if form.errors else 200,
    )
    return allow_form_targets(response, relying_party_origin(pending.next_url))


@never_cache
@require_http_methods(["GET", "POST"])
def login_unlock(request: HttpRequest) -> HttpResponse:
    """A citizen who locked their own account unlocks it with a code sent to its phone."""
    pending = sessions.get_pending(request, "unlock")
    code_id = request.session.get("dancu_unlock_code")
    if pending is None or not code_id:
        return redirect("identity:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = check_unlock_by_citizen(code_id, form.cleaned_data["code"])
        except IdentityError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop("dancu_unlock_code", None)
            messages.success(request, _("Tài khoản đã được mở khóa"))
            user.refresh_from_db()
            return _finish(request, user, ["pwd", "sms", "mfa"], pending.next_url)
    response = render(
        request,
        "identity/login_unlock.html",
        {"form": form, "phone": mask_phone(pending.user.phone)},
        status=400 if form.errors else 200,
    )
    return allow_form_targets(response, relying_party_origin(pending.next_url))


@never_cache
@require_http_methods(["GET", "POST"])
def step_up(request: HttpRequest) -> HttpResponse:
    """Prove a second factor in the current session (to reach level 2, or before a sensitive
    change): the authenticator app if enrolled, else a code sent by SMS."""
    login = sessions.current_login(request)
    next_url = safe_next(request)
    if login is None:
        return redirect(f"{reverse('identity:login')}?next={_quote(request.get_full_path())}")
    user = login.user
    has_totp = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    if not has_totp and not user.phone:
        return render(
            request,
            "identity/forbidden.html",
            {"message": _("Tài khoản chưa có số điện thoại hay ứng dụng xác thực để xác thực bổ sung")},
            status=403,
        )
    form = CodeForm(request.POST if "code" in request.POST else None)
    context = {"form": form, "next": next_url, "has_totp": has_totp, "phone": mask_phone(user.phone), "sent": False}
    if request.method == "POST" and "send" in request.POST and not has_totp:
        try:
            otp = do_send_code(CodePurpose.STEP_UP, user.phone, user=user)
        except IdentityError as exc:
            messages.error(request, exc.message)
        else:
            request.session["dancu_step_up_code"] = str(otp.pk)
        context["sent"] = "dancu_step_up_code" in request.session
        return allow_form_targets(render(request, "identity/step_up.html", context), relying_party_origin(next_url))
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if has_totp:
            proven = ["otp"] if verify_totp(user, code) else []
        else:
            try:
                check_verify_code(request.session.get("dancu_step_up_code", ""), code, CodePurpose.STEP_UP)
            except IdentityError as exc:
                form.add_error("code", exc.message)
                proven = []
            else:
                proven = ["sms"]
                request.session.pop("dancu_step_up_code", None)
        if proven:
            sessions.add_factor(request, login, proven)
            return redirect(next_url)
        if not form.errors:
            form.add_error("code", _("Mã xác thực không đúng"))
    context["sent"] = "dancu_step_up_code" in request.session
    response = render(request, "identity/step_up.html", context, status=400 if form.errors else 200)
    return allow_form_targets(response, relying_party_origin(next_url))


@never_cache
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Enter the password again (and the code, for accounts with an authenticator) before
    changing the phone, the password or the second factor."""
    login = sessions.current_login(request)
    if login is None:
        return redirect("identity:login")
    user = login.user
    next_url = safe_next(request)
    with_totp = needs_totp(user)
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        data["username"] = user.username
    form = LoginForm(data)
    code_form = CodeForm(data) if with_totp else None
    if data is not None and form.is_valid() and (code_form is None or code_form.is_valid()):
        result = check_password_login(
            user.username,
            form.cleaned_data["password"],
            ip=sessions.client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            device_cookie=request.COOKIES.get(throttling.DEVICE_COOKIE),
        )
        ok = result.outcome == "ok"
        if ok and code_form is not None:
            ok = verify_totp(user, code_form.cleaned_data["code"])
        if ok:
            sessions.mark_reauthenticated(request)
            return redirect(next_url)
        form.add_error(None, WRONG_LOGIN if result.outcome != "throttled" else _("Hãy thử lại sau"))
    return render(
        request,
        "identity/reauthenticate.html",
        {"form": form, "code_form": code_form, "next": next_url},
        status=400 if form.errors else 200,
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    sessions.end_current(request, reason="logout")
    messages.success(request, _("Bạn đã đăng xuất"))
    return redirect("home")


def _quote(url: str) -> str:
    return quote(url, safe="")


def require_recent_auth(request: HttpRequest) -> HttpResponse | None:
    """A redirect to re-authentication when the last password entry is too old, else None."""
    if sessions.recently_authenticated(request):
        return None
    return redirect(f"{reverse('identity:reauth')}?next={_quote(request.get_full_path())}")


def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Replaces the Django admin's login view: administrators log in through our pages."""
    target = request.GET.get("next") or "/quan-tri/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/quan-tri/"
    return redirect(f"{reverse('identity:login')}?next={_quote(target)}")
