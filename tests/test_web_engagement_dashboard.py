"""The Engagement dashboard: its figures, charts with tables and CSV, tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_scopes import scope

from commonground.activity.models import Activity, Source
from commonground.engagement.models import Contribution, MemberTrait, Trait
from commonground.membership import services as ms
from commonground.opportunities.services import opportunity_save
from commonground.people import services as ps
from commonground.scoring.services import scores_recompute
from commonground.tenancy.clock import association_today
from commonground.tenancy.services import staff_add

URL = "/a/{}/dashboards/engagement/"


@pytest.fixture(autouse=True)
def _no_cached_figures():
    cache.clear()


@pytest.fixture
def people(scoped):
    """Ann: says community, the stream says giving back, quiet — untapped. Bob: says and does
    giving back, busy, two verified contributions. Cy: inferred only."""
    a = scoped
    plan = ms.plan_save(association=a, name="Individual", price="80")
    motivation = {slug: Trait.objects.create(association=a, kind="motivation", slug=slug, name=name,
                                             order=i)
                  for i, (slug, name) in enumerate([("community_belonging", "Community"),
                                                    ("giving_back", "Giving back")])}
    out = {}
    for first in ("Ann", "Bob", "Cy"):
        person = ps.person_create(association=a, first_name=first, last_name="Test",
                                  email=f"{first.lower()}@example.org")
        ms.membership_join(association=a, plan=plan, person=person, invoice=False)
        out[first] = person

    def trait(person, slug, source, strength):
        MemberTrait.objects.create(association=a, person=person, trait=motivation[slug], source=source,
                                   strength=strength, evidence={"n": 1} if source == "inferred" else {})

    trait(out["Ann"], "community_belonging", "member", 5)
    trait(out["Ann"], "giving_back", "inferred", 4)
    trait(out["Bob"], "giving_back", "member", 5)
    trait(out["Bob"], "giving_back", "inferred", 5)
    trait(out["Cy"], "community_belonging", "inferred", 2)
    today = association_today(a)
    for i in range(2):
        Contribution.objects.create(association=a, person=out["Bob"], kind="mentoring",
                                    title=f"Mentoring {i}", occurred_on=today - timedelta(days=10 + i),
                                    status="verified", origin="member", hours=3)
    Contribution.objects.create(association=a, person=out["Ann"], kind="talk", title="Waiting",
                                occurred_on=today, status="submitted", origin="member")
    web = Source.objects.create(association=a, slug="web", name="Website")
    for i in range(5):
        Activity.objects.create(association=a, person=out["Bob"], source=web, kind="forum_answer",
                                category="community", external_id=f"b{i}",
                                occurred_at=timezone.now() - timedelta(days=i + 1))
    Activity.objects.create(association=a, person=out["Ann"], source=web, kind="email_open",
                            category="marketing", external_id="a0", occurred_at=timezone.now())
    scores_recompute(association=a, person_ids=[p.pk for p in out.values()])
    opportunity_save(association=a, type="mentor", title="Mentors wanted", status="open")
    return out


def test_the_dashboard_shows_motivations_untapped_members_and_contributors(staff_client, people,
                                                                              association):
    response = staff_client.get(URL.format(association.slug))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Engagement dashboard</h1>" in html
    f = response.context["f"]
    assert (f.stated_people, f.inferred_people, f.both_people, f.both_agree) == (2, 3, 2, 1)
    assert f.stated_top == {"community_belonging": 1, "giving_back": 1}
    # Ann's own answer (community, 5) wins over the stream; she is quiet: untapped. An email
    # she opened is not something she did.
    assert [(u.name, u.motivation, u.source, u.recent) for u in f.untapped_people] == [
        ("Ann Test", "Community", "member", 0)]
    assert f.top_contributors[0][1:4] == ("Bob Test", 2, 1)
    assert f.waiting == 1
    # Scores of the three current members: ten bands, the quadrant's cells, the levels.
    assert f.scored == 3 and sum(n for _b, n in f.score_bands) == 3 and len(f.score_bands) == 10
    assert sum(n for _d, _c, n in f.quadrant) == 3 and sum(n for _l, n in f.levels) == 3
    assert f.opportunities == [("Mentor", 1, 0, 0, 0, 0, 0)]
    for name in ("score-distribution", "quadrant", "motivations", "untapped", "top-contributors",
                 "opportunities"):
        assert f'id="chart-{name}"' in html
        assert f"format=csv&amp;chart={name}" in html
    assert 'href="/a/acme/dashboards/engagement/" aria-current="page">Engagement dashboard</a>' in html


def test_each_chart_downloads_as_csv(staff_client, people, association):
    csv = staff_client.get(URL.format(association.slug), {"format": "csv", "chart": "motivations"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines == ["Motivation,Stated (survey),Inferred (activity),"
                     "\"Both, agreeing\"", "Community,1,1,0", "Giving back,1,2,1"]
    top = staff_client.get(URL.format(association.slug), {"format": "csv", "chart": "top-contributors"})
    assert top.content.decode("utf-8-sig").splitlines()[1] == "Bob Test,2,1,6.0"


def test_another_associations_staff_get_a_404(client, people, other_association):
    with scope(association=other_association):
        user = staff_add(association=other_association, email="x@other.example.org",
                         role_key="membership").user
    client.force_login(user)
    assert client.get(URL.format("acme")).status_code == 404
    assert client.get(URL.format("other")).status_code == 200


def test_an_empty_association_renders(staff_client, association):
    response = staff_client.get(URL.format(association.slug))
    assert response.status_code == 200
    assert response.context["f"].untapped_total == 0
