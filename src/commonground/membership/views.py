"""Staff pages for plans, offerings, memberships, invoices and payments.

Each action is a POST form calling one service; failures come back as field errors on
the form (payments, plans, offerings) or as a message on the profile (lifecycle buttons).
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.people import selectors as people_selectors
from commonground.people.models import Person
from commonground.tenancy.clock import association_today
from commonground.tenancy.decorators import staff_view

from . import selectors, services
from .exporting import FORMATS, export_people
from .forms import CancelForm, JoinForm, OfferingForm, PaymentForm, PlanForm, RefundForm, RenewForm
from .models import Invoice, Membership, Offering, Plan


def _back_to_member(request: HttpRequest, member_of) -> HttpResponse:
    """Redirect to the profile of whoever holds the membership or invoice."""
    slug = request.association.slug
    if member_of.person_id:
        return redirect("person_detail", association=slug, person_id=member_of.person_id)
    return redirect("organisation_detail", association=slug,
                    organisation_id=member_of.organisation_id)


def _invoice_note(membership: Membership) -> str:
    invoice = membership.invoices.order_by("-id").first()
    return f" Invoice {invoice.number} for {invoice.amount} {invoice.currency} issued." if invoice \
        else ""


@staff_view
def person_list_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The member list, as filtered on screen, as CSV or XLSX in the list's sort order
    (with membership columns, in the roster importer's format)."""
    if fmt not in FORMATS:
        raise Http404("Unknown format")
    params = people_selectors.list_params(request.GET)
    people = people_selectors.person_filter(**params).order_by("last_name", "first_name", "id")
    # Not a context manager: FileResponse streams the file and closes it when done.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    export_people(association=request.association, people=people, fmt=fmt, out=out)
    out.seek(0)
    stamp = association_today(request.association).isoformat()
    return FileResponse(out, as_attachment=True,
                        filename=f"{request.association.slug}-people-{stamp}.{fmt}")


@staff_view
def membership_join(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id, erased_at__isnull=True)
    form = JoinForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            m = services.membership_join(association=request.association, person=person,
                                         plan=form.cleaned_data["plan"],
                                         joined_on=form.cleaned_data["joined_on"],
                                         actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Joined {m.plan.name} until {m.ends_on:%d %b %Y}."
                             + _invoice_note(m))
            return redirect("person_detail", association=request.association.slug,
                            person_id=person.pk)
    return render(request, "membership/join.html", {"person": person, "form": form})


def _lifecycle_action(request: HttpRequest, membership_id: int, action) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=membership_id)
    if request.method != "POST":
        return _back_to_member(request, membership)
    try:
        text = action(membership)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, text)
    return _back_to_member(request, membership)


@staff_view
def membership_renew(request: HttpRequest, membership_id: int) -> HttpResponse:
    def renew(m: Membership) -> str:
        form = RenewForm(request.POST)
        if not form.is_valid():
            raise DomainError("The form was incomplete; reload the page and try again")
        before = m.ends_on
        m = services.membership_renew(membership=m, actor=request.user,
                                      expected_ends_on=form.cleaned_data["expected_ends_on"])
        if before != form.cleaned_data["expected_ends_on"]:
            return f"Already renewed: the membership runs until {m.ends_on:%d %b %Y}."
        return f"Renewed until {m.ends_on:%d %b %Y}." + _invoice_note(m)

    return _lifecycle_action(request, membership_id, renew)


@staff_view
def membership_reinstate(request: HttpRequest, membership_id: int) -> HttpResponse:
    def reinstate(m: Membership) -> str:
        m = services.membership_reinstate(membership=m, actor=request.user)
        return f"Reinstated until {m.ends_on:%d %b %Y}." + _invoice_note(m)

    return _lifecycle_action(request, membership_id, reinstate)


@staff_view
def membership_cancel(request: HttpRequest, membership_id: int) -> HttpResponse:
    def cancel(m: Membership) -> str:
        form = CancelForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        services.membership_cancel(membership=m, note=note, actor=request.user)
        return "Membership cancelled."

    return _lifecycle_action(request, membership_id, cancel)


def _invoice(invoice_id: int) -> Invoice:
    try:
        return selectors.invoice_with_balance(invoice_id=invoice_id)
    except Invoice.DoesNotExist:
        raise Http404("No such invoice")


@staff_view
def invoice_pay(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(invoice_id)
    form = PaymentForm(request.POST or None, initial={"amount": invoice.balance})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.payment_record(invoice=invoice, amount=data["amount"],
                                              method=data["method"],
                                              received_on=data["received_on"],
                                              reference=data["reference"], actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Payment of {payment.amount} {payment.currency} recorded "
                                      f"on invoice {invoice.number}.")
            return _back_to_member(request, invoice)
    return render(request, "membership/payment_form.html",
                  {"invoice": invoice, "form": form, "refund": False})


@staff_view
def invoice_refund(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(invoice_id)
    form = RefundForm(request.POST or None, initial={"amount": invoice.paid})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            refund = services.payment_refund(invoice=invoice, amount=data["amount"],
                                             method=data["method"], reference=data["reference"],
                                             actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Refund of {refund.amount} {refund.currency} recorded.")
            return _back_to_member(request, invoice)
    return render(request, "membership/payment_form.html",
                  {"invoice": invoice, "form": form, "refund": True})


@staff_view
def invoice_void(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(invoice_id)
    if request.method == "POST":
        try:
            services.invoice_void(invoice=invoice, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Invoice {invoice.number} voided.")
    return _back_to_member(request, invoice)


# ---------------------------------------------------------------- plans and offerings

@staff_view
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "membership/plan_list.html", {"plans": selectors.plan_list()})


@staff_view(admin=True)
def plan_edit(request: HttpRequest, plan_id: int | None = None) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id) if plan_id else None
    initial = PlanForm.initial_for(plan) if plan else {"currency": request.association.currency}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.plan_save(association=request.association, plan=plan,
                                       actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Plan {saved.name} saved.")
            return redirect("plan_list", association=request.association.slug)
    return render(request, "membership/plan_form.html", {"form": form, "plan": plan})


@staff_view
def offering_list(request: HttpRequest) -> HttpResponse:
    return render(request, "membership/offering_list.html",
                  {"offerings": selectors.offering_list()})


@staff_view(admin=True)
def offering_edit(request: HttpRequest, offering_id: int | None = None) -> HttpResponse:
    offering = get_object_or_404(Offering, pk=offering_id) if offering_id else None
    initial = OfferingForm.initial_for(offering) if offering else {"price_decision": "free"}
    form = OfferingForm(request.POST or None, initial=initial, offering=offering)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.offering_save(association=request.association, offering=offering,
                                           actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"Offering {saved.name} saved.")
            return redirect("offering_list", association=request.association.slug)
    return render(request, "membership/offering_form.html", {"form": form, "offering": offering})
