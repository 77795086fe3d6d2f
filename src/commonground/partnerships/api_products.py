"""Joint products and their approvals over the API, mounted by ``web.api`` under /api/v1.

The token's user acts: as our approver they sign our party's approval; for a partner
they record the decision one of its approver contacts gave (``contact_id``), refused for
anyone who is not an approver of that party. Partners themselves decide through the
emailed link, not the API.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema, Status

from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.tenancy.clock import association_today
from commonground.tenancy.idempotency import idempotent

from . import selectors_products as sel
from . import services_products as services
from .models import JointProduct, Partnership, ProductApproval

router = Router(tags=["Joint products"])
TEXT = 20_000
Kind = Literal["campaign", "product", "publication", "event", "activity"]
Status_ = Literal["draft", "in_approval", "changes", "approved", "verified", "published",
                  "withdrawn"]


class ProductIn(Schema):
    partnership_id: int = Field(..., ge=1, le=MAX_ID)
    name: str = Field(..., max_length=200)
    kind: Kind = "campaign"
    description: str = Field("", max_length=TEXT)
    due_on: date | None = None
    slug: str = Field("", max_length=80, description="Its credit page's address "
                                                     "(default: from the name)")


class ProductPatch(Schema):
    name: str | None = Field(None, max_length=200)
    kind: Kind | None = None
    description: str | None = Field(None, max_length=TEXT)
    due_on: date | None = Field(None, description="null clears it")
    slug: str | None = Field(None, max_length=80)


class DecisionIn(Schema):
    decision: Literal["approved", "changes"]
    note: str = Field("", max_length=TEXT, description="Required when asking for changes")
    contact_id: int | None = Field(None, ge=1, le=MAX_ID, description=(
        "For a partner's approval: the approver contact who gave the decision. Without it, "
        "you sign our own party's approval as our approver."))


class VerifyIn(Schema):
    notes: str = Field(..., max_length=TEXT)


class WithdrawIn(Schema):
    reason: str = Field(..., max_length=TEXT)


class DeliveryIn(Schema):
    delivered_on: date | None = Field(..., description="null clears it")


class CreditIn(Schema):
    party_id: int = Field(..., ge=1, le=MAX_ID)
    contribution: str = Field(..., max_length=2000)


class ReviewIn(Schema):
    score: int = Field(..., ge=1, le=5)
    notes: str = Field("", max_length=TEXT)
    reviewed_on: date | None = None


class ApprovalOut(Schema):
    id: int
    version: int
    party_id: int
    party: str
    is_us: bool
    decision: str
    contact_id: int | None
    contact: str | None
    approver: str | None
    recorded_by: str | None
    note: str
    requested_at: datetime
    decided_at: datetime | None


class CreditOut(Schema):
    party_id: int
    party: str
    contribution: str


class ReviewOut(Schema):
    id: int
    score: int
    notes: str
    reviewed_on: date
    reviewer: str | None


class ProductOut(Schema):
    id: int
    partnership_id: int
    partnership: str
    name: str
    slug: str
    kind: str
    description: str
    version: int
    status: str
    waiting_for: list[str]
    due_on: date | None
    delivered_on: date | None
    timeliness: str = Field(description="on_time, late, overdue, due or none")
    timeliness_label: str
    submitted_at: datetime | None
    verified_at: datetime | None
    verified_by: str | None
    verification_notes: str
    published_at: datetime | None
    public_url: str | None
    approvals: list[ApprovalOut] = Field(description="The current version's")
    credits: list[CreditOut]
    reviews: list[ReviewOut]
    average_quality: float | None


class SummaryOut(Schema):
    partnership_id: int
    partnership: str
    products: int
    delivered: int
    on_time: int
    on_time_pct: float | None
    overdue: int
    reviews: int
    average_quality: float | None


def _approval_out(a: ProductApproval) -> dict[str, Any]:
    return {"id": a.pk, "version": a.version, "party_id": a.party_id,
            "party": services.party_label(a.party), "is_us": a.party.is_us,
            "decision": a.decision, "contact_id": a.contact_id,
            "contact": a.contact.email if a.contact_id else None,
            "approver": a.approver_user.email if a.approver_user_id else None,
            "recorded_by": a.recorded_by.email if a.recorded_by_id else None,
            "note": a.note, "requested_at": a.requested_at, "decided_at": a.decided_at}


def _out(request, p: JointProduct) -> dict[str, Any]:
    if not hasattr(p, "waiting"):
        sel.with_waiting([p])
    t = sel.timeliness(p, association_today(request.association))
    reviews = list(p.reviews.select_related("reviewer"))
    public = None
    if p.status == "published":
        public = request.build_absolute_uri(
            f"/partners/{request.association.slug}/credits/{p.slug}/")
    return {
        "id": p.pk, "partnership_id": p.partnership_id, "partnership": p.partnership.name,
        "name": p.name, "slug": p.slug, "kind": p.kind, "description": p.description,
        "version": p.version, "status": p.status, "waiting_for": p.waiting,
        "due_on": p.due_on, "delivered_on": p.delivered_on, "timeliness": t.state,
        "timeliness_label": t.label, "submitted_at": p.submitted_at,
        "verified_at": p.verified_at,
        "verified_by": p.verified_by.email if p.verified_by_id else None,
        "verification_notes": p.verification_notes, "published_at": p.published_at,
        "public_url": public,
        "approvals": [_approval_out(a) for a in sel.current_approvals(p)],
        "credits": [{"party_id": c.party_id, "party": services.party_label(c.party),
                     "contribution": c.contribution}
                    for c in p.credits.select_related("party__organisation",
                                                      "party__association")],
        "reviews": [{"id": r.pk, "score": r.score, "notes": r.notes,
                     "reviewed_on": r.reviewed_on,
                     "reviewer": r.reviewer.email if r.reviewer_id else None} for r in reviews],
        "average_quality": round(sum(r.score for r in reviews) / len(reviews), 2)
        if reviews else None}


def _products():
    return JointProduct.objects.select_related("partnership", "verified_by")


def _one(request, product_id: int) -> dict[str, Any]:
    return _out(request, get_or_404(_products(), product_id))


@router.get("/joint-products", response=Page[ProductOut], summary="List joint products")
def list_products(request, partnership: int | None = Query(None, ge=1, le=MAX_ID),
                  status: Status_ | None = None,
                  cursor: str | None = Query(None, max_length=500), limit: int = 50):
    qs = sel.products(partnership_id=partnership, status=status or "")
    page = paginate(qs, cursor=cursor, limit=limit)
    items = sel.with_waiting(page["items"])
    return {"items": [_out(request, p) for p in items], "next_cursor": page["next_cursor"]}


@router.get("/joint-product-summaries", response=list[SummaryOut],
            summary="Timeliness and quality per partnership")
def summaries(request):
    return [{"partnership_id": s.partnership.pk, "partnership": s.partnership.name,
             "products": s.products, "delivered": s.delivered, "on_time": s.on_time,
             "on_time_pct": float(s.on_time_pct) if s.on_time_pct is not None else None,
             "overdue": s.overdue, "reviews": s.reviews,
             "average_quality": float(s.quality) if s.quality is not None else None}
            for s in sel.partnership_summaries(association_today(request.association))]


@router.post("/joint-products", response={201: ProductOut},
             summary="Create a joint product (a draft)")
@idempotent
def create_product(request, payload: ProductIn):
    partnership = get_or_404(Partnership.objects.all(), payload.partnership_id)
    made = services.joint_product_create(
        association=request.association, partnership=partnership, name=payload.name,
        kind=payload.kind, description=payload.description, due_on=payload.due_on,
        slug=payload.slug, actor=request.user)
    return Status(201, _one(request, made.pk))


@router.get("/joint-products/{product_id}", response=ProductOut, summary="Get a joint product")
def get_product(request, product_id: int = path_id()):
    return _one(request, product_id)


@router.patch("/joint-products/{product_id}", response=ProductOut,
              summary="Change a joint product (content changes after submission: a new "
                      "version, asked again)")
@idempotent
def patch_product(request, payload: ProductPatch, product_id: int = path_id()):
    product = get_or_404(_products(), product_id)
    given = payload.model_dump(exclude_unset=True)
    values = {k: v for k, v in given.items() if v is not None or k == "due_on"}
    services.joint_product_update(association=request.association, product=product,
                                  actor=request.user, **values)
    return _one(request, product_id)


@router.post("/joint-products/{product_id}/submit", response=ProductOut,
             summary="Submit for approval by every party")
@idempotent
def submit_product(request, product_id: int = path_id()):
    product = get_or_404(_products(), product_id)
    services.joint_product_submit(association=request.association, product=product,
                                  actor=request.user)
    return _one(request, product_id)


@router.get("/joint-products/{product_id}/approvals", response=list[ApprovalOut],
            summary="Every version's approvals, newest first")
def list_approvals(request, product_id: int = path_id()):
    product = get_or_404(_products(), product_id)
    return [_approval_out(a) for _, rows in sel.approvals_by_version(product) for a in rows]


@router.post("/joint-products/{product_id}/approvals/{approval_id}/decision",
             response=ApprovalOut, summary="Sign our approval, or record a partner's")
@idempotent
def decide(request, payload: DecisionIn, product_id: int = path_id(), approval_id: int = path_id()):
    product = get_or_404(_products(), product_id)
    approval = get_or_404(ProductApproval.objects.filter(product=product), approval_id)
    if payload.contact_id is None:
        done = services.approval_decide(association=request.association, product=product,
                                        approval=approval, decision=payload.decision,
                                        note=payload.note, actor=request.user)
    else:
        done = services.approval_record(association=request.association, product=product,
                                        approval=approval, contact=payload.contact_id,
                                        decision=payload.decision, note=payload.note,
                                        actor=request.user)
    return _approval_out(ProductApproval.objects.select_related(
        "party__organisation", "party__association", "contact", "approver_user",
        "recorded_by").get(pk=done.pk))


@router.post("/joint-products/{product_id}/approvals/{approval_id}/resend",
             response=ApprovalOut, summary="Email a partner's approvers a new link")
@idempotent
def resend(request, product_id: int = path_id(), approval_id: int = path_id()):
    product = get_or_404(_products(), product_id)
    approval = get_or_404(ProductApproval.objects.filter(product=product), approval_id)
    services.approval_resend(association=request.association, product=product,
                             approval=approval, actor=request.user)
    return _approval_out(ProductApproval.objects.select_related(
        "party__organisation", "party__association", "contact", "approver_user",
        "recorded_by").get(pk=approval.pk))


@router.post("/joint-products/{product_id}/verify", response=ProductOut,
             summary="Verify an approved product (you, with notes)")
@idempotent
def verify(request, payload: VerifyIn, product_id: int = path_id()):
    product = get_or_404(_products(), product_id)
    services.joint_product_verify(association=request.association, product=product,
                                  notes=payload.notes, actor=request.user)
    return _one(request, product_id)


@router.post("/joint-products/{product_id}/publish", response=ProductOut,
             summary="Publish a verified product's credit page")
@idempotent
def publish(request, product_id: int = path_id()):
    product = get_or_404(_products(), product_id)
    services.joint_product_publish(association=request.association, product=product,
                                   actor=request.user)
    return _one(request, product_id)


@router.post("/joint-products/{product_id}/withdraw", response=ProductOut,
             summary="Withdraw a product")
@idempotent
def withdraw(request, payload: WithdrawIn, product_id: int = path_id()):
    product = get_or_404(_products(), product_id)
    services.joint_product_withdraw(association=request.association, product=product,
                                    reason=payload.reason, actor=request.user)
    return _one(request, product_id)


@router.post("/joint-products/{product_id}/delivery", response=ProductOut,
             summary="Record (or clear) the delivery date")
@idempotent
def deliver(request, payload: DeliveryIn, product_id: int = path_id()):
    product = get_or_404(_products(), product_id)
    services.joint_product_deliver(association=request.association, product=product,
                                   delivered_on=payload.delivered_on, actor=request.user)
    return _one(request, product_id)


@router.put("/joint-products/{product_id}/credits", response=ProductOut,
            summary="Set one party's credit")
@idempotent
def set_credit(request, payload: CreditIn, product_id: int = path_id()):
    product = get_or_404(_products(), product_id)
    services.product_credit_set(association=request.association, product=product,
                                party=payload.party_id, contribution=payload.contribution,
                                actor=request.user)
    return _one(request, product_id)


@router.post("/joint-products/{product_id}/reviews", response={201: ReviewOut},
             summary="Add a quality review (1–5) of a delivered product")
@idempotent
def review(request, payload: ReviewIn, product_id: int = path_id()):
    product = get_or_404(_products(), product_id)
    r = services.quality_review_add(association=request.association, product=product,
                                    score=payload.score, notes=payload.notes,
                                    reviewed_on=payload.reviewed_on, actor=request.user)
    return Status(201, {"id": r.pk, "score": r.score, "notes": r.notes,
                        "reviewed_on": r.reviewed_on,
                        "reviewer": r.reviewer.email if r.reviewer_id else None})
