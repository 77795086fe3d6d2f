"""Plans, memberships and their dated terms, transitions, invoices, payments, offerings."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from commonground.core.batches.models import BatchStatus, FileBatch
from commonground.people.models import Organisation, Person
from commonground.tenancy.models import Association, Side

from . import terms

MONEY = {"max_digits": 12, "decimal_places": 2}
# The association of the high-volume rows (terms, transitions, invoices, payments) is not
# a database foreign key: PostgreSQL checked it for each row an import wrote, about 40 %
# of a history import's time. These rows leave with their association only through
# tenancy's association_purge (set-based, every table) or the ORM's cascade, and every
# write takes the association from the scope, so the check guarded nothing.
BULK_ASSOCIATION = {"on_delete": models.CASCADE, "related_name": "+", "db_constraint": False}


class PlanKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    ORGANISATIONAL = "organisational", "Organisational"


class Plan(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=64)
    kind = models.CharField(max_length=16, choices=PlanKind.choices, default=PlanKind.INDIVIDUAL)
    # 0 is a lifetime plan (``lifecycle.LIFETIME``): one term that never ends.
    term_months = models.PositiveSmallIntegerField(default=12)
    price = models.DecimalField(**MONEY, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default="USD")
    # Empty: the default for the term (``lifecycle.default_window``/``default_grace``), so a
    # plan whose term changes keeps sensible windows. Read through ``window_days``/``grace``.
    renewal_window_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days before the term ends when renewal is due")
    grace_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days after the term ends before the membership lapses")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "slug"], name="plan_unique_slug"),
            models.CheckConstraint(condition=Q(price__gte=0), name="plan_price_not_negative"),
            models.CheckConstraint(condition=Q(term_months__lte=120),
                                   name="plan_term_at_most_ten_years"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_lifetime(self) -> bool:
        return self.term_months == terms.LIFETIME

    @property
    def window_days(self) -> int:
        """The renewal window in effect: the plan's own, or the default for its term."""
        if self.is_lifetime:
            return 0
        if self.renewal_window_days is not None:
            return self.renewal_window_days
        return terms.default_window(self.term_months)

    @property
    def grace(self) -> int:
        """The grace period in effect: the plan's own, or the default for its term."""
        if self.is_lifetime:
            return 0
        if self.grace_days is not None:
            return self.grace_days
        return terms.default_grace(self.term_months)

    @property
    def term_label(self) -> str:
        return terms.term_label(self.term_months)


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    RENEWAL_DUE = "renewal_due", "Renewal due"
    GRACE = "grace", "In grace"
    LAPSED = "lapsed", "Lapsed"
    CANCELLED = "cancelled", "Cancelled"


class Membership(models.Model):
    """One member's (person or organisation) membership on a plan.

    ``starts_on``/``ends_on`` mirror the current term; every term is kept in ``Term``.
    """

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+",
                                    db_index=False)  # leads the composite indexes
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="memberships",
                             db_index=False)  # membership_plan_idx serves plan lookups
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="memberships")
    # Partial index in Meta: most memberships are a person's, and an index entry for every
    # empty organisation only slows bulk imports.
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="memberships",
                                     db_index=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    joined_on = models.DateField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    lapsed_on = models.DateField(null=True, blank=True)
    cancelled_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(association="association")
    history = HistoricalRecords(excluded_fields=["updated_at"],
                                no_db_index=["association", "plan", "person", "organisation"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False, organisation__isnull=True)
                           | Q(person__isnull=True, organisation__isnull=False)),
                name="membership_one_member",
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="membership_term_ordered"),
        ]
        indexes = [
            models.Index(fields=["association", "status", "ends_on"], name="membership_status_idx"),
            models.Index(fields=["association", "ends_on"], name="membership_ends_idx"),
            models.Index(fields=["association", "plan", "status"], name="membership_plan_idx"),
            models.Index(fields=["organisation"], name="membership_org_idx",
                         condition=Q(organisation__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.plan}"

    @property
    def member(self):
        return self.person or self.organisation


class TermKind(models.TextChoices):
    JOIN = "join", "Join"
    RENEWAL = "renewal", "Renewal"
    REINSTATEMENT = "reinstatement", "Reinstatement"


class Term(models.Model):
    """One dated period of membership. Terms of a membership never overlap."""

    association = models.ForeignKey(Association, **BULK_ASSOCIATION,
                                    db_index=False)  # leads the unique key
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="terms")
    kind = models.CharField(max_length=14, choices=TermKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    # Partial index in Meta: imported and seeded terms have no invoice.
    invoice = models.ForeignKey("Invoice", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="terms", db_index=False)
    # Reconstructed by the roster import from Member Since and the expiry (see
    # ``membership.inference``), not read from a record of terms: an import of the real
    # history replaces these.
    inferred = models.BooleanField(default=False, db_default=False)  # raw bulk inserts too
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["invoice"], name="term_invoice_idx",
                                condition=Q(invoice__isnull=False))]
        constraints = [
            models.UniqueConstraint(fields=["association", "membership", "starts_on"],
                                    name="term_unique_start"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="term_ordered"),
        ]
        ordering = ["starts_on"]


