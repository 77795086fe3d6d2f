"""Consortia and joint initiatives (issue 13, D8): forming, inviting by slug, answering on
the invited association's own pages, leaving, governance with its history, the
characteristics side by side; joint initiatives with objectives computed in each
participant's own data and summed, contributions, revenue splits to the cent. Pages,
services, API and CLI; a non-member always gets a 404."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from _api_support import ApiClient
from commonground.activity.models import Activity, Source
from commonground.collaboration.crossing import initiatives as cross
from commonground.collaboration.models import (
    CharacteristicAssessment,
    Consortium,
    ConsortiumMember,
    InitiativeSnapshot,
    RevenueShare,
)
from commonground.collaboration.services import consortia as cs
from commonground.collaboration.services import initiatives as ins
from commonground.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from commonground.tenancy.models import AuditEntry
from commonground.tenancy.services import api_token_create, association_create, staff_add


def _assoc(slug: str, name: str) -> dict:
    a = association_create(slug=slug, name=name)
    admin = staff_add(association=a, email=f"admin@{slug}.example.org", role_key="admin").user
    worker = staff_add(association=a, email=f"events@{slug}.example.org",
                       role_key="events").user
    board = staff_add(association=a, email=f"board@{slug}.example.org", role_key="board").user
    return {"a": a, "admin": admin, "worker": worker, "board": board}


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _audits(assoc, action: str) -> int:
    with scopes_disabled():
        return AuditEntry.objects.filter(association=assoc, action=action).count()


def _checkins(assoc, n: int, slug: str = "events") -> None:
    with scope(association=assoc):
        source = Source.objects.create(association=assoc, slug=slug, name="Check-ins")
        now = timezone.now() - timedelta(hours=1)
        Activity.objects.bulk_create([
            Activity(association=assoc, source=source, kind="event_checkin", category="community",
                     occurred_at=now, external_id=f"{assoc.slug}-{i}") for i in range(n)])


@pytest.fixture
def three(db):
    return _assoc("hub", "Hub Society"), _assoc("allied", "Allied Health"), \
        _assoc("nurses", "Regional Nurses")


def test_consortium_lifecycle_through_the_pages(three):
    hub, allied, nurses = three
    ch, ca, cn = _client(hub["admin"]), _client(allied["admin"]), _client(nurses["admin"])
    url = lambda name, slug, **kw: reverse(name, kwargs={"association": slug, **kw})  # noqa: E731

    # A side's staff may not form one; an administrator does.
    with scope(association=hub["a"]), pytest.raises(PermissionDenied):
        cs.consortium_create(association=hub["a"], name="X", actor=hub["worker"])
    r = ch.post(url("consortium_new", "hub"), {"name": "Health Alliance", "level": "cooperation",
                                               "decision_rule": "consensus"})
    assert r.status_code == 302
    with scope(association=hub["a"]):
        cid = ConsortiumMember.objects.get(association=hub["a"]).consortium_id
    detail = lambda slug: url("consortium_detail", slug, consortium_id=cid)  # noqa: E731
    assert ch.get(detail("hub")).status_code == 200

    # Invite by slug: an unknown slug is a message; the invitee answers on its own pages.
    ch.post(url("consortium_invite", "hub", consortium_id=cid), {"invitee": "nope", "votes": 1})
    assert "no association" in ch.get(detail("hub")).content.decode()
    for slug in ("allied", "nurses"):
        assert ch.post(url("consortium_invite", "hub", consortium_id=cid),
                       {"invitee": slug, "votes": 2}).status_code == 302
    again = ch.post(url("consortium_invite", "hub", consortium_id=cid),
                    {"invitee": "allied", "votes": 1}, follow=True)
    assert "already" in again.content.decode()
    assert ca.get(detail("allied")).status_code == 404  # invited is not a member yet
    assert "Health Alliance" in ca.get(url("consortium_list", "allied")).content.decode()
    page = ca.get(url("consortium_invitation", "allied", consortium_id=cid))
    assert page.status_code == 200 and "Hub Society" in page.content.decode()
    assert _client(allied["worker"]).post(url("consortium_invitation", "allied",
                                              consortium_id=cid),
                                          {"answer": "accept"}).status_code == 200  # refused
    assert ca.get(detail("allied")).status_code == 404
    assert ca.post(url("consortium_invitation", "allied", consortium_id=cid),
                   {"answer": "accept"}).status_code == 302
    assert cn.post(url("consortium_invitation", "nurses", consortium_id=cid),
                   {"answer": "decline"}).status_code == 302
    assert ca.get(detail("allied")).status_code == 200
    assert cn.get(detail("nurses")).status_code == 404
    assert cn.get(url("consortium_invitation", "nurses", consortium_id=cid)).status_code == 404
    # Mixed: allied's own slug with the consortium id works only for members; hub's page
    # under allied's slug is a 404 for nurses' admin (not staff there).
    assert cn.get(detail("allied")).status_code == 404
    assert _audits(hub["a"], "collaboration.consortium.joined") == 1
    assert _audits(allied["a"], "collaboration.consortium.joined") == 1
    assert _audits(nurses["a"], "collaboration.consortium.declined") == 1

    # Governance: the coordinator changes it, the history shows before → after.
    gov = url("consortium_governance", "hub", consortium_id=cid)
    assert ch.post(gov, {"name": "Health Alliance", "level": "coordination",
                         "decision_rule": "majority", "governance": "Quarterly board",
                         "purpose": ""}).status_code == 302
    hist = ca.get(url("consortium_governance", "allied", consortium_id=cid)).content.decode()
    assert "coordination" in hist and "cooperation" in hist and "Quarterly board" in hist
    ca.post(url("consortium_governance", "allied", consortium_id=cid),
            {"name": "Hijack", "level": "collaboration", "decision_rule": "coordinator"})
    with scope(association=hub["a"]):
        consortium = Consortium.objects.get(pk=cid)
        assert (consortium.name, consortium.level) == ("Health Alliance", "coordination")

    # Assessments: each participant's own, shown side by side with the latest.
    assert ch.post(url("consortium_assess", "hub", consortium_id=cid),
                   {"characteristic": "trust", "score": 4}).status_code == 302
    assert _client(allied["worker"]).post(url("consortium_assess", "allied", consortium_id=cid),
                                          {"characteristic": "trust", "score": 2,
                                           "evidence": "Early days"}).status_code == 302
    ca.post(url("consortium_assess", "allied", consortium_id=cid),
            {"characteristic": "trust", "score": 3})
    bad = ca.post(url("consortium_assess", "allied", consortium_id=cid),
                  {"characteristic": "trust", "score": 9})
    assert bad.status_code == 200 and "has-error" in bad.content.decode()
    board = _client(allied["board"]).post(url("consortium_assess", "allied", consortium_id=cid),
                                          {"characteristic": "trust", "score": 1})
    assert "Only staff" in board.content.decode()
    with scopes_disabled():
        assert CharacteristicAssessment.objects.filter(consortium_id=cid).count() == 3
    body = ch.get(detail("hub")).content.decode()
    assert "<strong>4</strong>" in body and "<strong>3</strong>" in body and "was 2" in body
    history = ch.get(url("consortium_assessments", "hub", consortium_id=cid)).content.decode()
    assert "Early days" in history and "Allied Health" in history

    # Leaving: the coordinator cannot; a member can, and then sees nothing.
    with scope(association=hub["a"]), pytest.raises(Conflict):
        cs.consortium_leave(association=hub["a"], consortium=consortium, actor=hub["admin"])
    assert ca.post(url("consortium_leave", "allied", consortium_id=cid)).status_code == 302
    assert ca.get(detail("allied")).status_code == 404
    assert "Allied Health" not in ch.get(detail("hub")).content.decode().split(
        "How well")[1]  # its assessments left with it
    assert _audits(allied["a"], "collaboration.consortium.left") == 1
    # Re-invited after leaving, it may join again.
    with scope(association=hub["a"]):
        cs.consortium_invite(association=hub["a"], consortium=consortium, invitee="allied",
                             actor=hub["admin"])


def _consortium(hub, *others):
    with scope(association=hub["a"]):
        c = cs.consortium_create(association=hub["a"], name="Alliance", actor=hub["admin"])
        for o in others:
            cs.consortium_invite(association=hub["a"], consortium=c, invitee=o["a"].slug,
                                 actor=hub["admin"])
    for o in others:
        with scope(association=o["a"]):
            cs.consortium_answer(association=o["a"], consortium_id=c.pk, accept=True,
                                 actor=o["admin"])
    return c


def test_initiative_objectives_contributions_and_split(three):
    hub, allied, nurses = three
    outsider = _assoc("outside", "Outside Guild")
    consortium = _consortium(hub, allied, nurses)
    for who, n in ((hub, 3), (allied, 2), (nurses, 4)):
        _checkins(who["a"], n)
    _checkins(outsider["a"], 50)
    with scope(association=hub["a"]):
        with pytest.raises(ValidationFailed) as exc:
            ins.initiative_create(association=hub["a"], consortium=consortium, name="Conf",
                                  split_method="fixed", participants=["allied", "nurses"],
                                  percents={"hub": 50, "allied": 30, "nurses": 10},
                                  actor=hub["worker"])
        assert "total 90" in exc.value.fields["percents"][0]
        with pytest.raises(ValidationFailed) as exc:
            ins.initiative_create(association=hub["a"], consortium=consortium, name="Conf",
                                  participants=["outside"], actor=hub["worker"])
        assert "participants" in exc.value.fields
        conf = ins.initiative_create(association=hub["a"], consortium=consortium,
                                     name="Joint conference", participants=["allied", "nurses"],
                                     ends_on=timezone.now().date() + timedelta(days=90),
                                     split_method="contribution", actor=hub["worker"])
        # A filter must resolve in every participant: a source only the hub has is refused.
        Source.objects.create(association=hub["a"], slug="hub-only", name="Hub only")
        with pytest.raises(ValidationFailed) as exc:
            ins.initiative_objective_add(association=hub["a"], initiative=conf,
                                         name="Attendance", metric_key="activity.event_attendance",
                                         filters={"source": "hub-only"}, target=100,
                                         actor=hub["worker"])
        assert "Allied Health" in json.dumps(exc.value.fields)
        objective = ins.initiative_objective_add(
            association=hub["a"], initiative=conf, name="Attendance",
            metric_key="activity.event_attendance", filters={"source": "events"}, target=100,
            starts_on=timezone.now().date() - timedelta(days=5), actor=hub["worker"])
        snaps = ins.initiative_snapshot(association=hub["a"], initiative=conf, actor=hub["worker"])
        assert sorted(s.value for s in snaps) == [2, 3, 4]  # each in its own data, no outsider
        ins.initiative_snapshot(association=hub["a"], initiative=conf, actor=hub["worker"])
        assert InitiativeSnapshot.objects.filter(objective=objective).count() == 3  # replaced
        with pytest.raises(ValidationFailed):  # no contributions yet to split by
            ins.revenue_record(association=hub["a"], initiative=conf, description="Tickets",
                               amount="100.00", actor=hub["worker"])
        ins.contribution_record(association=hub["a"], initiative=conf, kind="money",
                                description="Venue deposit", value="100.00", actor=hub["worker"])
    with scope(association=allied["a"]):
        with pytest.raises(ValidationFailed) as exc:
            ins.contribution_record(association=allied["a"], initiative=conf, kind="staff_time",
                                    description="Programme", value="100.00",
                                    actor=allied["worker"])
        assert "hours" in exc.value.fields
        ins.contribution_record(association=allied["a"], initiative=conf, kind="staff_time",
                                description="Programme", hours="10", value="100.00",
                                actor=allied["worker"])
        with pytest.raises(PermissionDenied):  # only the lead records revenues
            ins.revenue_record(association=allied["a"], initiative=conf, description="X",
                               amount="1", actor=allied["admin"])
    with scope(association=nurses["a"]):
        ins.contribution_record(association=nurses["a"], initiative=conf, kind="in_kind",
                                description="Speakers", value="100.00", actor=nurses["worker"])
    with scope(association=outsider["a"]), pytest.raises(NotFound):
        ins.contribution_record(association=outsider["a"], initiative=conf, kind="money",
                                description="x", value="1", actor=outsider["admin"])
    with scope(association=hub["a"]):
        revenue = ins.revenue_record(association=hub["a"], initiative=conf,
                                     description="Tickets", amount="1000.00",
                                     actor=hub["worker"])
        shares = list(RevenueShare.objects.filter(revenue=revenue).order_by("id"))
        assert [s.amount for s in shares] == [Decimal("333.34"), Decimal("333.33"),
                                              Decimal("333.33")]
        assert sum(s.amount for s in shares) == revenue.amount
    assert _audits(nurses["a"], "collaboration.initiative.revenue_split") == 1
    with scope(association=nurses["a"]):
        assert cross.shares_by_participant(conf)[nurses["a"].pk] == Decimal("333.33")

    # The pages: every member sees the results; an outsider gets a 404.
    page = reverse("initiative_detail", kwargs={"association": "allied",
                                                "initiative_id": conf.pk})
    body = _client(allied["worker"]).get(page).content.decode()
    assert "Regional Nurses" in body and "333.34" in body and "<strong>9.00</strong>" in body
    assert _client(outsider["admin"]).get(reverse("initiative_detail", kwargs={
        "association": "outside", "initiative_id": conf.pk})).status_code == 404
    ca = _client(allied["admin"])
    assert ca.post(reverse("initiative_contribute", kwargs={
        "association": "allied", "initiative_id": conf.pk}),
        {"kind": "money", "description": "Top-up", "value": "5.00"}).status_code == 302
    form = ca.post(reverse("initiative_revenue_new", kwargs={
        "association": "allied", "initiative_id": conf.pk}),
        {"description": "X", "amount": "10.00"})
    assert "Only the lead" in form.content.decode()
    ch = _client(hub["admin"])
    edit = reverse("initiative_edit", kwargs={"association": "hub", "initiative_id": conf.pk})
    bad = ch.post(edit, {"status": "active", "split_method": "fixed", "percent_hub": "60",
                         "percent_allied": "30", "percent_nurses": "5"})
    assert "total 95" in bad.content.decode()
    assert ch.post(edit, {"status": "active", "split_method": "fixed", "percent_hub": "60",
                          "percent_allied": "30", "percent_nurses": "10"}).status_code == 302
    assert ch.post(reverse("initiative_revenue_new", kwargs={
        "association": "hub", "initiative_id": conf.pk}),
        {"description": "Sponsor", "amount": "0.05"}).status_code == 302
    with scope(association=hub["a"]):
        latest = conf.revenues.order_by("-id").first()
        assert [s.amount for s in latest.shares.order_by("id")] == [
            Decimal("0.03"), Decimal("0.02"), Decimal("0.00")]
    objective_page = ch.post(reverse("initiative_objective_new", kwargs={
        "association": "hub", "initiative_id": conf.pk}),
        {"name": "Joins", "metric_key": "membership.joins", "target": "10",
         "direction": "up", "filters": "bogus=1"})
    assert "takes no filter" in objective_page.content.decode()
    assert ch.post(reverse("initiative_refresh", kwargs={
        "association": "hub", "initiative_id": conf.pk})).status_code == 302


def test_api_and_cli(three):
    hub, allied, _ = three
    api_h = ApiClient(api_token_create(association=hub["a"], user=hub["admin"]))
    api_a = ApiClient(api_token_create(association=allied["a"], user=allied["admin"]))
    r = api_h.post("/collaboration/consortia", {"name": "Alliance", "level": "coordination"})
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert api_h.post("/collaboration/consortia", {"name": "Alliance"}).status_code == 422
    assert api_h.post(f"/collaboration/consortia/{cid}/invitations",
                      {"invitee": "nope"}).status_code == 422
    assert api_h.post(f"/collaboration/consortia/{cid}/invitations",
                      {"invitee": "allied"}).status_code == 201
    assert api_a.get(f"/collaboration/consortia/{cid}").status_code == 404
    listed = api_a.get("/collaboration/consortia").json()["items"]
    assert [(c["id"], c["my_status"]) for c in listed] == [(cid, "invited")]
    assert api_a.post(f"/collaboration/consortia/{cid}/accept", {}).status_code == 200
    assert api_a.post(f"/collaboration/consortia/{cid}/accept", {}).status_code == 404
    detail = api_a.get(f"/collaboration/consortia/{cid}").json()
    assert [m["association"] for m in detail["members"]] == ["hub", "allied"]
    assert api_h.patch(f"/collaboration/consortia/{cid}",
                       {"decision_rule": "weighted"}).json()["decision_rule"] == "weighted"
    assert api_a.patch(f"/collaboration/consortia/{cid}",
                       {"decision_rule": "consensus"}).status_code == 403
    assert api_a.post(f"/collaboration/consortia/{cid}/assessments",
                      {"characteristic": "values", "score": 6}).status_code == 422
    assert api_a.post(f"/collaboration/consortia/{cid}/assessments",
                      {"characteristic": "values", "score": 5}).status_code == 201
    assessed = api_h.get(f"/collaboration/consortia/{cid}/assessments").json()
    assert assessed["items"][0]["association"] == "allied"
    i = api_h.post(f"/collaboration/consortia/{cid}/initiatives",
                   {"name": "Shop", "kind": "social_enterprise", "split_method": "fixed",
                    "participants": ["allied"], "percents": {"hub": "70", "allied": "20"}})
    assert i.status_code == 422 and "percents" in i.json()["fields"]
    i = api_h.post(f"/collaboration/consortia/{cid}/initiatives",
                   {"name": "Shop", "kind": "social_enterprise", "split_method": "fixed",
                    "participants": ["allied"], "percents": {"hub": "70", "allied": "30"}})
    assert i.status_code == 201, i.content
    iid = i.json()["id"]
    assert api_a.get(f"/collaboration/consortia/{cid}/initiatives").json()["items"][0]["id"] == iid
    assert api_a.post(f"/collaboration/initiatives/{iid}/contributions",
                      {"kind": "money", "description": "Stock", "value": "10.00"}
                      ).status_code == 201
    rev = api_h.post(f"/collaboration/initiatives/{iid}/revenues",
                     {"description": "Sales", "amount": "99.99"})
    assert rev.status_code == 201, rev.content
    assert [s["amount"] for s in rev.json()["shares"]] == ["69.99", "30.00"]
    assert api_h.post(f"/collaboration/initiatives/{iid}/objectives",
                      {"name": "Joins", "metric_key": "membership.joins", "target": "5",
                       "deadline": "2099-01-01"}).status_code == 201
    assert api_h.post(f"/collaboration/initiatives/{iid}/snapshots", {}).status_code == 200
    shown = api_a.get(f"/collaboration/initiatives/{iid}").json()
    assert shown["objectives"][0]["total"] == "0.00" and len(shown["revenues"]) == 1
    assert api_a.post(f"/collaboration/consortia/{cid}/leave", {}).status_code == 200
    assert api_a.get(f"/collaboration/initiatives/{iid}").status_code == 404

    # CLI: the same through the commands.
    out = _cli("consortia", "create", "--association", "hub", "--by", "admin@hub.example.org",
               "--name", "Second", "--level", "collaboration", "--json")
    second = json.loads(out)["id"]
    _cli("consortia", "invite", str(second), "--association", "hub", "--by",
         "admin@hub.example.org", "--invitee", "allied")
    assert "invited" in _cli("consortia", "list", "--association", "allied")
    _cli("consortia", "accept", str(second), "--association", "allied", "--by",
         "admin@allied.example.org")
    _cli("consortia", "assess", str(second), "--association", "allied", "--by",
         "events@allied.example.org", "--characteristic", "trust", "--score", "3")
    shown = _cli("consortia", "show", str(second), "--association", "hub")
    assert "Allied Health" in shown and "trust" in shown.lower()
    with pytest.raises(Exception, match="invitee"):
        _cli("consortia", "invite", str(second), "--association", "hub", "--by",
             "admin@hub.example.org", "--invitee", "ghost")
    made = json.loads(_cli("initiatives", "create", "--association", "hub", "--by",
                           "events@hub.example.org", "--consortium", str(second), "--name",
                           "Conference", "--participant", "allied", "--json"))
    _cli("initiatives", "contribute", str(made["id"]), "--association", "allied", "--by",
         "events@allied.example.org", "--kind", "money", "--description", "Venue",
         "--value", "30")
    _cli("initiatives", "revenue", str(made["id"]), "--association", "hub", "--by",
         "events@hub.example.org", "--description", "Tickets", "--amount", "10")
    shown = _cli("initiatives", "show", str(made["id"]), "--association", "allied")
    assert "5.00" in shown and "Tickets" in shown
    assert "Conference" in _cli("initiatives", "list", "--association", "allied")


def _cli(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
