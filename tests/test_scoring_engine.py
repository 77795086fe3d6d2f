"""The engagement score: config validation, the engine on both databases, versions and
explanations, slow demotion, staff and bots left out, the full run and incremental updates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from commonground.activity.models import Activity
from commonground.activity.services import source_create
from commonground.core.errors import ValidationFailed
from commonground.engagement.models import Contribution, Outcome
from commonground.people.services import person_create
from commonground.scoring import config as rules
from commonground.scoring import engine, selectors, services
from commonground.scoring.models import Score, ScoreRun, ScoreSnapshot
from commonground.tenancy.services import staff_add

AS_OF = date(2025, 6, 15)
NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def _acts(association, source, person, kind, category, days_ago, n=1, **meta):
    for i in range(n):
        when = NOW - timedelta(days=days_ago[i % len(days_ago)])
        Activity.objects.create(association=association, source=source, person=person, kind=kind,
                                category=category, occurred_at=when,
                                external_id=f"{person.pk}-{kind}-{i}-{days_ago[0]}-{len(meta)}",
                                metadata=meta)


@pytest.fixture
def world(scoped):
    a = scoped
    src = source_create(association=a, name="Feeds", profile="forum")
    ada = person_create(association=a, first_name="Ada", email="ada@example.org")
    bob = person_create(association=a, first_name="Bob", email="bob@example.org")
    quiet = person_create(association=a, first_name="Quiet", email="quiet@example.org")
    staffer = person_create(association=a, first_name="Sam", email="director@acme.example.org")
    staff_add(association=a, email="director@acme.example.org", role_key="membership",
              password="correct horse battery")
    _acts(a, src, ada, "course_completed", "learning", [0, 10, 200], n=3)
    _acts(a, src, ada, "forum_answer", "community", [1], n=2)
    _acts(a, src, ada, "page_view", "web", [2], n=40)
    _acts(a, src, ada, "email_sent", "marketing", [1], n=30)  # automated: never counts
    _acts(a, src, bob, "page_view", "web", [5], n=10)
    _acts(a, src, bob, "page_view", "web", [5], n=500, bot=True)  # a crawler's traffic
    _acts(a, src, bob, "download", "knowledge", [5], n=5, user_agent="Googlebot/2.1")
    _acts(a, src, staffer, "forum_answer", "community", [1], n=50)
    Contribution.objects.create(association=a, person=ada, kind="talk", title="Spring talk",
                                occurred_on=AS_OF - timedelta(days=30), status="verified",
                                origin="member")
    Contribution.objects.create(association=a, person=bob, kind="talk", title="Not verified",
                                occurred_on=AS_OF, status="submitted", origin="member")
    Outcome.objects.create(association=a, person=bob, kind="client_won", title="A client",
                           occurred_on=AS_OF - timedelta(days=180), reported_via="member")
    return {"a": a, "ada": ada, "bob": bob, "quiet": quiet, "staff": staffer, "src": src}


def test_config_refuses_what_would_divide_by_zero_or_weigh_nothing():
    with pytest.raises(ValidationFailed) as e:
        rules.validate({"half_life_days": 0, "shares": {"derived": 0, "created": 0},
                        "saturation": {"derived": 0, "created": 10}})
    f = e.value.fields
    assert {"half_life_days", "shares", "saturation.derived"} <= set(f)
    zero = rules.default_params()
    for part in ("categories",):
        for rule in zero[part].values():
            rule["weight"] = 0
    zero["kinds"] = {k: {**r, "weight": 0} for k, r in zero["kinds"].items()}
    zero["contributions"] = {"default": 0}
    zero["outcomes"] = {"default": 0}
    with pytest.raises(ValidationFailed) as e:
        rules.validate(zero)
    assert "shares.derived" in e.value.fields and "weigh nothing" in e.value.fields["shares.derived"][0]
    with pytest.raises(ValidationFailed) as e:
        rules.validate({"levels": [["A", 5], ["B", 3]], "categories": {"nope": {"weight": 1}},
                        "kinds": {"x": {"side": "sideways"}}, "half_life_days": "soon"})
    assert {"levels", "categories.nope", "kinds.x.side", "half_life_days"} <= set(e.value.fields)
    assert rules.validate({})["half_life_days"] == 180


def test_scores_count_what_members_get_and_give_without_staff_or_bots(world):
    a = world["a"]
    run = services.score_recompute_start(association=a, as_of=AS_OF)
    assert run.status == "done" and run.rows_done == 4
    assert Score.objects.count() == 3  # the staff person is not scored
    scores = selectors.scores_for(a, [p.pk for p in (world["ada"], world["bob"], world["quiet"],
                                                      world["staff"])])
    assert world["staff"].pk not in scores
    ada, bob, quiet = scores[world["ada"].pk], scores[world["bob"].pk], scores[world["quiet"].pk]
    assert quiet.total == 0 and quiet.components == {}
    assert ada.created > 0 and ada.derived > 0 and ada.total > bob.total
    assert "a:marketing:email_sent" not in ada.components  # automated: ignored
    why = selectors.explain(ada)
    keys = {i["key"] for i in why.items}
    assert "a:marketing:email_sent" not in keys and "c:talk" in keys
    assert why.total == pytest.approx(ada.total, abs=0.1)
    # Bob: the crawler's rows and the bot user agent never counted; the submitted talk neither.
    assert bob.components["a:web:page_view"][0] == 10
    assert "a:knowledge:download" not in bob.components and "c:talk" not in bob.components
    assert "o:client_won" in bob.components
    # Decay: Ada's course completions 0, 10 and 200 days old.
    n, decayed = ada.components["a:learning:course_completed"]
    assert n == 3 and decayed == pytest.approx(1 + 0.5 ** (10 / 180) + 0.5 ** (200 / 180), abs=1e-3)


def test_a_past_snapshot_is_explained_by_its_own_config_version(world):
    a = world["a"]
    services.score_recompute_start(association=a, as_of=AS_OF, snapshot_month=date(2025, 6, 1))
    snap = ScoreSnapshot.objects.get(person=world["ada"])
    v1 = selectors.explain(snap)
    params = rules.default_params()
    params["categories"]["learning"]["weight"] = 10.0
    params["contributions"]["talk"] = 1.0
    cfg2 = services.score_config_save(association=a, params=params, note="learning counts more")
    assert cfg2.version == 2
    services.scores_recompute(association=a, person_ids=[world["ada"].pk], as_of=AS_OF)
    score = Score.objects.get(person=world["ada"])
    assert score.config_id == cfg2.pk
    again = selectors.explain(ScoreSnapshot.objects.get(person=world["ada"]))
    assert again.version == 1 and again.total == v1.total == pytest.approx(snap.total, abs=0.1)
    talk_then = next(i for i in again.items if i["key"] == "c:talk")
    assert talk_then["weight"] == 10.0
    change = selectors.change_since_snapshot(score)
    assert change.then.version == 1 and change.now.version == 2
    assert change.delta == pytest.approx(score.total - snap.total, abs=0.05)
    moved = {r["key"]: r for r in change.items}
    assert moved["c:talk"]["delta"] < 0 < moved["a:learning:course_completed"]["delta"]


def test_slow_demotion_holds_a_level_for_the_configured_months():
    prior = engine.Prior(level=3, level_since=date(2024, 1, 1), below_since=None)
    assert engine.hold_level(computed=1, prior=prior, as_of=date(2025, 1, 10), months=3) == (
        3, date(2024, 1, 1), date(2025, 1, 10))
    held = engine.Prior(level=3, level_since=date(2024, 1, 1), below_since=date(2025, 1, 10))
    assert engine.hold_level(computed=1, prior=held, as_of=date(2025, 3, 1), months=3)[0] == 3
    assert engine.hold_level(computed=1, prior=held, as_of=date(2025, 4, 10), months=3) == (
        1, date(2025, 4, 10), None)
    assert engine.hold_level(computed=3, prior=held, as_of=date(2025, 3, 1), months=3) == (
        3, date(2024, 1, 1), None)  # back above: the clock stops
    assert engine.hold_level(computed=2, prior=None, as_of=date(2025, 3, 1), months=3)[0] == 2


def test_full_run_in_small_chunks_resumes_and_matches_incremental(world, monkeypatch):
    a = world["a"]
    monkeypatch.setattr(services, "CHUNK_ITEMS", 2)
    monkeypatch.setattr("commonground.scoring.sql.FETCH", 2)
    services.score_recompute_start(association=a, as_of=AS_OF)
    full = {s.person_id: (round(s.total, 6), s.components) for s in Score.objects.all()}
    Score.objects.all().delete()
    services.scores_recompute(association=a, person_ids=list(full), as_of=AS_OF)
    assert {s.person_id: (round(s.total, 6), s.components) for s in Score.objects.all()} == full
    assert ScoreRun.objects.get().total_rows == 4


def test_landed_activities_and_changed_value_update_those_people(world, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    from commonground.activity.services import activities_ingest_rows
    from commonground.engagement.signals import value_changed
    from commonground.scoring import tasks

    a, quiet = world["a"], world["quiet"]
    calls = []
    real = tasks.recompute_people
    monkeypatch.setattr(tasks, "recompute_people", SimpleNamespace(enqueue=lambda *a: calls.append(a)))
    with django_capture_on_commit_callbacks(execute=True):
        activities_ingest_rows(association=a, source=world["src"], rows=[
            {"Author Email": "quiet@example.org", "Type": "answer", "Post ID": "p1",
             "Posted at": "2025-06-14 10:00:00", "Thread": "x"}])
    with django_capture_on_commit_callbacks(execute=True):
        value_changed.send(sender=Contribution, association=a, person_ids=[world["bob"].pk])
    assert calls == [(a.pk, [quiet.pk]), (a.pk, [world["bob"].pk])]
    assert real.call(a.pk, [quiet.pk]) == 1
    assert Score.objects.get(person=quiet).components
