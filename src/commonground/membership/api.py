"""HTTP API for plans, memberships, invoices, payments and offerings (under /api/v1)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Query, Router, Status

from commonground.core.errors import ValidationFailed
from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.people.models import Organisation, Person
from commonground.tenancy.idempotency import idempotent

from . import api_selectors as sel
from . import services
from .models import Membership, Offering, Plan
from .schemas import (
    CancelIn,
    CategoryName,
    InvoiceDetail,
    InvoiceOut,
    JoinIn,
    MembershipDetail,
    MembershipOut,
    OfferingIn,
    OfferingOut,
    PaymentIn,
    PaymentOut,
    PlanIn,
    PlanOut,
    PlanPatch,
    RefundIn,
    ReinstateIn,
    RenewIn,
    SideName,
    StatusName,
)

router = Router()


def _ref(**kw):
    return Query(None, ge=1, le=MAX_ID, **kw)


# ---------------------------------------------------------------- plans

@router.get("/plans", response=Page[PlanOut], tags=["plans"], summary="List plans")
def list_plans(request, active: bool | None = None, cursor: str | None = Query(None, max_length=500),
               limit: int = 50):
    return paginate(sel.plans_filter(active=active), cursor=cursor, limit=limit)


@router.get("/plans/{plan_id}", response=PlanOut, tags=["plans"], summary="Get a plan")
def get_plan(request, plan_id: int = path_id()):
    return get_or_404(Plan.objects.all(), plan_id)


@router.post("/plans", response={201: PlanOut}, tags=["plans"], summary="Create a plan")
@idempotent
def create_plan(request, payload: PlanIn):
    """A plan whose slug (from `slug` or the name) exists is updated, not duplicated."""
    plan = services.plan_save(association=request.association, actor=request.user,
                              **payload.model_dump())
    return Status(201, plan)


@router.patch("/plans/{plan_id}", response=PlanOut, tags=["plans"], summary="Change a plan")
@idempotent
def patch_plan(request, payload: PlanPatch, plan_id: int = path_id()):
    plan = get_or_404(Plan.objects.all(), plan_id)
    current = {f: getattr(plan, f) for f in ("name", "price", "term_months", "kind",
                                            "renewal_window_days", "grace_days", "currency",
                                            "description", "is_active")}
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items()}
    for field in ("name", "price", "term_months", "kind", "is_active"):
        if field in changes and changes[field] is None:
            raise ValidationFailed("Please correct the highlighted fields",
                                   fields={field: ["may not be null"]})
    # An explicit null window or grace goes back to the term's default.
    nullable = ("renewal_window_days", "grace_days")
    return services.plan_save(association=request.association, plan=plan, actor=request.user,
                              **{**current, **{k: v for k, v in changes.items()
                                               if v is not None or k in nullable}})


# ---------------------------------------------------------------- memberships

@router.get("/memberships", response=Page[MembershipOut], tags=["memberships"],
            summary="List memberships")
def list_memberships(
    request,
    status: StatusName | None = None,
    plan: int | None = _ref(description="Plan id"),
    person: int | None = _ref(description="Person id"),
    organisation: int | None = _ref(description="Organisation id"),
    ends_before: date | None = Query(None, description="Current term ends before this date"),
    ends_after: date | None = Query(None, description="Current term ends after this date"),
    cursor: str | None = Query(None, max_length=500),
    limit: int = 50,
):
    qs = sel.memberships_filter(status=status, plan=plan, person=person, organisation=organisation,
                                ends_before=ends_before, ends_after=ends_after)
    return paginate(qs, cursor=cursor, limit=limit)


def _membership(membership_id: int) -> Membership:
    return get_or_404(Membership.objects.select_related("plan", "association"), membership_id)


@router.get("/memberships/{membership_id}", response=MembershipDetail, tags=["memberships"],
            summary="Get a membership with its terms and transitions")
def get_membership(request, membership_id: int = path_id()):
    return _membership(membership_id)


@router.post("/memberships", response={201: MembershipOut}, tags=["memberships"],
             summary="Join: start a membership")
@idempotent
def join(request, payload: JoinIn):
    plan = get_or_404(Plan.objects.all(), payload.plan_id)
    person = get_or_404(Person.objects.all(), payload.person_id) if payload.person_id else None
    organisation = (get_or_404(Organisation.objects.all(), payload.organisation_id)
                    if payload.organisation_id else None)
    membership = services.membership_join(
        association=request.association, plan=plan, person=person, organisation=organisation,
        joined_on=payload.joined_on, invoice=payload.invoice, actor=request.user)
    return Status(201, membership)


@router.post("/memberships/{membership_id}/renew", response=MembershipOut, tags=["memberships"],
             summary="Renew: add one term after the current end")
@idempotent
def renew(request, payload: RenewIn | None = None, membership_id: int = path_id()):
    """Send `expected_ends_on` (the end date you saw) so that a double click or a retry
    without an Idempotency-Key extends the membership once."""
    payload = payload or RenewIn()
    return services.membership_renew(membership=_membership(membership_id),
                                     expected_ends_on=payload.expected_ends_on,
                                     invoice=payload.invoice, actor=request.user)


@router.post("/memberships/{membership_id}/reinstate", response=MembershipOut,
             tags=["memberships"], summary="Reinstate a lapsed or cancelled membership")
@idempotent
def reinstate(request, payload: ReinstateIn | None = None, membership_id: int = path_id()):
    """Reinstating a live membership is a no-op (safe to retry)."""
    payload = payload or ReinstateIn()
    return services.membership_reinstate(membership=_membership(membership_id), on=payload.on,
                                         invoice=payload.invoice, actor=request.user)


@router.post("/memberships/{membership_id}/cancel", response=MembershipOut, tags=["memberships"],
             summary="Cancel a membership")
@idempotent
def cancel(request, payload: CancelIn | None = None, membership_id: int = path_id()):
    """Cancelling a cancelled membership is a no-op (safe to retry)."""
    payload = payload or CancelIn()
    return services.membership_cancel(membership=_membership(membership_id), note=payload.note,
                                      actor=request.user)


# ---------------------------------------------------------------- invoices and payments

@router.get("/invoices", response=Page[InvoiceOut], tags=["invoices"], summary="List invoices")
def list_invoices(
    request,
    status: Literal["open", "paid", "void", "refunded"] | None = None,
    person: int | None = _ref(description="Person id"),
    membership: int | None = _ref(description="Membership id"),
    cursor: str | None = Query(None, max_length=500),
    limit: int = 50,
):
    qs = sel.invoices_filter(status=status, person=person, membership=membership)
    return paginate(qs, cursor=cursor, limit=limit)


def _invoice(invoice_id: int):
    return get_or_404(sel.invoices_with_balance().select_related("association"), invoice_id)


@router.get("/invoices/{invoice_id}", response=InvoiceDetail, tags=["invoices"],
            summary="Get an invoice with its balance and payments")
def get_invoice(request, invoice_id: int = path_id()):
    return _invoice(invoice_id)


@router.post("/invoices/{invoice_id}/payments", response={201: PaymentOut}, tags=["payments"],
             summary="Record a payment")
@idempotent
def record_payment(request, payload: PaymentIn, invoice_id: int = path_id()):
    payment = services.payment_record(invoice=_invoice(invoice_id), amount=payload.amount,
                                      method=payload.method, received_on=payload.received_on,
                                      reference=payload.reference, actor=request.user)
    return Status(201, payment)


@router.post("/invoices/{invoice_id}/refunds", response={201: PaymentOut}, tags=["payments"],
             summary="Refund money paid on an invoice")
@idempotent
def refund(request, payload: RefundIn, invoice_id: int = path_id()):
    """Without an Idempotency-Key a retried refund is a second refund (up to what was paid):
    send a key."""
    payment = services.payment_refund(invoice=_invoice(invoice_id), amount=payload.amount,
                                      method=payload.method, refunded_on=payload.refunded_on,
                                      reference=payload.reference, actor=request.user)
    return Status(201, payment)


@router.get("/payments", response=Page[PaymentOut], tags=["payments"],
            summary="List payments and refunds")
def list_payments(request, invoice: int | None = _ref(description="Invoice id"),
                  kind: Literal["payment", "refund"] | None = None,
                  cursor: str | None = Query(None, max_length=500), limit: int = 50):
    return paginate(sel.payments_filter(invoice=invoice, kind=kind), cursor=cursor, limit=limit)


# ---------------------------------------------------------------- offerings

@router.get("/offerings", response=Page[OfferingOut], tags=["offerings"],
            summary="List offerings")
def list_offerings(request, category: CategoryName | None = None, side: SideName | None = None,
                   cursor: str | None = Query(None, max_length=500), limit: int = 50):
    return paginate(sel.offerings_filter(category=category, side=side), cursor=cursor,
                    limit=limit)


@router.get("/offerings/{offering_id}", response=OfferingOut, tags=["offerings"],
            summary="Get an offering")
def get_offering(request, offering_id: int = path_id()):
    return get_or_404(Offering.objects.all(), offering_id)


@router.post("/offerings", response={201: OfferingOut}, tags=["offerings"],
             summary="Create an offering")
@idempotent
def create_offering(request, payload: OfferingIn):
    """An offering with the same name is updated, not duplicated."""
    offering = services.offering_save(association=request.association, actor=request.user,
                                      **payload.model_dump())
    return Status(201, offering)
