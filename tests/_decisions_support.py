"""A small world for joint decisions: staff on each side, the board, a priced offering."""

from __future__ import annotations

from types import SimpleNamespace

from commonground.membership import services as ms
from commonground.negotiation import services as ns
from commonground.tenancy.services import staff_add

PASSWORD = "correct horse battery"

PRICE_OPTIONS = [
    {"label": "Free", "price_decision": "free"},
    {"label": "Member price", "price_decision": "member_price", "member_price": "30",
     "non_member_price": "80"},
    {"label": "One price", "price_decision": "non_member_price", "non_member_price": "60"},
]


def people(association) -> SimpleNamespace:
    """community@ and volunteers@ (mission), director@ (business, admin), events@
    (business), board@ (the board). Call inside the association's scope."""
    def add(email: str, role: str):
        return staff_add(association=association, email=email, role_key=role,
                         password=PASSWORD).user

    return SimpleNamespace(
        mission=add("community@acme.example.org", "community"),
        mission2=add("volunteers@acme.example.org", "volunteers"),
        business=add("director@acme.example.org", "membership"),
        business2=add("events@acme.example.org", "events"),
        board=add("board@acme.example.org", "board"),
    )


def course(association):
    return ms.offering_save(association=association, name="Data course", category="learning",
                            side="business", price_decision="member_price", member_price="40",
                            non_member_price="90")


def pricing_type(association):
    return next(t for t in ns.decision_types_ensure(association=association)
                if t.key == "pricing")


def propose_price(association, offering, actor, **kw):
    return ns.decision_propose(association=association, type=pricing_type(association),
                               title=kw.pop("title", "Price of the data course"),
                               offering=offering, options=kw.pop("options", PRICE_OPTIONS),
                               actor=actor, **kw)
