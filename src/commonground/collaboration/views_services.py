"""Shared services pages under /a/<association>/collaboration/: the catalogue, a service
(provider: subscribers, rules, periods; subscriber: its allocations and invoices), a cost
period (costs, runs and adjustments, close), and the association's own allocations.
Each view parses the input, calls one service or selector and renders; forms work
without JavaScript and a refusal is shown in the form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from commonground.core.errors import DomainError, NotFound
from commonground.core.forms import add_domain_errors, form_saved
from commonground.tenancy import permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.decorators import staff_view

from . import selectors_services as selectors
from .crossing import services as crossing
from .models import AllocationMethod, CostPeriod, SharedService
from .services import allocations, shared

DATE = forms.DateInput(attrs={"type": "date"})


class ServiceForm(forms.Form):
    consortium = forms.TypedChoiceField(coerce=int, label="Consortium")
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    service_level = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                    help_text="What subscribers can expect")
    usage_unit = forms.CharField(max_length=60, required=False, help_text="e.g. events, emails")

    def __init__(self, *args, consortia=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consortium"].choices = [(c.pk, c.name) for c in consortia]


class RuleForm(forms.Form):
    method = forms.ChoiceField(choices=AllocationMethod.choices)
    valid_from = forms.DateField(widget=DATE, help_text="Applies to periods starting on or "
                                                        "after this day")
    usage_source = forms.SlugField(required=False, help_text="Usage rule: the source's slug "
                                                             "every participant has")
    usage_kinds = forms.CharField(required=False, help_text="Usage rule: only these kinds, "
                                                            "comma-separated (optional)")
    shares = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Fixed rule: one line per participant, "
                                       "“slug: percent” (they total 100)")
    note = forms.CharField(required=False, max_length=2000)

    def parsed_shares(self) -> dict[str, str]:
        out = {}
        for line in (self.cleaned_data.get("shares") or "").splitlines():
            key, sep, value = line.partition(":") if ":" in line else line.partition("=")
            if key.strip():
                out[key.strip()] = value.strip() if sep else ""
        return out


class PeriodForm(forms.Form):
    label = forms.CharField(max_length=40, help_text="e.g. 2026 Q3")
    starts_on = forms.DateField(widget=DATE)
    ends_on = forms.DateField(widget=DATE)


class ItemForm(forms.Form):
    description = forms.CharField(max_length=200)
    amount = forms.CharField(max_length=20)
    incurred_on = forms.DateField(widget=DATE, required=False)


class AdjustForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    cost_description = forms.CharField(max_length=200, required=False,
                                       label="Cost to add (optional)")
    cost_amount = forms.CharField(max_length=20, required=False, label="Its amount")


def _service(request: HttpRequest, shared_service_id: int) -> SharedService:
    try:
        return crossing.service_visible(association=request.association,
                                        service_id=shared_service_id)
    except NotFound:
        raise Http404("No such shared service") from None


def _provided(request: HttpRequest, shared_service_id: int) -> SharedService:
    return get_object_or_404(SharedService, pk=shared_service_id)


@staff_view
def shared_service_list(request: HttpRequest) -> HttpResponse:
    association = request.association
    consortia = selectors.my_consortia(association)
    form = ServiceForm(request.POST or None, consortia=consortia)
    created = {}
    if form_saved(request, form, lambda: created.setdefault("s", shared.shared_service_create(
            association=association, consortium_id=form.cleaned_data["consortium"],
            name=form.cleaned_data["name"], description=form.cleaned_data["description"],
            service_level=form.cleaned_data["service_level"],
            usage_unit=form.cleaned_data["usage_unit"], actor=request.user)),
            success="Service offered; you subscribe to it yourself."):
        return redirect("shared_service_detail", association=association.slug,
                        shared_service_id=created["s"].pk)
    roles = request.staff_roles
    return render(request, "collaboration/services/list.html", {
        "rows": selectors.catalogue(association), "form": form, "consortia": consortia,
        "slug": association.slug, "may_govern": permissions.may_govern_collaboration(roles)})


@staff_view
def shared_service_detail(request: HttpRequest, shared_service_id: int) -> HttpResponse:
    association = request.association
    service = _service(request, shared_service_id)
    page = selectors.service_page(association, service)
    roles = request.staff_roles
    return render(request, "collaboration/services/detail.html", {
        "page": page, "s": service, "slug": association.slug,
        "rule_form": RuleForm(), "period_form": PeriodForm(),
        "may_govern": permissions.may_govern_collaboration(roles),
        "may_work": permissions.may_work_collaboration(roles),
        "today": association_today(association)})


@staff_view
def shared_service_subscribe(request: HttpRequest, shared_service_id: int) -> HttpResponse:
    service = _service(request, shared_service_id)
    if request.method != "POST":  # after the lookup: another association's id is a 404
        return HttpResponseNotAllowed(["POST"])
    try:
        shared.shared_service_subscribe(association=request.association, service_id=service.pk,
                                        actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"You subscribe to {service.name}.")
    return redirect("shared_service_detail", association=request.association.slug,
                    shared_service_id=service.pk)


def _detail_with(request, service, *, rule_form=None, period_form=None) -> HttpResponse:
    association = request.association
    roles = request.staff_roles
    return render(request, "collaboration/services/detail.html", {
        "page": selectors.service_page(association, service), "s": service,
        "slug": association.slug, "rule_form": rule_form or RuleForm(),
        "period_form": period_form or PeriodForm(),
        "may_govern": permissions.may_govern_collaboration(roles),
        "may_work": permissions.may_work_collaboration(roles),
        "today": association_today(association)}, status=422)


@staff_view
def allocation_rule_create(request: HttpRequest, shared_service_id: int) -> HttpResponse:
    service = _provided(request, shared_service_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RuleForm(request.POST)
    if form_saved(request, form, lambda: shared.allocation_rule_create(
            association=request.association, service=service,
            method=form.cleaned_data["method"], valid_from=form.cleaned_data["valid_from"],
            usage_source=form.cleaned_data["usage_source"],
            usage_kinds=[k for k in form.cleaned_data["usage_kinds"].split(",") if k.strip()],
            shares=form.parsed_shares(), note=form.cleaned_data["note"], actor=request.user),
            success="Allocation rule recorded."):
        return redirect("shared_service_detail", association=request.association.slug,
                        shared_service_id=service.pk)
    return _detail_with(request, service, rule_form=form)


@staff_view
def cost_period_create(request: HttpRequest, shared_service_id: int) -> HttpResponse:
    service = _provided(request, shared_service_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = PeriodForm(request.POST)
    made = {}
    if form_saved(request, form, lambda: made.setdefault("p", shared.cost_period_create(
            association=request.association, service=service, label=form.cleaned_data["label"],
            starts_on=form.cleaned_data["starts_on"], ends_on=form.cleaned_data["ends_on"],
            actor=request.user)), success="Cost period opened."):
        return redirect("cost_period_detail", association=request.association.slug,
                        cost_period_id=made["p"].pk)
    return _detail_with(request, service, period_form=form)


def _period_page(request, period, *, item_form=None, adjust_form=None, status=200):
    roles = request.staff_roles
    return render(request, "collaboration/services/period.html", {
        "page": selectors.period_page(period), "p": period, "slug": request.association.slug,
        "item_form": item_form or ItemForm(), "adjust_form": adjust_form or AdjustForm(),
        "may_govern": permissions.may_govern_collaboration(roles),
        "may_work": permissions.may_work_collaboration(roles)}, status=status)


def _period(period_id: int) -> CostPeriod:
    return get_object_or_404(CostPeriod.objects.select_related("service", "association"),
                             pk=period_id)


@staff_view
def cost_period_detail(request: HttpRequest, cost_period_id: int) -> HttpResponse:
    return _period_page(request, _period(cost_period_id))


@staff_view
def cost_period_item_add(request: HttpRequest, cost_period_id: int) -> HttpResponse:
    period = _period(cost_period_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ItemForm(request.POST)
    if form_saved(request, form, lambda: shared.cost_item_add(
            association=request.association, period=period,
            description=form.cleaned_data["description"], amount=form.cleaned_data["amount"],
            incurred_on=form.cleaned_data["incurred_on"], actor=request.user),
            success="Cost recorded."):
        return redirect("cost_period_detail", association=request.association.slug,
                        cost_period_id=period.pk)
    return _period_page(request, period, item_form=form, status=422)


def _post_write(request, period, write, success) -> HttpResponse:
    try:
        result = write()
    except DomainError as exc:
        messages.error(request, " ".join([exc.message, *(m for ms in exc.fields.values()
                                                         for m in ms)]))
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect("cost_period_detail", association=request.association.slug,
                    cost_period_id=period.pk)


@staff_view
def allocation_run(request: HttpRequest, cost_period_id: int) -> HttpResponse:
    period = _period(cost_period_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _post_write(request, period, lambda: allocations.allocation_run(
        association=request.association, period=period, actor=request.user),
        lambda r: (f"Allocated: run {r[0].sequence}." if r[1] else
                   f"Nothing changed: run {r[0].sequence} stands."))


@staff_view
def cost_period_close(request: HttpRequest, cost_period_id: int) -> HttpResponse:
    period = _period(cost_period_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return _post_write(request, period, lambda: allocations.cost_period_close(
        association=request.association, period=period, actor=request.user),
        "Period closed; the participants' invoices are issued.")


@staff_view
def allocation_adjust(request: HttpRequest, cost_period_id: int) -> HttpResponse:
    period = _period(cost_period_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            allocations.allocation_adjust(
                association=request.association, period=period,
                reason=form.cleaned_data["reason"],
                cost_description=form.cleaned_data["cost_description"],
                cost_amount=form.cleaned_data["cost_amount"] or None, actor=request.user)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, "Adjustment recorded and invoiced.")
            return redirect("cost_period_detail", association=request.association.slug,
                            cost_period_id=period.pk)
    return _period_page(request, period, adjust_form=form, status=422)


@staff_view
def allocation_list(request: HttpRequest) -> HttpResponse:
    """Our share of the services we subscribe to, and the invoices their providers issued
    us (read-only: they are in the provider's books)."""
    return render(request, "collaboration/services/allocations.html", {
        "lines": selectors.our_allocations(request.association),
        "slug": request.association.slug})
