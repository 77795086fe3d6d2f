"""The demo's data-sharing agreement (see ``collaboration_seed``): demo shares its members'
names, emails and chapters with allied-health for the joint conference's invitations,
only of the members who consented, for a year. Both directors approve; a few dozen
members consent (the portal member is left to answer on the portal's Sharing page);
allied-health's director reads the rows on the page, through the API and as a CSV, so
the access log has entries on both sides.

Everything goes through the services and the one read path.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django_scopes import scope

from commonground.collaboration.crossing import sharing as crossing
from commonground.collaboration.models import Consortium, ConsortiumMember, MemberStatus
from commonground.collaboration.services import sharing as services
from commonground.people.models import Person

from .steps import staff_email

CONSENTS = 40
TITLE = "Joint conference invitations"


def _user(slug: str, local: str):
    return get_user_model().objects.get(email__iexact=staff_email(slug, local))


def _consortium(state: Any, demo, ally) -> None:
    """The consortia step makes the consortium; if it has not (run alone), form a minimal
    one so the agreement has the consortium it needs."""
    if crossing.shared_consortium(demo, ally) is not None:
        return
    with scope(association=demo):
        consortium = Consortium.objects.create(association=demo, name="Data sharing pilot",
                                               purpose="Joint conference invitations",
                                               started_on=state.today)
    for i, who in enumerate((demo, ally)):
        with scope(association=who):
            ConsortiumMember.objects.create(association=who, consortium=consortium,
                                            status=MemberStatus.ACTIVE, is_coordinator=i == 0,
                                            joined_on=state.today)


def derive(state: Any) -> dict[str, int]:
    demo = state.demo
    ally = next((a for a in state.allies if a.slug == "allied-health"), None)
    if ally is None:
        return {}
    _consortium(state, demo, ally)
    director, ally_director = _user(demo.slug, "director"), _user(ally.slug, "director")
    today: date = state.today
    with scope(association=demo):
        agreement = services.agreement_propose(
            association=demo, partner=ally, direction="grant", title=TITLE,
            purpose="Invitations to the joint conference of the Health Professions Alliance, "
                    "and nothing else: no marketing, no resale, deleted after the conference.",
            record_kind="members", fields=["first_name", "last_name", "email", "chapter"],
            consent_required=True, starts_on=today, expires_on=today + timedelta(days=365),
            actor=director)
        portal_user_ids = Person.objects.filter(user__isnull=False).values("pk")
        people = list(Person.objects.filter(member_status="active", erased_at__isnull=True)
                      .exclude(pk__in=portal_user_ids).order_by("pk")[:CONSENTS])
        for i, person in enumerate(people):
            services.consent_give(association=demo, agreement=agreement, person=person,
                                  via="staff" if i % 4 == 0 else "portal",
                                  actor=director if i % 4 == 0 else None)
    with scope(association=ally):
        services.agreement_approve(association=ally, agreement=agreement, actor=ally_director)
        reads = 0
        for via in ("web", "api", "web"):
            crossing.shared_rows(agreement_id=agreement.pk, recipient=ally,
                                 reader=ally_director, via=via, limit=25)
            reads += 1
        crossing.shared_rows_all(agreement_id=agreement.pk, recipient=ally,
                                 reader=ally_director)
        reads += 1
    state.made["agreement"] = agreement
    state.say(f"Data sharing: “{TITLE}” demo → {ally.slug}, {len(people)} consents, "
              f"{reads} reads logged")
    return {"agreements": 1, "sharing_consents": len(people), "shared_reads": reads}
