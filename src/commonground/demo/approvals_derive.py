"""The demo's approvals part of collaboration (see ``collaboration_seed``): joint products
of the partnerships the partners step made, through the services.

- a joint campaign waiting for ONE partner's approval (we and the others approved), its
  waiting link printed so the demo can be walked from the partner's side;
- a published guide with every party's credit on its public page;
- a training series delivered late, with a quality review.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core import mail
from django.test.utils import override_settings
from django_scopes import scope

from commonground.partnerships import services_products as jp
from commonground.partnerships.models import (
    PartnerContact,
    Partnership,
    PartnershipParty,
    ProductApproval,
)

from .seed import staff_email

CONTRIBUTIONS = {
    "us": "Clinical content, our members' voice and the campaign's design",
    "public": "Public-health evidence, official endorsement and its regional channels",
    "voluntary": "Patients' stories and the charity's volunteer network",
    "private": "Printing, distribution through its sales force and the product know-how",
}


def _partnerships(state: Any, demo) -> list[Partnership]:
    made = state.made.get("partnerships")
    if isinstance(made, dict):
        made = list(made.values())
    found = [p for p in (made or []) if isinstance(p, Partnership)]
    if not found:
        found = list(Partnership.objects.filter(association=demo).order_by("pk"))
    return found


def _ready(partnership: Partnership) -> bool:
    """Every party has an approver (ours a staff user, each partner a contact)."""
    parties = jp.asked_parties(partnership)
    return len(parties) > 1 and all(
        (p.approver_user_id if p.is_us else
         PartnerContact.objects.filter(party=p, is_approver=True).exists()) for p in parties)


def _sign(demo, product, actor, *, leave_waiting: PartnershipParty | None = None) -> None:
    """Our approver signs; each partner's approval is recorded (given at the steering
    meeting), except the one left waiting."""
    for approval in ProductApproval.objects.filter(product=product, version=product.version) \
            .select_related("party__approver_user"):
        party = approval.party
        if leave_waiting is not None and party.pk == leave_waiting.pk:
            continue
        if party.is_us:
            jp.approval_decide(association=demo, product=product, approval=approval,
                               decision="approved", note="Signed for us",
                               actor=party.approver_user)
        else:
            contact = jp.approver_contacts(party)[0]
            jp.approval_record(association=demo, product=product, approval=approval,
                               contact=contact, decision="approved",
                               note="Approved at the steering meeting", actor=actor)


def _credit(demo, product, actor) -> None:
    for party in jp.asked_parties(product.partnership):
        key = "us" if party.is_us else party.organisation.sector
        jp.product_credit_set(association=demo, product=product, party=party,
                              contribution=CONTRIBUTIONS.get(key, CONTRIBUTIONS["voluntary"]),
                              actor=actor)


def derive(state: Any) -> dict[str, int]:
    """Make this part through the services; return counts of what was made."""
    demo, today = state.demo, state.today
    with scope(association=demo), override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        ready = [p for p in _partnerships(state, demo) if _ready(p)]
        if not ready:
            state.say("Joint products: no partnership with approvers on every side; skipped.")
            return {"joint_products": 0}
        actor = get_user_model().objects.get(email=staff_email(demo.slug, "marketing"))
        counts = {"joint_products": 0, "joint_products_published": 0, "quality_reviews": 0}
        first, second, third = (ready * 3)[:3]

        # 1. A joint campaign waiting for one partner (the last) — the issue's demo.
        campaign = jp.joint_product_create(
            association=demo, partnership=first, name="Know your numbers", kind="campaign",
            description="A joint awareness campaign on blood pressure: posters, a leaflet and "
                        "a week of free checks at members' practices.",
            due_on=today + timedelta(days=45), actor=actor)
        jp.joint_product_submit(association=demo, product=campaign, actor=actor)
        waiting = [p for p in jp.asked_parties(first) if not p.is_us][-1]
        _sign(demo, campaign, actor, leave_waiting=waiting)
        counts["joint_products"] += 1

        # 2. A published guide with every party's credit.
        guide = jp.joint_product_create(
            association=demo, partnership=second, name="Living well with heart failure",
            kind="publication", description="A guide for patients and carers, written with "
                                            "them.",
            due_on=today - timedelta(days=30), actor=actor)
        jp.joint_product_submit(association=demo, product=guide, actor=actor)
        _sign(demo, guide, actor)
        jp.joint_product_verify(association=demo, product=guide, actor=actor,
                                notes="Clinical facts checked against the current guidelines; "
                                      "every logo as its owner supplied it.")
        _credit(demo, guide, actor)
        jp.joint_product_publish(association=demo, product=guide, actor=actor)
        jp.joint_product_deliver(association=demo, product=guide,
                                 delivered_on=today - timedelta(days=33), actor=actor)
        jp.quality_review_add(association=demo, product=guide, score=5, actor=actor,
                              notes="Patients found it clear; reprint planned.")
        counts["joint_products"] += 1
        counts["joint_products_published"] += 1
        counts["quality_reviews"] += 1

        # 3. A training series delivered late, reviewed.
        series = jp.joint_product_create(
            association=demo, partnership=third, name="Device training webinars",
            kind="event", description="Four webinars for members on using home monitors.",
            due_on=today - timedelta(days=40), actor=actor)
        jp.joint_product_submit(association=demo, product=series, actor=actor)
        _sign(demo, series, actor)
        jp.joint_product_verify(association=demo, product=series, actor=actor,
                                notes="Speakers' disclosures on file; no product promotion.")
        jp.joint_product_deliver(association=demo, product=series,
                                 delivered_on=today - timedelta(days=32), actor=actor)
        jp.quality_review_add(association=demo, product=series, score=3, actor=actor,
                              notes="Good content; two sessions started late, sound was poor.")
        counts["joint_products"] += 1
        counts["quality_reviews"] += 1

        # The waiting partner's link, for walking the demo from the partner's side.
        approval = ProductApproval.objects.get(product=campaign, party=waiting,
                                               version=campaign.version)
        links = jp.approval_links_issue(association=demo, product=campaign, approval=approval,
                                        actor=actor)
        mail.outbox = []
    for contact, url in links:
        state.say(f"“Know your numbers” waits for {jp.party_label(waiting)}; the link of "
                  f"its approver {contact.name}: {url}")
    state.made["joint_products"] = {"waiting": campaign, "published": guide, "late": series}
    return counts
