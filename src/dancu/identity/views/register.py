"""Online self-registration of a level-1 e-ID account (Decree 69/2024 Art. 13)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dancu.identity.actions import check_complete_self_registration, check_start_self_registration
from dancu.identity.actions.codes import mask_phone
from dancu.identity.errors import IdentityError
from dancu.identity.forms import RegistrationConfirmForm, RegistrationForm
from dancu.identity.views.login import _finish

CODE_KEY = "dancu_registration_code"
PHONE_KEY = "dancu_registration_phone"


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Step 1: personal ID, full name, birth date and phone, checked against the register."""
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            otp = check_start_self_registration(**form.cleaned_data)
        except IdentityError as exc:
            form.add_error(None, exc.message)
        else:
            request.session[CODE_KEY] = str(otp.pk)
            request.session[PHONE_KEY] = mask_phone(otp.phone)
            return redirect("identity:register_confirm")
    return render(request, "identity/register.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def register_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: the code sent to the phone, and a password; the account opens at level 1."""
    code_id = request.session.get(CODE_KEY)
    if not code_id:
        return redirect("identity:register")
    form = RegistrationConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = check_complete_self_registration(
                code_id=code_id, code=form.cleaned_data["code"], password=form.cleaned_data["password"]
            )
        except IdentityError as exc:
            field = "password" if exc.code.startswith("password_") else "code"
            form.add_error(field, exc.message)
        else:
            request.session.pop(CODE_KEY, None)
            request.session.pop(PHONE_KEY, None)
            messages.success(
                request,
                _("Tài khoản định danh điện tử mức 1 đã được tạo"),
            )
            return _finish(request, user, ["pwd", "sms"], "/tai-khoan/")
    return render(
        request,
        "identity/register_confirm.html",
        {"form": form, "phone": request.session.get(PHONE_KEY, "")},
        status=400 if form.errors else 200,
    )
