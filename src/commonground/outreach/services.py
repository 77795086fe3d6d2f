"""Writes for outreach: the settings, a list with its random holdout, the contacts made.

Each validates, writes in one transaction and leaves one audit entry. A list is drawn
once, when it is made: its people are a snapshot (a live segment's people change later,
the list does not), the holdout is drawn with a recorded seed (``assignment``), and the
renewal decision ahead of each person is fixed then, so the report compares the groups
on the decisions they faced when the outreach started.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from commonground.core.errors import ValidationFailed
from commonground.core.ids import MAX_ID, parse_id
from commonground.segments.models import Segment
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today
from commonground.tenancy.models import Association

from . import assignment, people, selectors
from .models import (
    MAX_HOLDOUT_PERCENT,
    Channel,
    ContactStatus,
    Group,
    Outreach,
    OutreachMember,
    OutreachSettings,
    Source,
)

MAX_PEOPLE = 200_000
MAX_SEED = 2**62
# What a recorded contact may be; "exported" is only set by the export.
RECORDABLE = (ContactStatus.CONTACTED, ContactStatus.UNREACHABLE)


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _whole(value: Any, name: str, low: int, high: int, errors: dict[str, list[str]]) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[name] = ["a whole number"]
        return None
    if not low <= number <= high:
        errors[name] = [f"between {low} and {high}"]
        return None
    return number


@transaction.atomic
def outreach_settings_save(*, association: Association, holdout_percent: Any,
                           min_per_group: Any, actor: Any = None) -> OutreachSettings:
    """Change the association's defaults: the share held back from new lists (0 holds
    nobody back: their effect cannot be measured) and the fewest decided renewals per group
    before the report draws a conclusion."""
    errors: dict[str, list[str]] = {}
    percent = _whole(holdout_percent, "holdout_percent", 0, MAX_HOLDOUT_PERCENT, errors)
    minimum = _whole(min_per_group, "min_per_group", 1, 10_000, errors)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    row, _ = OutreachSettings.objects.select_for_update().get_or_create(association=association)
    before = {"holdout_percent": row.holdout_percent, "min_per_group": row.min_per_group}
    row.holdout_percent, row.min_per_group, row.updated_by = percent, minimum, _actor(actor)
    row.save()
    audit.record(association=association, action="outreach.settings_changed", obj=row,
                 actor=actor, data={"before": before, "after": {
                     "holdout_percent": percent, "min_per_group": minimum}})
    return row


def _person_ids(values: Iterable[Any], errors: dict[str, list[str]], name: str) -> list[int]:
    ids: list[int] = []
    bad: list[str] = []
    for v in values:
        try:
            pid = int(str(v).strip())
        except (TypeError, ValueError):
            bad.append(repr(v))
            continue
        if not 1 <= pid <= MAX_ID:
            bad.append(repr(v))
        else:
            ids.append(pid)
    if bad:
        errors[name] = [f"not person ids: {', '.join(bad[:5])}" + (" …" if len(bad) > 5 else "")]
    return sorted(set(ids))


@transaction.atomic
def outreach_create(*, association: Association, name: str, segment: Segment | int | None = None,
                    person_ids: Iterable[Any] | None = None, holdout_percent: Any = None,
                    seed: Any = None, description: str = "", actor: Any = None,
                    today: date | None = None) -> Outreach:
    """A list from a segment (its people today) or from a selection of people, with a
    random holdout of ``holdout_percent`` (default: the association's setting) drawn with
    ``seed`` (default: a fresh random one; both are recorded), within lapse risk bands
    when the people have predictions. ``today`` is for back-dated lists (the demo's): the
    renewal decisions ahead on that day, and no bands."""
    now = association_today(association)
    today = today or now
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["required"]
    elif len(name) > 120:
        errors["name"] = ["at most 120 characters"]
    if holdout_percent in (None, ""):
        holdout_percent = selectors.settings_for(association).holdout_percent
    percent = _whole(holdout_percent, "holdout_percent", 0, MAX_HOLDOUT_PERCENT, errors)
    seed_n = secrets.randbelow(MAX_SEED) if seed in (None, "") else \
        _whole(seed, "seed", 0, MAX_SEED - 1, errors)
    segment_obj = None
    if segment not in (None, ""):
        sid = segment.pk if isinstance(segment, Segment) else segment
        sid = parse_id(str(sid))
        segment_obj = Segment.objects.filter(pk=sid).first() if sid else None
        if segment_obj is None:
            errors["segment"] = ["no such segment"]
    if (segment_obj is None) == (person_ids is None) and "segment" not in errors:
        errors["segment"] = ["give a segment or a selection of people, not both"
                             if segment_obj else "choose a segment"]
    ids: list[int] = []
    if person_ids is not None:
        asked = _person_ids(person_ids, errors, "person_ids")
        ids = people.living(asked)
        if len(ids) < len(asked) and "person_ids" not in errors:
            missing = sorted(set(asked) - set(ids))[:5]
            errors["person_ids"] = [f"no such person: {', '.join(map(str, missing))}"]
    elif segment_obj is not None:
        # segment_people already leaves erased people out, in this association.
        ids = people.segment_person_ids(segment_obj, today=today)
    if not errors and not ids:
        errors["segment" if segment_obj else "person_ids"] = ["nobody to contact: it is empty"]
    if len(ids) > MAX_PEOPLE:
        errors["segment"] = [f"at most {MAX_PEOPLE:,} people on one list"]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)

    # Today's predictions are no record of the risk on an earlier day: a back-dated list
    # is drawn without bands.
    band_of = people.bands(ids) if today >= now else {}
    strata: dict[str, list[int]] = defaultdict(list)
    for pid in ids:
        strata[band_of.get(pid, assignment.NO_STRATUM)].append(pid)
    groups = assignment.draw(strata, percent=percent, seed=seed_n)
    decision_of = people.decisions(ids, today=today)
    outreach = Outreach.objects.create(
        association=association, name=name, description=description or "",
        source=Source.SEGMENT if segment_obj else Source.SELECTION, segment=segment_obj,
        segment_name=segment_obj.name if segment_obj else "", made_on=today,
        holdout_percent=percent, seed=seed_n, stratified=bool(band_of),
        created_by=_actor(actor))
    OutreachMember.objects.bulk_create([
        OutreachMember(association=association, outreach=outreach, person_id=pid,
                       group=groups[pid], band=band_of.get(pid, ""),
                       decision_on=decision_of[pid][0] if pid in decision_of else None,
                       grace_days=decision_of[pid][1] if pid in decision_of else 0)
        for pid in ids], batch_size=2000)
    held = sum(1 for g in groups.values() if g == Group.HOLDOUT)
    audit.record(association=association, action="outreach.created", obj=outreach, actor=actor,
                 data={"people": len(ids), "held_back": held, "holdout_percent": percent,
                       "seed": seed_n, "stratified": outreach.stratified,
                       "segment_id": segment_obj.pk if segment_obj else None,
                       "with_renewal_ahead": len(decision_of)})
    return outreach


@transaction.atomic
def outreach_contacts_record(*, association: Association, outreach: Outreach,
                             person_ids: Iterable[Any], status: str = ContactStatus.CONTACTED,
                             channel: str = Channel.MANUAL, note: str = "", actor: Any = None,
                             at: datetime | None = None) -> int:
    """Record that these people of the contact group were contacted (or could not be
    reached). People held back are refused: contacting them would spoil the comparison
    the holdout exists for. Recording again updates the entry; returns how many."""
    errors: dict[str, list[str]] = {}
    if status not in RECORDABLE:
        errors["status"] = [f"one of {', '.join(RECORDABLE)}"]
    if channel not in Channel.values or channel == Channel.EXPORT:
        errors["channel"] = [f"one of {', '.join(c for c in Channel.values if c != 'export')}"]
    if len(note or "") > 300:
        errors["note"] = ["at most 300 characters"]
    ids = _person_ids(person_ids, errors, "person_ids")
    if not ids and "person_ids" not in errors:
        errors["person_ids"] = ["choose at least one person"]
    if errors:
        raise ValidationFailed("Please correct the highlighted fields", fields=errors)
    found: dict[int, str] = {}
    for part in people.chunks(ids):
        found.update(OutreachMember.objects.filter(outreach=outreach, person_id__in=part)
                     .values_list("person_id", "group"))
    unknown = [p for p in ids if p not in found]
    held = [p for p in ids if found.get(p) == Group.HOLDOUT]
    if unknown:
        errors["person_ids"] = [f"not on this list: {', '.join(map(str, unknown[:5]))}"
                                + (" …" if len(unknown) > 5 else "")]
    if held:
        errors.setdefault("person_ids", []).append(
            f"held back, not to be contacted: {', '.join(map(str, held[:5]))}"
            + (" …" if len(held) > 5 else ""))
    if errors:
        raise ValidationFailed("Some people can't be recorded as contacted", fields=errors)
    when = at or timezone.now()
    changed = 0
    for part in people.chunks(ids):
        changed += OutreachMember.objects.filter(outreach=outreach, person_id__in=part).update(
            contact_status=status, channel=channel, contacted_at=when, note=note or "")
    audit.record(association=association, action="outreach.contacts_recorded", obj=outreach,
                 actor=actor, data={"people": changed, "status": status, "channel": channel,
                                    "person_ids": ids[:1000]})
    return changed


@transaction.atomic
def outreach_export(*, association: Association, outreach: Outreach, actor: Any = None
                    ) -> list[selectors.ExportRow]:
    """The contact group for another tool (a mail merge, a call list): its rows, and the
    people not yet contacted are marked exported. The held-back people are never in it."""
    rows = selectors.export_rows(outreach)
    marked = OutreachMember.objects.filter(
        outreach=outreach, group=Group.CONTACT, contact_status=ContactStatus.PENDING).update(
        contact_status=ContactStatus.EXPORTED, channel=Channel.EXPORT, contacted_at=timezone.now())
    audit.record(association=association, action="outreach.exported", obj=outreach, actor=actor,
                 data={"rows": len(rows), "marked_exported": marked})
    return rows
