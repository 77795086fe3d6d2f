"""The score on the staff profile, the member's page, the settings page (check against past
renewals, save a version), the API and the CLI."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from _api_support import ApiClient, make_token
from commonground.activity.models import Activity
from commonground.activity.services import source_create
from commonground.membership import services as ms
from commonground.membership.models import Transition
from commonground.people import services as ps
from commonground.portal.services import portal_access_grant
from commonground.scoring import services
from commonground.scoring.models import ScoreConfig


@pytest.fixture
def scored(association, other_association):
    now = timezone.now()
    with scope(association=association):
        src = source_create(association=association, name="Forum", profile="forum")
        plan = ms.plan_save(association=association, name="Individual", price="80")
        people = []
        for i in range(8):
            p = ps.person_create(association=association, first_name=f"P{i}", last_name="Test",
                                 email=f"p{i}@example.org")
            people.append(p)
            m = ms.membership_join(association=association, plan=plan, person=p)
            for j in range(i * 3):
                Activity.objects.create(association=association, source=src, person=p,
                                        kind="forum_answer", category="community",
                                        occurred_at=now - timedelta(days=60 + j),
                                        external_id=f"{i}-{j}")
            # Busier members renewed, quieter ones lapsed: the score should predict it.
            Transition.objects.create(association=association, membership=m, to_status="active"
                                      if i >= 4 else "lapsed", event="renewed" if i >= 4 else "lapsed",
                                      on=(now - timedelta(days=20)).date())
        services.score_recompute_start(association=association)
    with scope(association=other_association):
        stranger = ps.person_create(association=other_association, first_name="Zed", email="z@example.org")
    return {"people": people, "stranger": stranger}


def test_profile_panel_and_explain_page_show_why(staff_client, scored):
    busy = scored["people"][7]
    body = staff_client.get(f"/a/acme/people/{busy.pk}/").content.decode()
    assert "Engagement score" in body and "forum answer (community)" in body
    page = staff_client.get(f"/a/acme/people/{busy.pk}/score/")
    assert page.status_code == 200 and "score model v1" in page.content.decode()
    assert staff_client.get(f"/a/acme/people/{scored['stranger'].pk}/score/").status_code == 404


def test_settings_checks_a_proposal_against_renewals_before_saving(staff_client, scored):
    url = reverse("score_settings", kwargs={"association": "acme"})
    page = staff_client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "AUC 1.000" in body  # busier renewed: perfect ranking
    form = {k: v for k, v in _initial(page).items()}
    form.update({"categories__community__weight": "0", "kinds": "{}", "action": "check"})
    checked = staff_client.post(url, form).content.decode()
    assert "Proposed model (not saved)" in checked and "AUC not available" not in checked
    with scope(association=scored["people"][0].association):
        assert ScoreConfig.objects.count() == 1
    bad = staff_client.post(url, {**form, "half_life_days": "0", "action": "save"}).content.decode()
    assert "Must be greater than 0" in bad
    assert staff_client.post(url, {**form, "half_life_days": "oops"}).status_code == 200
    form.update({"categories__community__weight": "2", "action": "save", "note": "community x2"})
    assert staff_client.post(url, form).status_code == 302
    with scope(association=scored["people"][0].association):
        assert ScoreConfig.objects.order_by("-version").first().note == "community x2"


def _initial(page) -> dict[str, str]:
    form = page.context["form"]
    out = {}
    for name in form.fields:
        value = form[name].value()
        out[name] = "" if value is None else str(value)
    return out


def test_member_sees_their_own_score(client, scored, association):
    with scope(association=association):
        user, _ = portal_access_grant(association=association, person=scored["people"][6])
    client.force_login(user)
    body = client.get(reverse("portal:my_engagement", kwargs={"association": "acme"})).content.decode()
    assert "My engagement" in body and "forum answer" in body


def test_api_score_and_configs(association, scored):
    api = ApiClient(make_token(association))
    busy = scored["people"][7]
    got = api.get(f"/people/{busy.pk}/score").json()
    assert got["config_version"] == 1 and got["items"][0]["key"] == "a:community:forum_answer"
    assert api.get(f"/people/{scored['stranger'].pk}/score").status_code == 404
    zero = {"half_life_days": 0, "shares": {"derived": 0, "created": 0}}
    bad = api.post("/score-configs", {"params": zero})
    assert bad.status_code == 422 and {"half_life_days", "shares"} <= set(bad.json()["fields"])
    assert api.post("/score-configs", {"params": "nope"}).status_code == 422
    ok = api.post("/score-configs", {"params": {"half_life_days": 90}, "note": "faster"},
                  headers={"Idempotency-Key": "k1"})
    assert ok.status_code == 201 and ok.json()["version"] == 2
    again = api.post("/score-configs", {"params": {"half_life_days": 90}, "note": "faster"},
                     headers={"Idempotency-Key": "k1"})
    assert again.json()["version"] == 2
    assert [c["version"] for c in api.get("/score-configs").json()["items"]] == [1, 2]


def test_cli_recompute_and_explain(scored):
    out = StringIO()
    call_command("engagement", "recompute", "--association", "acme", stdout=out)
    assert "8 people scored with model v1" in out.getvalue()
    out = StringIO()
    call_command("engagement", "explain", "p7@example.org", "--association", "acme", stdout=out)
    assert "forum answer (community)" in out.getvalue()
    out = StringIO()
    call_command("engagement", "explain", str(scored["people"][7].pk), "--association", "acme",
                 "--json", stdout=out)
    assert json.loads(out.getvalue())["config_version"] == 1
