"""Merging two records of one person: every row survives on the kept person."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone
from django_scopes import scope

from _recognition_support import merge_world as recognition_merge_world
from commonground.activity.identity.services import email_hash
from commonground.activity.models import Activity, Identity, Source
from commonground.core.errors import NotFound
from commonground.engagement import services as es
from commonground.engagement.models import Trait
from commonground.insight.models import ModelVersion, Prediction
from commonground.membership import services as ms
from commonground.membership.models import Invoice, Membership, Offering, Payment, Term, Transition
from commonground.opportunities.services import invitation_advance, opportunity_save
from commonground.outreach.models import Outreach, OutreachMember
from commonground.people import services as ps
from commonground.people.merging import MergeConflict, merge_preview, person_relations
from commonground.people.models import DuplicateDismissal, Note, Person, Relationship
from commonground.people.services.merge import (
    CrossAssociationMerge,
    MergeRefused,
    SelfMerge,
    merge_outcome,
    person_merge,
)
from commonground.people.services.notes import note_add
from commonground.portal.services import portal_access_grant
from commonground.recommendations.models import Recommendation
from commonground.scoring.models import Score
from commonground.scoring.services import score_recompute_start
from commonground.segments.models import Segment, SegmentMember
from commonground.tenancy.models import AuditEntry


def _activity(source, person, n: int) -> Activity:
    return Activity.objects.create(
        association=source.association, source=source, person=person, kind="page_view",
        category="web", occurred_at=datetime(2024, 5, 1, 12, n, tzinfo=UTC),
        external_id=f"row-{person.pk}-{n}")


@pytest.fixture
def world(scoped, staff_user):
    a = scoped
    chapter = ps.chapter_create(association=a, name="Bay Area")
    ps.custom_field_define(association=a, key="shoe", label="Shoe size")
    ps.custom_field_define(association=a, key="diet", label="Diet")
    plan = ms.plan_save(association=a, name="Regular", price="100.00")
    org1 = ps.organisation_create(association=a, name="Analytical Engines")
    org2 = ps.organisation_create(association=a, name="Royal Society")
    source = Source.objects.create(association=a, slug="web", name="Website")
    keep = ps.person_create(association=a, first_name="Ada", last_name="Lovelace",
                            email="ada@example.org", custom={"shoe": "38"})
    remove = ps.person_create(association=a, first_name="Augusta Ada", last_name="King",
                              email="ada.king@example.org", phone="+14155550132",
                              address_line1="1 Main St", city="San Francisco", region="CA",
                              postal_code="94103", country="US", chapter=chapter,
                              external_id="M42", custom={"shoe": "39", "diet": "vegan"})
    ps.person_update(association=a, person=remove, last_name="King-Noel", actor=staff_user)
    third = ps.person_create(association=a, first_name="Third", email="third@example.org")
    fourth = ps.person_create(association=a, first_name="Fourth", email="fourth@example.org")
    # One of everything on both.
    for person in (keep, remove):
        m = ms.membership_join(association=a, plan=plan, person=person)
        inv = m.invoices.get()
        ms.payment_record(invoice=inv, amount="40.00", method="cash")
        ps.relationship_add(association=a, person=person, organisation=org1, title="")
        note_add(association=a, person=person, body=f"Called {person.first_name}", actor=staff_user)
        _activity(source, person, 1)
    ps.relationship_add(association=a, person=remove, organisation=org2, kind="board",
                        title="Fellow")
    Relationship.objects.filter(person=remove, organisation=org1).update(title="Engineer")
    _activity(source, remove, 2)
    Identity.objects.create(association=a, person=remove, kind="ext", source=source, value="u-9")
    Identity.objects.create(association=a, person=remove, kind="anon", value="visitor-9")
    Identity.objects.create(association=a, person=keep, kind="anon", value="visitor-1")
    portal_access_grant(association=a, person=remove)
    DuplicateDismissal.objects.create(association=a, person_a=keep, person_b=remove)
    DuplicateDismissal.objects.create(association=a, person_a=keep, person_b=third)
    DuplicateDismissal.objects.create(association=a, person_a=remove, person_b=third)
    DuplicateDismissal.objects.create(association=a, person_a=remove, person_b=fourth)
    _engagement_rows(a, keep, remove, third)
    # Opportunities: an invitation each, to different opportunities (one to the same one
    # collapses: tests/test_opportunities_invitations.py).
    for person in (keep, remove):
        opp = opportunity_save(association=a, type="mentor", title=f"For {person.first_name}",
                               status="open")
        invitation_advance(association=a, opportunity=opp, person=person, event="interest")
    recognition_merge_world(a, keep, remove, third)
    # Scores and a monthly snapshot for everyone (derived rows: see COLLAPSING).
    score_recompute_start(association=a, snapshot_month=date(2024, 5, 1))
    _insight_rows(a, keep, remove)
    return {"keep": keep, "remove": remove, "third": third, "fourth": fourth, "org1": org1,
            "org2": org2, "chapter": chapter, "source": source, "actor": staff_user}


def _engagement_rows(a, keep, remove, third) -> None:
    """Engagement's person-linked rows, on both people without clashing (the collapsing
    of a trait or group both hold is tested in test_engagement_groups)."""
    es.taxonomy_install_defaults(association=a)
    motivations = list(Trait.objects.filter(kind="motivation", is_active=True)[:2])
    for person, trait, name in ((keep, motivations[0], "Keep's group"),
                                (remove, motivations[1], "Remove's group")):
        es.member_traits_set(association=a, person=person, source="member", kind="motivation",
                             answers={trait.pk: 4})
        es.outcome_create(association=a, person=person, kind="connection", title="Met a mentor",
                          occurred_on="2024-05-01", reported_via="member", via_person=third)
        es.contribution_create(association=a, person=person, kind="talk", title="A talk",
                               occurred_on="2024-05-01", origin="member")
        es.notice_send(association=a, person=person, subject="Hello", body="", email=False)
        group = es.group_propose(association=a, person=person, name=name, purpose="p")
        es.group_decide(association=a, group=group, approve=True)
        es.group_join(association=a, group=group, person=third)
    es.outcome_create(association=a, person=third, kind="connection", title="Met Ada",
                      occurred_on="2024-05-01", reported_via="member", via_person=remove)


def _sharing_rows(a, keep, remove) -> None:
    """Data-sharing consents: both people said yes to one agreement (one consent stays:
    collaboration.hooks), the removed person alone to another (moved)."""
    from commonground.collaboration.models import SharingAgreement, SharingConsent
    from commonground.tenancy.services import association_create

    ally = association_create(slug="merge-ally", name="Merge Ally")
    for title, people in (("Both", (keep, remove)), ("Alone", (remove,))):
        agreement = SharingAgreement.objects.create(
            association=a, recipient=ally, title=title, purpose="p", record_kind="members",
            fields=["email"], starts_on=date(2024, 1, 1), expires_on=date(2030, 1, 1))
        for person in people:
            SharingConsent.objects.create(association=a, agreement=agreement, person=person,
                                          given_at=timezone.now())


def _insight_rows(a, keep, remove) -> None:
    """A prediction each (derived: see COLLAPSING) and both people on one static list, the
    removed person also on a second one (moved)."""
    version = ModelVersion.objects.create(association=a, kind="lapse", version=1,
                                          method="rules", status="ready", as_of=date(2024, 5, 1))
    shared = Segment.objects.create(association=a, name="Both", slug="both", is_static=True)
    only = Segment.objects.create(association=a, name="Only", slug="only", is_static=True)
    for person in (keep, remove):
        Prediction.objects.create(association=a, person=person, kind="lapse", model=version,
                                  probability=0.3, band="medium", scored_at=timezone.now())
        SegmentMember.objects.create(association=a, segment=shared, person=person)
    SegmentMember.objects.create(association=a, segment=only, person=remove)
    # Outreach lists: both on one (the kept person's entry stays), the removed on another.
    both = Outreach.objects.create(association=a, name="Both", source="selection",
                                   made_on=date(2024, 5, 1), holdout_percent=10, seed=1)
    alone = Outreach.objects.create(association=a, name="Alone", source="selection",
                                    made_on=date(2024, 5, 1), holdout_percent=10, seed=1)
    for person, group in ((keep, "contact"), (remove, "holdout")):
        OutreachMember.objects.create(association=a, outreach=both, person=person, group=group)
    OutreachMember.objects.create(association=a, outreach=alone, person=remove, group="contact")
    _sharing_rows(a, keep, remove)
    offering = Offering.objects.create(association=a, name="Course", slug="course",
                                       category="learning", side="mission")
    for person in (keep, remove):
        Recommendation.objects.create(association=a, person=person, offering=offering, rank=1,
                                      score=0.5, method="items")


def _rows_of(person_id: int, association_id: int) -> dict[str, set[int]]:
    out = {}
    for rel in person_relations():
        ids = set(rel.rows(person_id, association_id).values_list("pk", flat=True))
        if ids:
            out[rel.label] = ids
    return out


# Relations the world above must cover: a model added later with a person column fails
# here until this test gives both people one of it (so the merge is proven to move it).
COLLAPSING = {"people.Relationship.person", "people.DuplicateDismissal.person_a",
              "people.DuplicateDismissal.person_b",
              # One per person: the kept person's wins (recognition.hooks).
              "recognition.ExpertProfile.person", "recognition.MemberRecognition.person",
              # Derived, not moved: the removed person's scores go and the kept person is
              # scored again over the merged rows (scoring.hooks).
              "scoring.Score.person", "scoring.ScoreSnapshot.person",
              # Derived: the removed person's predictions go (insight.hooks).
              "insight.Prediction.person",
              # Derived: the removed person's suggestions go (recommendations.hooks).
              "recommendations.Recommendation.person",
              # A static list holds a person once: the kept person's entry stays
              # (segments.hooks); the removed person's other lists move.
              "segments.SegmentMember.person",
              # Likewise an outreach list: the kept person's entry and group stay
              # (outreach.hooks); the removed person's other lists move.
              "outreach.OutreachMember.person",
              # A consent per agreement: the live one stays (collaboration.hooks).
              "collaboration.SharingConsent.person"}


def test_merge_moves_every_row_and_loses_nothing(world, scoped):
    keep, remove = world["keep"], world["remove"]
    before_remove = _rows_of(remove.pk, scoped.pk)
    before_keep = _rows_of(keep.pk, scoped.pk)
    uncovered = {r.label for r in person_relations() if not r.is_history
                 and "_" not in r.model._meta.model_name} - set(before_remove)
    assert not uncovered, f"extend the merge world with rows of: {sorted(uncovered)}"
    history_before = Person.history.filter(id=remove.pk).count()
    assert history_before >= 2

    result = person_merge(association=scoped, keep=keep, remove=remove, actor=world["actor"])

    assert not Person.objects.filter(pk=remove.pk).exists()
    after = _rows_of(keep.pk, scoped.pk)
    for label, ids in before_remove.items():
        if label in COLLAPSING:
            continue
        assert ids <= after.get(label, set()), f"{label}: rows of the removed person lost"
    for label, ids in before_keep.items():
        if label in COLLAPSING:
            continue
        assert ids <= after.get(label, set()), f"{label}: rows of the kept person lost"
    assert _rows_of(remove.pk, scoped.pk) == {}
    # The concrete things a director would look for.
    assert Membership.objects.filter(person=keep).count() == 2
    assert Invoice.objects.filter(person=keep).count() == 2
    assert Payment.objects.filter(invoice__person=keep).count() == 2
    assert Term.objects.filter(membership__person=keep).count() == 2
    assert Transition.objects.filter(membership__person=keep).count() >= 2
    assert Activity.objects.filter(person=keep).count() == 3
    assert Note.objects.filter(person=keep).count() == 2
    assert Score.objects.filter(person=keep).count() == 1
    assert sorted(OutreachMember.objects.filter(person=keep).values_list("outreach__name", "group")) \
        == [("Alone", "contact"), ("Both", "contact")]
    from commonground.collaboration.models import SharingConsent  # only this test reads it
    assert sorted(SharingConsent.objects.filter(person=keep)
                  .values_list("agreement__title", flat=True)) == ["Alone", "Both"]
    assert set(Identity.objects.filter(person=keep).values_list("kind", "value")) >= {
        ("ext", "u-9"), ("anon", "visitor-9"), ("anon", "visitor-1"),
        ("email", "ada.king@example.org"), ("hash", email_hash("ada.king@example.org"))}
    # Same organisation, same role: one tie, with the title the kept one lacked.
    ties = {(r.organisation_id, r.kind): r for r in Relationship.objects.filter(person=keep)}
    assert len(ties) == 2
    assert ties[(world["org1"].pk, "employee")].title == "Engineer"
    assert ties[(world["org2"].pk, "board")].title == "Fellow"
    # Dismissals: the merged pair is gone, duplicates collapse, others follow.
    pairs = set(DuplicateDismissal.objects.values_list("person_a", "person_b"))
    assert pairs == {(keep.pk, world["third"].pk), (keep.pk, world["fourth"].pk)}
    # The removed person's change history is the kept person's now.
    assert Person.history.filter(id=keep.pk).count() >= history_before + 2
    assert not Person.history.filter(id=remove.pk).exists()
    # Fields: kept values stay, empty ones are filled from the removed person.
    keep.refresh_from_db()
    assert (keep.first_name, keep.last_name, keep.email) == ("Ada", "Lovelace", "ada@example.org")
    assert keep.phone == "+14155550132" and keep.city == "San Francisco"
    assert keep.chapter == world["chapter"] and keep.external_id == "M42"
    assert keep.custom == {"shoe": "38", "diet": "vegan"}
    assert keep.user is not None and keep.user.email == "ada.king@example.org"
    assert keep.member_status == "active"
    assert set(result.fields_from_removed) >= {"phone", "address", "chapter", "external_id",
                                               "user", "custom"}


def test_merge_audit_entry_holds_a_full_snapshot_of_the_removed_person(world, scoped):
    keep, remove = world["keep"], world["remove"]
    removed_id = remove.pk
    person_merge(association=scoped, keep=keep, remove=remove, actor=world["actor"])
    entry = AuditEntry.objects.get(action="person.merged")
    assert entry.object_id == keep.pk and entry.actor == world["actor"]
    snap = entry.data["removed"]
    assert snap["person"]["id"] == removed_id
    assert snap["person"]["last_name"] == "King-Noel" and snap["person"]["phone"] == "+14155550132"
    assert len(snap["memberships"]) == 1 and len(snap["invoices"][0]["payments"]) == 1
    assert snap["notes"][0]["body"] == "Called Augusta Ada"
    assert {r["organisation"] for r in snap["relationships"]} == {"Analytical Engines",
                                                                  "Royal Society"}
    assert entry.data["moved"]["activity.Activity.person"] == 2
    # Taking the snapshot is not a subject-access export.
    assert not AuditEntry.objects.filter(action="person.exported").exists()
    # A retry finds the merge it already made.
    outcome = merge_outcome(keep=keep, remove_id=removed_id)
    assert outcome is not None and outcome.already_merged


def test_field_choices_pick_the_removed_persons_values(world, scoped):
    keep, remove = world["keep"], world["remove"]
    person_merge(association=scoped, keep=keep, remove=remove,
                 field_choices={"email": "remove", "last_name": "remove", "custom": "remove"})
    keep.refresh_from_db()
    assert keep.email == "ada.king@example.org" and keep.email_key == "ada.king@example.org"
    assert keep.last_name == "King-Noel" and keep.first_name == "Ada"
    assert keep.custom == {"shoe": "39", "diet": "vegan"}
    # The kept person's old address is not lost: feeds still match it.
    assert Identity.objects.filter(person=keep, kind="email", value="ada@example.org").exists()
    assert "king-noel" in keep.search_text


def test_merged_person_disappears_from_lists_and_lookups(world, scoped):
    from commonground.people import selectors

    keep, remove = world["keep"], world["remove"]
    person_merge(association=scoped, keep=keep, remove=remove)
    ids = [p.pk for p in selectors.person_list(search="ada", limit=50).rows]
    assert ids == [keep.pk]
    # Its email is free again for no one: it belongs to the kept person as an identity.
    assert Identity.objects.get(kind="email", value="ada.king@example.org").person_id == keep.pk


def test_self_merge_is_refused(world, scoped):
    keep = world["keep"]
    with pytest.raises(SelfMerge):
        person_merge(association=scoped, keep=keep, remove=keep)


def test_merge_across_associations_is_refused(world, scoped, other_association):
    with scope(association=other_association):
        stranger = ps.person_create(association=other_association, first_name="Ada",
                                    email="ada@example.org")
    with pytest.raises(CrossAssociationMerge):
        person_merge(association=scoped, keep=world["keep"], remove=stranger)
    with pytest.raises(NotFound):
        person_merge(association=scoped, keep=stranger, remove=world["keep"])
    assert Person.objects.filter(pk=world["keep"].pk).exists()


def test_erased_people_cannot_be_merged(world, scoped):
    ps.person_erase(association=scoped, person=world["remove"])
    with pytest.raises(MergeRefused):
        person_merge(association=scoped, keep=world["keep"], remove=world["remove"])


def test_bad_field_choices_are_field_errors(world, scoped):
    from commonground.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        person_merge(association=scoped, keep=world["keep"], remove=world["remove"],
                     field_choices={"email": "both", "shoe": "keep"})
    assert set(exc.value.fields) == {"field_choices.email", "field_choices.shoe"}
    assert Person.objects.filter(pk=world["remove"].pk).exists()


def test_an_unknown_unique_relation_that_would_clash_stops_the_merge(world, scoped, monkeypatch):
    """A relation with a per-person unique rule and no resolver fails loudly."""
    from commonground.people.merging import relations

    monkeypatch.setattr(relations, "RESOLVERS", {
        k: v for k, v in relations.RESOLVERS.items() if k != "people.Relationship"})
    with pytest.raises(MergeConflict) as exc:
        person_merge(association=scoped, keep=world["keep"], remove=world["remove"])
    assert "people.Relationship.person" in exc.value.message
    assert Person.objects.filter(pk=world["remove"].pk).exists()
    assert Relationship.objects.filter(person=world["remove"]).count() == 2


def test_preview_lists_fields_side_by_side_and_what_moves(world, scoped):
    preview = merge_preview(keep=world["keep"], remove=world["remove"])
    rows = {r["field"]: r for r in preview["fields"]}
    assert rows["email"]["choice"] and rows["email"]["side"] == "keep"
    assert rows["phone"]["side"] == "remove" and not rows["phone"]["choice"]
    moves = {m["what"]: m["count"] for m in preview["moves"]}
    assert moves["activities"] == 2 and moves["memberships"] == 1 and moves["notes"] == 1
    assert moves["change history entries"] >= 2
    assert any("ada.king@example.org" in w for w in preview["warnings"])


def test_erasing_the_kept_person_erases_the_merged_snapshot(world, scoped):
    keep = world["keep"]
    person_merge(association=scoped, keep=keep, remove=world["remove"])
    ps.person_erase(association=scoped, person=keep)
    entry = AuditEntry.objects.get(action="person.merged")
    assert entry.data["removed"] == {"erased": True}
    assert "King" not in str(entry.data)
    assert not Person.history.filter(id=keep.pk, last_name__startswith="King").exists()
