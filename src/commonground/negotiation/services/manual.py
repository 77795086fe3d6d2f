"""The operations manual: how the two sides work together, written down. Each page keeps
every version; a change names the (held) meeting that decided it, so the manual can be
read back to the decisions behind it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from commonground.core.errors import ValidationFailed
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from ..models import ManualPage, ManualRevision, Meeting, MeetingStatus
from .meetings_common import actor_user, clean_text, raise_if, require_side_staff

MAX_BODY, MAX_SUMMARY = 100_000, 300
DECIDED = (MeetingStatus.HELD, MeetingStatus.CIRCULATED)


@transaction.atomic
def manual_page_save(*, association: Association, title: str, slug: str = "",
                     position: int | None = None, page: ManualPage | None = None,
                     actor=None) -> ManualPage:
    """Create a page (its slug from the title unless given) or rename / move one. Its text
    is written with ``manual_revise``."""
    require_side_staff(association, actor, "edit the operations manual")
    errors: dict[str, list[str]] = {}
    title = clean_text(title, field="title", errors=errors, max_length=200)
    slug = slugify(slug or title)[:64]
    if not slug and not errors.get("title"):
        errors.setdefault("slug", []).append("letters or digits, please")
    clash = ManualPage.objects.filter(association=association, slug=slug)
    if page is not None:
        clash = clash.exclude(pk=page.pk)
    if slug and clash.exists():
        errors.setdefault("slug", []).append(f"another page is called {slug!r}")
    if position is not None and (not isinstance(position, int) or position < 0):
        errors.setdefault("position", []).append("a whole number from 0")
    raise_if(errors)
    created = page is None
    if created:
        top = ManualPage.objects.filter(association=association).aggregate(top=Max("position"))
        page = ManualPage.objects.create(
            association=association, slug=slug, title=title,
            position=position if position is not None else (top["top"] or 0) + 1)
    else:
        page.title, page.slug = title, slug
        if position is not None:
            page.position = position
        page.save(update_fields=["title", "slug", "position"])
    audit.record(association=association,
                 action="manual_page.created" if created else "manual_page.changed",
                 obj=page, actor=actor_user(actor), data={"title": title, "slug": slug})
    return page


@transaction.atomic
def manual_revise(*, association: Association, page: ManualPage, body: str, summary: str,
                  meeting: Meeting | None, actor=None) -> ManualRevision:
    """A new version of a page. A change to written guidelines must name the meeting that
    decided it, and that meeting must have been held (its minutes recorded); only a page's
    first version may stand without one (the manual as first written down)."""
    require_side_staff(association, actor, "edit the operations manual")
    page = ManualPage.objects.select_for_update().get(pk=page.pk)
    current = page.revisions.order_by("-version").first()
    errors: dict[str, list[str]] = {}
    body = clean_text(body, field="body", errors=errors, max_length=MAX_BODY)
    summary = clean_text(summary, field="summary", errors=errors, max_length=MAX_SUMMARY,
                         required=current is not None)
    if meeting is None:
        if current is not None:
            errors.setdefault("meeting", []).append(
                "name the meeting that decided this change")
    elif meeting.association_id != association.pk:
        errors.setdefault("meeting", []).append("no such meeting")
    # The stored status, not the caller's copy: the minutes may have been recorded since.
    elif Meeting.objects.filter(pk=meeting.pk, status__in=DECIDED).first() is None:
        errors.setdefault("meeting", []).append(
            f"“{meeting.title}” has not been held yet (record its minutes first)")
    raise_if(errors)
    if current is not None and current.body == body:
        raise ValidationFailed("Nothing changed", fields={"body": ["the same as version "
                                                                   f"{current.version}"]})
    version = (current.version if current else 0) + 1
    revision = ManualRevision.objects.create(association=association, page=page,
                                             version=version, body=body, summary=summary,
                                             meeting=meeting, written_by=actor_user(actor))
    audit.record(association=association, action="manual_page.revised", obj=revision,
                 actor=actor_user(actor),
                 data={"page": page.pk, "version": version, "summary": summary,
                       "meeting": meeting.pk if meeting else None})
    return revision

