"""Reads for outreach: settings, lists with their counts, a list's members, the export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from commonground.tenancy.models import Association

from .models import ContactStatus, Group, Outreach, OutreachMember, OutreachSettings


def settings_for(association: Association) -> OutreachSettings:
    """The association's outreach settings (the defaults, unsaved, until it changes them)."""
    return OutreachSettings.objects.filter(association=association).first() \
        or OutreachSettings(association=association)


def outreach_list() -> QuerySet[Outreach]:
    """Every list of the association in scope, newest first, with its group sizes."""
    return Outreach.objects.annotate(
        n_people=Count("members"),
        n_holdout=Count("members", filter=Q(members__group=Group.HOLDOUT)),
        n_reached=Count("members", filter=Q(members__contact_status__in=[
            ContactStatus.CONTACTED, ContactStatus.EXPORTED])),
    ).order_by("-made_on", "-id")


def members(outreach: Outreach, *, group: str | None = None, status: str | None = None
            ) -> QuerySet[OutreachMember]:
    qs = OutreachMember.objects.filter(outreach=outreach).select_related("person")
    if group:
        qs = qs.filter(group=group)
    if status:
        qs = qs.filter(contact_status=status)
    return qs.order_by("person__last_name", "person__first_name", "person_id")


def counts(outreach: Outreach) -> dict[str, int]:
    """How many per group and per contact status (``contact``, ``holdout``, ``pending`` …)."""
    out = {g: 0 for g in Group.values} | {s: 0 for s in ContactStatus.values}
    for group, status, n in (OutreachMember.objects.filter(outreach=outreach)
                             .values_list("group", "contact_status").annotate(n=Count("id"))
                             .order_by()):
        out[group] += n
        if group == Group.CONTACT:
            out[status] += n
    return out


@dataclass(frozen=True)
class ExportRow:
    person_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    band: str
    renewal_on: date | None
    contact_status: str

    HEADER = ("person_id", "first_name", "last_name", "email", "phone", "risk_band",
              "renewal_on", "contact_status")

    def cells(self) -> list[str]:
        return [_cell(c) for c in (
            str(self.person_id), self.first_name, self.last_name, self.email, self.phone,
            self.band, self.renewal_on.isoformat() if self.renewal_on else "",
            self.contact_status)]


def _cell(text: str) -> str:
    # A cell starting like a formula runs as one in a spreadsheet: quote it.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_rows(outreach: Outreach) -> list[ExportRow]:
    """The contact group (never the held-back people), erased people left out."""
    return [ExportRow(pid, first, last, email, phone, band, renewal, status)
            for pid, first, last, email, phone, band, renewal, status in
            OutreachMember.objects.filter(outreach=outreach, group=Group.CONTACT,
                                          person__erased_at__isnull=True)
            .order_by("person__last_name", "person__first_name", "person_id")
            .values_list("person_id", "person__first_name", "person__last_name",
                         "person__email", "person__phone", "band", "decision_on",
                         "contact_status")]
