"""Outreach lists: the snapshot and its holdout, contacts, the export and the effect report."""

from __future__ import annotations

from datetime import date

import pytest

from _outreach_support import MADE_ON, TODAY, world
from commonground.core.errors import ValidationFailed
from commonground.membership.models import Membership, Term
from commonground.membership.services import member_summary_refresh
from commonground.outreach import report, services, stats
from commonground.outreach.models import ContactStatus, Group, OutreachMember
from commonground.people.models import Person
from commonground.segments.services import segment_create
from commonground.tenancy.models import AuditEntry


def _make(a, w, **kw):
    kw.setdefault("holdout_percent", 25)
    kw.setdefault("seed", 7)
    kw.setdefault("today", MADE_ON)
    return services.outreach_create(association=a, name="March calls", segment=w["segment"],
                                    **kw)


def test_a_list_snapshots_the_segment_with_a_recorded_stratified_holdout(scoped):
    w = world(scoped, bands=True)
    made = _make(scoped, w, today=None)  # made today: drawn within today's risk bands
    rows = {m.person_id: m for m in OutreachMember.objects.filter(outreach=made)}
    assert len(rows) == 45 and made.seed == 7 and made.holdout_percent == 25 and made.stratified
    held = [m for m in rows.values() if m.group == Group.HOLDOUT]
    assert len(held) == round(45 * 0.25)
    # Within each band about a quarter is held back (within one person).
    for band in ("high", "medium", "low"):
        in_band = [m for m in rows.values() if m.band == band]
        assert abs(sum(m.group == Group.HOLDOUT for m in in_band) - len(in_band) / 4) < 1
    # The same seed draws the same people; the entry records it.
    again = _make(scoped, w, today=None)
    assert {m.person_id: m.group for m in again.members.all()} == \
        {p: m.group for p, m in rows.items()}
    entry = AuditEntry.objects.get(action="outreach.created", object_id=made.pk)
    assert entry.data["seed"] == 7 and entry.data["held_back"] == len(held)
    # Back-dated to 1 March: the decision each faced then (March's term end, the annual
    # grace), and no bands (today's predictions are no record of the risk then).
    then = _make(scoped, w)
    assert not then.stratified
    first = then.members.get(person=w["people"][0])
    assert (first.decision_on, first.grace_days, first.band) == (date(2026, 3, 31), 30, "")
    assert then.members.get(person=w["non_member"]).decision_on is None


