"""Reads for membership: counts, lists and the figures on the dashboard."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from .models import Membership, Plan, Status


def membership_dashboard() -> dict:
    today = timezone.localdate()
    by_status = dict(Membership.objects.values_list("status").annotate(n=Count("id")))
    expiring = Membership.objects.filter(
        status__in=[Status.ACTIVE, Status.RENEWAL_DUE],
        ends_on__gte=today, ends_on__lt=today + timedelta(days=30)).count()
    return {
        "status_counts": [(s.label, by_status.get(s.value, 0), s.value) for s in Status],
        "expiring_30": expiring,
        "plans": Plan.objects.filter(is_active=True),
    }
