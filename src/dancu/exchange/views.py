"""The portal pages of the gateway: a citizen's consents and "who used my data"; the
administrator's onboarding decisions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from dancu.exchange.actions import (
    check_grant_consent,
    do_approve_onboarding,
    do_refuse_onboarding,
    do_withdraw_consent,
)
from dancu.exchange.catalogue import FIELDS
from dancu.exchange.error_codes import ExchangeError
from dancu.exchange.forms import ApproveForm, ConsentGrantForm, ConsentWithdrawForm, RefuseForm
from dancu.exchange.models import ConsentRecord, Member, OnboardingRequest, OnboardingStatus, Purpose
from dancu.exchange.queries import agreements_for, onboarding_requests, usage_of
from dancu.identity.actors import actor_of
from dancu.identity.models import User, UserKind

PAGE_SIZE = 20


def _citizen(request: HttpRequest) -> tuple[User, str] | None:
    user = request.user
    if not isinstance(user, User) or user.person is None:
        return None
    return user, user.person.personal_id


def _no_record(request: HttpRequest, title: str) -> HttpResponse:
    return render(request, "exchange/no_record.html", {"title": title}, status=403)


def _agreement_ids(key: str) -> tuple[int, int] | None:
    member, _, purpose = key.partition("-")
    if not (member.isdigit() and purpose.isdigit()):
        return None
    return int(member), int(purpose)


@login_required
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest) -> HttpResponse:
    """Đồng ý chia sẻ dữ liệu: grant or withdraw consent per organisation and purpose."""
    found = _citizen(request)
    if found is None:
        return _no_record(request, "Chia sẻ dữ liệu / Data sharing")
    user, personal_id = found
    if request.method == "POST":
        action = request.POST.get("action")
        ids = _agreement_ids(request.POST.get("agreement", ""))
        if ids is None:
            messages.error(request, "Yêu cầu không hợp lệ / Invalid request")
            return redirect("exchange:consents")
        member = get_object_or_404(Member, pk=ids[0])
        purpose = get_object_or_404(Purpose, pk=ids[1])
        if action == "withdraw":
            withdraw = ConsentWithdrawForm(request.POST)
            consent = ConsentRecord.objects.filter(personal_id=personal_id, member=member, purpose=purpose).first()
            if withdraw.is_valid() and consent is not None:
                do_withdraw_consent(consent, actor=actor_of(user))
                messages.success(request, f"Đã rút lại sự đồng ý với {member.name} / Consent withdrawn")
            return redirect("exchange:consents")
        form = ConsentGrantForm(request.POST)
        if form.is_valid():
            days = form.cleaned_data["duration"]
            until = timezone.now() + dt.timedelta(days=int(days)) if days else None
            try:
                check_grant_consent(
                    personal_id=personal_id,
                    member=member,
                    purpose=purpose,
                    fields=form.cleaned_data["shared"],
                    valid_until=until,
                    actor=actor_of(user),
                    notice_url=request.build_absolute_uri(),
                    language=getattr(request, "LANGUAGE_CODE", "vi"),
                )
            except ExchangeError as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, f"Đã ghi nhận sự đồng ý với {member.name} / Consent recorded")
        else:
            messages.error(request, "Chọn ít nhất một loại dữ liệu / Choose at least one kind of data")
        return redirect("exchange:consents")
    agreements = agreements_for(personal_id)
    rows = [
        {
            "agreement": a,
            "form": ConsentGrantForm(initial={"agreement": a.key}, offered=a.fields),
            "in_force": a.consent is not None and a.consent.is_in_force(),
            "consented_labels": [FIELDS[f].label for f in (a.consent.fields if a.consent else []) if f in FIELDS],
            "history": list(a.consent.events.order_by("-version")[:5]) if a.consent else [],
        }
        for a in agreements
    ]
    return render(request, "exchange/consents.html", {"rows": rows})


@login_required
@require_http_methods(["GET"])
def usage(request: HttpRequest) -> HttpResponse:
    """Ai đã sử dụng dữ liệu của tôi: every access to the citizen's data, newest first."""
    found = _citizen(request)
    if found is None:
        return _no_record(request, "Ai đã sử dụng dữ liệu của tôi / Who used my data")
    user, personal_id = found
    page_number = request.GET.get("trang", "1")
    number = int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1
    page = usage_of(personal_id, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE, exclude_actor_id=user.actor_id)
    paginator = Paginator(range(page.total), PAGE_SIZE)
    return render(
        request,
        "exchange/usage.html",
        {
            "usages": page.items,
            "total": page.total,
            "page": paginator.get_page(number),
        },
    )


def _is_admin(user: object) -> bool:
    return isinstance(user, User) and user.is_active and (user.kind == UserKind.ADMIN or user.is_superuser)


@login_required
@require_http_methods(["GET"])
def onboarding_list(request: HttpRequest) -> HttpResponse:
    """Yêu cầu kết nối: the requests waiting for a decision, then the decided ones."""
    if not _is_admin(request.user):
        return HttpResponseForbidden("Chỉ quản trị viên / Administrators only")
    return render(request, "exchange/onboarding_list.html", {"requests": onboarding_requests()})


@login_required
@require_http_methods(["GET", "POST"])
def onboarding_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request, with the approve and refuse forms while it is pending."""
    if not _is_admin(request.user):
        return HttpResponseForbidden("Chỉ quản trị viên / Administrators only")
    onboarding = get_object_or_404(OnboardingRequest, pk=request_id)
    approve_form = ApproveForm()
    refuse_form = RefuseForm()
    if request.method == "POST":
        actor = actor_of(request.user)  # type: ignore[arg-type]  # _is_admin checked it is a User
        try:
            if request.POST.get("decision") == "approve":
                approve_form = ApproveForm(request.POST)
                if approve_form.is_valid():
                    system = do_approve_onboarding(onboarding.pk, actor=actor, note=approve_form.cleaned_data["note"])
                    messages.success(
                        request, f"Đã duyệt; client_id: {system.client_id} / Approved; client_id: {system.client_id}"
                    )
                    return redirect("exchange:onboarding_detail", request_id=onboarding.pk)
            elif request.POST.get("decision") == "refuse":
                refuse_form = RefuseForm(request.POST)
                if refuse_form.is_valid():
                    do_refuse_onboarding(onboarding.pk, actor=actor, reason=refuse_form.cleaned_data["reason"])
                    messages.success(request, "Đã từ chối, lý do đã được ghi / Refused, the reason is recorded")
                    return redirect("exchange:onboarding_detail", request_id=onboarding.pk)
        except ExchangeError as exc:
            messages.error(request, exc.detail)
            return redirect("exchange:onboarding_detail", request_id=onboarding.pk)
    access = [
        {
            "service": item.get("service", ""),
            "purpose": item.get("purpose", ""),
            "fields": [FIELDS[f].label if f in FIELDS else f for f in item.get("fields", [])],
            "requires_consent": bool(item.get("requires_consent")),
        }
        for item in onboarding.requested_access
    ]
    return render(
        request,
        "exchange/onboarding_detail.html",
        {
            "onboarding": onboarding,
            "access": access,
            "pending": onboarding.status == OnboardingStatus.PENDING,
            "approve_form": approve_form,
            "refuse_form": refuse_form,
        },
    )
