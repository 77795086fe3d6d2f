"""Two associations in one active consortium, for the data-sharing tests (helper sharing).

The consortium and its members are ORM rows (the consortium services are another part);
everything about agreements goes through the services.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from django.utils import timezone
from django_scopes import scope

from commonground.collaboration.models import Consortium, ConsortiumMember, MemberStatus
from commonground.membership import services as ms
from commonground.people import services as ps
from commonground.tenancy.models import Association
from commonground.tenancy.services import association_create, staff_add


def consortium_of(*associations: Association, name: str = "Alliance") -> Consortium:
    """An active consortium coordinated by the first association, all of them active."""
    coordinator = associations[0]
    with scope(association=coordinator):
        consortium = Consortium.objects.create(association=coordinator, name=name,
                                               started_on=date(2026, 1, 1))
    for i, a in enumerate(associations):
        with scope(association=a):
            ConsortiumMember.objects.create(association=a, consortium=consortium,
                                            status=MemberStatus.ACTIVE, is_coordinator=i == 0,
                                            joined_on=date(2026, 1, 1))
    return consortium


def member(association: Association, first: str, last: str, *, email: str | None = None,
           chapter=None, plan=None):
    with scope(association=association):
        person = ps.person_create(association=association, first_name=first, last_name=last,
                                  email=email or f"{first.lower()}@{association.slug}.example",
                                  phone="+15035550100", city="Hiddencity", chapter=chapter)
        if plan is not None:
            ms.membership_join(association=association, plan=plan, person=person)
        return person


def pair(grantor_slug: str = "grantor", recipient_slug: str = "recipient"):
    """Grantor G and recipient R in a consortium; G has a chapter, a plan and three
    members (Gwen consents in the tests, Hal does not, Ivy is in another chapter)."""
    g = association_create(slug=grantor_slug, name="Grantor Guild")
    r = association_create(slug=recipient_slug, name="Recipient Society")
    w = SimpleNamespace(g=g, r=r)
    w.g_admin = staff_add(association=g, email=f"admin@{g.slug}.example.org",
                          role_key="admin").user
    w.r_admin = staff_add(association=r, email=f"admin@{r.slug}.example.org",
                          role_key="admin").user
    w.g_marketing = staff_add(association=g, email=f"marketing@{g.slug}.example.org",
                              role_key="marketing").user
    w.consortium = consortium_of(g, r)
    with scope(association=g):
        w.north = ps.chapter_create(association=g, name="North")
        w.south = ps.chapter_create(association=g, name="South")
        w.plan = ms.plan_save(association=g, name="Regular", price="100.00")
    w.gwen = member(g, "Gwen", "Secretlast", chapter=w.north, plan=w.plan)
    w.hal = member(g, "Hal", "Noconsent", chapter=w.north, plan=w.plan)
    w.ivy = member(g, "Ivy", "Southerly", chapter=w.south, plan=w.plan)
    w.today = timezone.localdate()
    w.next_year = w.today + timedelta(days=365)
    return w