class Transition(models.Model):
    """A dated lifecycle change of a membership (join, renew, grace, lapse …)."""

    association = models.ForeignKey(Association, **BULK_ASSOCIATION,
                                    db_index=False)  # leads transition_event_idx
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE,
                                   related_name="transitions")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    event = models.CharField(max_length=20)
    on = models.DateField()
    # Partial index in Meta: the daily advance and imports record transitions with no actor.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", db_index=False)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [models.Index(fields=["association", "event", "on"], name="transition_event_idx"),
                   models.Index(fields=["actor"], name="transition_actor_idx",
                                condition=Q(actor__isnull=False))]
        ordering = ["on", "id"]


class InvoiceStatus(models.TextChoices):
    OPEN = "open", "Open"
    PAID = "paid", "Paid"
    VOID = "void", "Void"
    REFUNDED = "refunded", "Refunded"


class Invoice(models.Model):
    association = models.ForeignKey(Association, **BULK_ASSOCIATION)
    number = models.CharField(max_length=32)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="invoices")
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="invoices")
    membership = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="invoices")
    billed_to = models.CharField(max_length=250, blank=True,
                                 help_text="Name and address as billed (blanked on erasure)")
    description = models.CharField(max_length=250)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.OPEN)
    issued_on = models.DateField()
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "number"], name="invoice_unique_number"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["association", "status", "due_on"], name="invoice_open_idx")]
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"Invoice {self.number}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CHEQUE = "cheque", "Cheque"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CARD_MANUAL = "card_manual", "Card (taken manually)"
    OTHER = "other", "Other"


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"


class Payment(models.Model):
    """Money received against an invoice, or refunded. Amounts are always positive."""

    association = models.ForeignKey(Association, **BULK_ASSOCIATION)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=8, choices=PaymentKind.choices, default=PaymentKind.PAYMENT)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    received_on = models.DateField()
    reference = models.CharField(max_length=120, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        ordering = ["received_on", "id"]


class OfferingCategory(models.TextChoices):
    LEARNING = "learning", "Learning (courses, CE)"
    KNOWLEDGE = "knowledge", "Knowledge (publications, research)"
    COMMUNITY = "community", "Community (conferences, forums, peer groups)"
    ADVOCACY = "advocacy", "Advocacy"


class PriceDecision(models.TextChoices):
    FREE = "free", "Free for everyone"
    MEMBER_PRICE = "member_price", "Member price (members pay less)"
    NON_MEMBER_PRICE = "non_member_price", "One price for everyone"


class Offering(models.Model):
    """The formal programme: what the association sells or serves."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64)
    category = models.CharField(max_length=12, choices=OfferingCategory.choices)
    side = models.CharField(max_length=10, choices=Side.choices)
    price_decision = models.CharField(max_length=16, choices=PriceDecision.choices,
                                      default=PriceDecision.FREE)
    member_price = models.DecimalField(**MONEY, default=Decimal("0.00"))
    non_member_price = models.DecimalField(**MONEY, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default="USD")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    # Non-empty while a joint decision on the price is open (what it is, for the form):
    # the price fields are then read-only except through the decision (membership.services
    # offering_price_apply), so a price changes only when both sides have signed.
    price_locked_by = models.CharField(max_length=200, blank=True, default="")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "slug"], name="offering_unique_slug"),
            models.CheckConstraint(condition=Q(member_price__gte=0, non_member_price__gte=0),
                                   name="offering_prices_not_negative"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def price_for(self, *, is_member: bool) -> Decimal:
        if self.price_decision == PriceDecision.FREE:
            return Decimal("0.00")
        if self.price_decision == PriceDecision.MEMBER_PRICE and is_member:
            return self.member_price
        return self.non_member_price


class ImportMapping(models.Model):
    """The columns an association mapped on the Import page (header → field), one per kind
    of file (a roster, a membership history): offered as the defaults for its next file
    of that kind and applied to files imported without the mapping step."""

    class Kind(models.TextChoices):
        PEOPLE = "people", "Roster"                    # the batch kinds' names
        MEMBERSHIPS = "memberships", "Membership history"

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PEOPLE)
    # header key (``roster.mapping.header_key``) → field, "custom.<key>" or "ignore"
    columns = models.JSONField(default=dict, blank=True)
    dayfirst = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager(association="association")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "kind"],
                                               name="importmapping_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} mapping of {self.association_id}"


class HistoryBatch(FileBatch):
    """One run of a membership history import (``membership.history``): a file of terms,
    renewals and payments from another system, with its options, progress and counts."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    options_key = models.CharField(max_length=64, help_text="sha256 of the options, for resuming")
    created = models.BigIntegerField(default=0)      # terms created
    updated = models.BigIntegerField(default=0)      # inferred terms replaced by the real one
    unchanged = models.BigIntegerField(default=0)    # rows whose term was already on file
    memberships_created = models.BigIntegerField(default=0)
    memberships_renewed = models.BigIntegerField(default=0)     # renewal terms
    memberships_lapsed = models.BigIntegerField(default=0)      # lapse transitions
    memberships_reinstated = models.BigIntegerField(default=0)  # reinstatement terms
    invoices_created = models.BigIntegerField(default=0)
    payments_created = models.BigIntegerField(default=0)
    people_created = models.BigIntegerField(default=0)
    unknown_headers = models.JSONField(default=list, blank=True)
    mapped_headers = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(association="association")

    class Meta:
        indexes = [
            models.Index(fields=["association", "file_sha256", "options_key"],
                         name="historybatch_file_idx"),
            models.Index(fields=["association", "-created_at"], name="historybatch_recent_idx"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"History import {self.pk} ({self.file_name})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == BatchStatus.DONE else 0
        return min(100, int(self.rows_done * 100 / self.total_rows))
