"""Prospects (D5): point-in-time features, the trained model and its rule-based fallback,
the Prospects page, the API, the CLI and the daily job."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope
from django_tasks_db.models import DBTaskResult

from _api_support import ApiClient, make_token
from _prospects_support import TODAY, activity, at, build
from commonground.activity.models import Identity
from commonground.insight.models import ModelVersion, Prediction
from commonground.insight.prospects import features, services, sql, tasks
from commonground.membership import services as ms
from commonground.people import services as ps
from commonground.people.models import Organisation, Person, Relationship


def _features(association, cutoff: date):
    history = features.load(association, first_cutoff=cutoff, last_cutoff=cutoff)
    return features.features_at(history, [cutoff]).sort("person_id")


def test_features_at_a_past_cutoff_never_see_later_data(association):
    """Insert rows on and after the cutoff — activity, a join, a new person, an employer's
    membership, the identification of an anonymous visitor — and the features at the
    cutoff do not move (only the label may)."""
    w = build(association, keen=4, casual=4)
    cutoff = date(2025, 9, 1)
    with scope(association=association):
        before = _features(association, cutoff)
        casual = w.casual[0]
        for kind, page in (("page_view", "/join"), ("event_checkin", ""), ("order_line", ""),
                           ("email_open", "")):
            activity(w, casual, kind, cutoff, page=page, amount="50.00" if kind == "order_line" else None)
            activity(w, casual, kind, cutoff + timedelta(days=20), page=page)
        ms.membership_join(association=association, plan=w.plan, person=w.casual[1],
                           joined_on=cutoff + timedelta(days=30), invoice=False)
        late = ps.person_create(association=association, first_name="Late", email="late@example.org")
        Person.objects.filter(pk=late.pk).update(created_at=datetime(2025, 9, 1, 0, 0, tzinfo=UTC))
        activity(w, late, "page_view", cutoff - timedelta(days=3), page="/join")
        org = Organisation.objects.create(association=association, name="Acme Labs")
        Relationship.objects.create(association=association, person=w.casual[2], organisation=org,
                                    starts_on=cutoff - timedelta(days=100))
        corporate = ms.plan_save(association=association, name="Corporate", price="900",
                                 kind="organisational")
        ms.membership_join(association=association, plan=corporate, organisation=org,
                           joined_on=cutoff + timedelta(days=1), invoice=False)
        # Visits collected anonymously before the cutoff, tied to the person only after it.
        anon = Identity.objects.create(association=association, person=w.casual[3], kind="anon",
                                       value="1234.5678")
        Identity.objects.filter(pk=anon.pk).update(created_at=at(cutoff + timedelta(days=10)))
        activity(w, w.casual[3], "page_view", cutoff - timedelta(days=5), page="/join", n=3,
                 meta={"visitor_id": "1234.5678"})
        after = _features(association, cutoff)
    assert before.height == after.height > 0 and late.pk not in after["person_id"].to_list()
    assert before.drop("label", "outcome_on").equals(after.drop("label", "outcome_on"))
    joined = after.filter(after["person_id"] == w.casual[1].pk)
    assert joined["label"].to_list() == [1]
    assert joined["outcome_on"].to_list() == [cutoff + timedelta(days=30)]
    # The same rows do count at a later cutoff: the test would notice features that ignore them.
    with scope(association=association):
        later = _features(association, cutoff + timedelta(days=31))
    row = later.filter(later["person_id"] == casual.pk).to_dicts()[0]
    assert row["intent_90d"] == 2 and row["events_90d"] == 2 and row["spend_365d"] == 50.0
    linked = later.filter(later["person_id"] == w.casual[3].pk).to_dicts()[0]
    assert linked["intent_90d"] == 3  # once identified, the visits are the person's


def test_members_staff_and_the_unknown_are_not_prospects(association, staff_user):
    w = build(association, keen=2, casual=2)
    with scope(association=association):
        staff = Person.objects.create(association=association, first_name="Dee", email=staff_user.email,
                                      created_at=datetime(2025, 1, 1, tzinfo=UTC))
        activity(w, staff, "page_view", TODAY - timedelta(days=2), page="/membership")
        frame = _features(association, TODAY)
    ids = set(frame["person_id"].to_list())
    assert w.member.pk not in ids and staff.pk not in ids
    assert {p.pk for p in w.looking} <= ids and {p.pk for p in w.casual} <= ids
    assert not ids & {p.pk for p in w.keen}  # they are members now


def test_the_activity_read_is_bound_to_its_association(association, other_association):
    w = build(association, keen=1, casual=1)
    with scope(association=other_association):
        stranger = ps.person_create(association=other_association, first_name="Zed", email="z@example.org")
    since, until = datetime(2024, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    rows = [r for chunk in sql.daily_activity(association_id=other_association.pk, since=since,
                                              until=until, person_ids=[w.casual[0].pk, stranger.pk])
            for r in chunk]
    assert rows == []
    mine = [r for chunk in sql.daily_activity(association_id=association.pk, since=since,
                                              until=until, person_ids=[w.casual[0].pk])
            for r in chunk]
    assert {r[2] for r in mine} == {"email_sent", "email_engaged"}


def test_a_trained_model_ranks_who_is_looking_on_the_page_the_api_and_the_cli(
        association, other_association, staff_client, django_assert_max_num_queries,
        django_capture_on_commit_callbacks):
    """One training (the costly part) and everything a user sees of it."""
    w = build(association)
    with scope(association=association):
        version = services.prospects_train(association=association, today=TODAY)
    with scope(association=other_association):
        stranger = ps.person_create(association=other_association, first_name="Zed",
                                    email="zed@example.org")
    assert version.method == "model" and version.is_current and version.status == "ready"
    card = version.card
    assert card["auc"] > 0.8 and card["n_holdout"] > 0 and card["horizon_days"] == 180
    assert version.holdout_from and version.train_from < version.holdout_from

    # The page: the people looking now first, with reasons in words; members left out.
    url = reverse("prospects", kwargs={"association": "acme"})
    with django_assert_max_num_queries(14):
        body = staff_client.get(url).content.decode()
    assert "<h1>Prospects</h1>" in body and "Trained model (version 1" in body
    assert f"AUC {card['auc']:.3f}" in body
    assert max(body.index("Looking0 Prospect"), body.index("Looking1 Prospect")) \
        < body.index("Casual0 Prospect")
    assert "Viewed the membership pages 3 times in the last 3 months" in body
    assert "Member Prospect" not in body and "Keen0" not in body
    assert f'name="person" value="{w.looking[0].pk}"' in body
    low = staff_client.get(url, {"band": "low"}).content.decode()
    assert "Looking0" not in low and "Casual" in low
    found = staff_client.get(url, {"q": "looking1"}).content.decode()
    assert "Looking1 Prospect" in found and "Looking0 Prospect" not in found
    assert staff_client.get(url, {"page": "x"}).status_code == 200
    with scope(association=association):
        looking = Prediction.objects.get(person=w.looking[0], kind="prospect")
    assert looking.band == "high" and looking.value_at_risk == 120
    # Its model card (the insight app's page) in the prospects' own words.
    card_url = reverse("model_card", kwargs={"association": "acme", "kind": "prospect"})
    assert f'href="{card_url}"' in body
    card_page = staff_client.get(card_url).content.decode()
    assert "prospect-months" in card_page and "joins" in card_page and "lapse" not in card_page
    assert f"{card['auc']:.3f}" in card_page and "Membership page views" in card_page

    # The API: best first, one person explained, the card, retraining queued.
    api = ApiClient(make_token(association))
    page = api.get("/prospects", {"limit": 2}).json()
    assert {i["name"] for i in page["items"]} == {"Looking0 Prospect", "Looking1 Prospect"}
    assert page["next_offset"] == 2 and page["total"] > 30
    top = page["items"][0]
    assert top["method"] == "model" and top["model_version"] == 1 and top["band"] == "high"
    assert top["reasons"][0]["text"] and top["reasons"][0]["feature"]
    assert api.get(f"/people/{w.looking[0].pk}/prospect").json()["band"] == "high"
    assert api.get(f"/people/{w.member.pk}/prospect").status_code == 404  # a member
    assert api.get(f"/people/{stranger.pk}/prospect").status_code == 404  # not ours
    bad = api.get("/prospects", {"band": "purple"})
    assert bad.status_code == 422 and "band" in bad.json()["fields"]
    assert api.get("/prospects/model").json()["card"]["auc"] == card["auc"]
    with django_capture_on_commit_callbacks(execute=True):
        queued = api.post("/prospects/train", headers={"Idempotency-Key": "t-1"})
    assert queued.status_code == 202
    assert DBTaskResult.objects.get().task_path.endswith("prospects.tasks.train")

    # The CLI: the list reads the stored scores; evaluate prints the figures, auc= last.
    out = StringIO()
    call_command("prospects", "list", "--association", "acme", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {rows[0]["name"], rows[1]["name"]} == {"Looking0 Prospect", "Looking1 Prospect"}
    out = StringIO()
    call_command("prospects", "evaluate", "--association", "acme", "--today", TODAY.isoformat(),
                 stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1] == f"auc={card['auc']:.4f}" and "method=model" in lines


def test_small_association_gets_the_rule_based_score_labelled_with_why(association, staff_client,
                                                                     monkeypatch):
    w = build(association, keen=3, casual=3)
    with scope(association=association):
        version = services.prospects_train(association=association, today=TODAY)
    assert version.method == "rules" and version.is_current
    assert "Too few past decisions to train on" in version.card["why_rules"]
    assert version.card["rules"][0]["feature"] == "intent_90d"
    body = staff_client.get(reverse("prospects", kwargs={"association": "acme"})).content.decode()
    assert "Rule-based score, not a trained model" in body and "Too few past decisions" in body
    assert body.index("Looking0 Prospect") < body.index("Casual0 Prospect")
    out = StringIO()
    call_command("prospects", "evaluate", "--association", "acme", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "auc=n/a"
    assert "why_rules=Too few past decisions" in out.getvalue()
    # Past the cap, a sample of whole people is trained on, and the card says so.
    monkeypatch.setattr(services, "MAX_EXAMPLES", 40)
    with scope(association=association):
        card = services.prospects_evaluate(association=association, today=TODAY)
    assert card["sampled"] and card["examples"] < card["examples_total"]
    del w


def test_no_history_explains_instead_of_failing(association, staff_client):
    with scope(association=association):
        version = services.prospects_train(association=association, today=TODAY)
        assert version.method == "rules" and "no history" in version.card["why_rules"]
        assert Prediction.objects.count() == 0
    body = staff_client.get(reverse("prospects", kwargs={"association": "acme"})).content.decode()
    assert "No prospects scored yet" in body and "There is no history to learn from yet" in body


def test_rescoring_keeps_everyone_scored_and_the_daily_job_retrains_when_stale(
        association, staff_client, django_capture_on_commit_callbacks):
    w = build(association, keen=3, casual=3)
    with scope(association=association):
        first = services.prospects_train(association=association, today=TODAY - timedelta(days=8))
        n = Prediction.objects.count()
        assert n > 0
        activity(w, w.casual[0], "page_view", TODAY - timedelta(days=1), page="/join", n=3)
    tasks.daily.call(association.pk)  # the version is 8 days old: a new one, everyone rescored
    with scope(association=association):
        current = ModelVersion.objects.get(kind="prospect", is_current=True)
        assert current.version == first.version + 1 and Prediction.objects.count() >= n
        assert set(Prediction.objects.values_list("model_id", flat=True)) == {current.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("prospects_refresh", kwargs={"association": "acme"}),
                                     {"action": "score"})
    assert response.status_code == 302
    assert DBTaskResult.objects.get().task_path.endswith("prospects.tasks.score")
