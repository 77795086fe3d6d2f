"""Next-best offering: the engine on arrays, the stored suggestions with reasons and prices,
profile panel, overview page, API, CLI, the segment filter, the offline evaluation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from django.urls import reverse
from django_scopes import scope

from _api_support import ApiClient, make_token
from _cli_support import commonground
from commonground.activity.models import Activity, Source
from commonground.core.errors import ValidationFailed
from commonground.membership import services as ms
from commonground.people import services as ps
from commonground.people.filters import person_queryset
from commonground.people.models import Person
from commonground.portal.services import portal_access_grant
from commonground.recommendations import engine, evaluation, hooks, selectors, services
from commonground.recommendations.models import Recommendation
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import AuditEntry


def test_engine_suggests_what_goes_together_never_what_is_owned_or_inactive():
    # Offerings 0+1 go together, 2+3 go together; 4 is popular but inactive.
    rows, cols = [], []
    for p in range(10):
        rows += [p, p, p]
        cols += [0, 1, 4]
    for p in range(10, 18):
        rows += [p, p]
        cols += [2, 3]
    rows += [18, 19]
    cols += [0, 2]  # 18 took 0 only, 19 took 2 only
    X = engine.binary_matrix(np.array(rows), np.array(cols), (20, 5))
    active = np.array([True, True, True, True, False])
    s = engine.suggest(X, active=active, top=2)
    assert s.items[18, 0] == 1 and s.items[19, 0] == 3
    assert s.because[18, 0] == 0 and s.because_share[18, 0] == pytest.approx(10 / 11)
    for r in range(20):
        owned = set(X[r].indices.tolist())
        assert not owned & set(s.items[r].tolist()), r
        assert 4 not in s.items[r].tolist()
    assert s.neighbours_took[18, 0] > 0


def test_engine_beats_the_most_popular_baseline_where_tastes_differ():
    """Three groups with their own offerings: the held-out one is found by the method far
    more often than by popularity (which suggests the biggest group's to everyone)."""
    rng = np.random.default_rng(3)
    n, items = 600, 12
    group = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    taste = np.zeros((3, items))
    for g in range(3):
        taste[g, g * 4:(g + 1) * 4] = 0.7
    taste += 0.03
    M = rng.random((n, items)) < taste[group]
    held = np.full(n, -1)
    for p in range(n):
        owned = np.flatnonzero(M[p])
        if len(owned) >= 2:
            held[p] = rng.choice(owned)
            M[p, held[p]] = False
    r, c = np.nonzero(M)
    X = engine.binary_matrix(r, c, (n, items))
    cases = np.flatnonzero(held >= 0)
    ours = engine.suggest(X, top=1).items[cases, 0]
    base = engine.most_popular(X, top=1)[cases, 0]
    ours_hit, base_hit = (ours == held[cases]).mean(), (base == held[cases]).mean()
    assert ours_hit > 0.4 and ours_hit > 2 * base_hit, (ours_hit, base_hit)


@pytest.fixture
def world(scoped):
    a = scoped
    off = {
        "conf": ms.offering_save(association=a, name="Annual Conference", category="community",
                                 side="business", price_decision="member_price",
                                 member_price="100.00", non_member_price="200.00"),
        "course": ms.offering_save(association=a, name="Prep Course", category="learning",
                                   side="business", price_decision="member_price",
                                   member_price="50.00", non_member_price="80.00"),
        "journal": ms.offering_save(association=a, name="Journal", category="knowledge",
                                    side="mission"),
        "book": ms.offering_save(association=a, name="Handbook", category="knowledge",
                                 side="mission", price_decision="non_member_price",
                                 non_member_price="30.00"),
    }
    plan = ms.plan_save(association=a, name="Individual", price="120")
    source = Source.objects.create(association=a, slug="store", name="Store")
    people: dict[str, Person] = {}
    rows = []
    when = datetime(2026, 3, 1, 12, tzinfo=UTC)

    def took(person, *keys):
        for k in keys:
            rows.append(Activity(association=a, source=source, person=person, kind="order_line",
                                 category="commerce", occurred_at=when, offering=off[k],
                                 external_id=f"{person.pk}-{k}-{len(rows)}"))

    for i in range(8):
        p = ps.person_create(association=a, first_name="Con", last_name=f"Goer{i}",
                             email=f"c{i}@example.org")
        took(p, "conf", "course")
    for i in range(6):
        p = ps.person_create(association=a, first_name="Book", last_name=f"Reader{i}",
                             email=f"r{i}@example.org")
        took(p, "journal", "book")
    people["member"] = ps.person_create(association=a, first_name="Mia", last_name="Member",
                                        email="mia@example.org")
    ms.membership_join(association=a, plan=plan, person=people["member"])
    took(people["member"], "conf")
    people["outsider"] = ps.person_create(association=a, first_name="Otto", last_name="Outside",
                                          email="otto@example.org")
    took(people["outsider"], "conf")
    people["reader"] = ps.person_create(association=a, first_name="Rita", last_name="Reads",
                                        email="rita@example.org")
    took(people["reader"], "journal")
    people["new"] = ps.person_create(association=a, first_name="Nina", last_name="New",
                                     email="nina@example.org")
    Activity.objects.bulk_create(rows)
    return {"a": a, "off": off, "people": {k: Person.objects.get(pk=v.pk) for k, v in people.items()}}


def test_compute_stores_suggestions_with_reasons_at_each_persons_price(world, staff_user):
    off, people = world["off"], world["people"]
    run = services.recommendations_compute(association=world["a"], actor=staff_user)
    assert run.people == 3 and run.interactions == 31 and run.offerings == 4
    assert AuditEntry.objects.filter(action="recommendations.computed").count() == 1
    mine = selectors.suggestions_for(people["member"])
    assert mine[0].offering == off["course"] and mine[0].personal
    assert mine[0].price == 50 and mine[0].member_price_applies and mine[0].other_price == 80
    assert "of people who took Annual Conference also took this" in mine[0].reason
    theirs = selectors.suggestions_for(people["outsider"])
    assert theirs[0].offering == off["course"] and theirs[0].price == 80
    assert theirs[0].saving == 30  # joining would save 30 on it
    assert selectors.suggestions_for(people["reader"])[0].offering == off["book"]
    for rec in Recommendation.objects.all():  # never what the person already has
        assert not Activity.objects.filter(person_id=rec.person_id, offering=rec.offering).exists()
    # No history: the most taken offerings, said to be that.
    cold = selectors.suggestions_for(people["new"])
    assert [s.offering for s in cold][:1] == [off["conf"]] and not cold[0].personal
    # A retired offering is never suggested again; a second run replaces the first.
    ms.offering_save(association=world["a"], offering=off["course"], name="Prep Course",
                     category="learning", side="business", is_active=False)
    services.recommendations_compute(association=world["a"])
    assert not Recommendation.objects.filter(offering=off["course"]).exists()
    assert selectors.suggestions_for(people["member"])[0].offering != off["course"]


def test_profile_panel_overview_and_compute_button(world, staff_client, settings,
                                                   django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    slug, member = world["a"].slug, world["people"]["member"]
    page = staff_client.get(reverse("next_best_offering", kwargs={"association": slug}))
    assert page.status_code == 200 and "No suggestions computed yet" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("next_best_offering_compute", kwargs={"association": slug}))
    posted = staff_client.get(reverse("next_best_offering", kwargs={"association": slug}))
    html = posted.content.decode()
    assert "3 people have personal suggestions" in html and "Prep Course" in html
    assert "Only 0 people took something new" in html  # evaluated: too few to tell
    profile = staff_client.get(reverse("person_detail", kwargs={"association": slug,
                                                                "person_id": member.pk}))
    html = profile.content.decode()
    assert "Next-best offerings" in html and "Prep Course" in html and "USD 50.00" in html
    assert "at the member price" in html


def test_api_person_suggestions_offering_audience_and_compute(world, association, other_association):
    api = ApiClient(make_token(association))
    created = api.send("POST", "/next-best-offerings/compute", {"top": 3, "evaluate": True},
                       headers={"Idempotency-Key": "k1"})
    assert created.status_code == 201, created.content
    again = api.send("POST", "/next-best-offerings/compute", {"top": 3, "evaluate": True},
                     headers={"Idempotency-Key": "k1"})
    assert again.json()["id"] == created.json()["id"]
    assert api.send("POST", "/next-best-offerings/compute", {"top": 0}).status_code == 422
    outsider = world["people"]["outsider"]
    got = api.get(f"/people/{outsider.pk}/next-best-offerings").json()
    assert got["is_member"] is False
    first = got["suggestions"][0]
    assert first["offering"] == "Prep Course" and first["price"] == "80.00"
    assert first["price_applies"] == "non_member" and first["other_price"] == "50.00"
    course = world["off"]["course"]
    audience = api.get(f"/offerings/{course.pk}/recommended-to").json()["items"]
    assert {r["person_id"] for r in audience} >= {outsider.pk, world["people"]["member"].pk}
    assert api.get("/next-best-offerings/runs/latest").json()["people"] == 3
    with scope(association=other_association):
        stranger = ps.person_create(association=other_association, first_name="S", last_name="X")
    assert api.get(f"/people/{stranger.pk}/next-best-offerings").status_code == 404


def test_cli_recommend_and_evaluate(world, other_association):
    ran = commonground("offerings", "recommend", "--association", "acme", "--person",
                       "otto@example.org", "--json")
    out = ran.json()
    assert out["people"] == 3 and out["person"]["suggestions"][0]["offering"] == "Prep Course"
    text = commonground("offerings", "recommend", "--association", "acme", "--person",
                        str(world["people"]["member"].pk)).out
    assert "1. Prep Course — USD 50.00" in text
    ev = commonground("offerings", "evaluate", "--association", "acme")
    assert ev.code == 0 and "at least 20 are needed" in ev.out
    assert commonground("offerings", "evaluate", "--association", "nope").code == 1
    assert commonground("offerings", "recommend", "--association", "acme", "--top", "0").code == 1
    # An association with no offerings and no activity: an answer, not a crash.
    empty = commonground("offerings", "recommend", "--association", "other")
    assert empty.code == 0 and "suggestions for 0 people" in empty.out
    assert "nothing to learn from" in commonground("offerings", "evaluate", "--association",
                                                   "other").out


def test_filter_recommended_offering_selects_the_people_it_is_suggested_to(world):
    services.recommendations_compute(association=world["a"])
    course, people = world["off"]["course"], world["people"]
    rule = {"field": "recommendations.offering", "op": "is", "value": str(course.pk)}
    chosen = set(person_queryset({"op": "and", "rules": [rule]}).values_list("pk", flat=True))
    assert {people["member"].pk, people["outsider"].pk} <= chosen
    assert people["reader"].pk not in chosen
    others = person_queryset({"op": "and", "rules": [{**rule, "op": "not_in",
                                                      "value": [str(course.pk)]}]})
    assert people["reader"].pk in set(others.values_list("pk", flat=True))
    with pytest.raises(ValidationFailed) as bad:
        person_queryset({"op": "and", "rules": [{**rule, "value": "999999"}]})
    assert "rules.0.value" in bad.value.fields


def test_evaluation_holds_out_later_take_ups(scoped):
    """People with a history before the cutoff and a new offering after it are the cases;
    the method and the baseline are scored on the same ones."""
    a = scoped
    today = association_today(a)
    offs = [ms.offering_save(association=a, name=f"O{i}", category="learning", side="mission")
            for i in range(6)]
    source = Source.objects.create(association=a, slug="lms", name="LMS")
    rows = []
    early = datetime.combine(today - timedelta(days=300), datetime.min.time(), tzinfo=UTC)
    late = datetime.combine(today - timedelta(days=30), datetime.min.time(), tzinfo=UTC)
    for i in range(80):
        p = ps.person_create(association=a, first_name="P", last_name=str(i))
        g = (i % 2) * 3  # two tastes: offerings 0–2 or 3–5; the first 20 took all three early
        for k, when in ((g, early), (g + 1, early), (g + 2, early if i < 20 else late)):
            rows.append(Activity(association=a, source=source, person=p, kind="course_completed",
                                 category="learning", occurred_at=when, offering=offs[k],
                                 external_id=f"{i}-{k}"))
    Activity.objects.bulk_create(rows)
    e = evaluation.evaluate(a)
    assert e.cases == 60 and e.people_before == 80 and not e.too_few
    assert e.hit["blend"]["hit@1"] == 1.0
    assert e.hit["popular"]["hit@1"] < 0.6
    assert e.cutoff == (today - timedelta(days=evaluation.HOLDOUT_DAYS)).isoformat()
    assert e.as_of == today.isoformat() and isinstance(date.fromisoformat(e.cutoff), date)
    # Purchases only: these offerings are all free, so nothing is left to hold out.
    paid = evaluation.evaluate(a, purchases=True)
    assert paid.offerings == 0 and paid.cases == 0 and "at least 20" in paid.too_few


def test_merge_drops_the_removed_persons_suggestions(world):
    services.recommendations_compute(association=world["a"])
    outsider = world["people"]["outsider"]
    assert Recommendation.objects.filter(person=outsider).exists()
    hooks.on_merge_starting(None, association=world["a"], keep=world["people"]["member"],
                            remove=outsider)
    assert not Recommendation.objects.filter(person=outsider).exists()
    data, _ = hooks.export(world["people"]["member"])
    assert data[0]["offering"] == "Prep Course"


def test_portal_home_suggests_at_the_members_price(world, client):
    services.recommendations_compute(association=world["a"])
    user, _ = portal_access_grant(association=world["a"], person=world["people"]["member"])
    client.force_login(user)
    html = client.get(reverse("portal:home", kwargs={"association": "acme"})).content.decode()
    assert "Suggested for you" in html and "Prep Course" in html
    assert "50.00 USD" in html and "80.00 USD for non-members" in html
