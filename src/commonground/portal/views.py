"""The member portal: my membership, renew, my invoices, my profile, my data."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.membership import lifecycle
from commonground.membership import services as membership_services
from commonground.membership.forms import RenewForm
from commonground.membership.models import Invoice, Membership, PaymentMethod
from commonground.people import services as people_services
from commonground.people.forms import PersonForm
from commonground.people.views import json_download
from commonground.recommendations import selectors as recommendation_selectors

from . import selectors
from .decorators import member_view


@member_view
def home(request: HttpRequest) -> HttpResponse:
    context = selectors.portal_overview(person=request.person)
    context["live_statuses"] = lifecycle.LIVE
    # Two small queries (the stored suggestions): "Suggested for you" at the member's price.
    context["suggested"] = recommendation_selectors.suggestions_for(request.person)
    return render(request, "portal/home.html", context)


@member_view
def renew(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Renew a live membership (idempotent by expected end) or reinstate a lapsed one."""
    membership = get_object_or_404(Membership, pk=membership_id, person=request.person)
    slug = request.association.slug
    if request.method != "POST":
        return redirect("portal:home", association=slug)
    try:
        if membership.status in lifecycle.LIVE:
            form = RenewForm(request.POST)
            if not form.is_valid():
                raise DomainError("Please reload the page and try again")
            membership = membership_services.membership_renew(
                membership=membership, expected_ends_on=form.cleaned_data["expected_ends_on"],
                actor=request.user)
        else:
            membership = membership_services.membership_reinstate(membership=membership,
                                                                  actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:home", association=slug)
    messages.success(request, f"Thank you: your membership now runs until "
                              f"{membership.ends_on:%d %B %Y}.")
    invoice = membership.invoices.order_by("-id").first()
    if invoice is not None and invoice.status == "open":
        return redirect("portal:invoice", association=slug, invoice_id=invoice.pk)
    return redirect("portal:home", association=slug)


@member_view
def invoice(request: HttpRequest, invoice_id: int) -> HttpResponse:
    try:
        inv = selectors.portal_invoice(person=request.person, invoice_id=invoice_id)
    except Invoice.DoesNotExist:
        raise Http404("No such invoice")
    return render(request, "portal/invoice.html",
                  {"invoice": inv, "methods": PaymentMethod.choices})


@member_view
def profile(request: HttpRequest) -> HttpResponse:
    person = request.person
    form = PersonForm(request.POST or None, portal=True, initial=PersonForm.initial_for(person))
    if request.method == "POST" and form.is_valid():
        try:
            people_services.person_update(association=request.association, person=person,
                                          actor=request.user, **form.service_data())
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, "Your details were saved.")
            return redirect("portal:profile", association=request.association.slug)
    return render(request, "portal/profile.html", {"form": form, "person": person})


@member_view
def data_export(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("portal:profile", association=request.association.slug)
    return json_download(request.person, actor=request.user, name="my-data")
