"""A small world for joint products (approvals, H5): a partnership of us with a public
agency and a private device maker, each with an approver contact (the agency also has a
contact who is not an approver), our approver (director@) and another staff member
(community@), and the board. Made with the ORM: the partnerships services are helper
"partners"' part. Call inside the association's scope."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

from commonground.partnerships.models import PartnerContact, Partnership, PartnershipParty
from commonground.people import services as ps
from commonground.tenancy.services import staff_add

PASSWORD = "correct horse battery"
LINK = re.compile(r"https?://\S+/partners/[\w-]+/approve/(\S+?)/")


def world(association, *, mark: str = "", approver=None) -> SimpleNamespace:
    def add(email: str, role: str):
        return staff_add(association=association, email=email, role_key=role,
                         password=PASSWORD).user

    slug = association.slug
    us_user = approver or add(f"director@{slug}.example.org", "membership")
    other = add(f"community@{slug}.example.org", "community")
    board = add(f"board@{slug}.example.org", "board")
    partnership = Partnership.objects.create(
        association=association, name=f"{mark}Healthy hearts", why="Fewer heart attacks",
        starts_on=date(2026, 1, 1))
    agency_org = ps.organisation_create(association=association, name=f"{mark}Public Health Agency",
                                        sector="public")
    maker_org = ps.organisation_create(association=association, name=f"{mark}Pulse Devices Ltd",
                                       sector="private")
    us = PartnershipParty.objects.create(association=association, partnership=partnership,
                                         is_us=True, is_lead=True, joined_on=date(2026, 1, 1),
                                         approver_user=us_user)
    agency = PartnershipParty.objects.create(association=association, partnership=partnership,
                                             organisation=agency_org, joined_on=date(2026, 1, 1))
    maker = PartnershipParty.objects.create(association=association, partnership=partnership,
                                            organisation=maker_org, joined_on=date(2026, 1, 1))
    contact = PartnerContact.objects.create
    return SimpleNamespace(
        association=association, partnership=partnership, us=us, agency=agency, maker=maker,
        approver=us_user, other=other, board=board,
        agency_approver=contact(association=association, party=agency, name=f"{mark}Ada Agency",
                                email=f"ada@{slug}-agency.example.gov", is_approver=True),
        agency_clerk=contact(association=association, party=agency, name=f"{mark}Carl Clerk",
                             email=f"carl@{slug}-agency.example.gov", is_approver=False),
        maker_approver=contact(association=association, party=maker, name=f"{mark}Max Maker",
                               email=f"max@{slug}-pulse.example.com", is_approver=True))


def tokens(messages) -> dict[str, str]:
    """The approval link's token per recipient, from the emails sent."""
    out = {}
    for m in messages:
        found = LINK.search(m.get_content())
        assert found, m.get_content()
        out[m["To"]] = found[1]
    return out
