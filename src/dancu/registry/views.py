"""Officer pages of the register: search, a person, a household, and two corrections.

Thin views: typed forms at the edge, then the register's queries and actions, which check role
and jurisdiction and write the audit entries. A refusal is a page with the reason and the
matching status (403, 404, 400), and changes nothing. Pages that show a person are never cached.
No personal data in URLs (ADR 9): pages are named by public ids, the search is a POST whose
results are rendered in its response.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dancu.core.access import Officer
from dancu.registry import actions, queries
from dancu.registry.errors import RegistryError
from dancu.registry.forms import ContactForm, DeathForm, SearchForm
from dancu.registry.permissions import can

P = ParamSpec("P")


def _refused(request: HttpRequest, error: RegistryError) -> HttpResponse:
    response = render(request, "registry/refused.html", {"error": error}, status=error.status)
    response["Cache-Control"] = "no-store"
    return response


def officer_page(
    view: Callable[Concatenate[HttpRequest, Officer, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Logged-in officers only; register refusals become a page; nothing is cached."""

    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        if not getattr(user, "is_officer", False):
            response = render(request, "registry/refused.html", {"error": None}, status=403)
            response["Cache-Control"] = "no-store"
            return response
        officer: Officer = user  # type: ignore[assignment]  # identity.User implements the Officer protocol
        try:
            response = view(request, officer, *args, **kwargs)
        except RegistryError as error:
            return _refused(request, error)
        response["Cache-Control"] = "no-store"
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    protected: Callable[Concatenate[HttpRequest, P], HttpResponse] = login_required(wrapper)
    return protected


@require_http_methods(["GET", "POST"])
@officer_page
def search(request: HttpRequest, officer: Officer) -> HttpResponse:
    """Search by personal ID, former ID-card number, name (with or without diacritics) and birth
    year, or household number, within the officer's jurisdiction.

    The criteria come only from the POST body (CSRF-checked); the results are this response, not
    a redirect, so the criteria never reach a URL, the history or a server log. A GET shows the
    empty form, whatever its query string says."""
    form = SearchForm(request.POST if request.method == "POST" else None)
    result = None
    if form.is_bound and form.is_valid():
        result = queries.search_persons(
            officer,
            query=form.cleaned_data["q"] or "",
            birth_year=form.cleaned_data["birth_year"],
            household_code=form.cleaned_data["household"] or "",
        )
    return render(request, "registry/search.html", {"form": form, "result": result})


@require_GET
@officer_page
def person(request: HttpRequest, officer: Officer, public_id: uuid.UUID) -> HttpResponse:
    """A person's record: identity, household, residences, cards, life events and history."""
    record = queries.get_person_for_officer(officer, public_id=public_id, purpose=request.GET.get("purpose", "")[:60])
    context = {
        "record": record,
        "person": record.person,
        "contact_form": ContactForm(initial={"phone": record.person.phone, "email": record.person.email}),
        "death_form": DeathForm(),
        "may_update_contact": can(officer, "update_contact"),
        "may_record_death": can(officer, "record_death") and record.person.status == "alive",
    }
    return render(request, "registry/person.html", context)


@require_GET
@officer_page
def household(request: HttpRequest, officer: Officer, public_id: uuid.UUID) -> HttpResponse:
    """A household: its address, head, members and history."""
    record = queries.get_household_for_officer(officer, public_id=public_id)
    return render(request, "registry/household.html", {"record": record, "household": record.household})


@require_POST
@officer_page
def update_contact(request: HttpRequest, officer: Officer, public_id: uuid.UUID) -> HttpResponse:
    """Correct a person's phone and email (POST, CSRF-protected)."""
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thông tin liên hệ không hợp lệ."))
        return redirect("registry:person", public_id=public_id)
    actions.check_update_contact(
        officer,
        queries.personal_id_behind(public_id),
        phone=form.cleaned_data["phone"],
        email=form.cleaned_data["email"],
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, _("Đã cập nhật thông tin liên hệ."))
    return redirect("registry:person", public_id=public_id)


@require_POST
@officer_page
def record_death(request: HttpRequest, officer: Officer, public_id: uuid.UUID) -> HttpResponse:
    """Register a death (POST, CSRF-protected)."""
    form = DeathForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ngày mất hoặc căn cứ chưa hợp lệ."))
        return redirect("registry:person", public_id=public_id)
    actions.check_record_death(
        officer,
        queries.personal_id_behind(public_id),
        deceased_on=form.cleaned_data["deceased_on"],
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, _("Đã đăng ký khai tử."))
    return redirect("registry:person", public_id=public_id)
