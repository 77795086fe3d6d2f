"""Joint products (approvals, H5): every party's approver signs — ours in the staff pages,
each partner's through a single-use emailed link or recorded by staff naming the contact
— anyone outside the party is refused, a change after submission is a new version asked
again, then verification, credits, publication and the public credit page; timeliness
and quality per partnership."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django_scopes import scope

from _api_support import ApiClient
from _cli_support import commonground
from _products_support import tokens, world
from commonground.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from commonground.partnerships import selectors_products as sel
from commonground.partnerships import services_products as svc
from commonground.partnerships.models import JointProduct, ProductApproval
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import AuditEntry
from commonground.tenancy.services import api_token_create


def _submit(w, smtp_server, capture, product):
    smtp_server.clear()
    with capture(execute=True):
        svc.joint_product_submit(association=w.association, product=product, actor=w.approver)
    return tokens(smtp_server.wait_for(2))


def test_every_party_signs_outsiders_are_refused_then_verify_publish_credit(
        association, smtp_server, django_capture_on_commit_callbacks):
    a = association
    with scope(association=a):
        w = world(a)
        product = svc.joint_product_create(association=a, partnership=w.partnership,
                                           name="Know your pulse", kind="campaign",
                                           description="A joint awareness campaign.",
                                           due_on="2026-06-01", actor=w.other)
        assert (product.status, product.version, product.slug) == ("draft", 1, "know-your-pulse")
        # The board reads; nobody submits for a partner without an approver.
        with pytest.raises(PermissionDenied):
            svc.joint_product_submit(association=a, product=product, actor=w.board)
        w.maker_approver.is_approver = False
        w.maker_approver.save()
        with pytest.raises(ValidationFailed) as exc:
            svc.joint_product_submit(association=a, product=product, actor=w.other)
        assert "Pulse Devices Ltd: no contact is marked as its approver" in \
            exc.value.fields["approvers"]
        w.maker_approver.is_approver = True
        w.maker_approver.save()
        links = _submit(w, smtp_server, django_capture_on_commit_callbacks, product)
    # Each partner's approvers (only them: not the clerk, not us) got their own link.
    assert set(links) == {w.agency_approver.email, w.maker_approver.email}
    mail = smtp_server.messages[0]
    assert "Know your pulse" in mail["Subject"] and "version 1" in mail["Subject"]
    with scope(association=a):
        approvals = {ap.party_id: ap for ap in ProductApproval.objects.filter(product=product)}
        assert len(approvals) == 3 and all(ap.decision == "pending" for ap in approvals.values())
        assert approvals[w.us.pk].token_hash == ""  # we sign in the staff pages

    # The agency's approver opens the link (reading does not use it up) and approves.
    anon = Client()
    url = f"/partners/{a.slug}/approve/{links[w.agency_approver.email]}/"
    page = anon.get(url)
    assert page.status_code == 200 and "Know your pulse" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"  # no token to other sites; CSRF still works
    assert "Public Health Agency" in page.content.decode()
    assert anon.get(url).status_code == 200
    # A tampered link (another contact id, same secret) and another association's slug: 404.
    cid, nonce, sig = links[w.agency_approver.email].split(".")
    assert anon.get(f"/partners/{a.slug}/approve/{w.agency_clerk.pk}.{nonce}.{sig}/") \
        .status_code == 404
    done = anon.post(url, {"decision": "approved", "note": "Fine by us"})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    again = anon.post(url, {"decision": "changes", "note": "second thoughts"})
    assert again.status_code == 404 and "not valid any more" in again.content.decode()

    with scope(association=a):
        agency = ProductApproval.objects.get(pk=approvals[w.agency.pk].pk)
        assert (agency.decision, agency.contact_id, agency.note) == \
            ("approved", w.agency_approver.pk, "Fine by us")
        maker_ap, us_ap = approvals[w.maker.pk], approvals[w.us.pk]
        # Decisions by anyone outside THAT party are refused, with a clear message.
        with pytest.raises(PermissionDenied) as exc:
            svc.approval_record(association=a, product=product, approval=maker_ap,
                                contact=w.agency_approver, decision="approved", actor=w.other)
        assert "Ada Agency is not an approver of Pulse Devices Ltd" in exc.value.message
        with pytest.raises(PermissionDenied) as exc:
            svc.approval_record(association=a, product=product, approval=approvals[w.agency.pk],
                                contact=w.agency_clerk, decision="approved", actor=w.other)
        with pytest.raises(PermissionDenied) as exc:
            svc.approval_decide(association=a, product=product, approval=us_ap,
                                decision="approved", actor=w.other)
        assert "not our approver" in exc.value.message and w.approver.email in exc.value.message
        with pytest.raises(PermissionDenied):  # a partner's approval needs its contact named
            svc.approval_decide(association=a, product=product, approval=maker_ap,
                                decision="approved", actor=w.approver)
        with pytest.raises(Conflict):  # the agency decided already
            svc.approval_record(association=a, product=product, approval=approvals[w.agency.pk],
                                contact=w.agency_approver, decision="approved", actor=w.other)
        assert ProductApproval.objects.filter(product=product, decision="pending").count() == 2
        # Staff record the maker's decision given by phone; our approver signs last.
        svc.approval_record(association=a, product=product, approval=maker_ap,
                            contact=w.maker_approver, decision="approved",
                            note="Said yes on the phone", actor=w.other)
        assert JointProduct.objects.get(pk=product.pk).status == "in_approval"
        svc.approval_decide(association=a, product=product, approval=us_ap, decision="approved",
                            actor=w.approver)
        product.refresh_from_db()
        assert product.status == "approved"
        # The maker's link died with its decision.
        assert ProductApproval.objects.exclude(token_hash="").count() == 0
        with pytest.raises(ValidationFailed):
            svc.joint_product_verify(association=a, product=product, notes=" ", actor=w.other)
        with pytest.raises(Conflict):
            svc.joint_product_publish(association=a, product=product, actor=w.other)
        svc.joint_product_verify(association=a, product=product, notes="Facts checked",
                                 actor=w.other)
        with pytest.raises(ValidationFailed) as exc:
            svc.joint_product_publish(association=a, product=product, actor=w.other)
        assert "Public Health Agency" in exc.value.message
        for party, text in ((w.us, "Campaign design"), (w.agency, "Health facts"),
                            (w.maker, "Printing <b>and</b> distribution")):
            svc.product_credit_set(association=a, product=product, party=party,
                                   contribution=text, actor=w.other)
        svc.joint_product_publish(association=a, product=product, actor=w.other)
        with pytest.raises(Conflict):
            svc.joint_product_update(association=a, product=product, name="Changed",
                                     actor=w.other)
        actions = list(AuditEntry.objects.filter(action__startswith="collaboration.")
                       .values_list("action", flat=True))
        assert actions.count("collaboration.approval.decided") == 3
        for verb in ("created", "submitted", "approved", "verified", "published"):
            assert f"collaboration.joint_product.{verb}" in actions

    credit = anon.get(f"/partners/{a.slug}/credits/know-your-pulse/")
    html = credit.content.decode()
    assert credit.status_code == 200
    assert "Health facts" in html and "Printing &lt;b&gt;and&lt;/b&gt; distribution" in html
    assert "Public" in html and "Acme Society" in html
    index = anon.get(f"/partners/{a.slug}/").content.decode()
    assert "Know your pulse" in index and "Pulse Devices Ltd" in index
    assert anon.get(f"/partners/{a.slug}/credits/nothing/").status_code == 404
    assert anon.get("/partners/nobody/").status_code == 404


def test_versions_changes_requested_edit_resubmit_and_edit_while_waiting(
        association, smtp_server, django_capture_on_commit_callbacks):
    a = association
    with scope(association=a):
        w = world(a)
        product = svc.joint_product_create(association=a, partnership=w.partnership,
                                           name="Leaflet", kind="publication", actor=w.other)
        v1 = _submit(w, smtp_server, django_capture_on_commit_callbacks, product)
    anon = Client()
    bad = anon.post(f"/partners/{a.slug}/approve/{v1[w.maker_approver.email]}/",
                    {"decision": "changes", "note": ""})
    assert bad.status_code == 200 and "required" in bad.content.decode()  # say which changes
    anon.post(f"/partners/{a.slug}/approve/{v1[w.maker_approver.email]}/",
              {"decision": "changes", "note": "Our logo is wrong"})
    with scope(association=a):
        product.refresh_from_db()
        assert product.status == "changes"
        # Every link of that version died (the agency's too): the version is done.
        assert anon.get(f"/partners/{a.slug}/approve/{v1[w.agency_approver.email]}/") \
            .status_code == 404
        svc.joint_product_update(association=a, product=product, due_on=date(2026, 9, 1),
                                 actor=w.other)
        product.refresh_from_db()
        assert product.version == 1  # the due date is not content
        svc.joint_product_update(association=a, product=product,
                                 description="With the right logo", actor=w.other)
        product.refresh_from_db()
        assert (product.version, product.status) == (2, "draft")
        v2 = _submit(w, smtp_server, django_capture_on_commit_callbacks, product)
        assert "version 2" in smtp_server.messages[0]["Subject"]
        # An edit while waiting: version 3, asked again at once; version 2's links die.
        smtp_server.clear()
        with django_capture_on_commit_callbacks(execute=True):
            svc.joint_product_update(association=a, product=product, name="Leaflet (final)",
                                     actor=w.other)
        v3 = tokens(smtp_server.wait_for(2))
        product.refresh_from_db()
        assert (product.version, product.status) == (3, "in_approval")
        assert ProductApproval.objects.filter(product=product).count() == 9
        old = ProductApproval.objects.get(product=product, version=2, party=w.us)
        with pytest.raises(Conflict):  # a signature belongs to its version
            svc.approval_decide(association=a, product=product, approval=old,
                                decision="approved", actor=w.approver)
        by_version = sel.approvals_by_version(product)
        assert [v for v, _ in by_version] == [3, 2, 1]
    assert anon.get(f"/partners/{a.slug}/approve/{v2[w.agency_approver.email]}/") \
        .status_code == 404
    assert anon.get(f"/partners/{a.slug}/approve/{v3[w.agency_approver.email]}/") \
        .status_code == 200
    with scope(association=a):
        with pytest.raises(NotFound):
            svc.approval_decide_by_link(association=a, token=v2[w.maker_approver.email],
                                        decision="approved")
        # The contact loses their approver role: the link refuses them.
        w.agency_approver.is_approver = False
        w.agency_approver.save()
    refused = anon.post(f"/partners/{a.slug}/approve/{v3[w.agency_approver.email]}/",
                        {"decision": "approved"})
    assert refused.status_code == 200 and "not one of its approvers" in refused.content.decode()
    with scope(association=a):
        assert ProductApproval.objects.get(product=product, version=3,
                                           party=w.agency).decision == "pending"


def test_timeliness_quality_summary_pages_api_and_cli(association, client):
    a = association
    today = association_today(a)
    with scope(association=a):
        w = world(a)
        early = svc.joint_product_create(association=a, partnership=w.partnership,
                                         name="Early", due_on=today - timedelta(days=10),
                                         actor=w.other)
        late = svc.joint_product_create(association=a, partnership=w.partnership, name="Late",
                                        due_on=today - timedelta(days=20), actor=w.other)
        overdue = svc.joint_product_create(association=a, partnership=w.partnership,
                                           name="Overdue", due_on=today - timedelta(days=3),
                                           actor=w.other)
        with pytest.raises(Conflict):  # quality is reviewed on delivered work
            svc.quality_review_add(association=a, product=early, score=4, actor=w.other)
        svc.joint_product_deliver(association=a, product=early,
                                  delivered_on=today - timedelta(days=12), actor=w.other)
        svc.joint_product_deliver(association=a, product=late,
                                  delivered_on=today - timedelta(days=15), actor=w.other)
        with pytest.raises(ValidationFailed):
            svc.joint_product_deliver(association=a, product=late,
                                      delivered_on=today + timedelta(days=1), actor=w.other)
        for bad in (0, 6, "x", 2.5, True):
            with pytest.raises(ValidationFailed):
                svc.quality_review_add(association=a, product=late, score=bad, actor=w.other)
        svc.quality_review_add(association=a, product=early, score=5, actor=w.other)
        svc.quality_review_add(association=a, product=late, score=2, notes="Blurry print",
                               actor=w.other)
        for p in (early, late, overdue):
            p.refresh_from_db()
        assert sel.timeliness(early, today).label == "On time"
        assert sel.timeliness(late, today).label == "Late by 5 days"
        assert sel.timeliness(overdue, today).label == "Overdue by 3 days"
        (summary,) = sel.partnership_summaries(today)
        assert (summary.products, summary.delivered, summary.on_time, summary.on_time_pct,
                summary.overdue, str(summary.quality)) == (3, 2, 1, 50, 1, "3.5")

    # Pages: the list with the summary, the product page, posting its forms.
    client.force_login(w.other)
    base = f"/a/{a.slug}/joint-products/"
    html = client.get(base).content.decode()
    assert "Healthy hearts" in html and "50 %" in html and "3.5" in html
    assert "Late by 5 days" in html and "Overdue by 3 days" in html
    made = client.post(base + "new/", {"partnership": w.partnership.pk, "name": "Webinar",
                                       "kind": "event", "description": "One hour",
                                       "due_on": str(today)})
    with scope(association=a):
        webinar = JointProduct.objects.get(name="Webinar")
    assert made.status_code == 302 and made["Location"] == f"{base}{webinar.pk}/"
    assert client.post(f"{base}{webinar.pk}/submit/").status_code == 302
    page = client.get(f"{base}{webinar.pk}/").content.decode()
    assert "Waiting for approvals" in page and "Record Pulse Devices Ltd" in page
    assert "Your decision for" not in page  # community@ is not our approver
    with scope(association=a):
        maker_ap = ProductApproval.objects.get(product=webinar, party=w.maker)
    refused = client.post(f"{base}{webinar.pk}/approvals/{maker_ap.pk}/record/",
                          {f"a{maker_ap.pk}-contact": w.agency_approver.pk,
                           f"a{maker_ap.pk}-decision": "approved"}, follow=True)
    assert "is not an approver of Pulse Devices Ltd" in refused.content.decode()
    client.post(f"{base}{webinar.pk}/approvals/{maker_ap.pk}/record/",
                {f"a{maker_ap.pk}-contact": w.maker_approver.pk,
                 f"a{maker_ap.pk}-decision": "approved", f"a{maker_ap.pk}-note": "By phone"})
    client.post(f"{base}{webinar.pk}/delivery/", {"delivered_on": str(today)})
    client.post(f"{base}{webinar.pk}/reviews/", {"review-score": "4"})
    with scope(association=a):
        webinar.refresh_from_db()
        assert webinar.delivered_on == today and webinar.reviews.get().score == 4
        assert ProductApproval.objects.get(pk=maker_ap.pk).contact_id == w.maker_approver.pk
        token = api_token_create(association=a, user=w.approver)
    assert client.get(f"{base}{webinar.pk}/edit/").status_code == 200

    # API: our approver signs; the agency's decision is recorded; verify, credit, publish.
    api = ApiClient(token)
    got = api.get(f"/joint-products/{webinar.pk}").json()
    assert got["waiting_for"] == ["Acme Society", "Public Health Agency"]
    ours = next(x for x in got["approvals"] if x["is_us"])
    agency = next(x for x in got["approvals"] if x["party"] == "Public Health Agency")
    r = api.post(f"/joint-products/{webinar.pk}/approvals/{agency['id']}/decision",
                 {"decision": "approved", "contact_id": w.agency_clerk.pk})
    assert r.status_code == 403 and "not one of its approvers" in r.json()["detail"]
    assert api.post(f"/joint-products/{webinar.pk}/approvals/{agency['id']}/decision",
                    {"decision": "approved", "contact_id": w.agency_approver.pk}
                    ).status_code == 200
    r = api.post(f"/joint-products/{webinar.pk}/approvals/{ours['id']}/decision",
                 {"decision": "approved"})
    assert r.status_code == 200 and r.json()["approver"] == w.approver.email
    assert api.post(f"/joint-products/{webinar.pk}/verify", {"notes": "ok"}).json()["status"] \
        == "verified"
    for party in (w.us, w.agency, w.maker):
        assert api.send("PUT", f"/joint-products/{webinar.pk}/credits",
                        {"party_id": party.pk, "contribution": "Hosting"}).status_code == 200
    out = api.post(f"/joint-products/{webinar.pk}/publish").json()
    assert out["status"] == "published" and out["public_url"].endswith("/credits/webinar/")
    listed = api.get("/joint-products", {"status": "published"}).json()["items"]
    assert [x["id"] for x in listed] == [webinar.pk]
    assert api.get("/joint-product-summaries").json()[0]["on_time_pct"] == 67.0
    bad = api.post("/joint-products", {"partnership_id": w.partnership.pk, "name": " "})
    assert bad.status_code == 422 and "name" in bad.json()["fields"]

    # CLI: list, create, submit, decide, show.
    ran = commonground("approvals", "list", "--association", a.slug, "--json")
    assert ran.code == 0 and {x["name"] for x in ran.json()} >= {"Webinar", "Late"}
    ran = commonground("approvals", "create", "--association", a.slug, "--by", w.other.email,
                       "--partnership", str(w.partnership.pk), "--name", "Podcast",
                       "--kind", "activity", "--json")
    assert ran.code == 0, ran.err
    pid = str(ran.json()["id"])
    assert commonground("approvals", "submit", pid, "--association", a.slug,
                        "--by", w.other.email).code == 0
    ran = commonground("approvals", "decide", pid, "--association", a.slug, "--by",
                       w.other.email, "--party", "Pulse Devices Ltd", "--decision", "approved",
                       "--contact", w.agency_approver.email)
    assert ran.code == 1 and "not an approver of Pulse Devices Ltd" in ran.err
    ran = commonground("approvals", "decide", pid, "--association", a.slug, "--by",
                       w.approver.email, "--party", "us", "--decision", "approved")
    assert ran.code == 0, ran.err
    ran = commonground("approvals", "show", pid, "--association", a.slug, "--json")
    assert ran.json()["waiting_for"] == ["Public Health Agency", "Pulse Devices Ltd"]
    ran = commonground("approvals", "link", pid, "--association", a.slug, "--by",
                       w.other.email, "--party", "Pulse Devices Ltd", "--json")
    (link,) = ran.json()
    assert link["contact"] == w.maker_approver.email and "/approve/" in link["url"]
    path = link["url"].split("://", 1)[1].split("/", 1)[1]
    assert Client().get("/" + path).status_code == 200


def test_demo_step_makes_a_waiting_campaign_a_published_guide_and_a_late_series(association):
    """The demo's approvals step (``demo.approvals_derive``) over a partnership made
    like the partners step makes them."""
    from types import SimpleNamespace

    from commonground.demo import approvals_derive
    from commonground.tenancy.services import staff_add

    a = association
    said: list[str] = []
    staff_add(association=a, email=f"marketing@{a.slug}.example.org", role_key="marketing")
    with scope(association=a):
        w = world(a)
    state = SimpleNamespace(demo=a, allies=[], today=association_today(a), say=said.append,
                            made={"partnerships": [w.partnership]})
    counts = approvals_derive.derive(state)
    assert counts == {"joint_products": 3, "joint_products_published": 1, "quality_reviews": 2}
    made = state.made["joint_products"]
    with scope(association=a):
        waiting = sel.with_waiting([JointProduct.objects.get(pk=made["waiting"].pk)])[0]
        assert waiting.status == "in_approval" and waiting.waiting == ["Pulse Devices Ltd"]
        late = JointProduct.objects.get(pk=made["late"].pk)
        assert sel.timeliness(late, state.today).label == "Late by 8 days"
    assert any("/approve/" in line and "Pulse Devices Ltd" in line for line in said)
    assert Client().get(f"/partners/{a.slug}/credits/{made['published'].slug}/").status_code \
        == 200
