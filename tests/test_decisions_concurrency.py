"""Two signers of the two sides sign at the same moment (PostgreSQL): the decision's row lock
counts them one after the other, so exactly one of them approves and the price is applied
once. And one person submitting twice at once gets one position and one clear refusal."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django_scopes import scope

from _decisions_support import course, people, propose_price
from commonground.core.errors import DomainError
from commonground.membership.models import Offering
from commonground.negotiation import services as ns
from commonground.negotiation.models import Decision, Position
from commonground.tenancy.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def _race(association, decision_id: int, signers) -> list:
    """Each (user, side) signs "Member price" in its own thread and connection, released
    together by a barrier; returns what each got (a position or the refusal)."""
    barrier = threading.Barrier(len(signers))
    results: list = []

    def sign(user, side) -> None:
        try:
            with scope(association=association):
                decision = Decision.objects.get(pk=decision_id)
                option = decision.options.get(label="Member price")
                barrier.wait()
                try:
                    results.append(ns.position_submit(
                        association=association, decision=decision, actor=user, side=side,
                        stance="agree", option=option, reason="At once"))
                except DomainError as exc:
                    results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign, args=s) for s in signers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def setup(association):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    with scope(association=association):
        staff = people(association)
        offering = course(association)
        decision = propose_price(association, offering, staff.business)
    return staff, offering, decision


def test_signing_at_the_same_moment(association, setup):
    """One test, so the database is flushed once (a transactional test's cost)."""
    staff, offering, decision = setup
    # One person, twice at once: one position, one clear refusal, still open.
    results = _race(association, decision.pk, [(staff.business2, "business")] * 2)
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and "already signed" in refused[0].message
    with scope(association=association):
        assert Position.objects.filter(decision_id=decision.pk).count() == 1
        assert Decision.objects.get(pk=decision.pk).status == "open"
        # A fresh decision (nobody signed) for the two sides' race.
        ns.decision_close(association=association, decision=decision, status="withdrawn",
                          outcome="Race again", actor=staff.business)
        second = propose_price(association, offering, staff.business, title="Second")
    # Both sides at once: exactly one approves, the price is applied once.
    results = _race(association, second.pk, [(staff.business, "business"),
                                             (staff.mission, "mission")])
    assert all(isinstance(r, Position) for r in results), results
    with scope(association=association):
        second.refresh_from_db()
        assert second.status == "approved" and second.effect_applied_at is not None
        assert AuditEntry.objects.filter(action="decision.approved").count() == 1
        assert AuditEntry.objects.filter(action="offering.price_decided").count() == 1
        fresh = Offering.objects.get(pk=offering.pk)
        assert (fresh.member_price, fresh.price_locked_by) == (Decimal("30.00"), "")
