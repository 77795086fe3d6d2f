"""An offering's price is read-only while a joint decision on it is open: the form shows it
disabled, the service refuses a change, and only the decision's effect writes it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commonground.core.errors import ValidationFailed
from commonground.membership import services as ms
from commonground.tenancy.models import AuditEntry


@pytest.fixture
def course(scoped, association):
    return ms.offering_save(association=association, name="Data course", category="learning",
                            side="business", price_decision="member_price", member_price="40",
                            non_member_price="90")


def test_locked_price_is_refused_but_other_fields_still_save(association, course):
    ms.offering_price_lock(association=association, offering=course,
                           reason="Joint decision #1 on its price is open")
    with pytest.raises(ValidationFailed) as exc:
        ms.offering_save(association=association, offering=course, name="Data course",
                         category="learning", side="business", price_decision="free")
    assert "price_decision" in exc.value.fields
    course.refresh_from_db()
    assert course.price_decision == "member_price"
    ms.offering_save(association=association, offering=course, name="Data course",
                     category="learning", side="business", price_decision="member_price",
                     member_price="40", non_member_price="90", description="Six weeks")
    course.refresh_from_db()
    assert course.description == "Six weeks"


def test_the_decision_applies_the_price_and_lifts_the_lock(association, course):
    ms.offering_price_lock(association=association, offering=course, reason="Decision #1")
    with pytest.raises(ValidationFailed):
        ms.offering_price_lock(association=association, offering=course, reason="Decision #2")
    ms.offering_price_apply(association=association, offering=course,
                            price_decision="non_member_price", member_price="0",
                            non_member_price="75", decided_by="Decision #1")
    course.refresh_from_db()
    assert (course.price_decision, course.non_member_price, course.price_locked_by) == (
        "non_member_price", Decimal("75.00"), "")
    entry = AuditEntry.objects.get(action="offering.price_decided")
    assert entry.data["decided_by"] == "Decision #1"


def test_the_offering_form_shows_the_locked_price_read_only(association, course, staff_client):
    ms.offering_price_lock(association=association, offering=course,
                           reason="Joint decision #1 on its price is open")
    url = reverse("offering_edit", kwargs={"association": association.slug,
                                           "offering_id": course.pk})
    page = staff_client.get(url).content.decode()
    assert "Read-only: Joint decision #1 on its price is open" in page
    staff_client.post(url, {"name": "Data course", "category": "learning", "side": "business",
                            "price_decision": "free", "member_price": "0",
                            "non_member_price": "0", "is_active": "on"})
    course.refresh_from_db()
    assert course.price_decision == "member_price"  # the disabled fields kept their values
