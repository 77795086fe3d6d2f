"""Data-sharing agreements (issue 13, helper sharing): propose → approve → read through
the one audited path → revoke / expire; consent honoured; bad input refused, nothing
changed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django_scopes import scope, scopes_disabled

from _sharing_support import pair
from commonground.collaboration.crossing import sharing as crossing
from commonground.collaboration.models import (
    ConsortiumMember,
    SharedRead,
    SharingAgreement,
)
from commonground.collaboration.services import sharing as services
from commonground.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from commonground.tenancy.models import AuditEntry


def _propose(w, **kw):
    args = {"association": w.g, "partner": w.r.slug, "direction": "grant",
            "title": "Joint conference invitations", "purpose": "Invite to the conference",
            "record_kind": "members", "fields": ["first_name", "email", "chapter"],
            "expires_on": w.next_year, "actor": w.g_admin}
    args.update(kw)
    with scope(association=args["association"]):
        return services.agreement_propose(**args)


def _audits(association, action):
    with scope(association=association):
        return AuditEntry.objects.filter(action=action).count()


def test_agreement_lifecycle_and_the_one_read_path(db):
    w = pair()
    agreement = _propose(w)
    assert agreement.association == w.g and agreement.recipient == w.r
    assert agreement.consortium == w.consortium and agreement.status == "proposed"
    assert _audits(w.g, "collaboration.agreement.proposed") == 1
    assert _audits(w.r, "collaboration.agreement.proposed") == 1

    def read(**kw):
        with scope(association=w.r):
            return crossing.shared_rows(agreement_id=agreement.pk, recipient=w.r,
                                        reader=w.r_admin, via="web", **kw)

    # Not in force until the recipient approves: a clear refusal, nothing logged.
    with pytest.raises(Conflict, match="waits for the approval of Recipient Society"):
        read()
    # The grantor can't approve twice for its side; the recipient's admin approves.
    with scope(association=w.g), pytest.raises(Conflict, match="approved it already"):
        services.agreement_approve(association=w.g, agreement=agreement, actor=w.g_admin)
    with scope(association=w.r):
        agreement = services.agreement_approve(association=w.r, agreement=agreement,
                                               actor=w.r_admin)
    assert agreement.status == "active" and crossing.state(agreement) == "active"

    # Consent required: nobody has consented yet → no rows (but the read is logged).
    assert read().rows == []
    with scope(association=w.g):
        services.consent_give(association=w.g, agreement=agreement, person=w.gwen)
        services.consent_give(association=w.g, agreement=agreement, person=w.ivy, via="staff",
                              actor=w.g_marketing)
    page = read()
    assert page.fields == ["first_name", "email", "chapter"]
    assert page.rows == [
        {"first_name": "Gwen", "email": "gwen@grantor.example", "chapter": "North"},
        {"first_name": "Ivy", "email": "ivy@grantor.example", "chapter": "South"}]
    # Paging by cursor, and both parties see the same log.
    first = read(limit=1)
    assert [r["first_name"] for r in first.rows] == ["Gwen"] and first.next_cursor
    second = read(limit=1, cursor=first.next_cursor)
    assert [r["first_name"] for r in second.rows] == ["Ivy"] and second.next_cursor is None
    log_g = crossing.read_log(association=w.g, agreement_id=agreement.pk)
    log_r = crossing.read_log(association=w.r, agreement_id=agreement.pk)
    assert [x.pk for x in log_g] == [x.pk for x in log_r] and len(log_g) == 4
    assert log_g[0].rows == 1 and log_g[0].reader == w.r_admin and log_g[0].via == "web"
    assert _audits(w.g, "collaboration.agreement.read") == 4
    assert _audits(w.r, "collaboration.agreement.read") == 4

    # A withdrawn consent stops that row at the next read.
    with scope(association=w.g):
        services.consent_withdraw(association=w.g, agreement=agreement, person=w.ivy)
    assert [r["first_name"] for r in read().rows] == ["Gwen"]

    # Only the recipient reads; a third association doesn't even learn it exists.
    with scope(association=w.g), pytest.raises(NotFound):
        crossing.shared_rows(agreement_id=agreement.pk, recipient=w.g, reader=w.g_admin,
                             via="web")
    with pytest.raises(NotFound):
        crossing.agreement_visible(association=_third(), agreement_id=agreement.pk)

    # Revocation by either side takes effect at the next read.
    with scope(association=w.g), pytest.raises(PermissionDenied):
        services.agreement_revoke(association=w.g, agreement=agreement, reason="x",
                                  actor=w.g_marketing)
    with scope(association=w.r):
        services.agreement_revoke(association=w.r, agreement=agreement,
                                  reason="Conference over", actor=w.r_admin)
    with pytest.raises(Conflict, match="revoked"):
        read()
    assert _audits(w.g, "collaboration.agreement.revoked") == 1
    with scopes_disabled():
        assert SharedRead.objects.filter(agreement=agreement).count() == 5


def _third():
    from commonground.tenancy.services import association_create

    return association_create(slug="third", name="Third Party")


def test_expiry_row_filter_consent_off_and_leaving_the_consortium(db):
    w = pair()
    # Requested by the recipient: the grantor approves; the row filter narrows to North.
    with scope(association=w.r):
        agreement = services.agreement_propose(
            association=w.r, partner=w.g.slug, direction="request", title="North members",
            purpose="Chapter twinning", fields="first_name last_name", consent_required=False,
            row_filter={"op": "and", "rules": [{"field": "chapter", "op": "is",
                                                "value": w.north.slug}]},
            expires_on=w.next_year, actor=w.r_admin)
    assert agreement.association == w.g and agreement.recipient_approved_at is not None
    with scope(association=w.g):
        services.agreement_approve(association=w.g, agreement=agreement, actor=w.g_admin)

    def read():
        with scope(association=w.r):
            return crossing.shared_rows(agreement_id=agreement.pk, recipient=w.r,
                                        reader=w.r_admin, via="api").rows

    assert read() == [{"first_name": "Gwen", "last_name": "Secretlast"},
                      {"first_name": "Hal", "last_name": "Noconsent"}]
    # Expiry is read at every call, in the grantor's zone: the day after, refused.
    with scopes_disabled():
        SharingAgreement.objects.filter(pk=agreement.pk).update(
            expires_on=w.today - timedelta(days=1), starts_on=w.today - timedelta(days=30))
    with pytest.raises(Conflict, match="expired on"):
        read()
    with scopes_disabled():
        SharingAgreement.objects.filter(pk=agreement.pk).update(expires_on=w.next_year)
    assert len(read()) == 2
    # Leaving the consortium ends the sharing too.
    with scopes_disabled():
        ConsortiumMember.objects.filter(association=w.g).update(status="left")
    with pytest.raises(Conflict, match="no longer take part"):
        read()


def test_bad_proposals_are_refused_with_field_messages_and_change_nothing(db):
    w = pair()
    outsider = _third()
    cases = [
        ({"partner": outsider.slug}, "partner"),
        ({"partner": ""}, "partner"),
        ({"record_kind": "invoices"}, "record_kind"),
        ({"fields": ["first_name", "password"]}, "fields"),
        ({"fields": []}, "fields"),
        ({"expires_on": w.today - timedelta(days=1)}, "expires_on"),
        ({"expires_on": "next year"}, "expires_on"),
        ({"starts_on": w.today + timedelta(days=10), "expires_on": w.today}, "expires_on"),
        ({"title": ""}, "title"),
        ({"direction": "steal"}, "direction"),
        ({"row_filter": {"op": "and", "rules": [{"field": "nope", "op": "is", "value": 1}]}},
         "row_filter"),
    ]
    for change, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            _propose(w, **change)
        assert any(k.startswith(field) for k in caught.value.fields), (change,
                                                                       caught.value.fields)
    with pytest.raises(PermissionDenied):
        _propose(w, actor=w.g_marketing)
    with scopes_disabled():
        assert SharingAgreement.objects.count() == 0
    # Consent on an agreement that doesn't ask for it, or of another association: refused.
    agreement = _propose(w, consent_required=False)
    with scope(association=w.g), pytest.raises(Conflict, match="does not ask"):
        services.consent_give(association=w.g, agreement=agreement, person=w.gwen)
    with scope(association=w.r), pytest.raises(NotFound):
        services.agreement_approve(association=outsider, agreement=agreement, actor=w.r_admin)


def test_pages_api_cli_and_portal_end_to_end(db, client):
    """The grantor proposes on its pages, the recipient approves through the API, a member
    consents in the portal, the recipient reads (page, CSV, API, CLI: each logged), the
    grantor sees the log and revokes; then every read path refuses."""
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from _api_support import ApiClient
    from commonground.people.models import Person
    from commonground.tenancy.services import api_token_create

    w = pair()
    g, r = w.g.slug, w.r.slug
    client.force_login(w.g_admin)
    assert "Propose an agreement" in client.get(f"/a/{g}/sharing/").content.decode()
    form = client.get(f"/a/{g}/sharing/new/").content.decode()
    assert "Recipient Society" in form
    bad = client.post(f"/a/{g}/sharing/new/", {"partner": r, "direction": "grant",
                                               "title": "T", "purpose": "p",
                                               "record_kind": "members",
                                               "fields": ["first_name"],
                                               "expires_on": "2000-01-01"})
    assert bad.status_code == 200 and "before the agreement starts" in bad.content.decode()
    made = client.post(f"/a/{g}/sharing/new/", {
        "partner": r, "direction": "grant", "title": "Conference invitations",
        "purpose": "Invite to the joint conference", "record_kind": "members",
        "fields": ["first_name", "email", "chapter"], "consent_required": "on",
        "expires_on": w.next_year.isoformat()})
    assert made.status_code == 302
    with scopes_disabled():
        agreement = SharingAgreement.objects.get()
    detail = f"/a/{g}/sharing/{agreement.pk}/"
    assert made["Location"] == detail
    page = client.get(detail).content.decode()
    assert "Waiting for approval" in page and "not approved yet" in page
    assert client.get(f"/a/{g}/sharing/{agreement.pk}/rows/").status_code == 404  # grantor

    # The recipient approves through the API; its list shows it; a second approve is a no-op.
    with scope(association=w.r):
        api = ApiClient(api_token_create(association=w.r, user=w.r_admin))
    listed = api.get("/agreements", {"side": "received"}).json()["items"]
    assert [a["id"] for a in listed] == [agreement.pk] and listed[0]["side"] == "recipient"
    assert api.get(f"/agreements/{agreement.pk}/rows").status_code == 409
    ok = api.post(f"/agreements/{agreement.pk}/approve")
    assert ok.status_code == 200 and ok.json()["status"] == "active"
    assert api.get("/sharing/record-kinds").json()[0]["key"] == "members"

    # The member consents in the portal (Gwen's login), and can withdraw again.
    with scope(association=w.g):
        from django.contrib.auth import get_user_model

        gwen_user = get_user_model().objects.create_user(username="gwen", email="gwen@x.org")
        Person.objects.filter(pk=w.gwen.pk).update(user=gwen_user)
    member = type(client)()
    member.force_login(gwen_user)
    portal = member.get(f"/m/{g}/sharing/").content.decode()
    assert "Conference invitations" in portal and "Yes, share with Recipient Society" in portal
    member.post(f"/m/{g}/sharing/{agreement.pk}/consent/", {"answer": "give"})
    assert "Stop sharing" in member.get(f"/m/{g}/sharing/").content.decode()
    # Staff record Ivy's consent on the grantor's consents page.
    client.post(f"/a/{g}/sharing/{agreement.pk}/consents/", {"person": "ivy@grantor.example",
                                                             "answer": "give"})
    assert "2 members consented" in client.get(
        f"/a/{g}/sharing/{agreement.pk}/consents/").content.decode()

    # The recipient reads: page, CSV, API, CLI. Only the named fields of consenting rows.
    rclient = type(client)()
    rclient.force_login(w.r_admin)
    rows = rclient.get(f"/a/{r}/sharing/{agreement.pk}/rows/").content.decode()
    assert "gwen@grantor.example" in rows and "North" in rows and "Ivy" in rows
    csv_text = rclient.get(f"/a/{r}/sharing/{agreement.pk}/rows.csv").content.decode()
    assert csv_text.splitlines()[0] == "First name,Email,Chapter"
    items = api.get(f"/agreements/{agreement.pk}/rows", {"limit": 1}).json()
    assert items["items"] == [{"first_name": "Gwen", "email": "gwen@grantor.example",
                               "chapter": "North"}] and items["next_cursor"]
    out = StringIO()
    call_command("agreements", "rows", str(agreement.pk), "--association", r, "--by",
                 w.r_admin.email, stdout=out)
    assert out.getvalue().splitlines()[0] == "first_name,email,chapter"
    for text in (rows, csv_text, str(items), out.getvalue()):
        for hidden in ("Secretlast", "Hal", "Noconsent", "Hiddencity", "+1503", "Regular"):
            assert hidden not in text, (hidden, text[:300])
    out = StringIO()
    call_command("agreements", "log", str(agreement.pk), "--association", g, "--json",
                 stdout=out)
    assert [x["via"] for x in json.loads(out.getvalue())] == ["cli", "api", "csv", "web"]
    assert "4 reads so far" in client.get(detail).content.decode()

    # The grantor revokes on its page: every path refuses at once.
    assert client.post(f"/a/{g}/sharing/{agreement.pk}/revoke/", {"reason": ""}
                       ).status_code == 200
    client.post(f"/a/{g}/sharing/{agreement.pk}/revoke/", {"reason": "Conference done"})
    refused_page = rclient.get(f"/a/{r}/sharing/{agreement.pk}/rows/")
    assert refused_page.status_code == 409 and "revoked" in refused_page.content.decode()
    assert rclient.get(f"/a/{r}/sharing/{agreement.pk}/rows.csv").status_code == 409
    assert api.get(f"/agreements/{agreement.pk}/rows").status_code == 409
    with pytest.raises(CommandError, match="revoked"):
        call_command("agreements", "rows", str(agreement.pk), "--association", r, "--by",
                     w.r_admin.email, stdout=StringIO())
    assert "Nothing asks for your consent" in member.get(f"/m/{g}/sharing/").content.decode()
    out = StringIO()
    call_command("agreements", "list", "--association", r, stdout=out)
    assert "revoked" in out.getvalue()
    # CLI propose + approve by the other side.
    call_command("agreements", "propose", "--association", r, "--partner", g, "--request",
                 "--title", "Again", "--purpose", "p", "--fields", "first_name",
                 "--expires", w.next_year.isoformat(), "--by", w.r_admin.email,
                 stdout=StringIO())
    with pytest.raises(CommandError, match="--fields"):
        call_command("agreements", "propose", "--association", r, "--partner", g,
                     "--title", "x", "--purpose", "p", "--fields", "password",
                     "--expires", w.next_year.isoformat(), "--by", w.r_admin.email)
