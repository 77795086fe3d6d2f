"""Outreach as a user meets it: the pages, the API and the CLI."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from django_scopes import scope

from _api_support import ApiClient, make_token
from _cli_support import commonground
from _outreach_support import MADE_ON, world
from commonground.outreach import services
from commonground.outreach.models import Group, Outreach, OutreachMember


def _url(name: str, a, **kw) -> str:
    return reverse(name, kwargs={"association": a.slug, **kw})


def test_staff_make_a_list_from_a_segment_record_contacts_export_and_read_the_report(
        association, staff_client, django_assert_max_num_queries):
    with scope(association=association):
        w = world(association, decided=24, pending=2)
    page = staff_client.get(_url("outreach_new", association) + f"?segment={w['segment'].pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Outreach: Due in March" in html and 'value="10"' in html  # the default share
    bad = staff_client.post(_url("outreach_new", association),
                            {"name": "", "segment": w["segment"].pk, "holdout_percent": 70})
    assert bad.status_code == 200 and b"has-error" in bad.content
    made = staff_client.post(_url("outreach_new", association), {
        "name": "March calls", "segment": w["segment"].pk, "holdout_percent": 25, "seed": 11})
    with scope(association=association):
        outreach = Outreach.objects.get(name="March calls")
        contact = list(outreach.members.filter(group=Group.CONTACT)
                       .values_list("person_id", flat=True))
        held = outreach.members.filter(group=Group.HOLDOUT).values_list("person_id", flat=True)[0]
    detail = _url("outreach_detail", association, outreach_id=outreach.pk)
    assert made.status_code == 302 and made["Location"] == detail
    assert outreach.seed == 11 and len(contact) == 20

    contacts = _url("outreach_contacts", association, outreach_id=outreach.pk)
    staff_client.post(contacts, {"person": contact[:2], "status": "contacted", "note": "Called"})
    staff_client.post(contacts, {"one": f"{contact[2]}:unreachable"})
    refused = staff_client.post(contacts, {"one": f"{held}:contacted"}, follow=True)
    assert "held back, not to be contacted" in refused.content.decode()
    with scope(association=association):
        statuses = dict(OutreachMember.objects.filter(outreach=outreach)
                        .values_list("person_id", "contact_status"))
    assert [statuses[p] for p in contact[:3]] == ["contacted", "contacted", "unreachable"]
    assert statuses[held] == "pending"

    export = staff_client.post(_url("outreach_export", association, outreach_id=outreach.pk))
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert {int(r["person_id"]) for r in rows} == set(contact)

    with django_assert_max_num_queries(12):
        shown = staff_client.get(detail)
    html = shown.content.decode()
    assert shown.status_code == 200
    assert "seed 11" in html
    # The list was made today: nobody's renewal has settled yet, so no verdict.
    assert "Too few to tell" in html
    # The chart (shown once both groups have outcomes) answers its CSV all the same.
    chart = staff_client.get(detail, {"format": "csv", "chart": f"outreach-{outreach.pk}-renewal"})
    assert chart.status_code == 200 and "Renewal rate" in chart.content.decode("utf-8-sig")
    held_only = staff_client.get(detail, {"group": "holdout"}).content.decode()
    assert held_only.count('name="one"') == 0
    with django_assert_max_num_queries(6):
        listing = staff_client.get(_url("outreach_list", association)).content.decode()
    assert "March calls" in listing and "Due in March" in listing

    settings_page = _url("outreach_settings", association)
    assert staff_client.get(settings_page).status_code == 200
    staff_client.post(settings_page, {"holdout_percent": 15, "min_per_group": 30})
    assert 'value="15"' in staff_client.get(_url("outreach_new", association)).content.decode()


def test_api_makes_lists_records_campaign_contacts_and_reports(association):
    api = ApiClient(make_token(association))
    with scope(association=association):
        w = world(association, decided=30, pending=0)
        old = services.outreach_create(association=association, name="Old", segment=w["segment"],
                                       holdout_percent=50, seed=3, today=MADE_ON)
    assert api.post("/outreach", {"name": "x"}).json()["fields"].keys() == {"segment"}
    bad = api.post("/outreach", {"name": "x", "person_ids": [999_999_999]})
    assert bad.status_code == 422 and "person_ids" in bad.json()["fields"]
    ids = [p.pk for p in w["people"][:10]]
    made = api.post("/outreach", {"name": "Selection", "person_ids": ids, "holdout_percent": 20,
                                  "seed": 5}, headers={"Idempotency-Key": "sel-1"})
    assert made.status_code == 201
    body = made.json()
    assert (body["people"], body["held_back"], body["seed"], body["source"]) == \
        (10, 2, 5, "selection")
    again = api.post("/outreach", {"name": "Selection", "person_ids": ids, "holdout_percent": 20,
                                   "seed": 5}, headers={"Idempotency-Key": "sel-1"})
    assert again.json()["id"] == body["id"] and again["Idempotent-Replayed"] == "true"

    members = api.get(f"/outreach/{body['id']}/members", {"group": "contact"}).json()["items"]
    contact = [m["person_id"] for m in members]
    held = api.get(f"/outreach/{body['id']}/members",
                   {"group": "holdout"}).json()["items"][0]["person_id"]
    refused = api.post(f"/outreach/{body['id']}/contacts", {"person_ids": [contact[0], held]})
    assert refused.status_code == 422 and "held back" in refused.json()["fields"]["person_ids"][0]
    done = api.post(f"/outreach/{body['id']}/contacts",
                    {"person_ids": contact, "channel": "campaign"})
    assert done.json() == {"outreach_id": body["id"], "recorded": 8, "status": "contacted"}

    report = api.get(f"/outreach/{old.pk}/report").json()
    assert report["contact"]["decided"] + report["holdout"]["decided"] == 30
    assert report["verdict"] == "too_few" and report["ci_low"] is not None
    assert (report["holdout"]["people"], report["contact"]["people"]) == (16, 15)  # 31 × 50 %
    assert api.get("/outreach-settings").json() == {"holdout_percent": 10, "min_per_group": 20}
    wrong = api.send("PUT", "/outreach-settings", {"holdout_percent": 90, "min_per_group": 5})
    assert wrong.status_code == 422 and list(wrong.json()["fields"]) == ["holdout_percent"]
    put = api.send("PUT", "/outreach-settings", {"holdout_percent": 20, "min_per_group": 5})
    assert put.json() == {"holdout_percent": 20, "min_per_group": 5}
    listed = api.get("/outreach").json()["items"]
    assert {o["name"] for o in listed} == {"Old", "Selection"}


def test_cli_create_contacts_and_report(association, tmp_path):
    with scope(association=association):
        w = world(association, decided=24, pending=0)
        old = services.outreach_create(association=association, name="Old", segment=w["segment"],
                                       holdout_percent=50, seed=3, today=MADE_ON)
    made = commonground("outreach", "create", "--association", "acme", "--name", "CLI",
                        "--segment", str(w["segment"].pk), "--holdout", "20", "--seed", "9",
                        "--json")
    assert made.code == 0, made.err
    data = made.json()
    assert data["people"] == 25 and data["held_back"] == 5 and data["seed"] == 9
    export = commonground("outreach", "export", str(data["id"]), "--association", "acme")
    ids_file = tmp_path / "contacts.csv"
    ids_file.write_text(export.out)
    ran = commonground("outreach", "contacts", str(data["id"]), "--association", "acme",
                       "--file", str(ids_file), "--json")
    assert ran.code == 0 and ran.json()["recorded"] == 20
    wrong = commonground("outreach", "contacts", str(data["id"]), "--association", "acme",
                         "--people", "abc")
    assert wrong.code == 1 and "--people" in wrong.err
    report = commonground("outreach", "report", str(old.pk), "--association", "acme")
    assert report.code == 0 and report.out.strip().splitlines()[-1].startswith("verdict=")
    assert "difference=" in report.out
    missing = commonground("outreach", "report", "999999", "--association", "acme")
    assert missing.code == 1 and "No outreach list" in missing.err


def test_the_profile_warns_about_a_held_back_member_and_the_export_holds_the_lists(
        association, staff_client):
    from commonground.people.privacy import person_export
    from commonground.people.services import person_erase

    with scope(association=association):
        w = world(association, decided=10, pending=0)
        made = services.outreach_create(association=association, name="Calls",
                                        segment=w["segment"], holdout_percent=50, seed=1)
        held = made.members.filter(group=Group.HOLDOUT, decision_on__isnull=False).first()
        called = made.members.filter(group=Group.CONTACT).first()
        services.outreach_contacts_record(association=association, outreach=made,
                                          person_ids=[called.person_id], note="Left a message")
    page = staff_client.get(_url("person_detail", association, person_id=held.person_id))
    html = page.content.decode()
    assert "Held back from “Calls” until" in html and "Outreach lists this person is on" in html
    with scope(association=association):
        person = called.person
        assert person_export(person, audited=False)["outreach"][0]["note"] == "Left a message"
        person_erase(association=association, person=person)
        assert OutreachMember.objects.get(pk=called.pk).note == ""
