"""Membership's part of a person's subject-access export (``people.privacy``): registered
as ``people.extensions.data_sections`` in ``MembershipConfig.ready()``. Reads only."""

from __future__ import annotations

from typing import Any

from commonground.people.extensions import AuditObjects
from commonground.people.models import Person
from commonground.people.privacy import export_row

from .models import Invoice, Payment, Term, Transition


def memberships_export(person: Person) -> tuple[list[dict[str, Any]], AuditObjects]:
    """Memberships with their terms and transitions; their audit entries join the trail."""
    memberships = []
    for m in person.memberships.select_related("plan").order_by("joined_on", "id"):
        row = export_row(m)
        row["plan"] = m.plan.name
        row["terms"] = [export_row(t, skip={"membership"}) for t in
                        Term.objects.filter(membership=m).order_by("starts_on")]
        row["transitions"] = [export_row(t, skip={"membership", "actor"}) for t in
                              Transition.objects.filter(membership=m).order_by("on", "id")]
        memberships.append(row)
    return memberships, {"membership": [m["id"] for m in memberships]}


def invoices_export(person: Person) -> tuple[list[dict[str, Any]], AuditObjects]:
    """Invoices with their payments."""
    invoices = []
    for inv in Invoice.objects.filter(person=person).order_by("issued_on", "id"):
        row = export_row(inv, skip={"person", "organisation"})
        row["payments"] = [export_row(p, skip={"invoice", "actor"})
                           for p in Payment.objects.filter(invoice=inv).order_by("received_on", "id")]
        invoices.append(row)
    return invoices, {}
