"""Recognition tiers: rules over verified contributions, nominations with approval, awards."""

from __future__ import annotations

import pytest
from django_scopes import scope

from _recognition_support import contribute, member
from commonground.core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationFailed
from commonground.engagement.models import Notice
from commonground.recognition import services
from commonground.recognition.models import Award, Nomination, Tier
from commonground.tenancy.models import AuditEntry


@pytest.fixture
def tiers(scoped):
    return {t.slug: t for t in services.tiers_install_defaults(association=scoped)}


def test_defaults_are_installed_once(scoped, tiers):
    assert sorted(tiers) == ["contributor", "leader", "star"]
    assert len(services.tiers_install_defaults(association=scoped)) == 3
    assert "at least 5 verified contributions" in tiers["leader"].rule_text


def test_evaluation_nominates_who_meets_each_rule_and_only_once(scoped, tiers):
    ann, bob, cy, dee = (member(scoped, n) for n in ("Ann", "Bob", "Cy", "Dee"))
    contribute(scoped, ann, ["talk"])  # contributor
    contribute(scoped, bob, ["talk", "talk", "article", "mentoring", "talk"])  # leader
    contribute(scoped, cy, ["talk"] * 9 + ["chapter_leadership"])  # star (and all below)
    contribute(scoped, dee, ["talk"] * 12, status="submitted")  # nothing verified
    contribute(scoped, dee, ["article"], days_ago=400)  # outside the 12-month window
    result = services.tiers_evaluate(association=scoped)
    assert result.per_tier["contributor"]["candidates"] == 3
    assert result.per_tier["leader"]["candidates"] == 2
    assert result.per_tier["star"]["candidates"] == 1
    pending = {(n.tier.slug, n.person.first_name) for n in Nomination.objects.all()}
    assert ("star", "Cy") in pending and ("leader", "Bob") in pending
    assert not any(name == "Dee" for _, name in pending)
    assert Nomination.objects.get(tier=tiers["star"]).evidence == {
        "contributions": 10, "kinds": 2, "required_kind_contributions": 1}
    again = services.tiers_evaluate(association=scoped)
    assert again.nominated == 0 and Nomination.objects.count() == result.nominated == 6


def test_star_needs_a_leadership_kind(scoped, tiers):
    ann = member(scoped, "Ann")
    contribute(scoped, ann, ["talk"] * 12)
    result = services.tiers_evaluate(association=scoped)
    assert result.per_tier["star"]["candidates"] == 0


def test_approval_awards_and_decline_is_not_renominated(scoped, tiers, staff_user):
    ann, bob = member(scoped, "Ann"), member(scoped, "Bob")
    contribute(scoped, ann, ["talk"])
    contribute(scoped, bob, ["talk"])
    services.tiers_evaluate(association=scoped)
    n_ann = Nomination.objects.get(person=ann)
    n_bob = Nomination.objects.get(person=bob)
    services.nomination_decide(association=scoped, nomination=n_ann, approve=True,
                               actor=staff_user, note="well done")
    services.nomination_decide(association=scoped, nomination=n_bob, approve=False,
                               actor=staff_user)
    award = Award.objects.get(person=ann)
    assert award.tier.slug == "contributor" and award.identity_hash.startswith("sha256$")
    notice = Notice.objects.get(person=ann)
    assert notice.subject == "You are recognised: Contributor"
    assert notice.url == "/m/acme/recognition/"
    assert Nomination.objects.get(pk=n_ann.pk).status == "approved"
    with pytest.raises(TransitionNotAllowed):
        services.nomination_decide(association=scoped, nomination=n_ann, approve=False)
    services.tiers_evaluate(association=scoped)
    assert Nomination.objects.filter(person=bob).count() == 1  # declined stays declined
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"nomination.approved", "nomination.declined", "award.issued",
            "tiers.evaluated"} <= actions


def test_auto_award_tier_awards_directly(scoped, tiers):
    services.tier_save(association=scoped, tier=tiers["contributor"],
                       **{**_fields(tiers["contributor"]), "auto_award": True})
    ann = member(scoped, "Ann")
    contribute(scoped, ann, ["talk"])
    result = services.tiers_evaluate(association=scoped)
    assert result.awarded == 1 and Award.objects.get().person == ann
    assert Nomination.objects.get().status == "approved"


