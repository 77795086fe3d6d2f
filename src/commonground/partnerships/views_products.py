"""Joint product pages: the list (with each partnership's on-time share and average
quality, and what waits for you as our approver), new and edit, and the product's page
(approvals of the current version and earlier ones, our approver's sign-off, a partner's
decision recorded by staff, links sent again, verification, credits, publication,
delivery, quality reviews, withdrawal, history). Every action is a POST form calling one
service; no JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors
from commonground.core.ids import parse_id
from commonground.tenancy import permissions
from commonground.tenancy.clock import association_today
from commonground.tenancy.decorators import staff_view

from . import selectors_products as sel
from . import services_products as services
from .forms_products import (
    CreditForm,
    DecideForm,
    DeliverForm,
    ProductForm,
    RecordForm,
    ReviewForm,
    VerifyForm,
    WithdrawForm,
)
from .models import (
    ApprovalDecision,
    JointProduct,
    PartnerContact,
    Partnership,
    ProductApproval,
    ProductStatus,
)


def _to_detail(request: HttpRequest, product: JointProduct):
    return redirect("joint_product_detail", association=request.association.slug,
                    product_id=product.pk)


def _flash_refusal(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, "; ".join([exc.message, *(m for ms in exc.fields.values()
                                                       for m in ms)]))


def _may(request: HttpRequest) -> bool:
    return permissions.may_manage_partnerships(request.staff_roles)


@staff_view
def joint_product_list(request: HttpRequest) -> HttpResponse:
    today = association_today(request.association)
    partnership_id = parse_id(request.GET.get("partnership", ""))
    status = request.GET.get("status", "")
    status = status if status in ProductStatus.values else ""
    items = sel.with_waiting(list(sel.products(partnership_id=partnership_id,
                                               status=status)[:300]))
    for p in items:
        p.timely = sel.timeliness(p, today)
    return render(request, "partnerships/products/list.html", {
        "products": items, "summaries": sel.partnership_summaries(today),
        "mine": sel.waiting_for_user(request.user), "may_manage": _may(request),
        "partnerships": Partnership.objects.order_by("name"), "statuses": ProductStatus.choices,
        "partnership_id": partnership_id, "status": status})


def _form_page(request: HttpRequest, form: ProductForm, product: JointProduct | None,
               write: Callable[[dict], JointProduct], success: Callable[[JointProduct], str]
               ) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            made = write(form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, success(made))
            return _to_detail(request, made)
    return render(request, "partnerships/products/form.html", {
        "form": form, "product": product, "may_manage": _may(request)})


@staff_view
def joint_product_new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    pid = parse_id(request.GET.get("partnership", ""))
    if pid:
        initial["partnership"] = pid
    form = ProductForm(request.POST or None, initial=initial)
    return _form_page(
        request, form, None,
        lambda d: services.joint_product_create(
            association=request.association, partnership=d["partnership"], name=d["name"],
            kind=d["kind"], description=d["description"], due_on=d["due_on"],
            slug=d["slug"] or "", actor=request.user),
        lambda p: f"“{p.name}” saved as a draft: submit it to ask every partner's approver.")


@staff_view
def joint_product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_object_or_404(JointProduct, pk=product_id)
    initial = {k: getattr(product, k) for k in ("name", "kind", "description", "due_on",
                                                "slug")}
    form = ProductForm(request.POST or None, initial=initial, editing=True)
    version = product.version

    def success(p: JointProduct) -> str:
        if p.version == version:
            return "Saved."
        if p.status == ProductStatus.IN_APPROVAL:
            return (f"Saved as version {p.version}: every party is asked to approve it "
                    "again (new links were emailed).")
        return f"Saved as version {p.version}, a draft: submit it when it is ready."

    return _form_page(
        request, form, product,
        lambda d: services.joint_product_update(
            association=request.association, product=product, name=d["name"], kind=d["kind"],
            description=d["description"], due_on=d["due_on"], slug=d["slug"] or product.slug,
            actor=request.user), success)


@staff_view
def joint_product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_object_or_404(JointProduct.objects.select_related("partnership",
                                                                    "verified_by"),
                                pk=product_id)
    today = association_today(request.association)
    parties = sel.parties_of(product)
    labels = {p.pk: p.label for p in parties}
    current = sel.current_approvals(product)
    contacts = services.contacts_approving(parties)
    waiting = product.status == ProductStatus.IN_APPROVAL
    for a in current:
        a.label = labels.get(a.party_id, "")
        a.mine = a.party.is_us and a.party.approver_user_id == request.user.pk
        a.decide_form = DecideForm(prefix=f"a{a.pk}") if (
            waiting and a.mine and a.decision == ApprovalDecision.PENDING) else None
        a.record_form = None
        if waiting and not a.party.is_us and a.decision == ApprovalDecision.PENDING:
            cs = contacts.get(a.party_id, [])
            for c in cs:
                c.party_label = a.label
            a.record_form = RecordForm(contacts=cs, prefix=f"a{a.pk}")
    credits = {c.party_id: c for c in product.credits.all()}
    for p in parties:
        p.credit = credits.get(p.pk)
    reviews = list(product.reviews.select_related("reviewer"))
    may = _may(request)
    status = product.status
    return render(request, "partnerships/products/detail.html", {
        "product": product, "parties": parties, "current": current,
        "versions": [(v, rows) for v, rows in sel.approvals_by_version(product)
                     if v != product.version],
        "timely": sel.timeliness(product, today), "reviews": reviews,
        "quality": (sum(r.score for r in reviews) / len(reviews)) if reviews else None,
        "may_manage": may, "history": sel.history(product),
        "editable": may and status != ProductStatus.PUBLISHED,
        "can_submit": may and status in services.EDITABLE,
        "verify_form": VerifyForm(prefix="verify") if may and status == ProductStatus.APPROVED else None,
        "can_publish": may and status == ProductStatus.VERIFIED,
        "withdraw_form": WithdrawForm() if may and status != ProductStatus.WITHDRAWN else None,
        "deliver_form": DeliverForm(initial={"delivered_on": product.delivered_on})
        if may else None,
        "credit_form": CreditForm(parties=parties) if may else None,
        "review_form": ReviewForm(initial={"reviewed_on": today}, prefix="review")
        if may and product.delivered_on else None,
        "public_url": request.build_absolute_uri(
            f"/partners/{request.association.slug}/credits/{product.slug}/")})


def _post(request: HttpRequest, product_id: int, form_class, call: Callable[..., Any],
          success: str, invalid: str, **form_kwargs: Any) -> HttpResponse:
    product = get_object_or_404(JointProduct, pk=product_id)
    if request.method != "POST":
        return _to_detail(request, product)
    form = form_class(request.POST, **form_kwargs) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, invalid)
        return _to_detail(request, product)
    try:
        call(product, form.cleaned_data if form is not None else {})
    except DomainError as exc:
        _flash_refusal(request, exc)
    else:
        messages.success(request, success)
    return _to_detail(request, product)


@staff_view
def joint_product_submit(request: HttpRequest, product_id: int) -> HttpResponse:
    return _post(request, product_id, None, lambda p, _: services.joint_product_submit(
        association=request.association, product=p, actor=request.user),
        "Submitted: every partner's approvers have been emailed their link; our approver "
        "signs on this page.", "")


def _approval(product_id: int, approval_id: int) -> ProductApproval:
    return get_object_or_404(ProductApproval, pk=approval_id, product_id=product_id)


@staff_view
def approval_decide(request: HttpRequest, product_id: int, approval_id: int) -> HttpResponse:
    approval = _approval(product_id, approval_id)
    return _post(request, product_id, DecideForm, lambda p, d: services.approval_decide(
        association=request.association, product=p, approval=approval,
        decision=d["decision"], note=d["note"], actor=request.user),
        "Your decision is recorded.", "Choose approve or request changes.",
        prefix=f"a{approval.pk}")


@staff_view
def approval_record(request: HttpRequest, product_id: int, approval_id: int) -> HttpResponse:
    approval = _approval(product_id, approval_id)
    # Every contact parses here: the service, not the form, says who may decide for whom.
    contacts = list(PartnerContact.objects.select_related("party"))
    for c in contacts:
        c.party_label = ""
    return _post(request, product_id, RecordForm, lambda p, d: services.approval_record(
        association=request.association, product=p, approval=approval,
        contact=parse_id(d["contact"]), decision=d["decision"], note=d["note"],
        actor=request.user),
        "The partner's decision is recorded.",
        "Name who gave the decision and choose approve or request changes.",
        contacts=contacts, prefix=f"a{approval.pk}")


@staff_view
def approval_resend(request: HttpRequest, product_id: int, approval_id: int) -> HttpResponse:
    approval = _approval(product_id, approval_id)
    return _post(request, product_id, None, lambda p, _: services.approval_resend(
        association=request.association, product=p, approval=approval, actor=request.user),
        "A new link was emailed to the partner's approvers (the earlier one stopped "
        "working).", "")


@staff_view
def joint_product_verify(request: HttpRequest, product_id: int) -> HttpResponse:
    return _post(request, product_id, VerifyForm, lambda p, d: services.joint_product_verify(
        association=request.association, product=p, notes=d["notes"], actor=request.user),
        "Verified: it can be published.", "Say what you checked.", prefix="verify")


@staff_view
def joint_product_publish(request: HttpRequest, product_id: int) -> HttpResponse:
    return _post(request, product_id, None, lambda p, _: services.joint_product_publish(
        association=request.association, product=p, actor=request.user),
        "Published: its public credit page is live.", "")


@staff_view
def joint_product_withdraw(request: HttpRequest, product_id: int) -> HttpResponse:
    return _post(request, product_id, WithdrawForm, lambda p, d: services.joint_product_withdraw(
        association=request.association, product=p, reason=d["reason"], actor=request.user),
        "Withdrawn.", "Say why it is withdrawn.")


@staff_view
def joint_product_deliver(request: HttpRequest, product_id: int) -> HttpResponse:
    return _post(request, product_id, DeliverForm, lambda p, d: services.joint_product_deliver(
        association=request.association, product=p, delivered_on=d["delivered_on"],
        actor=request.user), "Delivery recorded.", "Give the delivery date as a date.")


@staff_view
def credit_save(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_object_or_404(JointProduct, pk=product_id)
    return _post(request, product_id, CreditForm, lambda p, d: services.product_credit_set(
        association=request.association, product=p, party=parse_id(d["party"]) or 0,
        contribution=d["contribution"], actor=request.user),
        "Credit saved.", "Choose the party and word its contribution.",
        parties=sel.parties_of(product))


@staff_view
def joint_product_review(request: HttpRequest, product_id: int) -> HttpResponse:
    return _post(request, product_id, ReviewForm, lambda p, d: services.quality_review_add(
        association=request.association, product=p, score=d["score"], notes=d["notes"],
        reviewed_on=d["reviewed_on"], actor=request.user),
        "Quality review recorded.", "Choose a score from 1 to 5.", prefix="review")
