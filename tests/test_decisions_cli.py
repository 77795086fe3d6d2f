"""`commonground decisions …` and `commonground forms …`: propose, sign by side, the price
applied; refusals name the option; forms need both inputs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope

from _cli_support import commonground
from _decisions_support import course, people


@pytest.fixture
def world(association):
    with scope(association=association):
        return people(association), course(association)


def test_propose_sign_and_show(association, world):
    staff, offering = world
    made = commonground("decisions", "propose", "--association", "acme",
                        "--by", staff.business.email, "--type", "pricing",
                        "--title", "Course price", "--offering", str(offering.pk),
                        "--option", "Free=free", "--option", "Members=member_price:25:70",
                        "--json")
    assert made.code == 0, made.err
    d = made.json()
    assert [o["label"] for o in d["options"]] == ["Free", "Members"]
    bad = commonground("decisions", "propose", "--association", "acme",
                       "--by", staff.business.email, "--type", "pricing", "--title", "Again",
                       "--offering", str(offering.pk), "--option", "Cheap=member_price:90:10")
    assert bad.code == 1 and "--option 1 (member_price): the member price" in bad.err
    wrong = commonground("decisions", "sign", str(d["id"]), "--association", "acme",
                         "--by", staff.business.email, "--side", "mission", "--stance",
                         "agree", "--option", "Members", "--reason", "x")
    assert wrong.code == 1 and "not on the mission side" in wrong.err
    for user, side in ((staff.business, "business"), (staff.mission, "mission")):
        ran = commonground("decisions", "sign", str(d["id"]), "--association", "acme",
                           "--by", user.email, "--side", side, "--stance", "agree",
                           "--option", "Members", "--reason", "Fair")
        assert ran.code == 0, ran.err
    twice = commonground("decisions", "sign", str(d["id"]), "--association", "acme",
                         "--by", staff.mission.email, "--side", "mission", "--stance",
                         "block", "--reason", "x")
    assert twice.code == 1 and "approved" in twice.err
    shown = commonground("decisions", "show", str(d["id"]), "--association", "acme", "--json")
    assert shown.json()["status"] == "approved" and len(shown.json()["positions"]) == 2
    offering.refresh_from_db()
    assert (offering.member_price, offering.non_member_price) == (Decimal("25.00"),
                                                                  Decimal("70.00"))
    listed = commonground("decisions", "list", "--association", "acme")
    assert "approved" in listed.out and "Course price" in listed.out


def test_close_reopen_and_types(association, world):
    staff, offering = world
    d = commonground("decisions", "propose", "--association", "acme", "--by",
                     staff.mission.email, "--type", "policy", "--title", "Code", "--json").json()
    no = commonground("decisions", "close", str(d["id"]), "--association", "acme", "--by",
                      staff.business2.email, "--status", "rejected", "--outcome", "no")
    assert no.code == 1 and "proposer or an administrator" in no.err
    assert commonground("decisions", "close", str(d["id"]), "--association", "acme", "--by",
                        staff.mission.email, "--status", "withdrawn",
                        "--outcome", "Later").code == 0
    again = commonground("decisions", "reopen", str(d["id"]), "--association", "acme", "--by",
                         staff.mission.email, "--reason", "Now")
    assert "round 2" in again.out
    typ = commonground("decisions", "type", "--association", "acme", "--by",
                       staff.business.email, "--name", "Hiring", "--quorum-mission", "2")
    assert typ.code == 0 and "mission 2" in typ.out
    assert "hiring" in commonground("decisions", "types", "--association", "acme").out


def test_forms_need_both_sides(association, world):
    staff, _ = world
    made = commonground("forms", "create", "--association", "acme", "--by",
                        staff.business.email, "--kind", "appraisal", "--title", "Vera",
                        "--subject", staff.mission2.email, "--json")
    assert made.code == 0, made.err
    fid = str(made.json()["id"])
    commonground("forms", "input", fid, "--association", "acme", "--by", staff.business.email,
                 "--side", "business", "--body", "Reliable", "--rating", "4")
    early = commonground("forms", "complete", fid, "--association", "acme", "--by",
                         staff.business.email, "--summary", "Good")
    assert early.code == 1 and "Waiting for the mission side" in early.err
    own = commonground("forms", "input", fid, "--association", "acme", "--by",
                       staff.mission2.email, "--side", "mission", "--body", "Me")
    assert own.code == 1 and "own appraisal" in own.err
    commonground("forms", "input", fid, "--association", "acme", "--by", staff.mission.email,
                 "--side", "mission", "--body", "Kind")
    done = commonground("forms", "complete", fid, "--association", "acme", "--by",
                        staff.mission.email, "--summary", "Good year", "--json")
    assert done.json()["status"] == "completed"
    assert "completed" in commonground("forms", "list", "--association", "acme").out
