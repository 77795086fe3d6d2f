"""Reads of joint products: lists with their approvals and timeliness, the per-partnership
summary (on-time share, average quality), what waits for a staff approver, and the
published credits for the public pages. Never a write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet

from commonground.tenancy.models import AuditEntry

from .models import (
    ApprovalDecision,
    JointProduct,
    Partnership,
    PartnershipParty,
    ProductApproval,
    ProductCredit,
    ProductStatus,
    QualityReview,
)
from .services_products import party_label


@dataclass(frozen=True)
class Timeliness:
    state: str  # on_time, late, overdue, due, none
    label: str
    days: int = 0


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def timeliness(product: JointProduct, today: date) -> Timeliness:
    """Delivered on time / late by N days; not delivered: overdue by N days, or due."""
    due, delivered = product.due_on, product.delivered_on
    if due is None:
        return Timeliness("none", "Delivered" if delivered else "No due date")
    if delivered is not None:
        late = (delivered - due).days
        if late > 0:
            return Timeliness("late", f"Late by {_days(late)}", late)
        return Timeliness("on_time", "On time", late)
    if product.status == ProductStatus.WITHDRAWN:
        return Timeliness("none", "Withdrawn")
    if today > due:
        over = (today - due).days
        return Timeliness("overdue", f"Overdue by {_days(over)}", over)
    left = (due - today).days
    return Timeliness("due", "Due today" if left == 0 else f"Due in {_days(left)}", left)


def products(*, partnership_id: int | None = None, status: str = "") -> QuerySet[JointProduct]:
    qs = (JointProduct.objects.select_related("partnership", "verified_by")
          .annotate(quality=Avg("reviews__score"), reviews_count=Count("reviews", distinct=True)))
    if partnership_id:
        qs = qs.filter(partnership_id=partnership_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("partnership__name", "-created_at", "-id")


def current_approvals(product: JointProduct) -> list[ProductApproval]:
    return list(ProductApproval.objects.filter(product=product, version=product.version)
                .select_related("party__organisation", "party__association",
                                "party__approver_user", "contact", "approver_user",
                                "recorded_by").order_by("-party__is_us", "party_id"))


def approvals_by_version(product: JointProduct) -> list[tuple[int, list[ProductApproval]]]:
    """Every version's approvals, newest first (earlier signatures stay on the record)."""
    out: dict[int, list[ProductApproval]] = {}
    for a in (ProductApproval.objects.filter(product=product)
              .select_related("party__organisation", "party__association", "contact",
                              "approver_user", "recorded_by")
              .order_by("-version", "-party__is_us", "party_id")):
        a.label = party_label(a.party)
        out.setdefault(a.version, []).append(a)
    return sorted(out.items(), reverse=True)


def with_waiting(items: list[JointProduct]) -> list[JointProduct]:
    """Set ``waiting`` (the parties the current version waits for) on each product."""
    ids = [p.pk for p in items]
    pending: dict[int, list[tuple[int, str]]] = {}
    for a in (ProductApproval.objects.filter(product_id__in=ids,
                                             decision=ApprovalDecision.PENDING)
              .select_related("party__organisation", "party__association")):
        pending.setdefault(a.product_id, []).append((a.version, party_label(a.party)))
    for p in items:
        p.waiting = [label for v, label in pending.get(p.pk, [])
                     if v == p.version and p.status == ProductStatus.IN_APPROVAL]
    return items


@dataclass
class PartnershipSummary:
    partnership: Partnership
    products: int
    delivered: int
    on_time: int
    overdue: int
    reviews: int
    quality: Decimal | None

    @property
    def on_time_pct(self) -> Decimal | None:
        """Of the delivered products that had a due date, the share delivered by it."""
        if not self.delivered:
            return None
        return (Decimal(100 * self.on_time) / self.delivered).quantize(Decimal("1"),
                                                                      ROUND_HALF_UP)


def partnership_summaries(today: date) -> list[PartnershipSummary]:
    """Per partnership with joint products: timeliness and quality at a glance."""
    rows = (JointProduct.objects.values("partnership_id")
            .annotate(n=Count("id"),
                      delivered=Count("id", filter=Q(delivered_on__isnull=False,
                                                     due_on__isnull=False)),
                      on_time=Count("id", filter=Q(delivered_on__isnull=False,
                                                   due_on__isnull=False,
                                                   delivered_on__lte=F("due_on"))),
                      overdue=Count("id", filter=Q(delivered_on__isnull=True,
                                                   due_on__lt=today)
                                    & ~Q(status=ProductStatus.WITHDRAWN)))
            .order_by())
    quality = {r["product__partnership_id"]: r for r in
               QualityReview.objects.values("product__partnership_id")
               .annotate(avg=Avg("score"), n=Count("id")).order_by()}
    by_id = {p.pk: p for p in Partnership.objects.filter(
        pk__in=[r["partnership_id"] for r in rows])}
    out = []
    for r in rows:
        q = quality.get(r["partnership_id"])
        avg = Decimal(str(q["avg"])).quantize(Decimal("0.1"), ROUND_HALF_UP) if q else None
        out.append(PartnershipSummary(
            partnership=by_id[r["partnership_id"]], products=r["n"], delivered=r["delivered"],
            on_time=r["on_time"], overdue=r["overdue"], reviews=q["n"] if q else 0,
            quality=avg))
    return sorted(out, key=lambda s: s.partnership.name)


def waiting_for_user(user) -> list[ProductApproval]:
    """The approvals that wait for this staff user as our approver."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    found = list(ProductApproval.objects.filter(
        decision=ApprovalDecision.PENDING, party__is_us=True, party__approver_user=user,
        product__status=ProductStatus.IN_APPROVAL)
        .select_related("product__partnership"))
    return [a for a in found if a.version == a.product.version]


def waiting_count(request) -> int:
    """The navigation badge: our approvals waiting for the signed-in staff member."""
    return len(waiting_for_user(getattr(request, "user", None)))


def history(product: JointProduct) -> list[AuditEntry]:
    approval_ids = list(ProductApproval.objects.filter(product=product)
                        .values_list("pk", flat=True))
    other = list(QualityReview.objects.filter(product=product).values_list("pk", flat=True))
    credit_ids = list(ProductCredit.objects.filter(product=product).values_list("pk", flat=True))
    return list(AuditEntry.objects.filter(
        Q(object_type="jointproduct", object_id=product.pk)
        | Q(object_type="productapproval", object_id__in=approval_ids)
        | Q(object_type="qualityreview", object_id__in=other)
        | Q(object_type="productcredit", object_id__in=credit_ids))
        .select_related("actor").order_by("created_at", "id"))


def parties_of(product: JointProduct) -> list[PartnershipParty]:
    parties = list(PartnershipParty.objects.filter(partnership=product.partnership_id)
                   .select_related("organisation", "association", "approver_user"))
    for p in parties:
        p.label = party_label(p)
    return parties


# ---------------------------------------------------------------- public


def published() -> QuerySet[JointProduct]:
    return (JointProduct.objects.filter(status=ProductStatus.PUBLISHED)
            .select_related("partnership")
            .prefetch_related(Prefetch("credits", queryset=ProductCredit.objects
                                       .select_related("party__organisation",
                                                       "party__association")))
            .order_by("-published_at", "-id"))


def published_by_slug(slug: str) -> JointProduct | None:
    product = published().filter(slug=slug).first()
    if product is not None:
        for c in product.credits.all():
            c.label = party_label(c.party)
            c.sector = "" if c.party.is_us or not c.party.organisation_id \
                else c.party.organisation.get_sector_display()
    return product
