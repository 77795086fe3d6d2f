"""Lapse risk end to end: point-in-time features, training and scoring with versions, the
at-risk page, the model card, the profile panel, the API, the CLI, and the bad inputs of
the issue (no history, lifetime plans only, no activity, everyone renewing)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import polars as pl
import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope

from _api_support import ApiClient, make_token
from _insight_support import TODAY, build_history
from commonground.activity.models import Activity
from commonground.insight import services
from commonground.insight.lapse import dataset
from commonground.insight.models import ModelVersion, Prediction
from commonground.membership.models import Invoice, Membership, Payment, Plan, Term
from commonground.people.filters import filter_field
from commonground.people.models import Person
from commonground.scoring import services as score_services
from commonground.scoring.models import ScoreSnapshot

CUTOFF = date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(services, "association_today", lambda a: TODAY)


def _train(association):
    with scope(association=association):
        return services.lapse_train(association=association, today=TODAY)


def _features_at_cutoff(association) -> pl.DataFrame:
    h = dataset.load(association, today=TODAY)
    rows = pl.DataFrame({"person_id": list(Person.objects.order_by("id").values_list("id", flat=True))}
                        ).with_columns(cutoff=pl.lit(CUTOFF), term_months=pl.lit(12, pl.Int32),
                                       price=pl.lit(120.0))
    return dataset.compute(h, rows)


def test_features_at_a_past_cutoff_never_see_later_data(association):
    build_history(association, members=40, years=3, seed=3)
    with scope(association=association):
        people = list(Person.objects.order_by("id"))
        config = score_services.current_config(association=association)
        for p in people:  # an engagement snapshot before the cutoff
            ScoreSnapshot.objects.create(association=association, person=p, config=config,
                                         month=date(2025, 3, 1), total=40, as_of=date(2025, 3, 1),
                                         computed_at=timezone.now())
        before = _features_at_cutoff(association)
        assert before.get_column("act_all_rate_12m").sum() > 0
        assert before.get_column("score_total").drop_nulls().len() == len(people)
        src = Activity.objects.values_list("source_id", flat=True).first()
        at = datetime(CUTOFF.year, CUTOFF.month, CUTOFF.day, tzinfo=UTC)  # on the cutoff itself
        Activity.objects.bulk_create([
            Activity(association=association, person=p, source_id=src, kind=kind, category=cat,
                     external_id=f"future-{p.pk}-{kind}-{d}", occurred_at=at + timedelta(days=d))
            for p in people for d in (0, 20, 400)
            for kind, cat in (("checkin", "community"), ("email_open", "marketing"),
                              ("email_sent", "marketing"), ("shift", "volunteering"))])
        for p in people:
            ScoreSnapshot.objects.create(association=association, person=p, config=config,
                                         month=CUTOFF, total=99, as_of=CUTOFF,
                                         computed_at=timezone.now())
        m = Membership.objects.filter(person=people[0]).first()
        inv = Invoice.objects.create(association=association, number="FUT-1", person=people[0],
                                     membership=m, description="Dues", amount=Decimal("500"),
                                     currency="USD", issued_on=CUTOFF, due_on=CUTOFF)
        Payment.objects.create(association=association, invoice=inv, method="card",
                               amount=Decimal("500"), currency="USD", received_on=CUTOFF)
        Term.objects.create(association=association, membership=m, kind="renewal",
                            starts_on=date(2030, 1, 1), ends_on=date(2030, 12, 31))
        # A second payment after the cutoff on invoices paid before it, and today's status
        # of every invoice: neither may change what the cutoff saw.
        Payment.objects.bulk_create([
            Payment(association=association, invoice=i, method="card", amount=Decimal("1"),
                    currency="USD", received_on=CUTOFF + timedelta(days=5))
            for i in Invoice.objects.filter(issued_on__lt=CUTOFF)])
        Invoice.objects.update(status="void")
        Membership.objects.update(status="lapsed")
        after = _features_at_cutoff(association)
    assert "act_volunteering_rate_3m" in after.columns  # the future bucket exists now…
    assert after.select(before.columns).equals(before)  # …and moved nothing at the cutoff


def test_scoring_reads_recent_activity_only_and_gets_the_same_features(association):
    build_history(association, members=30, years=4, seed=9)
    with scope(association=association):
        full, recent = (dataset.load(association, today=TODAY, recent=r) for r in (False, True))
        assert len(recent.activity) < len(full.activity)
        rows = dataset.current(full)
        expected = dataset.compute(full, rows)
        assert dataset.compute(recent, rows).equals(expected)
        # Scoring's read: the windows counted in SQL, one row per person and bucket.
        windows = dataset.load(association, today=TODAY, windows=True)
        assert windows.buckets == recent.buckets
        assert dataset.compute(windows, rows).equals(expected)
        assert expected.get_column("chapter_trend").is_not_null().any()
        assert expected.get_column("email_open_rate_6m").is_not_null().any()
        with pytest.raises(ValueError):  # windows say nothing about a past cutoff
            dataset.compute(windows, rows.with_columns(cutoff=pl.lit(CUTOFF)))


def test_train_score_and_every_surface(association, staff_client, settings,
                                       django_capture_on_commit_callbacks,
                                       django_assert_max_num_queries):
    built = build_history(association, members=120, years=4, seed=1)
    v1 = _train(association)
    with scope(association=association):
        v1.refresh_from_db()
        card = v1.card
        assert v1.method == "model" and v1.status == "ready" and v1.is_current
        assert 0.6 < card["auc"] <= 1.0 and card["n_holdout"] > 20
        assert v1.holdout_from > v1.train_from and v1.as_of == TODAY
        current = Membership.objects.filter(status__in=dataset.SCORED).count()
        assert Prediction.objects.filter(kind="lapse").count() == current > 0
        top = list(Prediction.objects.order_by("-value_at_risk")[:5])
        assert all(p.decision_on > date(2025, 12, 1) for p in top)
        assert all(r["text"] and "act_" not in r["text"] for p in top for r in p.reasons)
        high = Prediction.objects.filter(band="high").count()
    slug = association.slug

    staff_client.get(f"/a/{slug}/insight/at-risk/")  # the session's first-request queries
    with django_assert_max_num_queries(16):  # a page of 50 is a fixed number of queries
        page = staff_client.get(f"/a/{slug}/insight/at-risk/", {"band": "high"})
    page = staff_client.get(f"/a/{slug}/insight/at-risk/")
    html = page.content.decode()
    assert page.status_code == 200 and "Chance of not renewing" in html
    values = [Decimal(v) for v in re.findall(r"<td>(\d+\.\d\d)</td>", html)]
    assert values and values == sorted(values, reverse=True)
    assert f"{high} high" in html and "act_" not in html
    filtered = staff_client.get(f"/a/{slug}/insight/at-risk/", {"band": "high"}).content.decode()
    assert filtered.count('name="person"') == min(high, 50)
    assert 'class="badge risk-low"' not in filtered
    annual = staff_client.get(f"/a/{slug}/insight/at-risk/", {"plan": built["annual"].pk})
    assert annual.content.decode().count("<td>Standard</td>") == min(current, 50)
    monthly = staff_client.get(f"/a/{slug}/insight/at-risk/", {"plan": built["monthly"].pk})
    assert "No one matches these filters" in monthly.content.decode()
    north = staff_client.get(f"/a/{slug}/insight/at-risk/", {"chapter": built["chapter"].pk})
    assert north.content.decode().count("<td>North</td>") == north.content.decode().count(
        'name="person"') > 0
    bad = staff_client.get(f"/a/{slug}/insight/at-risk/", {"band": "purple", "plan": "x"})
    assert bad.status_code == 200  # a bad filter shows everyone, never a 500

    card_page = staff_client.get(f"/a/{slug}/insight/models/lapse/").content.decode()
    assert "AUC" in card_page and "Top-decile lift" in card_page and "Calibration" in card_page
    csv = staff_client.get(f"/a/{slug}/insight/models/lapse/", {"format": "csv",
                                                               "chart": "calibration"})
    assert csv.status_code == 200 and b"Predicted" in csv.content
    assert staff_client.get(f"/a/{slug}/insight/models/nonsense/").status_code == 404

    with scope(association=association):
        someone = Prediction.objects.order_by("-probability").first()
    profile = staff_client.get(f"/a/{slug}/people/{someone.person_id}/").content.decode()
    assert "Renewal risk" in profile and someone.reasons[0]["text"] in profile.replace("&#x27;", "'")

    api = ApiClient(make_token(association))
    listed = api.get("/insight/lapse/predictions", {"band": "high", "limit": 5}).json()
    assert listed["items"] and all(i["band"] == "high" for i in listed["items"])
    one = api.get(f"/people/{someone.person_id}/lapse-risk").json()
    assert one["probability"] == someone.probability and one["model_version"] == v1.version
    assert api.get("/insight/lapse/model").json()["card"]["auc"] == card["auc"]
    assert [v["version"] for v in api.get("/insight/lapse/model/versions").json()["items"]] == [1]
    assert api.get("/insight/lapse/predictions", {"band": "purple"}).status_code == 422

    out = io.StringIO()
    call_command("lapse", "evaluate", "--association", slug, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1].startswith("auc=") and 0.6 < float(lines[-1][4:]) <= 1.0

    # "Train now" from the API is queued for the worker (the retrain itself: below).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert api.post("/insight/lapse/train", headers={"Idempotency-Key": "t1"}
                        ).status_code == 202
    assert len(queued) == 1
    with scope(association=association):
        q = filter_field("insight.lapse_band").build("is", "high", {})
        assert Person.objects.filter(q).count() == high
    assert built["terms"] > 200


def test_a_failed_retrain_leaves_everyone_scored(association, monkeypatch):
    build_history(association, members=60, years=3, seed=5)
    _train(association)
    v1 = _train(association)  # retraining: a new current version, every prediction moved
    with scope(association=association):
        assert list(ModelVersion.objects.filter(is_current=True).values_list("version", flat=True)) == [2]
        assert set(Prediction.objects.values_list("model__version", flat=True)) == {2}
        assert ModelVersion.objects.get(version=1).status == "retired"
        scored = set(Prediction.objects.values_list("person_id", "probability"))
        assert scored

    def boom(*a, **k):
        raise RuntimeError("disk full")
    monkeypatch.setattr(services, "insert_frame", boom)  # fails inside the publish step
    with pytest.raises(RuntimeError):
        _train(association)
    with scope(association=association):
        assert set(Prediction.objects.values_list("person_id", "probability")) == scored
        assert ModelVersion.objects.get(is_current=True).pk == v1.pk
    monkeypatch.setattr("commonground.insight.ml.fit", boom)  # fails in training
    monkeypatch.setattr("commonground.insight.ml.fit_rules", boom)
    with pytest.raises(RuntimeError):
        _train(association)
    with scope(association=association):
        failed = ModelVersion.objects.order_by("-version").first()
        assert failed.status == "failed" and "disk full" in failed.error
        assert set(Prediction.objects.values_list("person_id", "probability")) == scored


@pytest.mark.parametrize("make, words", [
    (lambda a: None, "No memberships with dated terms"),
    (lambda a: build_history(a, members=30, years=3, renew_all=True),
     "were renewals, so there is nothing to tell apart"),
    (lambda a: build_history(a, members=40, years=3, activity=False), "No activity is recorded"),
    (lambda a: build_history(a, members=12, years=2), "Too few past decisions"),
])
def test_bad_input_gets_a_rule_based_score_and_says_why(association, staff_client, make, words):
    make(association)
    version = _train(association)
    assert version.method == "rules" and words in version.card["why_rules"]
    card = staff_client.get(f"/a/{association.slug}/insight/models/lapse/").content.decode()
    assert "Rule-based score" in card and words in card.replace("&#x27;", "'")
    assert "AUC</dt>" not in card  # no meaningless figure
    page = staff_client.get(f"/a/{association.slug}/insight/at-risk/").content.decode()
    with scope(association=association):
        n = Prediction.objects.count()
        assert n == Membership.objects.filter(status__in=dataset.SCORED).count()
    if n:
        assert "rule-based score" in page
    out = io.StringIO()
    call_command("lapse", "evaluate", "--association", association.slug, stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "auc=n/a"
    assert words in out.getvalue().replace("\n", " ")


def test_lifetime_plans_have_nothing_to_predict(association):
    with scope(association=association):
        plan = Plan.objects.create(association=association, name="Life", slug="life",
                                   term_months=0, price=Decimal("900"))
        p = Person.objects.create(association=association, first_name="Lee", email="l@x.org")
        m = Membership.objects.create(association=association, plan=plan, person=p,
                                      joined_on=date(2020, 1, 1), starts_on=date(2020, 1, 1),
                                      ends_on=date(9999, 12, 31))
        Term.objects.create(association=association, membership=m, kind="join",
                            starts_on=date(2020, 1, 1), ends_on=date(9999, 12, 31))
    version = _train(association)
    assert "lifetime plan" in version.card["why_rules"]
    with scope(association=association):
        assert not Prediction.objects.exists()


def test_other_associations_predictions_are_404(association, other_association, staff_client):
    build_history(other_association, members=12, years=2)
    _train(other_association)
    with scope(association=other_association):
        theirs = Prediction.objects.first()
    api = ApiClient(make_token(association))
    assert api.get(f"/people/{theirs.person_id}/lapse-risk").status_code == 404
    assert staff_client.get(f"/a/{association.slug}/insight/at-risk/").content.decode().count(
        'name="person"') == 0
