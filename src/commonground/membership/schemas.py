"""API shapes for plans, memberships, invoices, payments and offerings.

Money is a decimal string in JSON (``"120.00"``), never a float; dates are ISO 8601.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, PlainSerializer

from commonground.core.ids import MAX_ID

PlanKindName = Literal["individual", "organisational"]
StatusName = Literal["active", "renewal_due", "grace", "lapsed", "cancelled"]
MethodName = Literal["cash", "cheque", "bank_transfer", "card_manual", "other"]
CategoryName = Literal["learning", "knowledge", "community", "advocacy"]
SideName = Literal["mission", "business", "both"]
PriceDecisionName = Literal["free", "member_price", "non_member_price"]


def _money_text(value: Any) -> Any:
    # Accept "12.50" (preferred) or a JSON integer; a float is taken by its shortest repr so
    # 0.1 stays 0.1, and the service then checks places and range.
    if isinstance(value, bool):
        raise ValueError("not an amount")
    if isinstance(value, int | float | Decimal):
        return repr(value) if isinstance(value, float) else str(value)
    return value


MoneyIn = Annotated[str, BeforeValidator(_money_text),
                    Field(max_length=32, pattern=r"^\s*-?[0-9,]*\.?[0-9]*(e-?[0-9]+)?\s*$",
                          examples=["120.00"], description="Decimal string, at most 2 places")]
# Serialised as a string so no client ever parses money into a float.
MoneyOut = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str,
                                              when_used="always"),
                     Field(examples=["120.00"])]


class PlanOut(Schema):
    id: int
    name: str
    slug: str
    kind: PlanKindName
    term_months: int = Field(..., description="Months per term; 0 for a lifetime plan")
    is_lifetime: bool
    price: MoneyOut
    currency: str
    renewal_window_days: int | None = Field(
        ..., description="The plan's own renewal window; null follows the term's default")
    grace_days: int | None = Field(
        ..., description="The plan's own grace period; null follows the term's default")
    window_days: int = Field(..., description="Days before the end when renewal is due, in effect")
    grace: int = Field(..., description="Days of grace after the end, in effect")
    description: str
    is_active: bool


class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=120, examples=["Individual"])
    price: MoneyIn
    term_months: int | str = Field(
        ..., description='Months per term, 1 to 120, or 0 / "lifetime"; also "monthly", '
                         '"quarterly", "annual", "2 years"', examples=[12])
    kind: PlanKindName = "individual"
    renewal_window_days: int | None = Field(
        None, description="0 to 365; null: the term's default (7 days monthly, 30 annual)")
    grace_days: int | None = Field(
        None, description="0 to 365; null: the term's default (7 days monthly, 30 annual)")
    currency: str | None = Field(None, min_length=3, max_length=3, examples=["USD"])
    description: str = Field("", max_length=5000)
    is_active: bool = True
    slug: str | None = Field(None, max_length=64)


class PlanPatch(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=120)
    price: MoneyIn | None = None
    term_months: int | str | None = None
    kind: PlanKindName | None = None
    renewal_window_days: int | None = Field(None, description="null: the term's default")
    grace_days: int | None = Field(None, description="null: the term's default")
    currency: str | None = Field(None, min_length=3, max_length=3)
    description: str | None = Field(None, max_length=5000)
    is_active: bool | None = None


class MembershipOut(Schema):
    id: int
    plan_id: int
    person_id: int | None
    organisation_id: int | None
    status: StatusName
    joined_on: date
    starts_on: date
    ends_on: date
    lapsed_on: date | None
    cancelled_on: date | None


class TermOut(Schema):
    id: int
    kind: str
    starts_on: date
    ends_on: date
    invoice_id: int | None


class TransitionOut(Schema):
    id: int
    event: str
    from_status: str
    to_status: str
    on: date
    note: str


class MembershipDetail(MembershipOut):
    terms: list[TermOut]
    transitions: list[TransitionOut]


class JoinIn(Schema):
    """Exactly one of ``person_id`` / ``organisation_id``. Joining again while a live
    membership on the same plan exists returns that membership (safe to retry)."""

    model_config = ConfigDict(extra="forbid")
    plan_id: int = Field(..., ge=1, le=MAX_ID)
    person_id: int | None = Field(None, ge=1, le=MAX_ID)
    organisation_id: int | None = Field(None, ge=1, le=MAX_ID)
    joined_on: date | None = Field(None, description="Defaults to today")
    invoice: bool = Field(True, description="Issue an invoice for the first term")


class RenewIn(Schema):
    model_config = ConfigDict(extra="forbid")
    expected_ends_on: date | None = Field(
        None, description="The end date you saw. If the membership already ends later (it was "
        "renewed meanwhile, or this is a retry), nothing is added and the membership is "
        "returned as it is: renewing twice by mistake extends once.")
    invoice: bool = True


class ReinstateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    on: date | None = Field(None, description="Start of the new term; defaults to today")
    invoice: bool = True


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=200)


class InvoiceOut(Schema):
    id: int
    number: str
    person_id: int | None
    organisation_id: int | None
    membership_id: int | None
    billed_to: str
    description: str
    amount: MoneyOut
    currency: str
    status: Literal["open", "paid", "void", "refunded"]
    issued_on: date
    due_on: date
    balance: MoneyOut = Field(description="Still owed: amount − payments + refunds")


class PaymentOut(Schema):
    id: int
    invoice_id: int
    kind: Literal["payment", "refund"]
    method: MethodName
    amount: MoneyOut
    currency: str
    received_on: date
    reference: str


class InvoiceDetail(InvoiceOut):
    payments: list[PaymentOut]


class PaymentIn(Schema):
    """Same amount, method, date and reference on the same invoice twice is one payment."""

    model_config = ConfigDict(extra="forbid")
    amount: MoneyIn
    method: MethodName
    received_on: date | None = None
    reference: str = Field("", max_length=120)


class RefundIn(Schema):
    model_config = ConfigDict(extra="forbid")
    amount: MoneyIn
    method: MethodName
    refunded_on: date | None = None
    reference: str = Field("", max_length=120)


class OfferingOut(Schema):
    id: int
    name: str
    slug: str
    category: CategoryName
    side: SideName
    price_decision: PriceDecisionName
    member_price: MoneyOut
    non_member_price: MoneyOut
    currency: str
    description: str
    is_active: bool


class OfferingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(..., max_length=200, examples=["Annual conference 2026"])
    category: CategoryName
    side: SideName
    price_decision: PriceDecisionName = "free"
    member_price: MoneyIn = "0"
    non_member_price: MoneyIn = "0"
    description: str = Field("", max_length=5000)
    is_active: bool = True
