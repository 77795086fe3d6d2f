"""The caller's staff inbox and the operations manual (pages, versions, diffs) in the API;
``api_meetings`` mounts this router."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Status

from commonground.core.errors import ValidationFailed
from commonground.core.ids import MAX_ID, path_id
from commonground.core.pagination import Page, paginate
from commonground.people.api_selectors import get_or_404
from commonground.tenancy.idempotency import idempotent

from . import selectors_meetings as selectors
from . import services
from .models import ManualPage, Meeting
from .schemas_meetings import (
    DiffLineOut,
    InboxOut,
    ManualPageDetailOut,
    ManualPageIn,
    ManualPageOut,
    ReadIn,
    ReadOut,
    RevisionIn,
    RevisionOut,
)

router = Router(tags=["meetings"])


def in_association(qs, pk: int | None, field: str):
    """An id in a body: one of the association's objects, else a 422 on that field."""
    if pk is None:
        return None
    found = qs.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed("Please correct the highlighted fields",
                               fields={field: [f"no such {field.removesuffix('_id')}"]})
    return found


# ------------------------------------------------------------------ the caller's inbox

@router.get("/inbox", response=Page[InboxOut], summary="The caller's inbox")
def list_inbox(request, unread: bool = False, cursor: str | None = Query(None, max_length=500),
               limit: int = 50):
    page = paginate(selectors.inbox(user=request.user, unread_only=unread), cursor=cursor,
                    limit=limit)
    return {"items": [{"id": m.pk, "subject": m.subject, "body": m.body, "url": m.url,
                       "kind": m.kind, "created_at": m.created_at, "read_at": m.read_at,
                       "emailed_at": m.emailed_at} for m in page["items"]],
            "next_cursor": page["next_cursor"]}


@router.post("/inbox/read", response=ReadOut, summary="Mark messages read")
@idempotent
def read_inbox(request, payload: ReadIn):
    return {"marked": services.inbox_mark_read(association=request.association,
                                               user=request.user,
                                               message_ids=payload.message_ids)}


# ------------------------------------------------------------------ the operations manual

def _revision(r) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"id": r.pk, "version": r.version, "body": r.body, "summary": r.summary,
            "meeting_id": r.meeting_id,
            "written_by": r.written_by.email if r.written_by_id else None,
            "created_at": r.created_at}


def _page(view: selectors.ManualPageView, *, detail: bool = False) -> dict[str, Any]:
    p = view.page
    out = {"id": p.pk, "slug": p.slug, "title": p.title, "position": p.position,
           "current": _revision(view.current)}
    if detail:
        out["revisions"] = [_revision(r) for r in view.revisions]
    return out


@router.get("/manual", response=Page[ManualPageOut], summary="The operations manual's pages")
def list_manual(request, cursor: str | None = Query(None, max_length=500), limit: int = 50):
    page = paginate(ManualPage.objects.all(), cursor=cursor, limit=limit)
    return {"items": [_page(selectors.manual_page(p)) for p in page["items"]],
            "next_cursor": page["next_cursor"]}


@router.post("/manual", response={201: ManualPageOut}, summary="Add a manual page")
@idempotent
def create_manual_page(request, payload: ManualPageIn):
    page = services.manual_page_save(association=request.association, title=payload.title,
                                     slug=payload.slug, actor=request.user)
    return Status(201, _page(selectors.manual_page(page)))


@router.get("/manual/{manual_page_id}", response=ManualPageDetailOut,
            summary="A manual page with every version")
def get_manual_page(request, manual_page_id: int = path_id()):
    page = get_or_404(ManualPage.objects.all(), manual_page_id)
    return _page(selectors.manual_page(page), detail=True)


@router.post("/manual/{manual_page_id}/revisions", response={201: RevisionOut},
             summary="Write a new version of a manual page")
@idempotent
def revise_manual_page(request, payload: RevisionIn, manual_page_id: int = path_id()):
    """A change names the held meeting that decided it (`meeting_id`)."""
    page = get_or_404(ManualPage.objects.all(), manual_page_id)
    meeting = in_association(Meeting.objects.all(), payload.meeting_id, "meeting_id")
    revision = services.manual_revise(association=request.association, page=page,
                                      body=payload.body, summary=payload.summary,
                                      meeting=meeting, actor=request.user)
    return Status(201, _revision(revision))


@router.get("/manual/{manual_page_id}/diff", response=list[DiffLineOut],
            summary="The difference between two versions")
def diff_manual_page(request, manual_page_id: int = path_id(),
                     from_version: int | None = Query(None, ge=1, le=MAX_ID, alias="from"),
                     to_version: int | None = Query(None, ge=1, le=MAX_ID, alias="to")):
    """By default the latest version against the one before it."""
    page = get_or_404(ManualPage.objects.all(), manual_page_id)
    versions = set(page.revisions.values_list("version", flat=True))
    to_version = to_version or max(versions, default=1)
    from_version = from_version or max(to_version - 1, 1)
    missing = [v for v in (from_version, to_version) if v not in versions]
    if missing:
        raise ValidationFailed("No such version", fields={
            "from" if from_version in missing else "to": [f"version {missing[0]} not found"]})
    return [{"op": line.op, "text": line.text}
            for line in selectors.manual_diff(page, from_version=from_version,
                                              to_version=to_version)]