def _fields(tier: Tier) -> dict:
    return {f: getattr(tier, f) for f in ("name", "slug", "description", "min_contributions",
                                         "min_kinds", "window_months", "required_kinds",
                                         "colour", "order")}


@pytest.mark.parametrize("change, field", [
    ({"min_contributions": 0}, "min_contributions"),
    ({"min_contributions": "lots"}, "min_contributions"),
    ({"window_months": -1}, "window_months"),
    ({"min_kinds": 3, "min_contributions": 2}, "min_kinds"),
    ({"required_kinds": ["juggling"]}, "required_kinds"),
    ({"required_kinds": "talk,\x00"}, "required_kinds"),
    ({"name": ""}, "name"),
    ({"colour": "red"}, "colour"),
    ({"slug": "leader"}, "slug"),
])
def test_a_bad_tier_is_refused_with_the_field(scoped, tiers, change, field):
    with pytest.raises(ValidationFailed) as exc:
        services.tier_save(association=scoped, tier=tiers["contributor"],
                           **{**_fields(tiers["contributor"]), **change})
    assert field in exc.value.fields


def test_nominations_and_awards_refuse_what_makes_no_sense(scoped, tiers, staff_user):
    ann, bob = member(scoped, "Ann"), member(scoped, "Bob")
    nobody = member(scoped, "Nomail", email="")
    with pytest.raises(ValidationFailed, match="Please correct"):
        services.nomination_create(association=scoped, tier=tiers["leader"], person=ann,
                                   reason="  ", source="member", nominated_by_person=bob)
    with pytest.raises(ValidationFailed) as exc:
        services.nomination_create(association=scoped, tier=tiers["leader"], person=ann,
                                   reason="me!", source="member", nominated_by_person=ann)
    assert "person" in exc.value.fields
    services.nomination_create(association=scoped, tier=tiers["leader"], person=ann,
                               reason="Runs our chapter", source="member",
                               nominated_by_person=bob)
    with pytest.raises(Conflict):
        services.nomination_create(association=scoped, tier=tiers["leader"], person=ann,
                                   reason="again", source="staff")
    with pytest.raises(ValidationFailed) as exc:
        services.award_issue(association=scoped, tier=tiers["leader"], person=nobody)
    assert "email" in exc.value.fields["person"][0]
    award = services.award_issue(association=scoped, tier=tiers["leader"], person=ann)
    assert Nomination.objects.get(person=ann).status == "approved"
    with pytest.raises(Conflict):
        services.award_issue(association=scoped, tier=tiers["leader"], person=ann)
    with pytest.raises(ValidationFailed):
        services.award_revoke(association=scoped, award=award, reason="")
    services.award_revoke(association=scoped, award=award, reason="Awarded in error")
    with pytest.raises(TransitionNotAllowed):
        services.award_revoke(association=scoped, award=award, reason="again")
    # Revoked: the tier can be awarded again.
    services.award_issue(association=scoped, tier=tiers["leader"], person=ann)


def test_staff_cannot_decide_their_own_recognition(scoped, tiers, staff_user):
    me = member(scoped, "Director", email=staff_user.email)
    me.user = staff_user
    me.save()
    other = member(scoped, "Bob")
    nomination = services.nomination_create(association=scoped, tier=tiers["star"], person=me,
                                            reason="Great director", source="member",
                                            nominated_by_person=other)
    with pytest.raises(PermissionDenied):
        services.nomination_decide(association=scoped, nomination=nomination, approve=True,
                                   actor=staff_user)
    with pytest.raises(PermissionDenied):
        services.award_issue(association=scoped, tier=tiers["star"], person=me, actor=staff_user)


def test_evaluation_sees_only_its_association(association, other_association):
    with scope(association=other_association):
        services.tiers_install_defaults(association=other_association)
        zed = member(other_association, "Zed")
        contribute(other_association, zed, ["talk"] * 12)
    with scope(association=association):
        services.tiers_install_defaults(association=association)
        result = services.tiers_evaluate(association=association)
        assert result.candidates == 0 and not Nomination.objects.exists()
