"""A small synthetic association with years of membership history for the lapse tests.

Members with low engagement attend fewer events, open fewer emails, pay later — and lapse
more; a lapsing member's activity fades in the months before the term ends. Built with
bulk inserts (a few hundred rows a table) so a test pays well under a second for it.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django_scopes import scope

from commonground.activity.models import Activity
from commonground.activity.services import source_create
from commonground.membership import sql as msql
from commonground.membership.models import Invoice, Membership, Payment, Plan, Term
from commonground.people.models import Chapter, Person

TODAY = date(2026, 12, 1)


def build_history(association, *, members: int = 160, years: int = 4, seed: int = 1,
                  today: date = TODAY, activity: bool = True, renew_all: bool = False,
                  monthly_share: float = 0.0) -> dict:
    rnd = random.Random(seed)
    aid = association.pk
    with scope(association=association):
        annual = Plan.objects.create(association=association, name="Standard", slug="standard",
                                     term_months=12, price=Decimal("120.00"))
        monthly = Plan.objects.create(association=association, name="Monthly", slug="monthly",
                                      term_months=1, price=Decimal("12.00"))
        north = Chapter.objects.create(association=association, name="North", slug="north")
        src = source_create(association=association, name="Feeds", profile="email")
        people = Person.objects.bulk_create([
            Person(association=association, first_name=f"P{i}", last_name="Test",
                   email=f"p{i}@example.org", email_key=f"p{i}@example.org",
                   search_text=f"p{i} test p{i}@example.org",
                   chapter=north if i % 2 else None)
            for i in range(members)])
        terms, invoices, acts, memberships, engaged = [], [], [], [], {}
        start = today - relativedelta(years=years)
        for person in people:
            e = rnd.random()
            engaged[person.pk] = e
            plan = monthly if rnd.random() < monthly_share else annual
            months = plan.term_months
            joined = start + timedelta(days=rnd.randint(0, 365 * (years - 1)))
            spans = []
            s = joined
            while True:
                end = s + relativedelta(months=months) - timedelta(days=1)
                spans.append((s, end))
                if end + timedelta(days=1) > today:
                    break
                p = 1.0 if renew_all else (0.35 + 0.6 * e) ** (months / 12)
                if rnd.random() >= p:
                    break
                s = end + timedelta(days=1)
            last_end = spans[-1][1]
            lapsed = last_end + timedelta(days=1) <= today and not renew_all \
                and len(spans) and (today - last_end).days > 30
            status = "lapsed" if lapsed else ("active" if last_end >= today else "grace")
            memberships.append(Membership(
                association=association, plan=plan, person=person, status=status,
                joined_on=joined, starts_on=spans[-1][0], ends_on=last_end,
                lapsed_on=last_end + timedelta(days=31) if lapsed else None))
            engaged[person.pk] = (e, spans, plan, lapsed)
        Membership.objects.bulk_create(memberships)
        for m in memberships:
            e, spans, plan, lapsed = engaged[m.person_id]
            for k, (s, end) in enumerate(spans):
                inv = Invoice(association=association, number=f"I-{m.pk}-{k}",
                              person_id=m.person_id, membership=m,
                              description="Dues", amount=plan.price, currency="USD",
                              status="paid", issued_on=s, due_on=s + timedelta(days=30))
                invoices.append((inv, s + timedelta(days=int(5 + 50 * (1 - e) * rnd.random()))))
                terms.append(Term(association=association, membership=m,
                                  kind="join" if k == 0 else "renewal", starts_on=s, ends_on=end))
            if not activity:
                continue
            first, last = spans[0][0], min(spans[-1][1], today - timedelta(days=1))
            fade_from = spans[-1][1] - timedelta(days=120) if lapsed else date.max
            day = first
            while day <= last:
                rate = 0.15 + 0.5 * e if day < fade_from else 0.03
                if rnd.random() < rate:
                    kind, cat = rnd.choice([("checkin", "community"), ("email_open", "marketing"),
                                            ("course", "learning")])
                    acts.append(Activity(
                        association=association, person_id=m.person_id, source=src, kind=kind,
                        category=cat, external_id=f"a{len(acts)}",
                        occurred_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC)))
                if day.day == 1:
                    acts.append(Activity(
                        association=association, person_id=m.person_id, source=src,
                        kind="email_sent", category="marketing", external_id=f"a{len(acts)}",
                        occurred_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC)))
                day += timedelta(days=3)
        Invoice.objects.bulk_create([i for i, _ in invoices])
        Payment.objects.bulk_create([
            Payment(association=association, invoice=i, method="card", amount=i.amount,
                    currency="USD", received_on=paid)
            for i, paid in invoices if paid <= today])
        by_start = {(i.membership_id, i.issued_on): i for i, _ in invoices}
        for t in terms:
            t.invoice = by_start.get((t.membership.pk, t.starts_on))
        Term.objects.bulk_create(terms)
        Activity.objects.bulk_create(acts, batch_size=2000)
        msql.member_summary_refresh(association_id=aid)
    return {"annual": annual, "monthly": monthly, "chapter": north, "people": people,
            "source": src, "activities": len(acts), "terms": len(terms)}
