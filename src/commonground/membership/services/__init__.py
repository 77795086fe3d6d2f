"""Every write of the membership app: plans and offerings (``catalogue``), the membership
lifecycle (``memberships``), invoices, payments and refunds (``billing``).

Callers import from here; the modules split the app's writes by what they change.
"""

from .billing import (
    billing_identity_erase,
    invoice_balance,
    invoice_create,
    invoice_void,
    payment_record,
    payment_refund,
    term_invoice,
)
from .catalogue import (
    offering_price_apply,
    offering_price_lock,
    offering_price_unlock,
    offering_prices,
    offering_save,
    plan_key,
    plan_save,
    plans_for_import,
)
from .common import CENT, actor_user, parse_money
from .memberships import (
    member_summary_refresh,
    membership_cancel,
    membership_join,
    membership_reinstate,
    membership_renew,
    memberships_advance,
)

__all__ = [
    "CENT", "actor_user", "billing_identity_erase", "invoice_balance", "invoice_create",
    "invoice_void", "member_summary_refresh", "membership_cancel", "membership_join",
    "membership_reinstate", "membership_renew", "memberships_advance", "offering_price_apply",
    "offering_price_lock", "offering_price_unlock", "offering_prices", "offering_save",
    "parse_money", "payment_record", "payment_refund", "plan_key", "plan_save",
    "plans_for_import", "term_invoice",
]