def test_bad_input_gets_field_messages(scoped):
    w = world(scoped, decided=2, pending=0)
    cases = [
        ({"segment": None}, "segment"),
        ({"segment": 999_999}, "segment"),
        ({"segment": w["segment"], "person_ids": [1]}, "segment"),
        ({"segment": None, "person_ids": ["x", 0]}, "person_ids"),
        ({"segment": None, "person_ids": [999_999]}, "person_ids"),
        ({"segment": w["segment"], "holdout_percent": 80}, "holdout_percent"),
        ({"segment": w["segment"], "seed": -1}, "seed"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationFailed) as err:
            services.outreach_create(association=scoped, name="x", **kwargs)
        assert field in err.value.fields, (kwargs, err.value.fields)
    with pytest.raises(ValidationFailed) as err:
        services.outreach_create(association=scoped, name=" ", segment=w["segment"])
    assert "name" in err.value.fields


def test_contacts_refuse_the_held_back_and_the_export_marks_only_the_contact_group(scoped):
    w = world(scoped, decided=20, pending=0)
    made = _make(scoped, w)
    contact = list(made.members.filter(group=Group.CONTACT).values_list("person_id", flat=True))
    held = list(made.members.filter(group=Group.HOLDOUT).values_list("person_id", flat=True))
    with pytest.raises(ValidationFailed) as err:
        services.outreach_contacts_record(association=scoped, outreach=made,
                                          person_ids=[contact[0], held[0]])
    assert "held back" in err.value.fields["person_ids"][0]
    assert not made.members.exclude(contact_status=ContactStatus.PENDING).exists()
    assert services.outreach_contacts_record(association=scoped, outreach=made,
                                             person_ids=contact[:3]) == 3
    services.outreach_contacts_record(association=scoped, outreach=made, person_ids=[contact[3]],
                                      status=ContactStatus.UNREACHABLE, channel="campaign")
    rows = services.outreach_export(association=scoped, outreach=made)
    assert {r.person_id for r in rows} == set(contact)
    statuses = dict(made.members.values_list("person_id", "contact_status"))
    assert {statuses[p] for p in contact[:3]} == {"contacted"}
    assert statuses[contact[3]] == "unreachable"
    assert {statuses[p] for p in contact[4:]} == {"exported"}
    assert {statuses[p] for p in held} == {"pending"}


def test_the_report_compares_renewal_by_the_group_drawn_with_newcombes_interval(scoped):
    w = world(scoped, decided=60, pending=4, renew_every=3)
    made = _make(scoped, w, holdout_percent=50)
    before = report.effect_report(made, today=date(2026, 4, 20))  # inside the grace
    assert before.contact.decided == before.holdout.decided == 0
    assert before.pending == 64 and before.verdict == "too_few"
    assert before.next_settles == date(2026, 5, 1)

    found = report.effect_report(made, today=TODAY)
    groups = dict(made.members.values_list("person_id", "group"))
    renewed = set(w["renewed"])
    for group, counts in ((Group.CONTACT, found.contact), (Group.HOLDOUT, found.holdout)):
        decided = [p for p in w["renewed"] + w["lapsed"] if groups[p] == group]
        assert counts.decided == len(decided)
        assert counts.renewed == sum(p in renewed for p in decided)
        assert counts.no_renewal == (groups[w["non_member"].pk] == group)
    assert found.pending == 4  # November's decisions settle in December
    expect = stats.newcombe(found.contact.renewed, found.contact.decided,
                            found.holdout.renewed, found.holdout.decided)
    c = found.comparison
    assert (c.difference, c.low, c.high) == pytest.approx(expect)
    assert c.verdict == "unclear" and "interval includes zero" in found.summary()
    drawn = report.rate_chart(found).render()
    assert "<svg" in str(drawn.svg) and "Held back" in str(drawn.table_html)
    data = found.as_dict()
    assert data["contact"]["pending"] + data["holdout"]["pending"] == 4
    # A person who lapsed and came back later (a reinstatement after the grace) lapsed.
    late = w["lapsed"][0]
    m = Membership.objects.get(person_id=late)
    Term.objects.create(association=scoped, membership=m, kind="reinstatement",
                        starts_on=date(2026, 6, 1), ends_on=date(2027, 5, 31))
    assert report.effect_report(made, today=TODAY).comparison == c


def test_too_few_to_tell_below_the_minimum(scoped):
    w = world(scoped, decided=30, pending=0, renew_every=2)
    made = _make(scoped, w, holdout_percent=10)
    found = report.effect_report(made, today=TODAY)
    assert found.holdout.decided == 3 and found.verdict == "too_few"
    assert found.summary().startswith("Too few to tell: at least 20 decided renewals")
    services.outreach_settings_save(association=scoped, holdout_percent=10, min_per_group=3)
    assert report.effect_report(made, today=TODAY).verdict in {"unclear", "helped", "hurt"}
    nobody = _make(scoped, w, holdout_percent=0)
    assert report.effect_report(nobody, today=TODAY).summary().startswith("Nobody was held back")
    with pytest.raises(ValidationFailed) as err:
        services.outreach_settings_save(association=scoped, holdout_percent=51, min_per_group=0)
    assert set(err.value.fields) == {"holdout_percent", "min_per_group"}


def test_a_live_segment_is_read_on_the_day_the_list_is_made_and_not_after(scoped):
    w = world(scoped, decided=6, pending=2)
    member_summary_refresh(association=scoped)
    live = segment_create(association=scoped, name="Annual plan", definition={
        "op": "and", "rules": [{"field": "membership.plan", "op": "is", "value": "annual"}]})
    made = services.outreach_create(association=scoped, name="Annual", segment=live, seed=1)
    members = set(made.members.values_list("person_id", flat=True))
    assert members == {p.pk for p in w["people"][:8]}  # the non-member is not on the plan
    assert made.segment_name == "Annual plan" and made.source == "segment"
    late = Person.objects.create(association=scoped, first_name="Late")
    m = Membership.objects.create(association=scoped, plan=w["plan"], person=late,
                                  joined_on=MADE_ON, starts_on=MADE_ON, ends_on=date(2027, 2, 28))
    Term.objects.create(association=scoped, membership=m, kind="join", starts_on=MADE_ON,
                        ends_on=date(2027, 2, 28))
    member_summary_refresh(association=scoped)
    assert set(made.members.values_list("person_id", flat=True)) == members  # a snapshot
