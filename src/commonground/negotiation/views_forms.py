"""Appraisals and schedules that need both sides' input: the list, a new form, a form's
page (each side's input, the input form for your sides, complete once both gave theirs)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.tenancy import permissions
from commonground.tenancy.decorators import staff_view
from commonground.tenancy.models import StaffMember

from . import selectors_decisions as sel
from . import services
from .forms_decisions import CompleteForm, DualFormForm, DualInputForm
from .models import DualForm, DualFormStatus


def _staff_users():
    ids = StaffMember.objects.filter(role__is_board=False).values_list("user_id", flat=True)
    return get_user_model().objects.filter(pk__in=ids).order_by("email")


def _to_form(request: HttpRequest, form: DualForm):
    return redirect("dual_form_detail", association=request.association.slug, form_id=form.pk)


@staff_view
def dual_form_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") if request.GET.get("status") in DualFormStatus.values \
        else ""
    return render(request, "negotiation/forms/list.html", {
        "forms": sel.dual_form_list(status=status)[:200], "status": status,
        "statuses": DualFormStatus.choices,
        "may_create": permissions.may_propose(request.staff_roles)})


@staff_view
def dual_form_new(request: HttpRequest) -> HttpResponse:
    form = DualFormForm(request.POST or None, staff_users=_staff_users(),
                        initial={"kind": request.GET.get("kind", "appraisal")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.dual_form_create(
                association=request.association, kind=data["kind"], title=data["title"],
                subject_user=form.subject(), period_start=data["period_start"],
                period_end=data["period_end"], actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, f"“{made.title}” started: it waits for both sides' input.")
            return _to_form(request, made)
    return render(request, "negotiation/forms/new.html", {
        "form": form, "may_create": permissions.may_propose(request.staff_roles)})


@staff_view
def dual_form_detail(request: HttpRequest, form_id: int) -> HttpResponse:
    form = get_object_or_404(DualForm.objects.select_related("subject_user", "created_by",
                                                             "completed_by"), pk=form_id)
    inputs = {i.side: i for i in form.inputs.select_related("author")}
    sides = sorted(permissions.sides_of(request.staff_roles))
    is_open = form.status == DualFormStatus.OPEN
    missing = sel.dual_form_missing(form)
    return render(request, "negotiation/forms/detail.html", {
        "dual": form, "inputs": [(s, label, inputs.get(s)) for s, label in
                                 (("mission", "Mission side"), ("business", "Business side"))],
        "missing": missing,
        "input_form": DualInputForm(sides=sides, kind=form.kind) if is_open and sides else None,
        "complete_form": CompleteForm() if is_open and not missing and sides else None,
        "history": sel.dual_form_history(form)})


@staff_view
def dual_form_input(request: HttpRequest, form_id: int) -> HttpResponse:
    form = get_object_or_404(DualForm, pk=form_id)
    if request.method == "POST":
        # Both sides parse here: the service says who may give which side's input.
        page = DualInputForm(request.POST, sides=list(permissions.BOTH_SIDES), kind=form.kind)
        if not page.is_valid():
            messages.error(request, "Choose your side and write its input.")
        else:
            try:
                services.dual_input_submit(association=request.association, form=form,
                                           side=page.cleaned_data["side"],
                                           body=page.cleaned_data["body"],
                                           data=page.data_value(), actor=request.user)
            except DomainError as exc:
                messages.error(request, "; ".join([exc.message, *(
                    m for ms in exc.fields.values() for m in ms)]))
            else:
                messages.success(request, "Your side's input is recorded.")
    return _to_form(request, form)


@staff_view
def dual_form_complete(request: HttpRequest, form_id: int) -> HttpResponse:
    form = get_object_or_404(DualForm, pk=form_id)
    if request.method == "POST":
        page = CompleteForm(request.POST)
        if not page.is_valid():
            messages.error(request, "Write the agreed result.")
        else:
            try:
                services.dual_form_complete(association=request.association, form=form,
                                            summary=page.cleaned_data["summary"],
                                            actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "Completed with both sides' input.")
    return _to_form(request, form)
