"""Member-generated peer groups: a member proposes, staff approve or decline, members join.

An approved group's work (its members' posts in the group's forum, by month) becomes a
contribution of its organisers (origin "group", origin_ref "group:<id>:<yyyy-mm>"; a
co-organiser's carries ":<person id>" after it), waiting for verification like any other.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from commonground.activity.models import Activity
from commonground.core.errors import Conflict, PermissionDenied, TransitionNotAllowed
from commonground.people.models import Person
from commonground.tenancy import audit
from commonground.tenancy.clock import association_today, association_zone
from commonground.tenancy.models import Association

from ..models import (
    Contribution,
    ContributionKind,
    ContributionOrigin,
    ContributionStatus,
    GroupMember,
    GroupRole,
    GroupStatus,
    PeerGroup,
)
from .common import actor_user, check_person, clean_text, raise_if
from .notices import notice_send

MIN_POSTS = 3  # a month with fewer posts in the group's forum is no group work


def _unique_slug(name: str) -> str:
    base = slugify(name)[:56] or "group"
    slug, n = base, 2
    while PeerGroup.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def group_propose(*, association: Association, person: Person, name: str, purpose: str,
                  forum: str = "", actor: Any = None) -> PeerGroup:
    """A member proposes a group; they are its first organiser. Staff decide."""
    errors: dict[str, list[str]] = {}
    check_person(person, association=association, field="person", errors=errors)
    name = clean_text(name, field="name", errors=errors, max_length=120)
    purpose = clean_text(purpose, field="purpose", errors=errors, max_length=2000)
    forum = clean_text(forum, field="forum", errors=errors, max_length=120, required=False)
    raise_if(errors)
    if PeerGroup.objects.filter(name__iexact=name).exclude(status=GroupStatus.DECLINED).exists():
        raise Conflict("A group of that name exists", fields={"name": ["already used"]})
    group = PeerGroup.objects.create(association=association, name=name, slug=_unique_slug(name),
                                     purpose=purpose, forum=forum, proposed_by=person)
    GroupMember.objects.create(association=association, group=group, person=person,
                               role=GroupRole.ORGANISER)
    audit.record(association=association, action="group.proposed", obj=group, actor=actor,
                 data={"person": person.pk, "name": name})
    return group


@transaction.atomic
def group_decide(*, association: Association, group: PeerGroup, approve: bool, note: str = "",
                 forum: str | None = None, actor: Any = None) -> PeerGroup:
    """Staff approve (optionally naming the forum where the group talks) or decline, with a
    note the proposer reads. Deciding again the same way changes nothing."""
    group = PeerGroup.objects.select_for_update().select_related("proposed_by").get(pk=group.pk)
    errors: dict[str, list[str]] = {}
    note = clean_text(note, field="note", errors=errors, max_length=300, required=not approve)
    if forum is not None:
        forum = clean_text(forum, field="forum", errors=errors, max_length=120, required=False)
    raise_if(errors)
    user = actor_user(actor)
    if user is not None and group.proposed_by.user_id == user.pk:
        raise PermissionDenied("You cannot decide on a group you proposed")
    to = GroupStatus.APPROVED if approve else GroupStatus.DECLINED
    if group.status == to:
        return group
    if group.status != GroupStatus.PROPOSED:
        raise TransitionNotAllowed(f"This group is already {group.get_status_display().lower()}")
    group.status, group.decided_by, group.decided_at = to, user, timezone.now()
    group.decision_note = note
    if forum is not None:
        group.forum = forum
    group.save()
    audit.record(association=association, action=f"group.{to}", obj=group, actor=actor,
                 data={"note": note})
    url = reverse("portal:groups", kwargs={"association": association.slug})
    notice_send(association=association, person=group.proposed_by,
                subject=(f"Your group “{group.name}” was approved" if approve
                         else f"Your group “{group.name}” was not approved")[:200],
                body=note or "Members can join it now from the portal.", url=url)
    return group


@transaction.atomic
def group_join(*, association: Association, group: PeerGroup, person: Person,
               actor: Any = None) -> GroupMember:
    errors: dict[str, list[str]] = {}
    check_person(person, association=association, field="person", errors=errors)
    raise_if(errors)
    group = PeerGroup.objects.get(pk=group.pk)  # its status as it is now
    if group.status != GroupStatus.APPROVED:
        raise TransitionNotAllowed("Only approved groups can be joined")
    existing = GroupMember.objects.filter(group=group, person=person).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            member = GroupMember.objects.create(association=association, group=group,
                                                person=person)
    except IntegrityError:  # a double click racing itself
        return GroupMember.objects.get(group=group, person=person)
    audit.record(association=association, action="group.joined", obj=group, actor=actor,
                 data={"person": person.pk})
    return member


@transaction.atomic
def group_leave(*, association: Association, group: PeerGroup, person: Person,
                actor: Any = None) -> None:
    member = GroupMember.objects.filter(group=group, person=person).first()
    if member is None:
        return
    if member.role == GroupRole.ORGANISER and not GroupMember.objects.filter(
            group=group, role=GroupRole.ORGANISER).exclude(pk=member.pk).exists():
        raise Conflict("A group needs an organiser: ask staff to hand it over first")
    member.delete()
    audit.record(association=association, action="group.left", obj=group, actor=actor,
                 data={"person": person.pk})


@transaction.atomic
def group_contributions_infer(*, association: Association, months: int = 3,
                              actor: Any = None) -> dict[str, int]:
    """For each approved group with a forum: each complete month of the last ``months`` with
    at least ``MIN_POSTS`` posts by its members there becomes a contribution of each
    organiser, waiting for verification. Idempotent by origin_ref."""
    zone = association_zone(association)
    first_of_month = association_today(association).replace(day=1)
    start = first_of_month
    for _ in range(months):
        start = (start - timedelta(days=1)).replace(day=1)
    lo = timezone.make_aware(datetime.combine(start, time()), zone)
    hi = timezone.make_aware(datetime.combine(first_of_month, time()), zone)
    created = 0
    for group in PeerGroup.objects.filter(status=GroupStatus.APPROVED).exclude(forum=""):
        members = list(GroupMember.objects.filter(group=group).values_list("person_id", "role"))
        organisers = sorted(pid for pid, role in members if role == GroupRole.ORGANISER)
        if not organisers:
            continue
        per_month = (Activity.objects.filter(
            person_id__in=[pid for pid, _ in members], kind__startswith="forum_",
            metadata__forum=group.forum, occurred_at__gte=lo, occurred_at__lt=hi)
            .annotate(month=TruncMonth("occurred_at", tzinfo=zone)).values("month")
            .annotate(posts=Count("id"), people=Count("person_id", distinct=True))
            .order_by("month"))
        for row in per_month:
            if row["posts"] < MIN_POSTS:
                continue
            month: date = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
            label = f"{month:%Y-%m}"
            for pid in organisers:
                ref = f"group:{group.pk}:{label}" if pid == group.proposed_by_id \
                    else f"group:{group.pk}:{label}:{pid}"
                if Contribution.objects.filter(origin_ref=ref).exists():
                    continue
                Contribution.objects.create(
                    association=association, person_id=pid, kind=ContributionKind.PEER_GROUP,
                    title=(f"Ran the peer group {group.name}: {row['posts']} posts by "
                           f"{row['people']} members in {month:%B %Y}")[:200],
                    occurred_on=month, status=ContributionStatus.SUBMITTED,
                    origin=ContributionOrigin.GROUP, origin_ref=ref)
                created += 1
    audit.record(association=association, action="contributions.group_inferred", actor=actor,
                 object_type="contribution", data={"created": created, "months": months})
    return {"created": created}
